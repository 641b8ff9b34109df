import type { IncomingMessage } from "node:http";
import type { Http2ServerRequest } from "node:http2";
import * as z from "zod/mini";
import { byteLimitOption, durationOption, functionOption } from "../../protocol.ts";
import type { WindowOptions } from "./flow-control.ts";
import type { GrpcWebHandoff } from "./grpc-web-handoff.ts";
import type { Http2HandlerResponse } from "./handler.ts";
import { type ServerKeepaliveOptions, serverKeepaliveSchema } from "./connection-policy.ts";

/** TLS settings of the server; PEM text or bytes. */
export interface Http2ServerTlsOptions {
  /** The server certificate chain. */
  cert: string | Uint8Array;
  /** Its private key. */
  key: string | Uint8Array;
  /** CAs trusted for client certificates (mutual TLS). */
  ca?: string | Uint8Array;
  /** Ask clients for a certificate (mutual TLS); it shows in `ctx.peer.certificate`. */
  requestCert?: boolean;
  /** Refuse clients without a valid certificate when `requestCert` is set (default true). */
  rejectUnauthorized?: boolean;
}

/** Options of {@link createHttp2Server}. */
export interface Http2ServerOptions extends WindowOptions {
  /** Serve TLS (HTTP/2 over TLS with ALPN `h2`); cleartext HTTP/2 (h2c) without it. */
  tls?: Http2ServerTlsOptions;
  /** Largest request message accepted, in bytes (default 4 MiB): over it is `RESOURCE_EXHAUSTED`. */
  maxReceiveMessageBytes?: number;
  /** Largest response message sent, in bytes (default: no limit): over it is `RESOURCE_EXHAUSTED`. */
  maxSendMessageBytes?: number;
  /** Concurrent calls per connection (HTTP/2 `SETTINGS_MAX_CONCURRENT_STREAMS`, default 1000). */
  maxConcurrentStreams?: number;
  /**
   * Streams one connection serves before the server asks the client to move
   * to a new one (a graceful GOAWAY: running calls finish, the client's next
   * calls go to a new connection, as after `max_connection_age`). Default:
   * no limit — except under Deno, where it is 50: Deno 2.9's node:http2
   * aborts the whole process when a client ends a connection that carried
   * more than about 64 streams (docs/deno-http2-crash.md), and a connection
   * the server closes first does not.
   */
  maxStreamsPerConnection?: number;
  /** Ping enforcement, idle and age limits, server PINGs (grpc-go's keepalive parameters). */
  keepalive?: ServerKeepaliveOptions;
  /**
   * The largest request header block, in bytes (HTTP/2
   * `SETTINGS_MAX_HEADER_LIST_SIZE`, default 64 KiB); a larger one is refused.
   */
  maxHeaderListBytes?: number;
  /**
   * A connection that has not completed its handshake (TLS, the HTTP/2
   * preface and SETTINGS, or a first HTTP/1.1 byte) within this time is
   * closed (default 20 s).
   */
  handshakeTimeoutMs?: number;
  /**
   * Compress responses with gzip when the client accepts it (default
   * `"identity"`: responses are compressed only when the request was).
   */
  sendCompression?: "gzip" | "identity";
  /** Default grace period of `close()`, in ms (default 5 s). */
  closeGraceMs?: number;
  /** Serves requests that are not native gRPC (gRPC-Web, CORS preflights) on the same port. */
  grpcWeb?: GrpcWebHandoff;
  /**
   * Hears of an unexpected exception inside the server's own event handling
   * (a wirecall or runtime defect, never a client's bad input, which is
   * answered with a status). The stream or connection concerned is ended —
   * a stream with RST_STREAM(INTERNAL_ERROR) — and the server goes on.
   * Default: logged with `console.error`.
   */
  onError?: (error: Error, context: { event: string }) => void;
}

const bytes = z.union([z.string(), z.instanceof(Uint8Array)]);

/** The zod schema of {@link Http2ServerOptions}. */
export const http2ServerOptionsSchema = z.strictObject({
  tls: z.optional(z.strictObject({
    cert: bytes,
    key: bytes,
    ca: z.optional(bytes),
    requestCert: z.optional(z.boolean()),
    rejectUnauthorized: z.optional(z.boolean()),
  })),
  maxReceiveMessageBytes: z.optional(byteLimitOption),
  maxSendMessageBytes: z.optional(byteLimitOption),
  maxConcurrentStreams: z.optional(z.number().check(z.int(), z.positive())),
  maxStreamsPerConnection: z.optional(z.number().check(z.int(), z.positive())),
  keepalive: z.optional(serverKeepaliveSchema),
  maxHeaderListBytes: z.optional(byteLimitOption),
  handshakeTimeoutMs: z.optional(durationOption),
  sendCompression: z.optional(z.enum(["gzip", "identity"])),
  closeGraceMs: z.optional(durationOption),
  grpcWeb: z.optional(functionOption),
  onError: z.optional(functionOption),
  streamWindowBytes: z.optional(byteLimitOption),
  connectionWindowBytes: z.optional(byteLimitOption),
});

/** Options of `createHttp2Handler`: the per-call limits of {@link Http2ServerOptions}, and a fallback. */
export interface Http2HandlerOptions {
  /** Largest request message accepted, in bytes (default 4 MiB): over it is `RESOURCE_EXHAUSTED`. */
  maxReceiveMessageBytes?: number;
  /** Largest response message sent, in bytes (default: no limit): over it is `RESOURCE_EXHAUSTED`. */
  maxSendMessageBytes?: number;
  /**
   * The largest request header block, in bytes (default 64 KiB); a larger one
   * is refused with `RESOURCE_EXHAUSTED`. Your server's own
   * `settings.maxHeaderListSize` is what clients are told.
   */
  maxHeaderListBytes?: number;
  /** As {@link Http2ServerOptions.sendCompression}. */
  sendCompression?: "gzip" | "identity";
  /**
   * Answers every request that is not native gRPC (other routes, gRPC-Web,
   * HTTP/1.1 under `allowHTTP1`). Default: HTTP 404.
   */
  fallback?: (
    req: IncomingMessage | Http2ServerRequest,
    res: Http2HandlerResponse,
  ) => void;
  /** As {@link Http2ServerOptions.onError}. Default: logged with `console.error`. */
  onError?: (error: Error, context: { event: string }) => void;
}

/** The zod schema of {@link Http2HandlerOptions}. */
export const http2HandlerOptionsSchema = z.strictObject({
  maxReceiveMessageBytes: z.optional(byteLimitOption),
  maxSendMessageBytes: z.optional(byteLimitOption),
  maxHeaderListBytes: z.optional(byteLimitOption),
  sendCompression: z.optional(z.enum(["gzip", "identity"])),
  fallback: z.optional(functionOption),
  onError: z.optional(functionOption),
});

/** Options of `Http2Server.listen`. */
export interface ListenOptions {
  /** The port (default 0: any free port). */
  port?: number;
  /** The address to listen on (default `127.0.0.1`). */
  host?: string;
  /**
   * Let several processes listen on the same port, the kernel spreading
   * connections over them (`SO_REUSEPORT`; Node 22.12 or later on Linux).
   * Under Node's `cluster` module no option is needed: workers share the
   * primary's socket.
   */
  reusePort?: boolean;
}

/** The zod schema of {@link ListenOptions}. */
export const listenOptionsSchema = z.strictObject({
  port: z.optional(z.number().check(z.int(), z.gte(0), z.lte(65535))),
  host: z.optional(z.string()),
  reusePort: z.optional(z.boolean()),
});
