import { Buffer } from "node:buffer";
import process from "node:process";
import { writeEnvelopeHeader } from "../../mod.ts";
import { type DataSink, waitForDrain } from "./message-writer.ts";

/** The writable side of an HTTP/2 stream, as the batcher uses it. */
export interface BatchSink extends DataSink {
  cork(): void;
  uncork(): void;
  /** True after a `write` returned false and until `drain`. */
  readonly writableNeedDrain: boolean;
}

/** Queued small frames are written at once when they reach this size. */
export const BATCH_BYTES = 32 * 1024;
/** Messages at least this large are written as they are, without a copy. */
export const DIRECT_BYTES = 16 * 1024;

/**
 * Coalesces the frames of one stream into few writes. Every write to a
 * node:http2 stream costs about as much as framing a small message, so a
 * stream of small messages spends most of its time in `write`: here small
 * frames are copied into one buffer that goes out when it reaches
 * {@link BATCH_BYTES}, when the call ends ({@link flush}), or at the latest
 * once the current run of microtasks is over (`process.nextTick`) — an idle
 * stream's message therefore leaves at once, a busy stream's messages leave
 * together. Large messages are written without copying their body.
 */
export class FrameBatcher {
  readonly #sink: BatchSink;
  #frames: Buffer[] = [];
  #bytes = 0;
  #scheduled = false;
  readonly #flushLater = () => {
    this.#scheduled = false;
    this.flush();
  };

  /** Batches writes to `sink`. */
  constructor(sink: BatchSink) {
    this.#sink = sink;
  }

  /**
   * Queues one frame. Returns a promise when the caller must wait before
   * sending more (the stream's buffer is full), as `writeMessage` does.
   */
  push(flags: number, body: Uint8Array): void | Promise<void> {
    const sink = this.#sink;
    if (sink.destroyed) return;
    const n = body.byteLength;
    if (n >= DIRECT_BYTES) {
      this.flush();
      const header = Buffer.allocUnsafe(5);
      writeEnvelopeHeader(header, 0, flags, n);
      sink.cork();
      sink.write(header);
      const ok = sink.write(body);
      sink.uncork();
      return ok ? undefined : waitForDrain(sink);
    }
    // allocUnsafe takes small buffers from Node's pool: far cheaper than a
    // fresh Uint8Array with its own backing store.
    const frame = Buffer.allocUnsafe(5 + n);
    writeEnvelopeHeader(frame, 0, flags, n);
    frame.set(body, 5);
    this.#frames.push(frame);
    this.#bytes += frame.byteLength;
    if (this.#bytes >= BATCH_BYTES) return this.flush() ? undefined : waitForDrain(sink);
    if (!this.#scheduled) {
      this.#scheduled = true;
      process.nextTick(this.#flushLater);
    }
    return sink.writableNeedDrain ? waitForDrain(sink) : undefined;
  }

  /** Writes the queued frames now; false when the stream asks to wait for `drain`. */
  flush(): boolean {
    const frames = this.#frames;
    const sink = this.#sink;
    if (frames.length === 0) return !sink.writableNeedDrain;
    const chunk = frames.length === 1 ? frames[0] : Buffer.concat(frames, this.#bytes);
    this.#frames = [];
    this.#bytes = 0;
    if (sink.destroyed) return true;
    return sink.write(chunk);
  }
}
