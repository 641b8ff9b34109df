import * as z from "zod/mini";
import { byteLimitOption, durationOption } from "../../protocol.ts";
import type { WindowOptions } from "./flow-control.ts";

/** TLS settings of the client; PEM text or bytes. */
export interface Http2ClientTlsOptions {
  /** Trusted CA certificate(s) instead of the system roots. */
  ca?: string | Uint8Array;
  /** Client certificate for mutual TLS. */
  cert?: string | Uint8Array;
  /** Private key of `cert`. */
  key?: string | Uint8Array;
  /** The name to check the server certificate against (and to send as SNI). */
  serverName?: string;
  /** Verify the server certificate (default true; turning it off is for tests only). */
  rejectUnauthorized?: boolean;
}

/** Keepalive pings. */
export interface Http2KeepaliveOptions {
  /** Send a PING after this many ms (0, the default, sends none). */
  intervalMs?: number;
  /** Drop the connection when a PING is not answered within this many ms (default 20 s). */
  timeoutMs?: number;
  /** Also ping while no call is running (default false). */
  withoutCalls?: boolean;
}

/** Reconnection backoff, as in gRPC's connection-backoff spec. */
export interface Http2ReconnectOptions {
  /** First wait after a failed connection attempt (default 1 s). */
  initialBackoffMs?: number;
  /** Longest wait (default 120 s). */
  maxBackoffMs?: number;
  /** Growth factor per failed attempt (default 1.6). */
  multiplier?: number;
  /** Random spread, as a fraction of the wait (default 0.2). */
  jitter?: number;
}

/** Options of {@link createHttp2Transport}. */
export interface Http2TransportOptions extends WindowOptions {
  /** The server: `http://host:port` (cleartext HTTP/2) or `https://host:port` (TLS). */
  baseUrl: string;
  /** TLS settings (the scheme of `baseUrl` must be `https:`). */
  tls?: Http2ClientTlsOptions;
  /** Keepalive pings (off by default, as in other gRPC stacks). */
  keepalive?: Http2KeepaliveOptions;
  /** Close the connection after this many ms without calls (default 5 min; 0 never). */
  idleTimeoutMs?: number;
  /** Fail a connection attempt after this many ms (default 20 s). */
  connectTimeoutMs?: number;
  /**
   * Calls one connection carries before new calls go to a fresh one (the old
   * one closes once its calls are done). Default: no limit — except under
   * Deno, where it is 50: Deno 2.9's node:http2 aborts the process when a
   * connection that carried more than about 64 streams is torn down
   * (docs/deno-http2-crash.md).
   */
  maxStreamsPerConnection?: number;
  /** Backoff between failed connection attempts. */
  reconnect?: Http2ReconnectOptions;
  /** Compress request messages (default `"identity"`); responses are always decompressed. */
  sendCompression?: "gzip" | "identity";
  /** Largest response message accepted, in bytes (default 4 MiB). */
  maxReceiveMessageBytes?: number;
  /** Largest request message sent, in bytes (default: no limit). */
  maxSendMessageBytes?: number;
  /** Calls that never reached the server are retried this many times (default 3). */
  maxTransparentRetries?: number;
  /** The `user-agent` header (default `wirecall-http2/<version>`). */
  userAgent?: string;
  /**
   * Connect to this Unix domain socket instead of the host and port of
   * `baseUrl` (which still gives `:authority`); cleartext only. A channel's
   * `unix:` target: `(ep) => createHttp2Transport({ baseUrl: "http://localhost", socketPath: ep.path })`.
   */
  socketPath?: string;
}

const bytes = z.union([z.string(), z.instanceof(Uint8Array)]);

/** The zod schema of {@link Http2TransportOptions}. */
export const http2TransportOptionsSchema = z.strictObject({
  baseUrl: z.string().check(
    z.refine((v) => /^https?:\/\/[^/]+/.test(v), {
      message: 'expected an "http://host:port" or "https://host:port" URL',
    }),
  ),
  tls: z.optional(z.strictObject({
    ca: z.optional(bytes),
    cert: z.optional(bytes),
    key: z.optional(bytes),
    serverName: z.optional(z.string()),
    rejectUnauthorized: z.optional(z.boolean()),
  })),
  keepalive: z.optional(z.strictObject({
    intervalMs: z.optional(durationOption),
    timeoutMs: z.optional(durationOption),
    withoutCalls: z.optional(z.boolean()),
  })),
  idleTimeoutMs: z.optional(durationOption),
  connectTimeoutMs: z.optional(durationOption),
  maxStreamsPerConnection: z.optional(z.number().check(z.int(), z.positive())),
  reconnect: z.optional(z.strictObject({
    initialBackoffMs: z.optional(durationOption),
    maxBackoffMs: z.optional(durationOption),
    multiplier: z.optional(z.number().check(z.gte(1))),
    jitter: z.optional(z.number().check(z.gte(0), z.lte(1))),
  })),
  sendCompression: z.optional(z.enum(["gzip", "identity"])),
  maxReceiveMessageBytes: z.optional(byteLimitOption),
  maxSendMessageBytes: z.optional(byteLimitOption),
  maxTransparentRetries: z.optional(z.number().check(z.int(), z.nonnegative())),
  userAgent: z.optional(z.string()),
  socketPath: z.optional(z.string().check(z.minLength(1))),
  streamWindowBytes: z.optional(byteLimitOption),
  connectionWindowBytes: z.optional(byteLimitOption),
});
