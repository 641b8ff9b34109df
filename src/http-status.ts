import { Code } from "./code.ts";

/**
 * Maps the HTTP status of a response that carries no `grpc-status` to a gRPC
 * code, exactly as the gRPC HTTP-to-gRPC status mapping gives it.
 *
 * @example
 * ```ts
 * import { codeFromHttpStatus, Code } from "wirecall";
 * codeFromHttpStatus(503) === Code.UNAVAILABLE; // true
 * ```
 */
export function codeFromHttpStatus(status: number): Code {
  switch (status) {
    case 400:
      return Code.INTERNAL;
    case 401:
      return Code.UNAUTHENTICATED;
    case 403:
      return Code.PERMISSION_DENIED;
    case 404:
      return Code.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return Code.UNAVAILABLE;
    case 431:
      return Code.INTERNAL;
    default:
      return Code.UNKNOWN;
  }
}
