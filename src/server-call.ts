import type { PeerInfo } from "./handler-context.ts";
import type { Metadata } from "./metadata.ts";
import type { RpcError } from "./rpc-error.ts";

/**
 * One call as a server transport hands it to the router: the request side as
 * serialized messages, and the calls that send the response. Transports
 * implement this; the router does everything typed.
 */
export interface ServerCallIO {
  /** Request metadata (custom headers only). */
  readonly metadata: Metadata;
  /** The `grpc-timeout` of the request in ms, or undefined. */
  readonly timeoutMs: number | undefined;
  /** Aborted by the transport when the client cancels or the connection is lost. */
  readonly signal: AbortSignal;
  /**
   * Optional, for transports that make `signal` only on demand: calls
   * `listener` once with the reason when the call is aborted as `signal`
   * would be (at once when it already was). The router then needs no
   * signal at all for a call whose handler never looks at its own.
   */
  onAbort?(listener: (reason: unknown) => void): void;
  /** The caller. */
  readonly peer: PeerInfo;
  /** The content subtype the client sent: `"proto"` or `"json"`. */
  readonly contentSubtype: string;
  /** The `grpc-encoding` the request messages came with (undefined: identity). */
  readonly requestEncoding?: string;
  /** The serialized (already decompressed) request messages. */
  readonly messages: AsyncIterable<Uint8Array>;
  /** Sends response headers; called at most once, before any message. */
  sendHeader(header: Metadata): void;
  /**
   * Sends one serialized response message. A returned promise means "wait
   * before sending more": it is how transports apply backpressure.
   */
  sendMessage(message: Uint8Array): void | Promise<void>;
  /**
   * Switches the response encoding before the headers are sent (see
   * `HandlerContext.setResponseCompression`); transports that cannot, leave it out.
   */
  setResponseCompression?(name: string): void;
  /**
   * Ends the call with a status (`undefined` for OK) and trailers. `header` is
   * given when no headers were sent yet: the transport then answers
   * trailers-only, with `header` and the status in one block.
   */
  end(error: RpcError | undefined, trailer: Metadata, header: Metadata | undefined): void;
}
