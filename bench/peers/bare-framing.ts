/**
 * Hand-written gRPC framing for the bare node:http2 ceiling. It shares no
 * code with wirecall on purpose: the ceiling must not inherit wirecall's
 * costs (or its speed-ups).
 *
 * @module
 */
import { Buffer } from "node:buffer";

/** Frames one message: flag byte 0, 4-byte big-endian length, body. */
export function frameMessage(body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + body.byteLength);
  out[0] = 0;
  out.writeUInt32BE(body.byteLength, 1);
  out.set(body, 5);
  return out;
}

/** `count` framed copies of `body` back to back, for batched writes. */
export function frameRepeated(body: Uint8Array, count: number): Buffer {
  const one = frameMessage(body);
  const out = Buffer.allocUnsafe(one.byteLength * count);
  for (let i = 0; i < count; i++) out.set(one, i * one.byteLength);
  return out;
}

/** How many frames of `body` fit in one write of about 64 KiB (at least one). */
export function framesPerWrite(body: Uint8Array): number {
  return Math.max(1, Math.floor(65536 / (5 + body.byteLength)));
}

/**
 * Counts whole frames in a byte stream of any chunking, without copying:
 * it only follows the length prefixes.
 */
export class FrameCounter {
  #header = 0; // header bytes seen of the current frame (0..5)
  #length = 0; // the length being assembled from the header
  #bodyLeft = 0;
  /** Body bytes counted so far. */
  bodyBytes = 0;

  /** Feeds a chunk; returns how many frames it completed. */
  push(chunk: Uint8Array): number {
    let done = 0;
    let i = 0;
    const n = chunk.byteLength;
    while (i < n) {
      if (this.#bodyLeft > 0) {
        const take = Math.min(this.#bodyLeft, n - i);
        this.#bodyLeft -= take;
        this.bodyBytes += take;
        i += take;
        if (this.#bodyLeft === 0) done++;
        continue;
      }
      const b = chunk[i++];
      if (this.#header > 0) this.#length = this.#length * 256 + b;
      this.#header++;
      if (this.#header === 5) {
        this.#header = 0;
        this.#bodyLeft = this.#length;
        this.#length = 0;
        if (this.#bodyLeft === 0) done++;
      }
    }
    return done;
  }
}

/** Splits a byte stream into whole frames (header included), copying only across chunk seams. */
export class FrameSplitter {
  #pending: Buffer | undefined;

  /** Feeds a chunk; returns the whole frames it completed. */
  push(chunk: Buffer): Buffer[] {
    let buf = this.#pending === undefined ? chunk : Buffer.concat([this.#pending, chunk]);
    this.#pending = undefined;
    const out: Buffer[] = [];
    while (buf.byteLength >= 5) {
      const size = 5 + buf.readUInt32BE(1);
      if (buf.byteLength < size) break;
      out.push(buf.subarray(0, size));
      buf = buf.subarray(size);
    }
    if (buf.byteLength > 0) this.#pending = buf;
    return out;
  }
}

/** Joins the chunks of a unary body and returns the first message's body. */
export function firstMessage(chunks: Buffer[]): Buffer {
  const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  return all.subarray(5, 5 + all.readUInt32BE(1));
}
