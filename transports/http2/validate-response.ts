import {
  builtinCompressions,
  Code,
  codeFromHttpStatus,
  type Compression,
  compressionFor,
  readTrailerStatus,
  RpcError,
} from "../../mod.ts";

/** Header fields as `node:http2` hands them over. */
export type HeaderFields = Record<string, string | string[] | number | undefined>;

/** What the response headers say about the rest of the call. */
export interface ResponseHead {
  /** The compression of flagged response messages. */
  compression: Compression;
  /**
   * Set when the headers already decide the call: a trailers-only answer
   * (`undefined` inside means OK) or an error derived from the HTTP status or
   * content-type.
   */
  outcome?: { error: RpcError | undefined };
}

const grpcContentType = /^application\/grpc(?:$|[+;])/;

/** Looks a header up as a single string (the first of repeated values). */
export function headerText(fields: HeaderFields, key: string): string | undefined {
  const v = fields[key];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v[0] : String(v);
}

/** Reads the status of a trailers block (or of a trailers-only HEADERS block). */
export function statusFromFields(fields: HeaderFields, httpStatus: number): RpcError | undefined {
  const entries = Object.entries(fields) as Array<[string, string | string[] | undefined]>;
  const status = readTrailerStatus((k) => headerText(fields, k), entries);
  if (status === null) {
    return new RpcError(
      httpStatus === 200 ? Code.INTERNAL : codeFromHttpStatus(httpStatus),
      `the server ended the call without a grpc-status (HTTP ${httpStatus})`,
    );
  }
  return status;
}

/**
 * Validates the response headers of a gRPC call, as the gRPC HTTP/2 protocol
 * asks: an HTTP status other than 200 without `grpc-status` maps to a code
 * (`codeFromHttpStatus`); a 200 without a gRPC content-type is `UNKNOWN`; a
 * `grpc-status` in the headers makes them a trailers-only answer; an
 * unsupported `grpc-encoding` is `INTERNAL`.
 *
 * @example
 * ```ts
 * import { validateResponseHeader } from "wirecall/transports/http2";
 * validateResponseHeader({ ":status": 503 }).outcome?.error?.code; // Code.UNAVAILABLE
 * ```
 */
export function validateResponseHeader(
  fields: HeaderFields,
  compressions: ReadonlyMap<string, Compression> = builtinCompressions,
): ResponseHead {
  const httpStatus = Number(fields[":status"] ?? 0);
  const hasStatus = fields["grpc-status"] !== undefined;
  let compression: Compression;
  try {
    compression = compressionFor(headerText(fields, "grpc-encoding"), compressions);
  } catch (e) {
    const error = new RpcError(Code.INTERNAL, (e as RpcError).rawMessage);
    return { compression: compressionFor(undefined, compressions), outcome: { error } };
  }
  if (httpStatus !== 200) {
    if (hasStatus) return { compression, outcome: { error: statusFromFields(fields, httpStatus) } };
    const type = headerText(fields, "content-type") ?? "none";
    const error = new RpcError(
      codeFromHttpStatus(httpStatus),
      `HTTP ${httpStatus} from the server (content-type: ${type})`,
    );
    return { compression, outcome: { error } };
  }
  const type = headerText(fields, "content-type");
  if (type === undefined || !grpcContentType.test(type)) {
    const error = new RpcError(
      Code.UNKNOWN,
      `the server answered with content-type ${type ?? "(none)"}, not application/grpc`,
    );
    return { compression, outcome: { error } };
  }
  if (hasStatus) return { compression, outcome: { error: statusFromFields(fields, httpStatus) } };
  return { compression };
}
