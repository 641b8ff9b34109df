import { Code, RpcError } from "../../mod.ts";
import { decodeBase64, encodeBase64 } from "../../protocol.ts";

/** What the query of a Connect GET request carries. */
export interface ConnectGetQuery {
  /** `"proto"` or `"json"`, from `encoding`. */
  subtype: "proto" | "json";
  /** The request message as sent (still compressed when `compression` is set). */
  message: Uint8Array;
  /** The `compression` parameter, or `null`. */
  compression: string | null;
  /** The `connect` parameter (`"v1"`), or `null`. */
  version: string | null;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Reads the query of a Connect unary GET:
 * `?connect=v1&encoding=json&message=…[&base64=1][&compression=gzip]`.
 * A missing or unknown `encoding` is `INVALID_ARGUMENT`.
 */
export function parseGetQuery(params: URLSearchParams): ConnectGetQuery {
  const encoding = params.get("encoding");
  if (encoding !== "proto" && encoding !== "json") {
    throw new RpcError(
      Code.INVALID_ARGUMENT,
      `a Connect GET request needs encoding=proto or encoding=json, got ${
        encoding === null ? "none" : `"${encoding}"`
      }`,
    );
  }
  const text = params.get("message") ?? "";
  let message: Uint8Array;
  if (params.get("base64") === "1") {
    try {
      message = decodeBase64(text);
    } catch {
      throw new RpcError(Code.INVALID_ARGUMENT, "the message query parameter is not base64");
    }
  } else {
    message = encoder.encode(text);
  }
  return {
    subtype: encoding,
    message,
    compression: params.get("compression"),
    version: params.get("connect"),
  };
}

/**
 * Builds the URL of a Connect unary GET for `message`: JSON stays readable
 * (percent-encoded), binary and compressed messages go in URL-safe base64.
 *
 * @example
 * ```ts
 * import { connectGetUrl } from "wirecall/transports/connect";
 * connectGetUrl("https://api.example/pkg.S/M", "json", new TextEncoder().encode("{}"), undefined);
 * // "https://api.example/pkg.S/M?connect=v1&encoding=json&message=%7B%7D"
 * ```
 */
export function connectGetUrl(
  url: string,
  subtype: string,
  message: Uint8Array,
  compression: string | undefined,
): string {
  let query = `?connect=v1&encoding=${subtype}`;
  const base64 = subtype !== "json" || compression !== undefined;
  if (base64) {
    const text = encodeBase64(message).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    query += `&base64=1&message=${text}`;
  } else {
    query += `&message=${encodeURIComponent(decoder.decode(message))}`;
  }
  if (compression !== undefined) query += `&compression=${encodeURIComponent(compression)}`;
  return url + query;
}
