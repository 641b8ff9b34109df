/**
 * A writable that says when it can take more data, as Node's streams and
 * HTTP responses do with `drain` (and `close` once gone). The core imports
 * no runtime module: transports pass their own streams, which have this
 * shape.
 */
export interface DrainTarget {
  /** Listens once for `drain` or `close`. */
  once(event: "drain" | "close", listener: () => void): unknown;
  /** Stops listening. */
  off(event: "drain" | "close", listener: () => void): unknown;
}

/**
 * Resolves when `target` can take more data (its `drain`) or is gone (its
 * `close`). A writer waits only after `write` returned false: that is how a
 * slow peer holds back a fast sender without buffering a whole stream.
 *
 * @example
 * ```ts
 * import { waitForDrain } from "wirecall/protocol";
 * if (!stream.write(chunk)) await waitForDrain(stream);
 * ```
 */
export function waitForDrain(target: DrainTarget): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      target.off("drain", done);
      target.off("close", done);
      resolve();
    };
    target.once("drain", done);
    target.once("close", done);
  });
}
