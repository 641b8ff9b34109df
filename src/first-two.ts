/**
 * The brand of a stream that can hand over its first two values with one
 * promise (`MessageQueue`), which `readSingleMessage` looks for instead of
 * `instanceof MessageQueue`: a client that never builds a queue (the gRPC-Web
 * client in a browser) then does not bundle the class.
 *
 * @module
 */

/** The method key: `stream[firstTwoKey]()` resolves as `MessageQueue.firstTwo()` does. */
export const firstTwoKey: unique symbol = Symbol("wirecall.firstTwo");

/** A stream with the {@link firstTwoKey} method. */
export interface FirstTwo<T> {
  /** The values once the stream is closed, or the first two as soon as a second arrives. */
  [firstTwoKey](): Promise<T[]>;
}

/** Whether `stream` has the {@link firstTwoKey} method. */
export function hasFirstTwo<T>(stream: AsyncIterable<T>): stream is AsyncIterable<T> & FirstTwo<T> {
  return typeof (stream as Partial<FirstTwo<T>>)[firstTwoKey] === "function";
}
