import { Code, isCode } from "./code.ts";
import { decodeBase64, encodeBase64 } from "./base64.ts";
import { decodeGrpcMessage, encodeGrpcMessage } from "./grpc-message.ts";
import { type Metadata, metadataFromHeaders, metadataToHeaders } from "./metadata.ts";
import { RpcError } from "./rpc-error.ts";
import { decodeStatusDetails, encodeStatusDetails } from "./status-details.ts";

/**
 * Writes the status of a finished call and its trailers as header fields:
 * `grpc-status`, `grpc-message` (percent-encoded, omitted when empty),
 * `grpc-status-details-bin` (when the error has details), then the trailers.
 * Shared by every transport that writes gRPC or gRPC-Web trailers.
 *
 * @example
 * ```ts
 * import { Metadata } from "wirecall";
 * import { writeTrailerFields } from "wirecall/protocol";
 * const fields: string[] = [];
 * writeTrailerFields(undefined, new Metadata(), (k, v) => fields.push(`${k}: ${v}`));
 * fields; // ["grpc-status: 0"]
 * ```
 */
export function writeTrailerFields(
  error: RpcError | undefined,
  trailer: Metadata,
  add: (key: string, value: string) => void,
): void {
  if (error === undefined) {
    add("grpc-status", "0");
  } else {
    add("grpc-status", String(error.code));
    if (error.rawMessage !== "") add("grpc-message", encodeGrpcMessage(error.rawMessage));
    if (error.details.length > 0) {
      add(
        "grpc-status-details-bin",
        encodeBase64(
          encodeStatusDetails({
            code: error.code,
            message: error.rawMessage,
            details: error.details,
          }),
        ),
      );
    }
    metadataToHeaders(error.metadata, add);
  }
  metadataToHeaders(trailer, add);
}

/**
 * Reads the status from received trailer fields (`get` looks one up by
 * lower-case name). Returns `undefined` for an OK status, an `RpcError` with
 * the trailers as metadata otherwise, and `undefined`-`grpc-status` gives
 * `null` so the caller can apply its own fallback (such as the HTTP status).
 *
 * @example
 * ```ts
 * import { readTrailerStatus } from "wirecall/protocol";
 * const t = new Map([["grpc-status", "5"], ["grpc-message", "gone"]]);
 * readTrailerStatus((k) => t.get(k), t)?.code; // 5
 * ```
 */
export function readTrailerStatus(
  get: (key: string) => string | undefined,
  fields: Iterable<readonly [string, string | string[] | undefined]>,
): RpcError | undefined | null {
  const statusText = get("grpc-status");
  if (statusText === undefined) return null;
  const code = parseStatusCode(statusText);
  if (code === Code.OK) return undefined;
  const message = decodeGrpcMessage(get("grpc-message") ?? "");
  const metadata = metadataFromHeaders(fields);
  const detailsText = get("grpc-status-details-bin");
  let details = undefined;
  if (detailsText !== undefined) {
    try {
      details = decodeStatusDetails(decodeBase64(detailsText))?.details;
    } catch {
      // Undecodable details are ignored; the code and message still stand.
    }
  }
  return new RpcError(code, message, { metadata, details });
}

/**
 * Parses a `grpc-status` value; anything but a decimal number of a known code
 * is `UNKNOWN`, as the specification asks.
 */
export function parseStatusCode(text: string): Code {
  if (!/^\d{1,2}$/.test(text.trim())) return Code.UNKNOWN;
  const n = Number(text.trim());
  return isCode(n) ? n : Code.UNKNOWN;
}
