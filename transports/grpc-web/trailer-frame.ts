import { Code, type Metadata, RpcError } from "../../mod.ts";
import { encodeEnvelope, FLAG_TRAILER, writeTrailerFields } from "../../protocol.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Builds the gRPC-Web trailer frame that ends a response: flag `0x80`, and a
 * body of `key: value\r\n` lines holding the status and the trailers.
 *
 * @example
 * ```ts
 * import { Metadata } from "wirecall";
 * import { encodeTrailerFrame } from "wirecall/transports/grpc-web";
 * encodeTrailerFrame(undefined, new Metadata()); // 0x80, length, "grpc-status: 0\r\n"
 * ```
 */
export function encodeTrailerFrame(error: RpcError | undefined, trailer: Metadata): Uint8Array {
  let text = "";
  writeTrailerFields(error, trailer, (key, value) => {
    text += `${key}: ${value}\r\n`;
  });
  return encodeEnvelope(FLAG_TRAILER, encoder.encode(text));
}

/**
 * Parses the body of a trailer frame into lower-case `[key, value]` fields,
 * in order. A line without a colon is `INTERNAL`: the peer is not speaking
 * gRPC-Web.
 */
export function parseTrailerFrame(body: Uint8Array): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  for (const line of decoder.decode(body).split("\r\n")) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) {
      throw new RpcError(Code.INTERNAL, `malformed gRPC-Web trailer line "${line}"`);
    }
    fields.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return fields;
}
