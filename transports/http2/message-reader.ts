import { Code, type Compression, RpcError } from "../../mod.ts";
import {
  decompressEnvelope,
  type Envelope,
  EnvelopeDecoder,
  FLAG_COMPRESSED,
} from "../../protocol.ts";

/**
 * Where a reader puts messages: a bounded queue for streams (its `push`
 * returns a promise while full: the reader waits for it), or a plain array
 * for a single response (whatever `push` returns that is not a promise is
 * ignored).
 */
export interface MessageSink {
  push(message: Uint8Array): unknown;
}

/** The readable side of an HTTP/2 stream, as the reader uses it. */
export interface DataSource {
  pause(): unknown;
  resume(): unknown;
}

/**
 * Turns the DATA of one HTTP/2 stream into messages: frames are cut by one
 * `EnvelopeDecoder` (the size limit checked before allocating), compressed
 * frames are inflated with the call's encoding (capped at the same limit), and
 * every message goes into a bounded queue. When the queue is full or a frame
 * is being inflated the stream is paused, so HTTP/2 flow control stops the
 * sender instead of memory filling up. The fast path (uncompressed frames, a
 * consumer keeping up) is synchronous: no promise per frame.
 */
export class MessageReader {
  readonly #sink: MessageSink;
  readonly #source: DataSource;
  readonly #decoder: EnvelopeDecoder;
  readonly #maxBytes: number;
  #compression: Compression;
  readonly #onError: (error: RpcError) => void;
  #backlog: Envelope[] = [];
  #busy = false;
  #failed = false;
  #ended = false;
  #onDrained: (() => void) | undefined;

  /**
   * `compression` inflates frames flagged as compressed; messages go to
   * `sink`, in order; `onError` hears of a malformed or oversized frame (the
   * reader stops; the owner ends the call).
   */
  constructor(
    source: DataSource,
    maxBytes: number,
    compression: Compression,
    sink: MessageSink,
    onError: (error: RpcError) => void,
  ) {
    this.#source = source;
    this.#maxBytes = maxBytes;
    this.#decoder = new EnvelopeDecoder(maxBytes);
    this.#compression = compression;
    this.#sink = sink;
    this.#onError = onError;
  }

  /** Feeds one DATA chunk. */
  push(chunk: Uint8Array): void {
    if (this.#failed) return;
    let frames: Envelope[];
    try {
      frames = this.#decoder.push(chunk);
    } catch (e) {
      this.#fail(RpcError.from(e, Code.INTERNAL));
      return;
    }
    if (frames.length === 0) return;
    if (this.#busy) {
      for (const f of frames) this.#backlog.push(f);
      return;
    }
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i];
      if ((frame.flags & FLAG_COMPRESSED) === 0) {
        const wait = this.#sink.push(frame.data);
        if (!(wait instanceof Promise)) continue;
        this.#backlog = frames.slice(i + 1);
        this.#slowPath(wait);
        return;
      }
      this.#backlog = frames.slice(i);
      this.#slowPath(undefined);
      return;
    }
  }

  /**
   * Declares the end of DATA. Returns nothing when every message is already
   * in the sink, else a promise that resolves once they are. A stream that
   * ended inside a frame fails the reader with `INTERNAL` (see `onError`).
   */
  end(): Promise<void> | undefined {
    this.#ended = true;
    if (this.#failed) return undefined;
    try {
      this.#decoder.end();
    } catch (e) {
      this.#fail(RpcError.from(e, Code.INTERNAL));
      return undefined;
    }
    if (!this.#busy) return undefined;
    return new Promise((resolve) => (this.#onDrained = resolve));
  }

  /** Sets the encoding of compressed frames, once the response headers name it. */
  set compression(compression: Compression) {
    this.#compression = compression;
  }

  /** True once a frame failed to decode. */
  get failed(): boolean {
    return this.#failed;
  }

  async #slowPath(first: Promise<void> | undefined): Promise<void> {
    this.#busy = true;
    this.#source.pause();
    try {
      if (first !== undefined) await first;
      while (this.#backlog.length > 0 && !this.#failed) {
        const frame = this.#backlog.shift()!;
        let data = decompressEnvelope(frame, this.#compression, this.#maxBytes);
        if (data instanceof Promise) data = await data;
        const wait = this.#sink.push(data);
        if (wait instanceof Promise) await wait;
      }
    } catch (e) {
      this.#fail(RpcError.from(e, Code.INTERNAL));
    }
    this.#busy = false;
    if (this.#onDrained !== undefined) {
      const done = this.#onDrained;
      this.#onDrained = undefined;
      done();
    } else if (!this.#ended && !this.#failed) {
      this.#source.resume();
    }
  }

  #fail(error: RpcError): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#backlog.length = 0;
    this.#onError(error);
    if (this.#onDrained !== undefined) {
      const done = this.#onDrained;
      this.#onDrained = undefined;
      done();
    }
  }
}
