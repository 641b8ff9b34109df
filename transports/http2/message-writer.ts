import { Buffer } from "node:buffer";
import { type Compression, messageCompression } from "../../mod.ts";
import {
  type DrainTarget,
  FLAG_COMPRESSED,
  messageTooLarge,
  waitForDrain,
  writeEnvelope,
  writeEnvelopeHeader,
} from "../../protocol.ts";

/** From this size on, a message is written as header + body (no copy of the body). */
export const UNCOPIED_BYTES = 16 * 1024;

/** The writable side of an HTTP/2 stream, as the writer uses it. */
export interface DataSink extends DrainTarget {
  write(chunk: Uint8Array): boolean;
  readonly destroyed: boolean;
  cork?(): void;
  uncork?(): void;
}

/**
 * Frames `body` with its 5-byte header in one buffer, so a message goes out
 * as one `write` (one DATA frame for small messages).
 */
export function frameMessage(flags: number, body: Uint8Array): Buffer {
  // Buffer.allocUnsafe takes small buffers from Node's pool: ~10× cheaper than
  // a Uint8Array with its own backing store, and lighter on the GC.
  const out = Buffer.allocUnsafe(5 + body.byteLength);
  writeEnvelope(out, 0, flags, body);
  return out;
}

/**
 * Writes one frame. A large body is written after its 5-byte header under
 * `cork()` instead of being copied into one buffer; returns what the last
 * `write` returned (false: wait for `drain`).
 */
export function writeFrame(sink: DataSink, flags: number, body: Uint8Array): boolean {
  if (body.byteLength < UNCOPIED_BYTES || sink.cork === undefined) {
    return sink.write(frameMessage(flags, body));
  }
  const header = Buffer.allocUnsafe(5);
  writeEnvelopeHeader(header, 0, flags, body.byteLength);
  sink.cork();
  sink.write(header);
  const ok = sink.write(body);
  sink.uncork!();
  return ok;
}

/**
 * Writes one message: checks the send limit, compresses it when the call
 * has an encoding, frames it and writes it. Returns a promise only when the
 * caller must wait (compression, or a full write buffer).
 */
export function writeMessage(
  sink: DataSink,
  message: Uint8Array,
  compression: Compression,
  maxSendBytes: number,
): void | Promise<void> {
  if (message.byteLength > maxSendBytes) {
    throw messageTooLarge("message", message.byteLength, maxSendBytes);
  }
  // A message marked withMessageCompression(m, false) goes uncompressed in a
  // compressed call (the frame's flag says so).
  if (compression.name === "identity" || messageCompression(message) === false) {
    if (sink.destroyed) return;
    return writeFrame(sink, 0, message) ? undefined : waitForDrain(sink);
  }
  return compression.compress(message).then((packed) => {
    if (sink.destroyed) return;
    if (!writeFrame(sink, FLAG_COMPRESSED, packed)) return waitForDrain(sink);
  });
}
