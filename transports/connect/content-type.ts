/** A parsed Connect content type. */
export interface ConnectContentType {
  /** True for the streaming types (`application/connect+…`), false for unary ones. */
  stream: boolean;
  /** The message serialization: `"proto"` or `"json"`. */
  subtype: "proto" | "json";
}

const pattern = /^application\/(connect\+)?(?:(json)(?:\s*;\s*charset=utf-?8)?|(proto))\s*$/i;

/**
 * Parses a `content-type` header as one of the Connect protocol's:
 * `application/proto` and `application/json` (unary),
 * `application/connect+proto` and `application/connect+json` (streaming).
 *
 * @example
 * ```ts
 * import { parseConnectContentType } from "wirecall/transports/connect";
 * parseConnectContentType("application/connect+json"); // { stream: true, subtype: "json" }
 * parseConnectContentType("application/grpc"); // undefined
 * ```
 */
export function parseConnectContentType(
  value: string | null | undefined,
): ConnectContentType | undefined {
  const m = value ? pattern.exec(value.trim()) : null;
  if (m === null) return undefined;
  return { stream: m[1] !== undefined, subtype: m[3] !== undefined ? "proto" : "json" };
}

/**
 * Formats the content type of a Connect call.
 *
 * @example
 * ```ts
 * import { formatConnectContentType } from "wirecall/transports/connect";
 * formatConnectContentType(false, "proto"); // "application/proto"
 * ```
 */
export function formatConnectContentType(stream: boolean, subtype: string): string {
  return stream ? `application/connect+${subtype}` : `application/${subtype}`;
}
