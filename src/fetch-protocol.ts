import { Code } from "./code.ts";
import type { Compression } from "./compression.ts";
import type { PeerInfo } from "./handler-context.ts";
import { RpcError } from "./rpc-error.ts";
import { readCapped } from "./read-capped.ts";

/**
 * One protocol that a fetch handler serves beside gRPC-Web on the same
 * routes: Connect, REST transcoding, or your own. The host handler (see
 * `createGrpcWebHandler`'s `protocols` option) strips its path prefix, asks
 * each protocol in turn to serve the request, and answers CORS for all of
 * them. For transport authors; users pass the objects that
 * `createConnectHandler` and `createRestHandler` return.
 */
export interface FetchProtocol {
  /** The protocol's name, as `ctx.peer.protocol` reports it (`"connect"`, `"rest"`). */
  readonly protocol: string;
  /**
   * Serves `request` if it belongs to this protocol (its content type, method
   * and `path`, the path below the host's prefix); returns `undefined`
   * without reading the body otherwise.
   */
  serve(request: Request, path: string, info?: unknown): Promise<Response> | undefined;
  /**
   * Answers a request that no protocol served but that is of this protocol's
   * form (a Connect call to an unknown method, say), or returns `undefined`.
   */
  unclaimed?(request: Request, path: string): Response | undefined;
  /** HTTP methods its browser clients send besides POST, for CORS preflights. */
  readonly corsMethods?: readonly string[];
  /** Request headers its browser clients send, for CORS preflights. */
  readonly corsRequestHeaders?: readonly string[];
  /** Response headers its browser clients must read, exposed to pages. */
  readonly corsResponseHeaders?: readonly string[];
}

/**
 * What a runtime may pass after the request: Deno's `ServeHandlerInfo`, or
 * the same shape from wirecall's Node adapter. Anything else (Bun's server,
 * workerd's `env`) is ignored.
 */
export interface FetchRequestInfo {
  /** The caller's address. */
  remoteAddr?: { hostname: string; port: number };
}

/**
 * The peer of a fetch-handler call, from the runtime's request info.
 *
 * @example
 * ```ts
 * import { peerOfRequest } from "wirecall/protocol";
 * peerOfRequest({ remoteAddr: { hostname: "10.0.0.1", port: 443 } }, true, "connect").address; // "10.0.0.1:443"
 * ```
 */
export function peerOfRequest(info: unknown, tls: boolean, protocol: string): PeerInfo {
  const addr = (info as FetchRequestInfo | undefined)?.remoteAddr;
  const address = typeof addr?.hostname === "string" ? `${addr.hostname}:${addr.port}` : "unknown";
  return { address, protocol, tls };
}

/**
 * Reads a whole request or response body, failing with `RESOURCE_EXHAUSTED`
 * (before buffering) once it passes `maxBytes`: the declared
 * `content-length` is checked first, then the bytes as they arrive.
 */
export async function readBodyBytes(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  declaredLength: string | null,
  onTooLarge: (bytes: number) => Error,
): Promise<Uint8Array> {
  if (declaredLength !== null && Number(declaredLength) > maxBytes) {
    body?.cancel().catch(() => {});
    throw onTooLarge(Number(declaredLength));
  }
  if (body === null) return new Uint8Array(0);
  return await readCapped(body.getReader(), maxBytes, onTooLarge);
}

/**
 * The error of a request body that failed while it was read: an `RpcError`
 * (a size limit, a bad frame) stands; anything else is the connection going
 * away, `CANCELLED`.
 */
export function requestReadError(e: unknown): RpcError {
  if (e instanceof RpcError) return e;
  return new RpcError(Code.CANCELLED, `reading the request failed: ${(e as Error)?.message ?? e}`, {
    cause: e,
  });
}

/** What a fetch-based server call (gRPC-Web, Connect) knows of its request once its head is checked. */
export interface FetchCallInit {
  /** The request; its signal cancels the call. */
  request: Request;
  /** Base response headers (the content type, CORS, encodings). */
  headers: Headers;
  /** `"proto"` or `"json"`. */
  contentSubtype: string;
  /** From the protocol's timeout header. */
  timeoutMs: number | undefined;
  /** Decompresses the request message(s). */
  requestCompression: Compression;
  /** Compresses the response message(s). */
  responseCompression: Compression;
  /** Messages smaller than this are sent uncompressed. */
  compressMinBytes: number;
  /** The request message limit, before and after decompression. */
  maxReceiveMessageBytes: number;
  /** The caller. */
  peer: PeerInfo;
}

/** A handler's `pathPrefix` option as the handlers compare it: no trailing slash ("" for none). */
export function normalizePathPrefix(prefix: string | undefined): string {
  return (prefix ?? "").replace(/\/+$/, "");
}

/**
 * The request path below a handler's (normalized) `prefix`, as routes see it;
 * `undefined` when the path is not under it (the handler answers 404).
 */
export function pathBelowPrefix(path: string, prefix: string): string | undefined {
  if (prefix === "") return path;
  return path.startsWith(prefix + "/") ? path.slice(prefix.length) : undefined;
}
