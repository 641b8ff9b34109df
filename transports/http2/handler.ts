import type * as http from "node:http";
import * as http2 from "node:http2";
import type { TLSSocket } from "node:tls";
import {
  builtinCompressions,
  Code,
  gzip,
  identity,
  type PeerInfo,
  type Router,
  RpcError,
} from "../../mod.ts";
import { DEFAULT_MAX_RECEIVE_MESSAGE_BYTES, parseOptions } from "../../protocol.ts";
import { type RequestRejection, type RequestRules, writeRejectionFields } from "../../protocol.ts";
import { resetStream } from "./bun-http2-workarounds.ts";
import { type GrpcContentType, isGrpcContentType } from "./content-type.ts";
import { Http2ServerCall, type ServerCallLimits } from "./server-call.ts";
import { type Http2HandlerOptions, http2HandlerOptionsSchema } from "./server-options.ts";
import { http2RequestRules, validateRequestHeader } from "./validate-request.ts";
import { type HeaderFields, headerText } from "./validate-response.ts";

/**
 * Native gRPC for a `node:http2` server you made yourself: pass it to
 * `http2.createServer(handler)` / `http2.createSecureServer(options, handler)`
 * or call it from your own request listener. gRPC requests (a
 * `application/grpc*` content type) are served from the router; anything else
 * goes to the `fallback` option (default: HTTP 404), so the server can carry
 * other routes beside the gRPC services.
 */
export interface Http2Handler {
  /**
   * The request listener (`node:http2`'s compatibility API). HTTP/1.1
   * requests (`allowHTTP1`) always go to the fallback: native gRPC needs
   * HTTP/2.
   */
  (req: http2.Http2ServerRequest | http.IncomingMessage, res: Http2HandlerResponse): void;
  /**
   * Serves a raw stream from the server's `"stream"` event when it is native
   * gRPC and returns `true`; returns `false` (touching nothing) otherwise, so
   * the caller answers it. The fallback is not consulted here.
   */
  handleStream(
    stream: http2.ServerHttp2Stream,
    headers: http2.IncomingHttpHeaders,
    rawHeaders?: string[],
  ): boolean;
  /** Calls being served now. */
  readonly activeCalls: number;
  /**
   * Cancels every running call: their handlers see `CANCELLED`, their streams
   * are reset. For a shutdown whose grace period has run out — close your
   * server (`server.close()`, GOAWAY on its sessions) first.
   */
  cancelCalls(reason?: RpcError): void;
}

/** The response a request listener gets (HTTP/2, or HTTP/1.1 under `allowHTTP1`). */
export type Http2HandlerResponse = http2.Http2ServerResponse | http.ServerResponse;

const sessionPeers = new WeakMap<http2.ServerHttp2Session, PeerInfo>();

const unknownPeer: PeerInfo = { address: "unknown", protocol: "grpc", tls: false };

/** The caller as a handler sees it (`ctx.peer`), computed once per session. */
export function peerOf(session: http2.ServerHttp2Session | undefined): PeerInfo {
  // node:http2 may emit a stream whose session is already gone (a connection
  // error in the same packet as the request).
  if (session === undefined) return unknownPeer;
  let peer = sessionPeers.get(session);
  if (peer === undefined) {
    const socket = session.socket as TLSSocket | undefined;
    const tls = session.encrypted === true;
    peer = {
      address: socket?.remoteAddress === undefined
        ? "unknown"
        : `${socket.remoteAddress}:${socket.remotePort}`,
      protocol: "grpc",
      tls,
    };
    if (tls && typeof socket?.getPeerCertificate === "function") {
      const cert = socket.getPeerCertificate();
      if (cert !== null && Object.keys(cert).length > 0) {
        peer.certificate = cert;
        peer.certificateVerified = socket.authorized === true;
      }
    }
    sessionPeers.set(session, peer);
  }
  return peer;
}

/**
 * The per-stream half of the server, shared by `createHttp2Server` and
 * `createHttp2Handler`: the header-list limit, the request-head checks, and a
 * call for the router. What concerns connections (keepalive policing,
 * streams per connection, handshake timeout, GOAWAY on close) is the
 * server's, whichever made it.
 */
export class GrpcStreamServer {
  readonly calls = new Set<Http2ServerCall>();
  readonly #router: Router;
  readonly #limits: ServerCallLimits;
  readonly #rules: RequestRules<GrpcContentType>;
  readonly #maxHeaderListBytes: number;
  readonly #onCallDone = (call: Http2ServerCall) => this.calls.delete(call);

  /** Serves `router` with the stream-level limits in `options` (already validated). */
  constructor(router: Router, options: Http2HandlerOptions) {
    this.#router = router;
    this.#limits = {
      maxReceiveBytes: options.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
      maxSendBytes: options.maxSendMessageBytes ?? Infinity,
    };
    this.#rules = http2RequestRules(
      builtinCompressions,
      options.sendCompression === "gzip" ? gzip : identity,
    );
    this.#maxHeaderListBytes = options.maxHeaderListBytes ?? DEFAULT_MAX_HEADER_LIST_BYTES;
  }

  /**
   * Refuses (with `RESOURCE_EXHAUSTED`) a stream whose header list is over the
   * limit, as gRPC's C core does with a client that ignores SETTINGS; returns
   * whether it did.
   */
  refuseHeaderList(stream: http2.ServerHttp2Stream, rawHeaders: string[] | undefined): boolean {
    const headerBytes = headerListSize(rawHeaders);
    if (headerBytes <= this.#maxHeaderListBytes) return false;
    reject(stream, {
      httpStatus: 200,
      error: new RpcError(
        Code.RESOURCE_EXHAUSTED,
        `request header list of ${headerBytes} bytes exceeds the limit of ${this.#maxHeaderListBytes} bytes`,
      ),
      headers: {},
    });
    return true;
  }

  /** Checks the request head and runs the call (or answers the refusal). */
  serve(stream: http2.ServerHttp2Stream, headers: HeaderFields): void {
    const head = validateRequestHeader(headers, this.#rules);
    if ("httpStatus" in head) {
      reject(stream, head);
      return;
    }
    const call = new Http2ServerCall(
      stream,
      head,
      headers,
      peerOf(stream.session as http2.ServerHttp2Session),
      this.#limits,
      this.#onCallDone,
    );
    this.calls.add(call);
    this.#router.handle(headerText(headers, ":path") ?? "", call);
  }

  /** Cancels every running call with `reason`. */
  cancelAll(reason: RpcError): void {
    for (const call of this.calls) call.cancel(reason);
  }
}

/** The default `maxHeaderListBytes`, as grpc-go's. */
export const DEFAULT_MAX_HEADER_LIST_BYTES = 64 * 1024;

/**
 * Creates a handler that serves `router` as native gRPC on a `node:http2`
 * server you already have, beside your other routes (as Connect's
 * `connectNodeAdapter` does). Requests that are not gRPC go to
 * `options.fallback`, or get a 404. The per-call behaviour is
 * `createHttp2Server`'s (deadlines, cancellation, size limits, compression,
 * trailers-only answers); what concerns connections — TLS, keepalive, windows,
 * graceful close — is your server's.
 *
 * @example
 * ```ts
 * import * as http2 from "node:http2";
 * import { createRouter } from "wirecall";
 * import { createHttp2Handler } from "wirecall/transports/http2";
 * import { DemoService } from "./protos/gen/wirecall/demo/v1/demo_pb.ts";
 *
 * const router = createRouter().service(DemoService, { greet: (r) => ({ greeting: `hi ${r.name}` }) });
 * const server = http2.createServer(createHttp2Handler(router, {
 *   fallback: (req, res) => {
 *     const found = req.url === "/healthz";
 *     res.statusCode = found ? 200 : 404;
 *     res.end(found ? "ok" : "not found");
 *   },
 * }));
 * server.listen(50051, "127.0.0.1");
 * ```
 */
export function createHttp2Handler(router: Router, options?: Http2HandlerOptions): Http2Handler {
  const opts = parseOptions(
    "http2 handler",
    http2HandlerOptionsSchema,
    options,
  ) as Http2HandlerOptions;
  const grpc = new GrpcStreamServer(router, opts);
  const fallback = opts.fallback ?? notFound;
  const report = errorReporter("handler", opts.onError);

  function takeStream(
    stream: http2.ServerHttp2Stream,
    headers: HeaderFields,
    rawHeaders: string[] | undefined,
  ): void {
    try {
      stream.on("error", ignoreStreamError);
      if (stream.destroyed || stream.session === undefined) return;
      if (grpc.refuseHeaderList(stream, rawHeaders)) return;
      grpc.serve(stream, headers);
    } catch (e) {
      // An unexpected failure in wirecall's own code: the stream ends with
      // INTERNAL_ERROR, the connection and the other calls go on.
      report(e, "stream");
      if (!stream.destroyed) resetStream(stream, http2.constants.NGHTTP2_INTERNAL_ERROR);
    }
  }

  const handler = ((req, res) => {
    const request = req as http2.Http2ServerRequest;
    if (
      request.httpVersionMajor !== 2 || request.stream === undefined ||
      !isGrpcContentType(headerText(request.headers as HeaderFields, "content-type"))
    ) {
      fallback(req, res);
      return;
    }
    const stream = request.stream;
    // The compatibility layer answers `wantTrailers` with its own (empty)
    // trailers; the call sends the status there, so only its listener stays.
    // Nothing reads the request object, so its other listeners stay idle.
    stream.removeAllListeners("wantTrailers");
    takeStream(stream, request.headers as HeaderFields, request.rawHeaders);
  }) as Http2Handler;
  handler.handleStream = (stream, headers, rawHeaders) => {
    if (!isGrpcContentType(headerText(headers as HeaderFields, "content-type"))) return false;
    takeStream(stream, headers as HeaderFields, rawHeaders);
    return true;
  };
  Object.defineProperty(handler, "activeCalls", { get: () => grpc.calls.size });
  handler.cancelCalls = (reason = new RpcError(Code.CANCELLED, "the server is shutting down")) =>
    grpc.cancelAll(reason);
  return handler;
}

const ignoreStreamError = () => {
  // A reset or lost stream ends its call through "close".
};

function notFound(_req: unknown, res: Http2HandlerResponse): void {
  const r = res as http.ServerResponse;
  r.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
  r.end("not found\n");
}

/**
 * The server's error hook as its event handlers call it: what they caught
 * (made an `Error` if it is not one) goes to `onError`, by default logged
 * with `console.error` naming `who`; a hook that throws is ignored, so it
 * cannot take the server down.
 */
export function errorReporter(
  who: string,
  onError: ((error: Error, context: { event: string }) => void) | undefined,
): (error: unknown, event: string) => void {
  const hook = onError ??
    ((error: Error, context: { event: string }) =>
      console.error(
        `wirecall http2 ${who}: unexpected error in ${context.event} handling:`,
        error,
      ));
  return (error, event) => {
    try {
      hook(error instanceof Error ? error : new Error(String(error)), { event });
    } catch {
      // An error hook that throws is not allowed to take the server down.
    }
  };
}

/** The size of a header list as HTTP/2 counts it: name + value + 32 per field. */
function headerListSize(rawHeaders: string[] | undefined): number {
  if (rawHeaders === undefined) return 0;
  let size = 0;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    size += rawHeaders[i].length + rawHeaders[i + 1].length + 32;
  }
  return size;
}

/** Answers a refused request: its HTTP status with the mapped gRPC status, trailers-only. */
export function reject(stream: http2.ServerHttp2Stream, rejection: RequestRejection): void {
  const fields: Record<string, string | string[] | number> = {
    ":status": rejection.httpStatus,
    "content-type": "application/grpc",
  };
  writeRejectionFields(rejection, (k, v) => (fields[k] = v));
  stream.respond(fields, { endStream: true });
  // Whatever the client sends is dropped.
  stream.resume();
}
