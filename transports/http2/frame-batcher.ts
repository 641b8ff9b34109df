import { Buffer } from "node:buffer";
import process from "node:process";
import { waitForDrain, writeEnvelope } from "../../protocol.ts";
import { type DataSink, frameMessage, UNCOPIED_BYTES, writeFrame } from "./message-writer.ts";

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
export const DIRECT_BYTES = UNCOPIED_BYTES;

/** Room kept in a batch buffer: a full batch plus one more message just under {@link DIRECT_BYTES}. */
const BATCH_CAPACITY = BATCH_BYTES + DIRECT_BYTES + 5;

/**
 * Coalesces the frames of one stream into few writes. Every write to a
 * node:http2 stream costs about as much as framing a small message, so a
 * stream of small messages spends most of its time in `write`: here small
 * frames are framed straight into one buffer that goes out when it reaches
 * {@link BATCH_BYTES}, when the call ends ({@link flush}), or at the latest
 * once the current run of microtasks is over (`process.nextTick`) — an idle
 * stream's message therefore leaves at once, a busy stream's messages leave
 * together. A lone message (a unary response) takes a small buffer from
 * Node's pool instead of a batch buffer. Large messages are written without
 * copying their body.
 */
export class FrameBatcher {
  readonly #sink: BatchSink;
  /** A lone queued frame, before a second one calls for a batch buffer. */
  #single: Buffer | undefined;
  /** The batch buffer: queued frames in `[0, #used)`, free room after. */
  #batch: Buffer | undefined;
  #used = 0;
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
      return writeFrame(sink, flags, body) ? undefined : waitForDrain(sink);
    }
    if (this.#used === 0 && this.#single === undefined) {
      this.#single = frameMessage(flags, body);
    } else {
      const batch = this.#room(5 + n);
      this.#used = writeEnvelope(batch, this.#used, flags, body);
      if (this.#used >= BATCH_BYTES) return this.flush() ? undefined : waitForDrain(sink);
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      process.nextTick(this.#flushLater);
    }
    return sink.writableNeedDrain ? waitForDrain(sink) : undefined;
  }

  /** The batch buffer with room for `need` more bytes, holding every queued frame. */
  #room(need: number): Buffer {
    let batch = this.#batch;
    if (batch === undefined || this.#used + need > batch.byteLength) {
      const next = Buffer.allocUnsafe(BATCH_CAPACITY);
      if (batch !== undefined) batch.copy(next, 0, 0, this.#used);
      batch = this.#batch = next;
    }
    const single = this.#single;
    if (single !== undefined) {
      // A second frame: the lone one moves into the batch, ahead of it.
      single.copy(batch, this.#used);
      this.#used += single.byteLength;
      this.#single = undefined;
    }
    return batch;
  }

  /** Writes the queued frames now; false when the stream asks to wait for `drain`. */
  flush(): boolean {
    const sink = this.#sink;
    let chunk: Buffer;
    if (this.#single !== undefined) {
      chunk = this.#single;
      this.#single = undefined;
    } else if (this.#used > 0) {
      const batch = this.#batch!;
      chunk = batch.subarray(0, this.#used);
      // What was written belongs to the stream now; the rest of the buffer
      // serves the next batch if it can still hold a full one.
      this.#batch = batch.byteLength - this.#used >= BATCH_CAPACITY / 2
        ? batch.subarray(this.#used)
        : undefined;
      this.#used = 0;
    } else {
      return !sink.writableNeedDrain;
    }
    if (sink.destroyed) return true;
    return sink.write(chunk);
  }
}
