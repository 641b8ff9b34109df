// HTTP/2 framing written by hand, for tests that must send what no
// well-behaved client library sends: broken frames, lying lengths, floods,
// connection errors right after a valid request. Headers are HPACK literals
// (no Huffman, no indexing), so every block is self-contained.
import * as net from "node:net";

/** The client connection preface. */
export const PREFACE = new TextEncoder().encode("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/** HTTP/2 frame types. */
export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

/** Frame flags. */
export const Flag = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8 } as const;

/** One frame: 9-byte header and payload. `length` overrides the announced length. */
export function frame(
  type: number,
  flags: number,
  streamId: number,
  payload: Uint8Array = new Uint8Array(0),
  length = payload.byteLength,
): Uint8Array {
  const out = new Uint8Array(9 + payload.byteLength);
  out[0] = (length >>> 16) & 0xff;
  out[1] = (length >>> 8) & 0xff;
  out[2] = length & 0xff;
  out[3] = type;
  out[4] = flags;
  new DataView(out.buffer).setUint32(5, streamId & 0x7fffffff);
  out.set(payload, 9);
  return out;
}

/** A 32-bit big-endian payload (RST_STREAM code, WINDOW_UPDATE increment). */
export function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0);
  return out;
}

/** A SETTINGS frame with `pairs` of [id, value]. */
export function settings(pairs: Array<[number, number]> = [], ack = false): Uint8Array {
  const payload = new Uint8Array(pairs.length * 6);
  const view = new DataView(payload.buffer);
  pairs.forEach(([id, value], i) => {
    view.setUint16(i * 6, id);
    view.setUint32(i * 6 + 2, value >>> 0);
  });
  return frame(FrameType.SETTINGS, ack ? Flag.ACK : 0, 0, payload);
}

/** A GOAWAY frame. */
export function goaway(lastStreamId: number, code: number): Uint8Array {
  const payload = new Uint8Array(8);
  const view = new DataView(payload.buffer);
  view.setUint32(0, lastStreamId);
  view.setUint32(4, code);
  return frame(FrameType.GOAWAY, 0, 0, payload);
}

function hpackInt(value: number, prefixBits: number, first: number): number[] {
  const max = (1 << prefixBits) - 1;
  if (value < max) return [first | value];
  const out = [first | max];
  value -= max;
  while (value >= 128) {
    out.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  out.push(value);
  return out;
}

/** An HPACK header block of literal fields (without indexing, no Huffman). */
export function hpack(headers: Array<[string, string]>): Uint8Array {
  const enc = new TextEncoder();
  const out: number[] = [];
  for (const [name, value] of headers) {
    const n = enc.encode(name);
    const v = enc.encode(value);
    out.push(0x00, ...hpackInt(n.length, 7, 0));
    for (const b of n) out.push(b);
    out.push(...hpackInt(v.length, 7, 0));
    for (const b of v) out.push(b);
  }
  return Uint8Array.from(out);
}

/** The headers of a gRPC request for `path`. */
export function grpcRequestHeaders(
  path: string,
  extra: Array<[string, string]> = [],
): Array<[string, string]> {
  return [
    [":method", "POST"],
    [":scheme", "http"],
    [":path", path],
    [":authority", "127.0.0.1"],
    ["content-type", "application/grpc"],
    ["te", "trailers"],
    ...extra,
  ];
}

/** A HEADERS frame (END_HEADERS set) carrying `headers`. */
export function headersFrame(
  streamId: number,
  headers: Array<[string, string]>,
  endStream = false,
): Uint8Array {
  return frame(
    FrameType.HEADERS,
    Flag.END_HEADERS | (endStream ? Flag.END_STREAM : 0),
    streamId,
    hpack(headers),
  );
}

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

/** A frame as read back from the server. */
export interface ReadFrame {
  type: number;
  flags: number;
  streamId: number;
  payload: Uint8Array;
}

/**
 * A raw TCP connection to `port` that parses what the server sends into
 * frames. `closed` resolves when the server closes (or resets) the socket.
 */
export class RawH2Connection {
  readonly socket: net.Socket;
  readonly frames: ReadFrame[] = [];
  readonly closed: Promise<void>;
  readonly connected: Promise<void>;
  #buffer: Uint8Array = new Uint8Array(0);
  #waiters: Array<() => void> = [];

  constructor(port: number, host = "127.0.0.1") {
    this.socket = net.connect(port, host);
    this.socket.on("error", () => {});
    this.connected = new Promise((resolve) => this.socket.once("connect", () => resolve()));
    this.closed = new Promise((resolve) => this.socket.once("close", () => resolve()));
    this.socket.on("data", (chunk: Uint8Array) => {
      this.#buffer = concat(this.#buffer, chunk);
      while (this.#buffer.byteLength >= 9) {
        const b = this.#buffer;
        const length = (b[0] << 16) | (b[1] << 8) | b[2];
        if (b.byteLength < 9 + length) break;
        this.frames.push({
          type: b[3],
          flags: b[4],
          streamId: new DataView(b.buffer, b.byteOffset).getUint32(5) & 0x7fffffff,
          payload: b.slice(9, 9 + length),
        });
        this.#buffer = b.slice(9 + length);
      }
      for (const w of this.#waiters.splice(0)) w();
    });
    this.socket.once("close", () => {
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  /** Writes bytes; resolves once they are handed to the kernel (or the socket died). */
  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.write(bytes, () => resolve());
    });
  }

  /** Waits until a frame matching `match` arrives (or the socket closes, or `timeoutMs`). */
  async waitFor(
    match: (f: ReadFrame) => boolean,
    timeoutMs = 5_000,
  ): Promise<ReadFrame | undefined> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(match);
      if (found !== undefined) return found;
      if (this.socket.destroyed || Date.now() >= end) return undefined;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, end - Date.now()));
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The GOAWAY error code the server sent, if any. */
  goawayCode(): number | undefined {
    const f = this.frames.find((x) => x.type === FrameType.GOAWAY);
    return f === undefined ? undefined : new DataView(f.payload.buffer).getUint32(4);
  }

  /** Closes the socket from this side. */
  destroy(): void {
    this.socket.destroy();
  }
}
