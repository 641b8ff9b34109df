import { Buffer } from "node:buffer";
import {
  Code,
  type Compression,
  FLAG_COMPRESSED,
  RpcError,
  writeEnvelopeHeader,
} from "../../mod.ts";

/** From this size on, a message is written as header + body (no copy of the body). */
export const UNCOPIED_BYTES = 16 * 1024;

/** The writable side of an HTTP/2 stream, as the writer uses it. */
export interface DataSink {
  write(chunk: Uint8Array): boolean;
  once(event: "drain" | "close", listener: () => void): unknown;
  off(event: "drain" | "close", listener: () => void): unknown;
  readonly destroyed: boolean;
  cork?(): void;
  uncork?(): void;
}

/**
 * Frames `body` with its 5-byte header in one buffer, so a message goes out
 * as one `write` (one DATA frame for small messages).
 */
export function frameMessage(flags: number, body: Uint8Array): Uint8Array {
  // Buffer.allocUnsafe takes small buffers from Node's pool: ~10× cheaper than
  // a Uint8Array with its own backing store, and lighter on the GC.
  const out = Buffer.allocUnsafe(5 + body.byteLength);
  writeEnvelopeHeader(out, 0, flags, body.byteLength);
  out.set(body, 5);
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
 * Resolves when `sink` can take more data (its `drain`) or is gone. Callers
 * only wait when `write` returned false: that is how a slow peer holds back
 * a fast sender without buffering a whole stream.
 */
export function waitForDrain(sink: DataSink): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      sink.off("drain", done);
      sink.off("close", done);
      resolve();
    };
    sink.once("drain", done);
    sink.once("close", done);
  });
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
    throw new RpcError(
      Code.RESOURCE_EXHAUSTED,
      `message of ${message.byteLength} bytes exceeds the send limit of ${maxSendBytes} bytes`,
    );
  }
  if (compression.name === "identity") {
    if (sink.destroyed) return;
    return writeFrame(sink, 0, message) ? undefined : waitForDrain(sink);
  }
  return compression.compress(message).then((packed) => {
    if (sink.destroyed) return;
    if (!writeFrame(sink, FLAG_COMPRESSED, packed)) return waitForDrain(sink);
  });
}
