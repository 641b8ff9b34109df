import { Code } from "./code.ts";
import type { Compression } from "./compression.ts";
import { markReceivedCompressed, messageCompression } from "./message-compression.ts";
import { RpcError } from "./rpc-error.ts";

/** Flag bit 0: the message body is compressed with the call's `grpc-encoding`. */
export const FLAG_COMPRESSED = 0b0000_0001;
/** Flag bit 7: a gRPC-Web trailer frame, whose body is `key: value\r\n` lines. */
export const FLAG_TRAILER = 0b1000_0000;

/** The default cap on a received message: 4 MiB, as in other gRPC stacks. */
export const DEFAULT_MAX_RECEIVE_MESSAGE_BYTES = 4 * 1024 * 1024;

/** One length-prefixed gRPC message: its flag byte and its body. */
export interface Envelope {
  /** The flag byte (see {@link FLAG_COMPRESSED}, {@link FLAG_TRAILER}). */
  flags: number;
  /** The body, possibly compressed. */
  data: Uint8Array;
}

/**
 * The error of a message over a size limit: `RESOURCE_EXHAUSTED`, naming
 * what was too large, its size and the limit.
 *
 * @example
 * ```ts
 * import { messageTooLarge } from "wirecall/protocol";
 * messageTooLarge("request message", 5000, 4096).message;
 * // "request message of 5000 bytes exceeds the limit of 4096 bytes"
 * ```
 */
export function messageTooLarge(what: string, bytes: number, limit: number): RpcError {
  return new RpcError(
    Code.RESOURCE_EXHAUSTED,
    `${what} of ${bytes} bytes exceeds the limit of ${limit} bytes`,
  );
}

/**
 * Frames a message: one flag byte, a 4-byte big-endian length, the body.
 *
 * @example
 * ```ts
 * import { encodeEnvelope } from "wirecall/protocol";
 * encodeEnvelope(0, new Uint8Array([8, 1])); // [0, 0, 0, 0, 2, 8, 1]
 * ```
 */
export function encodeEnvelope(flags: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + data.byteLength);
  writeEnvelope(out, 0, flags, data);
  return out;
}

/**
 * Writes one whole frame — header and body — into `target` at `offset`
 * (which must have room for `5 + data.byteLength` bytes) and returns the
 * offset after it: how batched and pooled writers frame in place.
 */
export function writeEnvelope(
  target: Uint8Array,
  offset: number,
  flags: number,
  data: Uint8Array,
): number {
  writeEnvelopeHeader(target, offset, flags, data.byteLength);
  target.set(data, offset + 5);
  return offset + 5 + data.byteLength;
}

/**
 * Frames one message to send: compressed with `compression`, flag bit 0
 * set, unless the compression is identity or the message is smaller than
 * `minBytes`. Returns a promise only when it compresses.
 *
 * @example
 * ```ts
 * import { identity } from "wirecall";
 * import { encodeMessage } from "wirecall/protocol";
 * encodeMessage(new Uint8Array([8, 1]), identity); // [0, 0, 0, 0, 2, 8, 1]
 * ```
 */
export function encodeMessage(
  message: Uint8Array,
  compression: Compression,
  minBytes = 0,
): Uint8Array | Promise<Uint8Array> {
  // A mark (withMessageCompression) decides over the size threshold.
  const mark = messageCompression(message);
  if (
    compression.name === "identity" || mark === false ||
    (mark === undefined && message.byteLength < minBytes)
  ) {
    return encodeEnvelope(0, message);
  }
  return compression.compress(message).then((packed) => encodeEnvelope(FLAG_COMPRESSED, packed));
}

/**
 * The message of a received frame: its body, inflated with the call's
 * `compression` when the frame's compressed flag is set, and capped at
 * `maxBytes` once inflated (`RESOURCE_EXHAUSTED`). A compressed frame on a
 * call without `grpc-encoding` is `INTERNAL`. Returns a promise only when it
 * inflates.
 *
 * @example
 * ```ts
 * import { identity } from "wirecall";
 * import { decompressEnvelope } from "wirecall/protocol";
 * decompressEnvelope({ flags: 0, data: new Uint8Array([8, 1]) }, identity, 1024); // [8, 1]
 * ```
 */
export function decompressEnvelope(
  envelope: Envelope,
  compression: Compression,
  maxBytes: number,
): Uint8Array | Promise<Uint8Array> {
  if ((envelope.flags & FLAG_COMPRESSED) === 0) return envelope.data;
  if (compression.name === "identity") {
    throw new RpcError(
      Code.INTERNAL,
      "received a compressed message but the call has no grpc-encoding",
    );
  }
  return compression.decompress(envelope.data, maxBytes).then(markReceivedCompressed);
}

/** Writes the 5-byte frame header into `target` at `offset`. */
export function writeEnvelopeHeader(
  target: Uint8Array,
  offset: number,
  flags: number,
  length: number,
): void {
  target[offset] = flags;
  target[offset + 1] = length >>> 24;
  target[offset + 2] = (length >>> 16) & 0xff;
  target[offset + 3] = (length >>> 8) & 0xff;
  target[offset + 4] = length & 0xff;
}

/**
 * Splits a byte stream into gRPC frames, whatever the chunking: a frame may
 * span many chunks and a chunk may hold many frames. The length prefix is
 * checked against the limit before any buffer for the body is allocated; an
 * over-limit frame is `RESOURCE_EXHAUSTED`.
 *
 * @example
 * ```ts
 * import { EnvelopeDecoder } from "wirecall/protocol";
 * const decoder = new EnvelopeDecoder();
 * decoder.push(new Uint8Array([0, 0, 0, 0, 1]));
 * decoder.push(new Uint8Array([42])); // [{ flags: 0, data: [42] }]
 * ```
 */
export class EnvelopeDecoder {
  readonly #max: number;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #header = new Uint8Array(5);
  #need = -1; // body length of the frame being read, -1 while reading a header
  #flags = 0;

  /** `maxMessageBytes` caps a frame's body (default 4 MiB). */
  constructor(maxMessageBytes: number = DEFAULT_MAX_RECEIVE_MESSAGE_BYTES) {
    this.#max = maxMessageBytes;
  }

  /** Bytes received that do not yet form a whole frame. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Adds a chunk and returns the frames it completes (often none or one). */
  push(chunk: Uint8Array): Envelope[] {
    const out: Envelope[] = [];
    // Fast path: nothing pending and the chunk holds whole frames.
    let offset = 0;
    if (this.#buffered === 0 && this.#need < 0) {
      while (chunk.byteLength - offset >= 5) {
        const length = readLength(chunk, offset + 1);
        const flags = chunk[offset];
        this.#checkLength(length, flags);
        if (chunk.byteLength - offset - 5 < length) break;
        out.push({ flags, data: chunk.subarray(offset + 5, offset + 5 + length) });
        offset += 5 + length;
      }
      if (offset === chunk.byteLength) return out;
      chunk = chunk.subarray(offset);
    }
    this.#chunks.push(chunk);
    this.#buffered += chunk.byteLength;
    for (;;) {
      if (this.#need < 0) {
        if (this.#buffered < 5) break;
        this.#take(this.#header, 5);
        this.#flags = this.#header[0];
        this.#need = readLength(this.#header, 1);
        this.#checkLength(this.#need, this.#flags);
      }
      if (this.#buffered < this.#need) break;
      const data = new Uint8Array(this.#need);
      this.#take(data, this.#need);
      out.push({ flags: this.#flags, data });
      this.#need = -1;
    }
    return out;
  }

  /** Declares the end of input; throws `INTERNAL` if a frame was cut short. */
  end(): void {
    if (this.#buffered > 0 || this.#need >= 0) {
      throw new RpcError(
        Code.INTERNAL,
        `stream ended inside a gRPC frame (${this.#buffered} byte(s) of an incomplete frame)`,
      );
    }
  }

  #checkLength(length: number, flags: number): void {
    if (length > this.#max && (flags & FLAG_TRAILER) === 0) {
      throw messageTooLarge("received message", length, this.#max);
    }
  }

  #take(target: Uint8Array, n: number): void {
    let filled = 0;
    while (filled < n) {
      const head = this.#chunks[0];
      const want = n - filled;
      if (head.byteLength <= want) {
        target.set(head, filled);
        filled += head.byteLength;
        this.#chunks.shift();
      } else {
        target.set(head.subarray(0, want), filled);
        this.#chunks[0] = head.subarray(want);
        filled += want;
      }
    }
    this.#buffered -= n;
  }
}

function readLength(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] << 24) >>> 0) + (bytes[offset + 1] << 16) + (bytes[offset + 2] << 8) +
    bytes[offset + 3];
}

/** Options of {@link decodeEnvelopes}. */
export interface DecodeEnvelopesOptions {
  /**
   * Decodes the body before it is cut into frames, as the base64 of
   * `grpc-web-text` is: `push` returns the bytes of a chunk, `end` throws
   * when the body ended inside its encoding.
   */
  bodyDecoder?: { push(chunk: Uint8Array): Uint8Array; end(): void };
  /**
   * Stops the reading when aborted, throwing its reason, and cancels a
   * `ReadableStream` source, even one that ignores abort signals.
   */
  signal?: AbortSignal;
}

/**
 * Decodes the frames of a byte stream (an async iterable or a
 * `ReadableStream`), yielding each as soon as it is whole. A stream that
 * ends inside a frame is `INTERNAL`; a frame over `maxMessageBytes` is
 * `RESOURCE_EXHAUSTED` before its body is buffered. Stopping early cancels
 * a `ReadableStream` source.
 *
 * @example
 * ```ts
 * import { decodeEnvelopes } from "wirecall/protocol";
 * for await (const frame of decodeEnvelopes(response.body!)) console.log(frame.data);
 * ```
 */
export async function* decodeEnvelopes(
  source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
  maxMessageBytes?: number,
  options: DecodeEnvelopesOptions = {},
): AsyncGenerator<Envelope> {
  const { bodyDecoder, signal } = options;
  if (signal?.aborted) throw signal.reason;
  const decoder = new EnvelopeDecoder(maxMessageBytes);
  if (!(source instanceof ReadableStream)) {
    for await (let chunk of source) {
      if (bodyDecoder !== undefined) chunk = bodyDecoder.push(chunk);
      for (const frame of decoder.push(chunk)) yield frame;
    }
    bodyDecoder?.end();
    decoder.end();
    return;
  }
  const reader = source.getReader();
  let finished = false;
  const onAbort = () => reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal?.aborted) throw signal.reason;
      if (done) break;
      const bytes = bodyDecoder === undefined ? value : bodyDecoder.push(value);
      if (bytes.byteLength === 0) continue;
      for (const frame of decoder.push(bytes)) yield frame;
    }
    finished = true;
    bodyDecoder?.end();
    decoder.end();
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (!finished) reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
