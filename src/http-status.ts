import { Code } from "./code.ts";

/**
 * Maps the HTTP status of a response that carries no `grpc-status` to a gRPC
 * code, exactly as the gRPC HTTP-to-gRPC status mapping gives it.
 *
 * @example
 * ```ts
 * import { Code } from "wirecall";
 * import { codeFromHttpStatus } from "wirecall/protocol";
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

/**
 * Maps a gRPC code to the HTTP status that protocols carrying errors in HTTP
 * (Connect, REST transcoding) answer with, as the Connect protocol and the
 * gRPC gateways map them: `NOT_FOUND` → 404, `INVALID_ARGUMENT` → 400, …
 *
 * @example
 * ```ts
 * import { Code } from "wirecall";
 * import { httpStatusFromCode } from "wirecall/protocol";
 * httpStatusFromCode(Code.NOT_FOUND); // 404
 * ```
 */
export function httpStatusFromCode(code: Code): number {
  return codeHttpStatus[code] ?? 500;
}

const codeHttpStatus: Record<number, number> = {
  [Code.OK]: 200,
  [Code.CANCELLED]: 499,
  [Code.UNKNOWN]: 500,
  [Code.INVALID_ARGUMENT]: 400,
  [Code.DEADLINE_EXCEEDED]: 504,
  [Code.NOT_FOUND]: 404,
  [Code.ALREADY_EXISTS]: 409,
  [Code.PERMISSION_DENIED]: 403,
  [Code.RESOURCE_EXHAUSTED]: 429,
  [Code.FAILED_PRECONDITION]: 400,
  [Code.ABORTED]: 409,
  [Code.OUT_OF_RANGE]: 400,
  [Code.UNIMPLEMENTED]: 501,
  [Code.INTERNAL]: 500,
  [Code.UNAVAILABLE]: 503,
  [Code.DATA_LOSS]: 500,
  [Code.UNAUTHENTICATED]: 401,
};
