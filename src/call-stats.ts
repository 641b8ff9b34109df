/**
 * Counts kept by the core while one call runs, from the side that holds
 * them: messages and their serialized (uncompressed) bytes sent and
 * received, and transport attempts. Client and server interceptors find it
 * on the request (`req.stats`); logging, metrics and tracing read it when the
 * call ends. It is one object per call, shared by every interceptor.
 */
export interface CallStats {
  /** Messages sent so far (a client's requests, a server's responses). */
  sentMessages: number;
  /** Their serialized bytes, before compression. */
  sentBytes: number;
  /** Messages received so far. */
  receivedMessages: number;
  /** Their serialized bytes, after decompression. */
  receivedBytes: number;
  /**
   * Transport attempts started for the call (client side): 1 without
   * retries, more when a retry or hedging policy sent it again; 0 before the
   * first attempt, and on the server.
   */
  attempts: number;
  /**
   * The endpoint the latest attempt went to (`"host:port"`, `"loopback"`),
   * as the transport that carried it reports it; undefined before the first
   * attempt, and on the server (where `ctx.peer` says who called).
   */
  peer?: string;
}

/**
 * Creates zeroed {@link CallStats}.
 *
 * @example
 * ```ts
 * import { newCallStats } from "wirecall/protocol";
 * newCallStats().sentMessages; // 0
 * ```
 */
export function newCallStats(): CallStats {
  return { sentMessages: 0, sentBytes: 0, receivedMessages: 0, receivedBytes: 0, attempts: 0 };
}
