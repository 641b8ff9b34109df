import { Code, type Metadata, RpcError } from "../../mod.ts";
import { metadataFromHeaders, metadataToHeaders } from "../../protocol.ts";
import { type ConnectErrorJson, errorFromJson, errorToJson } from "./error-json.ts";

/** Envelope flag of the Connect end-of-stream message, which carries the status and trailers. */
export const FLAG_END_STREAM = 0b0000_0010;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Encodes the `EndStreamResponse` JSON that ends a Connect stream: the error,
 * if any (its own metadata joins the trailers), and the trailers as
 * `metadata`, each key with its list of values.
 *
 * @example
 * ```ts
 * import { Metadata } from "wirecall";
 * import { encodeEndStream } from "wirecall/transports/connect";
 * new TextDecoder().decode(encodeEndStream(undefined, new Metadata({ "x-a": "1" }))); // '{"metadata":{"x-a":["1"]}}'
 * ```
 */
export function encodeEndStream(error: RpcError | undefined, trailer: Metadata): Uint8Array {
  const json: { error?: ConnectErrorJson; metadata?: Record<string, string[]> } = {};
  if (error !== undefined) json.error = errorToJson(error);
  const metadata: Record<string, string[]> = {};
  let any = false;
  const add = (k: string, v: string) => {
    any = true;
    (metadata[k] ??= []).push(v);
  };
  if (error !== undefined) metadataToHeaders(error.metadata, add);
  metadataToHeaders(trailer, add);
  if (any) json.metadata = metadata;
  return encoder.encode(JSON.stringify(json));
}

/**
 * Decodes an `EndStreamResponse`: the trailers, and the error it reports
 * (`undefined` for success). Malformed JSON is `INTERNAL`.
 */
export function decodeEndStream(bytes: Uint8Array): { trailer: Metadata; error?: RpcError } {
  const bad = (why: string) =>
    new RpcError(Code.INTERNAL, `Connect protocol error: invalid end-of-stream message (${why})`);
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(bytes));
  } catch {
    throw bad("not JSON");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw bad("not an object");
  const { metadata, error } = json as { metadata?: unknown; error?: unknown };
  const fields: Array<[string, string]> = [];
  if (metadata !== undefined) {
    if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
      throw bad("metadata is not an object");
    }
    for (const [key, values] of Object.entries(metadata)) {
      if (!Array.isArray(values) || values.some((v) => typeof v !== "string")) {
        throw bad(`metadata "${key}" is not a list of strings`);
      }
      for (const v of values) fields.push([key, v]);
    }
  }
  const trailer = metadataFromHeaders(fields);
  if (error === undefined || error === null) return { trailer };
  const fallback = new RpcError(Code.UNKNOWN, "the stream ended with an unreadable error", {
    metadata: trailer,
  });
  return { trailer, error: errorFromJson(error, trailer, fallback) };
}
