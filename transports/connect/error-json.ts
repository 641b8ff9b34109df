import type { Any } from "@bufbuild/protobuf/wkt";
import { Code, type Metadata, RpcError } from "../../mod.ts";
import { decodeBase64, encodeBase64 } from "../../protocol.ts";
import { codeFromString, codeToString } from "./code-string.ts";

/** An error as the Connect protocol writes it in JSON. */
export interface ConnectErrorJson {
  /** The code's name, such as `"not_found"`. */
  code: string;
  /** The message, when there is one. */
  message?: string;
  /** Detail messages: the fully qualified type name and the binary message in base64. */
  details?: Array<{ type: string; value: string; debug?: unknown }>;
}

const typeUrlPrefix = "type.googleapis.com/";

/**
 * Writes an error as Connect error JSON: its code name, its message and its
 * details (`type` without the `type.googleapis.com/` prefix, `value` in
 * unpadded base64).
 *
 * @example
 * ```ts
 * import { Code, RpcError } from "wirecall";
 * import { errorToJson } from "wirecall/transports/connect";
 * errorToJson(new RpcError(Code.NOT_FOUND, "no such shelf")); // { code: "not_found", message: "no such shelf" }
 * ```
 */
export function errorToJson(error: RpcError): ConnectErrorJson {
  const json: ConnectErrorJson = { code: codeToString(error.code) };
  if (error.rawMessage !== "") json.message = error.rawMessage;
  if (error.details.length > 0) {
    json.details = error.details.map((any) => ({
      type: any.typeUrl.slice(any.typeUrl.lastIndexOf("/") + 1),
      value: encodeBase64(any.value).replace(/=+$/, ""),
    }));
  }
  return json;
}

/**
 * Reads Connect error JSON into an `RpcError` with `metadata`. A body that
 * is not such JSON gives `fallback` (the code the HTTP status maps to), so
 * that an error page from a proxy still becomes a sensible status.
 */
export function errorFromJson(value: unknown, metadata: Metadata, fallback: RpcError): RpcError {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return fallback;
  const json = value as Record<string, unknown>;
  const code = typeof json.code === "string" ? codeFromString(json.code) : undefined;
  if (json.message !== undefined && typeof json.message !== "string") return fallback;
  const details: Any[] = [];
  if (Array.isArray(json.details)) {
    for (const d of json.details as Array<Record<string, unknown>>) {
      if (typeof d?.type !== "string" || typeof d?.value !== "string") return fallback;
      try {
        details.push({
          $typeName: "google.protobuf.Any",
          typeUrl: typeUrlPrefix + d.type,
          value: decodeBase64(d.value),
        });
      } catch {
        return fallback;
      }
    }
  }
  return new RpcError(code ?? fallback.code, (json.message as string | undefined) ?? "", {
    metadata,
    details,
  });
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** {@link errorToJson} as UTF-8 bytes, the body of a unary error response. */
export function errorToJsonBytes(error: RpcError): Uint8Array {
  return encoder.encode(JSON.stringify(errorToJson(error)));
}

/** Parses a unary error body; anything but Connect error JSON gives `fallback`. */
export function errorFromJsonBytes(
  bytes: Uint8Array,
  metadata: Metadata,
  fallback: RpcError,
): RpcError {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    return fallback;
  }
  return errorFromJson(value, metadata, fallback);
}

/** An error for a Connect response that is not what the protocol allows. */
export function protocolError(message: string): RpcError {
  return new RpcError(Code.INTERNAL, `Connect protocol error: ${message}`);
}
