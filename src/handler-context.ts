import type { Clock } from "./clock.ts";
import type { Metadata } from "./metadata.ts";
import type { MethodInfo } from "./method.ts";

/** Who called: filled in by the server transport. */
export interface PeerInfo {
  /** The remote address, such as `"127.0.0.1:53122"`, or `"loopback"`. */
  address: string;
  /** The transport protocol: `"grpc"`, `"grpc-web"` or `"loopback"`. */
  protocol: string;
  /** True when the connection is TLS. */
  tls?: boolean;
  /** The client certificate under mutual TLS, as the runtime reports it. */
  certificate?: unknown;
  /** True when that certificate was verified against the server's trusted CAs. */
  certificateVerified?: boolean;
}

/**
 * What a handler knows of its call: request metadata, deadline, a signal
 * that fires on cancellation or deadline, the peer, and the response headers
 * and trailers it may set.
 */
export interface HandlerContext {
  /** The method being served. */
  readonly method: MethodInfo;
  /** The request metadata. */
  readonly metadata: Metadata;
  /** The absolute deadline on `clock`, or undefined when the caller set none. */
  readonly deadline: number | undefined;
  /** The clock the deadline is measured on. */
  readonly clock: Clock;
  /**
   * Fires when the client cancels, the connection goes away, or the deadline
   * passes; its reason is an `RpcError` (`CANCELLED` or `DEADLINE_EXCEEDED`).
   */
  readonly signal: AbortSignal;
  /** The caller. */
  readonly peer: PeerInfo;
  /**
   * The `grpc-encoding` of the request messages (such as `"gzip"`), when the
   * transport reports one; undefined means identity or unknown.
   */
  readonly requestEncoding?: string;
  /** Response headers; sent with the first response message (or with the status). */
  readonly responseHeader: Metadata;
  /** Response trailers, sent with the status. */
  readonly responseTrailer: Metadata;
  /** Milliseconds left until the deadline, or undefined when there is none. */
  timeRemaining(): number | undefined;
  /** Sends the response headers now, before any message. Later changes are not sent. */
  sendHeader(): void;
  /**
   * Chooses the compression of the response messages (`"gzip"` or
   * `"identity"`), before the headers go out; it takes effect only when the
   * client accepts it (`grpc-accept-encoding`) and the transport compresses.
   * Single messages can opt out or in with `withMessageCompression`.
   */
  setResponseCompression(name: "gzip" | "identity"): void;
}
