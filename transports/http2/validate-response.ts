import {
  type ResponseHead,
  type ResponseRules,
  statusFromTrailers,
  validateResponse,
} from "../../protocol.ts";
import type { RpcError } from "../../mod.ts";
import { isGrpcContentType } from "./content-type.ts";

/** Header fields as `node:http2` hands them over. */
export type HeaderFields = Record<string, string | string[] | number | undefined>;

/** Looks a header up as a single string (the first of repeated values). */
export function headerText(fields: HeaderFields, key: string): string | undefined {
  const v = fields[key];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v[0] : String(v);
}

const rules: ResponseRules = { isContentType: isGrpcContentType, contentType: "application/grpc" };

/**
 * Validates the response headers of a native gRPC call with the core's
 * `validateResponse` (the same rules as every other transport); `target`
 * names the call in errors.
 *
 * @example
 * ```ts
 * import { validateResponseHeader } from "wirecall/transports/http2";
 * validateResponseHeader({ ":status": 503 }).outcome?.error?.code; // Code.UNAVAILABLE
 * ```
 */
export function validateResponseHeader(fields: HeaderFields, target = "the server"): ResponseHead {
  return validateResponse(
    Number(fields[":status"] ?? 0),
    (k) => headerText(fields, k),
    () => Object.entries(fields) as Array<[string, string]>,
    rules,
    target,
  );
}

/** Reads the status of a call's trailers. */
export function statusFromFields(fields: HeaderFields, httpStatus: number): RpcError | undefined {
  return statusFromTrailers(
    (k) => headerText(fields, k),
    Object.entries(fields) as Array<[string, string]>,
    httpStatus,
  );
}
