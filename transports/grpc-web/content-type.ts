/** The two gRPC-Web wire formats: raw frames, or frames in base64 text. */
export type GrpcWebFormat = "binary" | "text";

/** A parsed gRPC-Web content type. */
export interface GrpcWebContentType {
  /** `"binary"` for `application/grpc-web`, `"text"` for `application/grpc-web-text`. */
  format: GrpcWebFormat;
  /** The message serialization: `"proto"` (the default) or `"json"`. */
  subtype: string;
}

/** The content types a gRPC-Web handler accepts, as `accept-post` lists them. */
export const GRPC_WEB_CONTENT_TYPES = "application/grpc-web, application/grpc-web+proto, " +
  "application/grpc-web+json, application/grpc-web-text, application/grpc-web-text+proto, " +
  "application/grpc-web-text+json";

const pattern = /^application\/grpc-web(-text)?(?:\+(proto|json))?\s*(?:;.*)?$/i;

/**
 * Parses a `content-type` header as a gRPC-Web content type, or returns
 * `undefined` when it is not one (a plain `application/grpc` request, say).
 *
 * @example
 * ```ts
 * import { parseGrpcWebContentType } from "wirecall/transports/grpc-web";
 * parseGrpcWebContentType("application/grpc-web-text+proto"); // { format: "text", subtype: "proto" }
 * ```
 */
export function parseGrpcWebContentType(
  value: string | null | undefined,
): GrpcWebContentType | undefined {
  const m = value ? pattern.exec(value.trim()) : null;
  if (m === null) return undefined;
  return { format: m[1] ? "text" : "binary", subtype: (m[2] ?? "proto").toLowerCase() };
}

/**
 * Formats the content type of a gRPC-Web call. Protobuf is spelled out in the
 * binary format (`application/grpc-web+proto`) and left implicit in the text
 * format (`application/grpc-web-text`), as the gRPC-Web clients in the wild do.
 */
export function formatGrpcWebContentType(format: GrpcWebFormat, subtype: string): string {
  if (format === "text") {
    return subtype === "proto"
      ? "application/grpc-web-text"
      : `application/grpc-web-text+${subtype}`;
  }
  return `application/grpc-web+${subtype}`;
}
