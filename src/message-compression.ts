// Per-message compression, as gRPC allows it: within a call whose encoding is
// gzip, each message's frame says whether that message is compressed. A mark
// is kept beside the message (never inside it, so serialization ignores it),
// carried from a message to its serialized bytes and back, and read by the
// transports when they frame or unframe a message.

const marks = new WeakMap<object, boolean>();
let anyMarked = false;

/**
 * Marks `message` to be sent compressed (`true`) or not (`false`) within a
 * call whose encoding compresses — the per-message flag of gRPC's framing
 * (gRPC's interop `client_compressed_streaming` and `server_compressed_*`
 * cases use it). Works for request messages (client) and response messages
 * (server handlers). Returns the same message. Unmarked messages follow the
 * call's encoding.
 *
 * @example
 * ```ts
 * import { withMessageCompression } from "wirecall";
 * async function* requests() {
 *   yield withMessageCompression({ payload: { body: new Uint8Array(1024) } }, true);
 *   yield withMessageCompression({ payload: { body: new Uint8Array(1024) } }, false);
 * }
 * ```
 */
export function withMessageCompression<T extends object>(message: T, compress: boolean): T {
  marks.set(message, compress);
  anyMarked = true;
  return message;
}

/**
 * Whether `message` is marked to be (or, on the receiving side, arrived)
 * compressed: `true`, `false`, or `undefined` when nothing says so. A
 * received message arrived compressed exactly when this is `true`.
 *
 * @example
 * ```ts
 * import { messageCompression } from "wirecall";
 * messageCompression({}); // undefined
 * ```
 */
export function messageCompression(message: object): boolean | undefined {
  return anyMarked ? marks.get(message) : undefined;
}

/**
 * Copies the mark of `from` (a message or its bytes) to `to`, and returns
 * `to`. The hot path, where nothing was ever marked, costs one comparison.
 */
export function carryMessageCompression<T extends object>(from: object, to: T): T {
  if (!anyMarked) return to;
  const mark = marks.get(from);
  if (mark !== undefined) marks.set(to, mark);
  return to;
}

/** Marks received bytes as having arrived compressed (used by transports when unframing). */
export function markReceivedCompressed<T extends object>(bytes: T): T {
  marks.set(bytes, true);
  anyMarked = true;
  return bytes;
}
