import { Code } from "../../mod.ts";

// HTTP/2 error codes (RFC 9113, section 7) that the gRPC spec maps specially.
const NO_ERROR = 0x0;
const REFUSED_STREAM = 0x7;
const CANCEL = 0x8;
const ENHANCE_YOUR_CALM = 0xb;
const INADEQUATE_SECURITY = 0xc;

/**
 * Maps the error code of an RST_STREAM (or GOAWAY) to the gRPC code a client
 * reports, as the gRPC HTTP/2 protocol asks: REFUSED_STREAM is
 * `UNAVAILABLE`, CANCEL is `CANCELLED`, ENHANCE_YOUR_CALM is
 * `RESOURCE_EXHAUSTED`, INADEQUATE_SECURITY is `PERMISSION_DENIED`, and
 * everything else (NO_ERROR before a status included) is `INTERNAL`.
 *
 * @example
 * ```ts
 * import { codeFromRstStream } from "wirecall/transports/http2";
 * codeFromRstStream(0x8); // Code.CANCELLED
 * ```
 */
export function codeFromRstStream(errorCode: number): Code {
  switch (errorCode) {
    case REFUSED_STREAM:
      return Code.UNAVAILABLE;
    case CANCEL:
      return Code.CANCELLED;
    case ENHANCE_YOUR_CALM:
      return Code.RESOURCE_EXHAUSTED;
    case INADEQUATE_SECURITY:
      return Code.PERMISSION_DENIED;
    default:
      return Code.INTERNAL;
  }
}

/** RST_STREAM codes wirecall sends. */
export const rstCode = { NO_ERROR, REFUSED_STREAM, CANCEL } as const;
