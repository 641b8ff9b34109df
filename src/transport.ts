import type { CallStats } from "./call-stats.ts";
import type { Metadata } from "./metadata.ts";
import type { MethodInfo } from "./method.ts";
import type { RpcError } from "./rpc-error.ts";

/** What every request a transport carries has in common. */
export interface TransportRequestBase {
  /** The method called. */
  method: MethodInfo;
  /** The content subtype of the messages: `"proto"` or `"json"`. */
  contentSubtype: string;
  /** Request metadata (custom headers). */
  metadata: Metadata;
  /**
   * Aborted when the call must stop: its reason is an `RpcError` (`CANCELLED`
   * or `DEADLINE_EXCEEDED`) that the transport rethrows as the call's error.
   */
  signal: AbortSignal;
  /** Time left until the deadline, in ms, sent as `grpc-timeout`; none when undefined. */
  timeoutMs: number | undefined;
  /**
   * The `grpc-encoding` the caller chose for this call's request messages
   * (`"gzip"` or `"identity"`); the transport's own default when undefined.
   * A message marked with `withMessageCompression(m, false)` is framed
   * uncompressed all the same.
   */
  compression?: string;
  /**
   * The call's counts, kept by the client (which counts the first attempt);
   * a channel that sends the call again counts each further attempt here.
   */
  stats?: CallStats;
}

/** A request with exactly one serialized message. */
export interface UnaryTransportRequest extends TransportRequestBase {
  /** The serialized request message. */
  message: Uint8Array;
}

/** A request whose serialized messages come as a stream (possibly of one). */
export interface StreamTransportRequest extends TransportRequestBase {
  /** The serialized request messages; the transport half-closes when it ends. */
  messages: AsyncIterable<Uint8Array>;
}

/** The answer to a unary request. */
export interface UnaryTransportResponse {
  /** Response headers. */
  header: Metadata;
  /** The serialized response message. */
  message: Uint8Array;
  /** Response trailers (without `grpc-status`/`grpc-message`). */
  trailer: Metadata;
}

/** The answer to a streaming request. */
export interface StreamTransportResponse {
  /** Response headers. */
  header: Metadata;
  /**
   * The serialized response messages. Iterating to the end reads the status:
   * an error status is thrown from the iterator as an `RpcError`.
   */
  messages: AsyncIterable<Uint8Array>;
  /** Response trailers, filled in once `messages` has ended. */
  trailer: Metadata;
}

/**
 * What a transport with real connections (HTTP/2) lets a channel see of them,
 * so that an endpoint's state (connecting, ready, idle) follows the
 * connection rather than call outcomes.
 */
export interface TransportConnectivity {
  /**
   * Makes sure a connection is up: resolves once one is ready (at once when it
   * already is), rejects with an `RpcError` whose cause is an `AttemptFailure`
   * naming why not. Ignores the transport's own reconnect backoff: the
   * channel asking keeps its own.
   */
  connect(): Promise<void>;
  /**
   * Calls `listener` when the connection that was ready goes away: `undefined`
   * for an orderly end (GOAWAY, idle close), the error for a lost one.
   * Returns a function that unsubscribes.
   */
  onDisconnect(listener: (error: RpcError | undefined) => void): () => void;
}

/**
 * A client transport: carries serialized messages of a call to a server and
 * back. Transports never see typed messages; framing, compression and the
 * protocol's headers are their business. Every failure is an `RpcError`;
 * one that happened below the gRPC status carries an `AttemptFailure` cause.
 */
export interface Transport {
  /** Makes a unary call. The promise rejects with an `RpcError` on failure. */
  unary(request: UnaryTransportRequest): Promise<UnaryTransportResponse>;
  /** Makes a streaming call (server, client or bidi); resolves once headers arrive. */
  stream(request: StreamTransportRequest): Promise<StreamTransportResponse>;
  /** Releases connections. Optional. */
  close?(): Promise<void>;
  /** The transport's connections, for a channel; absent for connectionless ones (`fetch`). */
  readonly connectivity?: TransportConnectivity;
}

/**
 * A transport that holds connections and so must be closed: `close()` is
 * required, so `await transport.close()` type-checks without `!` or `?.`.
 * The HTTP/2 client transport is one; connectionless ones (`fetch`-based
 * gRPC-Web and Connect, the in-process loopback) are plain `Transport`s.
 */
export interface ClosableTransport extends Transport {
  /** Closes the transport's connections; calls still running fail. Resolves once they are gone. */
  close(): Promise<void>;
}
