/** A parsed native gRPC content type. */
export interface GrpcContentType {
  /** The content type as the request sent it, echoed in the response. */
  value: string;
  /** The message serialization: `"proto"` (the default) or `"json"`. */
  subtype: string;
}

const pattern = /^application\/grpc(?:\+([a-z0-9.-]+))?(?:;.*)?$/i;

/** The content types a wirecall server accepts, as `accept-post` lists them. */
export const GRPC_CONTENT_TYPES = "application/grpc, application/grpc+proto, application/grpc+json";

/**
 * Tells whether a content type is native gRPC (`application/grpc`, with any
 * `+subtype` or parameters) rather than gRPC-Web or anything else.
 *
 * @example
 * ```ts
 * import { isGrpcContentType } from "wirecall/transports/http2";
 * isGrpcContentType("application/grpc+proto"); // true
 * isGrpcContentType("application/grpc-web"); // false
 * ```
 */
export function isGrpcContentType(value: string | undefined): boolean {
  return value !== undefined && pattern.test(value);
}

/**
 * Parses a content type as native gRPC with a supported subtype (`proto`,
 * the default, or `json`), or returns undefined.
 *
 * @example
 * ```ts
 * import { parseGrpcContentType } from "wirecall/transports/http2";
 * parseGrpcContentType("application/grpc"); // { value: "application/grpc", subtype: "proto" }
 * parseGrpcContentType("application/grpc+thrift"); // undefined
 * ```
 */
export function parseGrpcContentType(value: string | undefined): GrpcContentType | undefined {
  const m = value === undefined ? null : pattern.exec(value);
  if (m === null) return undefined;
  const subtype = m[1]?.toLowerCase() ?? "proto";
  if (subtype !== "proto" && subtype !== "json") return undefined;
  return { value: value!, subtype };
}

/**
 * Formats the content type of a request: `application/grpc+proto` or
 * `application/grpc+json`.
 */
export function formatGrpcContentType(subtype: string): string {
  return subtype === "proto" || subtype === "json"
    ? `application/grpc+${subtype}`
    : "application/grpc";
}
