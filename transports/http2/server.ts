import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import { setImmediate } from "node:timers";
import { Code, type Router, RpcError } from "../../mod.ts";
import { parseOptions } from "../../protocol.ts";
import { refuseContentType, writeRejectionFields } from "../../protocol.ts";
import { resetStream, socketForHttp2 } from "./bun-http2-workarounds.ts";
import { policeConnection, type PolicedConnection } from "./connection-policy.ts";
import { openConnectionWindow, windowSettings } from "./flow-control.ts";
import type { GrpcWebHandoff } from "./grpc-web-handoff.ts";
import { DEFAULT_MAX_HEADER_LIST_BYTES, errorReporter, GrpcStreamServer } from "./handler.ts";
import {
  type Http2ServerOptions,
  http2ServerOptionsSchema,
  type ListenOptions,
  listenOptionsSchema,
} from "./server-options.ts";
import { GRPC_CONTENT_TYPES, isGrpcContentType } from "./content-type.ts";
import { type HeaderFields, headerText } from "./validate-response.ts";

/** A running (or ready to run) gRPC server on `node:http2`. */
export interface Http2Server {
  /** Starts listening; resolves with the bound address once it accepts calls. */
  listen(options?: ListenOptions): Promise<{ host: string; port: number }>;
  /**
   * Stops: no new connections, GOAWAY on every open one, in-flight calls may
   * finish within `graceMs` (default: the `closeGraceMs` option, 5 s); after
   * that they are cancelled (their handlers see `CANCELLED`) and the
   * connections are closed.
   */
  close(options?: { graceMs?: number }): Promise<void>;
  /** The bound port, once listening. */
  readonly port: number | undefined;
  /** The base URL clients use (`http://host:port` or `https://host:port`), once listening. */
  readonly url: string | undefined;
  /** The underlying `node:http2` server, for what wirecall does not cover. */
  readonly nodeServer: http2.Http2Server | http2.Http2SecureServer;
}

/** See `maxStreamsPerConnection`: the Deno default works around a crash of Deno's node:http2. */
const DENO_MAX_STREAMS_PER_CONNECTION = 50;
/** The length of the HTTP/2 client preface: less than that by the handshake timeout is an idle connection. */
const HANDSHAKE_BYTES = 24;
const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";

/**
 * Creates a gRPC server on `node:http2` for `router`: cleartext (h2c) or
 * TLS, mutual TLS with the client certificate in `ctx.peer.certificate`,
 * deadlines from `grpc-timeout`, cancellation on RST_STREAM, message size
 * limits, gzip, graceful shutdown, and optionally gRPC-Web on the same port
 * (see {@link GrpcWebHandoff}). A malformed or oversized request fails only
 * its own call.
 *
 * @example
 * ```ts
 * import { createRouter } from "wirecall";
 * import { createHttp2Server } from "wirecall/transports/http2";
 * import { DemoService } from "./protos/gen/wirecall/demo/v1/demo_pb.ts";
 *
 * const router = createRouter().service(DemoService, { greet: (r) => ({ greeting: `hi ${r.name}` }) });
 * const server = createHttp2Server(router);
 * const { port } = await server.listen({ port: 50051 });
 * // … later
 * await server.close({ graceMs: 1000 });
 * ```
 */
export function createHttp2Server(router: Router, options?: Http2ServerOptions): Http2Server {
  const opts = parseOptions(
    "http2 server",
    http2ServerOptionsSchema,
    options,
  ) as Http2ServerOptions;
  // The per-stream half, as createHttp2Handler serves it on a user's server.
  const grpc = new GrpcStreamServer(router, opts);
  const handoff = opts.grpcWeb;
  const settings: http2.Settings = {
    ...windowSettings(opts),
    maxConcurrentStreams: opts.maxConcurrentStreams ?? 1000,
    maxHeaderListSize: opts.maxHeaderListBytes ?? DEFAULT_MAX_HEADER_LIST_BYTES,
  };
  const handshakeTimeoutMs = opts.handshakeTimeoutMs ?? 20_000;
  const policies = new WeakMap<http2.ServerHttp2Session, PolicedConnection>();
  const sessionSockets = new WeakMap<http2.ServerHttp2Session, net.Socket>();
  let unpairedSession: http2.ServerHttp2Session | undefined;
  const tls = opts.tls;
  const h2 = tls === undefined ? http2.createServer({ settings }) : http2.createSecureServer({
    settings,
    handshakeTimeout: handshakeTimeoutMs,
    cert: tls.cert as string,
    key: tls.key as string,
    ca: tls.ca as string | undefined,
    requestCert: tls.requestCert ?? false,
    rejectUnauthorized: tls.requestCert ? (tls.rejectUnauthorized ?? true) : false,
    allowHTTP1: handoff !== undefined,
    ALPNProtocols: handoff !== undefined ? ["h2", "http/1.1"] : ["h2"],
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  const maxStreamsPerConnection = opts.maxStreamsPerConnection ??
    (isDeno ? DENO_MAX_STREAMS_PER_CONNECTION : Infinity);
  const streamCounts = new WeakMap<http2.ServerHttp2Session, number>();
  const calls = grpc.calls;
  const sockets = new Set<net.Socket>();
  const report = errorReporter("server", opts.onError);
  /** Runs one event handler; what it throws is reported, never thrown to the process. */
  const guarded = <A extends unknown[]>(
    what: string,
    handler: (...args: A) => void,
    onFailure?: (...args: A) => void,
  ) =>
  (...args: A): void => {
    try {
      handler(...args);
    } catch (e) {
      report(e, what);
      try {
        onFailure?.(...args);
      } catch (e2) {
        report(e2, what);
      }
    }
  };
  let front: net.Server | undefined;
  let http1: http.Server | undefined;
  let bound: { host: string; port: number } | undefined;
  let closing: Promise<void> | undefined;

  h2.on(
    "session",
    guarded("session", (session: http2.ServerHttp2Session) => {
      unpairedSession = session;
      session.on("error", () => {
        // A broken connection fails its calls through their streams; the
        // session itself goes (Node 20 would leave it open after its GOAWAY).
        setImmediate(() => session.destroy());
      });
      session.on("close", () => {
        sessions.delete(session);
        // node:http2 does not always close the socket of a session that
        // failed before or right after its preface.
        const socket = sessionSockets.get(session);
        if (socket !== undefined && !socket.destroyed) socket.destroy();
      });
      if (session.destroyed) return;
      sessions.add(session);
      policies.set(session, policeConnection(session, opts.keepalive ?? {}));
      openConnectionWindow(session, opts);
      if (closing !== undefined) session.close();
    }, (session) => session.destroy()),
  );
  h2.on("sessionError", () => {
    // Already handled by the session's own "error" listener.
  });
  h2.on(
    "stream",
    guarded("stream", serveStream, (stream) => {
      // An unexpected failure in wirecall's own code: the stream ends with
      // INTERNAL_ERROR, the connection and the other calls go on.
      if (!stream.destroyed) resetStream(stream, http2.constants.NGHTTP2_INTERNAL_ERROR);
    }),
  );

  function serveStream(
    stream: http2.ServerHttp2Stream,
    headers: HeaderFields,
    _flags: number,
    rawHeaders: string[],
  ): void {
    stream.on("error", () => {
      // A reset or lost stream ends its call through "close".
    });
    // A stream emitted after its session died (a connection error in the same
    // packet as the request) has no one left to answer.
    const session = stream.session as http2.ServerHttp2Session | undefined;
    if (stream.destroyed || session === undefined) return;
    // Clients are told the limit in SETTINGS; one that ignores it is refused.
    if (grpc.refuseHeaderList(stream, rawHeaders)) return;
    const policy = policies.get(session);
    if (policy !== undefined) {
      policy.callStarted();
      stream.once("close", () => policy.callEnded());
    }
    if (maxStreamsPerConnection !== Infinity) {
      const count = (streamCounts.get(session) ?? 0) + 1;
      streamCounts.set(session, count);
      // Not from inside nghttp2's frame callback: on the next turn.
      if (count === maxStreamsPerConnection) setImmediate(() => session.close());
    }
    if (!isGrpcContentType(headerText(headers, "content-type")) && handoff !== undefined) {
      handOff(handoff, stream, headers, rawHeaders);
      return;
    }
    grpc.serve(stream, headers);
  }
  if (handoff !== undefined) {
    // HTTP/1.1 requests (TLS with ALPN http/1.1) arrive as "request"; adding
    // that listener also makes Node answer HTTP/2 streams through its
    // compatibility layer, which is removed again: streams stay ours.
    const before = new Set(h2.listeners("stream"));
    h2.on(
      "request",
      guarded("request", (req: unknown, res: unknown) => {
        const request = req as http.IncomingMessage;
        if (request.httpVersionMajor === 2) return;
        serveHttp1(handoff, request, res as http.ServerResponse);
      }, (_req, res) => (res as http.ServerResponse).destroy()),
    );
    for (const l of h2.listeners("stream")) {
      if (!before.has(l)) h2.off("stream", l as (...args: unknown[]) => void);
    }
  }
  // node:http2 creates a connection's session (and emits "session") just
  // before the server's own "connection" listeners run: that pairs them.
  const pairSocket = (socket: net.Socket) => {
    if (unpairedSession !== undefined && !sessionSockets.has(unpairedSession)) {
      sessionSockets.set(unpairedSession, socket);
    }
    unpairedSession = undefined;
    trackSocket(socket);
  };
  h2.on("connection", (socket: net.Socket) => pairSocket(socket));
  h2.on("secureConnection", (socket: net.Socket) => pairSocket(socket));

  function trackSocket(socket: net.Socket): void {
    if (sockets.has(socket)) return;
    sockets.add(socket);
    // A reset connection must never become an uncaught "error".
    socket.on("error", () => {});
    // A connection that has not sent as much as an HTTP/2 preface (or an
    // HTTP/1.1 request line) by now never will: it only holds a socket.
    const handshake = setTimeout(() => {
      if (socket.bytesRead < HANDSHAKE_BYTES) socket.destroy();
    }, handshakeTimeoutMs);
    (handshake as { unref?: () => void }).unref?.();
    socket.once("close", () => {
      clearTimeout(handshake);
      sockets.delete(socket);
    });
  }

  function listenTarget(): net.Server {
    if (tls !== undefined || handoff === undefined) return h2;
    // Cleartext with gRPC-Web: one port for prior-knowledge HTTP/2 and
    // HTTP/1.1, told apart by the HTTP/2 connection preface ("PRI * …").
    http1 = http.createServer(
      guarded("request", (req, res) => serveHttp1(handoff, req, res), (_req, res) => res.destroy()),
    );
    // This server never listens itself: connections are handed to it. Deno's
    // node:http destroys a kept-alive connection after each response when
    // its server is not listening (it takes that for shutting down), so it is
    // told the front's state.
    Object.defineProperty(http1, "listening", { get: () => front?.listening ?? false });
    // noDelay: sockets accepted here never pass through the HTTP servers'
    // own accept path, which is where Node turns Nagle's algorithm off; with
    // it on, an HTTP/1.1 response written in pieces waits for the peer's
    // delayed ACK (~40 ms per call).
    front = net.createServer({ noDelay: true }, (socket) => {
      trackSocket(socket);
      socket.once(
        "data",
        guarded("connection", (chunk: Uint8Array) => {
          socket.pause();
          const isH2 = chunk.length >= 3 && chunk[0] === 0x50 && chunk[1] === 0x52 &&
            chunk[2] === 0x49;
          if (isH2) {
            h2.emit("connection", socketForHttp2(socket, chunk));
          } else {
            socket.unshift(chunk);
            http1!.emit("connection", socket);
            socket.resume();
          }
        }, () => socket.destroy()),
      );
    });
    return front;
  }

  const server: Http2Server = {
    nodeServer: h2,
    get port() {
      return bound?.port;
    },
    get url() {
      if (bound === undefined) return undefined;
      const host = bound.host.includes(":") ? `[${bound.host}]` : bound.host;
      return `${tls === undefined ? "http" : "https"}://${host}:${bound.port}`;
    },
    listen(listenOptions) {
      const l = parseOptions("listen", listenOptionsSchema, listenOptions) as ListenOptions;
      const target = listenTarget();
      return new Promise((resolve, reject) => {
        target.once("error", reject);
        const at = { port: l.port ?? 0, host: l.host ?? "127.0.0.1", reusePort: l.reusePort };
        target.listen(at, () => {
          target.off("error", reject);
          const address = target.address() as net.AddressInfo;
          bound = { host: l.host ?? address.address, port: address.port };
          resolve(bound);
        });
      });
    },
    close(closeOptions) {
      if (closing !== undefined) return closing;
      const graceMs = closeOptions?.graceMs ?? opts.closeGraceMs ?? 5_000;
      closing = new Promise<void>((resolve) => {
        const target = front ?? h2;
        if (target.listening) target.close();
        if (front !== undefined && h2.listening) h2.close();
        // GOAWAY: running calls go on, new ones go elsewhere.
        for (const session of sessions) session.close();
        http1?.closeIdleConnections?.();
        const stop = () => {
          clearInterval(poll);
          clearTimeout(timer);
          for (const socket of sockets) socket.destroy();
          resolve();
        };
        const poll = setInterval(() => {
          if (calls.size === 0 && sessions.size === 0) stop();
        }, 10);
        const timer = setTimeout(() => {
          const reason = new RpcError(Code.CANCELLED, "the server is shutting down");
          grpc.cancelAll(reason);
          for (const session of sessions) session.destroy();
          stop();
        }, graceMs);
        if (calls.size === 0 && sessions.size === 0) stop();
      });
      return closing;
    },
  };
  return server;
}

function handOff(
  handoff: GrpcWebHandoff,
  stream: http2.ServerHttp2Stream,
  headers: HeaderFields,
  rawHeaders: string[],
): void {
  const req = new http2.Http2ServerRequest(
    stream,
    headers as http2.IncomingHttpHeaders,
    {},
    rawHeaders,
  );
  const res = new http2.Http2ServerResponse(stream);
  serveHttp1(handoff, req, res);
}

/** The part of both response kinds that a refusal uses. */
interface PlainResponse {
  readonly headersSent: boolean;
  writeHead(status: number, headers?: Record<string, string>): unknown;
  end(body?: string): unknown;
}

function serveHttp1(
  handoff: GrpcWebHandoff,
  req: http.IncomingMessage | http2.Http2ServerRequest,
  response: http.ServerResponse | http2.Http2ServerResponse,
): void {
  const res = response as unknown as PlainResponse;
  const decline = () => {
    if (res.headersSent) return;
    // Answered as a native gRPC server answers a content type it does not speak.
    const rejection = refuseContentType(req.headers["content-type"], GRPC_CONTENT_TYPES);
    const fields: Record<string, string> = { "content-type": "application/grpc" };
    writeRejectionFields(rejection, (k, v) => (fields[k] = v));
    res.writeHead(rejection.httpStatus, fields);
    res.end();
    req.resume();
  };
  let result: ReturnType<GrpcWebHandoff>;
  try {
    result = handoff(req, response);
  } catch {
    if (!res.headersSent) res.writeHead(500);
    res.end();
    return;
  }
  if (result === false) return decline();
  if (result instanceof Promise) {
    result.then((r) => {
      if (r === false) decline();
    }, () => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  }
}
