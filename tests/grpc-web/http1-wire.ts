// A raw HTTP/1.1 connection for tests that must control the bytes: one
// write holding headers and body, pipelined requests, keep-alive reuse, and
// whether the server closed the connection.
import * as net from "node:net";
import * as tls from "node:tls";

/** One parsed HTTP/1.1 response. */
export interface Http1Response {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

const CRLF = "\r\n";

/** Bytes of a POST request with `headers` and `body` (content-length set). */
export function http1Request(
  path: string,
  headers: Record<string, string>,
  body: Uint8Array,
): Uint8Array {
  let head =
    `POST ${path} HTTP/1.1${CRLF}host: 127.0.0.1${CRLF}content-length: ${body.byteLength}${CRLF}`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}${CRLF}`;
  const h = new TextEncoder().encode(head + CRLF);
  const out = new Uint8Array(h.byteLength + body.byteLength);
  out.set(h);
  out.set(body, h.byteLength);
  return out;
}

/** A client connection that parses every response the server sends, in order. */
export class Http1Connection {
  readonly socket: net.Socket;
  readonly closed: Promise<void>;
  readonly ready: Promise<void>;
  readonly responses: Http1Response[] = [];
  writeError: Error | undefined;
  #buffer: Uint8Array = new Uint8Array(0);
  #waiters: Array<() => void> = [];
  #isClosed = false;

  constructor(port: number, options: { tls?: { ca: string } } = {}) {
    if (options.tls !== undefined) {
      this.socket = tls.connect({
        port,
        host: "127.0.0.1",
        ca: options.tls.ca,
        servername: "localhost",
        ALPNProtocols: ["http/1.1"],
      });
      this.ready = new Promise((r) => this.socket.once("secureConnect", () => r()));
    } else {
      this.socket = net.connect(port, "127.0.0.1");
      this.ready = new Promise((r) => this.socket.once("connect", () => r()));
    }
    this.socket.on("error", (e) => (this.writeError ??= e));
    this.closed = new Promise((resolve) =>
      this.socket.once("close", () => {
        this.#isClosed = true;
        this.#wake();
        resolve();
      })
    );
    this.socket.on("data", (chunk: Uint8Array) => {
      const b = new Uint8Array(this.#buffer.byteLength + chunk.byteLength);
      b.set(this.#buffer);
      b.set(chunk, this.#buffer.byteLength);
      this.#buffer = b;
      this.#parse();
      this.#wake();
    });
  }

  /** True once the server closed the connection. */
  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Writes bytes in one piece. */
  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve) => this.socket.write(bytes, () => resolve()));
  }

  /** Waits until `count` responses have arrived (or the connection closed, or `timeoutMs`). */
  async waitForResponses(count: number, timeoutMs = 10_000): Promise<Http1Response[]> {
    const end = Date.now() + timeoutMs;
    while (this.responses.length < count && !this.#isClosed && Date.now() < end) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, end - Date.now()));
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.responses;
  }

  /** Closes the connection from this side. */
  destroy(): void {
    this.socket.destroy();
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  #parse(): void {
    for (;;) {
      const b = this.#buffer;
      const headEnd = indexOf(b, "\r\n\r\n");
      if (headEnd < 0) return;
      const lines = new TextDecoder().decode(b.subarray(0, headEnd)).split(CRLF);
      const status = Number(lines[0].split(" ")[1]);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const i = line.indexOf(":");
        headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      let offset = headEnd + 4;
      let body: Uint8Array;
      if (headers["transfer-encoding"]?.includes("chunked")) {
        const parts: Uint8Array[] = [];
        for (;;) {
          const lineEnd = indexOf(b, CRLF, offset);
          if (lineEnd < 0) return;
          const size = parseInt(new TextDecoder().decode(b.subarray(offset, lineEnd)), 16);
          if (b.byteLength < lineEnd + 2 + size + 2) return;
          parts.push(b.subarray(lineEnd + 2, lineEnd + 2 + size));
          offset = lineEnd + 2 + size + 2;
          if (size === 0) break;
        }
        body = concat(parts);
      } else {
        const length = Number(headers["content-length"] ?? 0);
        if (b.byteLength < offset + length) return;
        body = b.slice(offset, offset + length);
        offset += length;
      }
      this.responses.push({ status, headers, body });
      this.#buffer = b.slice(offset);
    }
  }
}

function indexOf(b: Uint8Array, text: string, from = 0): number {
  const t = new TextEncoder().encode(text);
  outer: for (let i = from; i <= b.byteLength - t.byteLength; i++) {
    for (let j = 0; j < t.byteLength; j++) if (b[i + j] !== t[j]) continue outer;
    return i;
  }
  return -1;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}
