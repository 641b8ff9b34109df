import { Code, Metadata, type PeerInfo, RpcError } from "../../mod.ts";
import {
  decodeEnvelopes,
  encodeEnvelope,
  FLAG_COMPRESSED,
  httpStatusFromCode,
  markReceivedCompressed,
  metadataToHeaders,
  type ServerCallIO,
} from "../../protocol.ts";
import { type FetchCallInit, requestReadError } from "../../src/fetch-protocol.ts";
import { ResponseBodyStream } from "../../src/response-body-stream.ts";
import { decompressEnvelope, encodeMessage } from "../../protocol.ts";
import { encodeEndStream, FLAG_END_STREAM } from "./end-stream.ts";
import { errorToJsonBytes } from "./error-json.ts";
import { connectHeaders } from "./request-header.ts";
import { muxTrailers } from "./trailer-mux.ts";

/** What a Connect server call needs to know of its request. */
export interface ConnectCallInit extends FetchCallInit {
  /** Request metadata. */
  metadata: Metadata;
}

/**
 * The response to a unary Connect call that failed: the HTTP status the code
 * maps to, Connect error JSON, the headers and the error's metadata as
 * headers, the trailers as `trailer-`-prefixed headers.
 */
export function unaryErrorResponse(
  base: Headers,
  error: RpcError,
  header?: Metadata,
  trailer?: Metadata,
): Response {
  const headers = new Headers(base);
  headers.set("content-type", "application/json");
  headers.delete(connectHeaders.unaryEncoding);
  const add = (k: string, v: string) => headers.append(k, v);
  if (header !== undefined) metadataToHeaders(header, add);
  metadataToHeaders(error.metadata, add);
  if (trailer !== undefined) muxTrailers(trailer, add);
  return new Response(errorToJsonBytes(error) as Uint8Array<ArrayBuffer>, {
    status: httpStatusFromCode(error.code),
    headers,
  });
}

/** Cancels a call when its request goes away, and settles the runtime's handler then. */
abstract class ConnectCall {
  readonly metadata: Metadata;
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal;
  readonly peer: PeerInfo;
  readonly contentSubtype: string;
  readonly requestEncoding: string | undefined;
  /** Resolves to the `Response` to return to the runtime. */
  readonly response: Promise<Response>;

  protected readonly init: ConnectCallInit;
  protected ended = false;
  readonly #abort = new AbortController();
  #abortListener: ((reason: unknown) => void) | undefined;
  #resolve!: (response: Response) => void;
  #responded = false;
  readonly #onRequestAbort = () => this.cancel("the client went away");

  constructor(init: ConnectCallInit) {
    this.init = init;
    this.metadata = init.metadata;
    this.timeoutMs = init.timeoutMs;
    this.signal = this.#abort.signal;
    this.peer = init.peer;
    this.contentSubtype = init.contentSubtype;
    const encoding = init.requestCompression.name;
    this.requestEncoding = encoding === "identity" ? undefined : encoding;
    this.response = new Promise((resolve) => (this.#resolve = resolve));
    init.request.signal?.addEventListener("abort", this.#onRequestAbort, { once: true });
  }

  protected cancel(why: string): void {
    if (this.ended) return;
    this.ended = true;
    const reason = new RpcError(Code.CANCELLED, why);
    this.#abort.abort(reason);
    const listener = this.#abortListener;
    this.#abortListener = undefined;
    listener?.(reason);
    this.onCancel();
    // The router does not end a call its peer abandoned; settle the runtime's
    // handler anyway, so that a graceful shutdown is not kept waiting.
    this.respond(new Response(null, { status: 499 }));
  }

  /** Tells the router of a cancel without a listener on `signal` (see `ServerCallIO.onAbort`). */
  onAbort(listener: (reason: unknown) => void): void {
    const signal = this.#abort.signal;
    if (signal.aborted) listener(signal.reason);
    else this.#abortListener = listener;
  }

  protected onCancel(): void {}

  protected respond(response: Response): void {
    if (this.#responded) return;
    this.#responded = true;
    this.init.request.signal?.removeEventListener("abort", this.#onRequestAbort);
    this.#resolve(response);
  }

  protected get responded(): boolean {
    return this.#responded;
  }
}

/**
 * One unary Connect call on the server: the request message is the whole
 * body (or the GET query), and the response is sent whole once the call
 * ends — the message with headers and `trailer-` headers, or error JSON
 * with the HTTP status its code maps to.
 */
export class ConnectUnaryCall extends ConnectCall implements ServerCallIO {
  readonly messages: AsyncIterable<Uint8Array>;
  #header: Metadata | undefined;
  #message: Uint8Array | undefined;

  /** `read` yields the raw request message, still compressed if the request says so. */
  constructor(init: ConnectCallInit, read: () => Promise<Uint8Array>) {
    super(init);
    this.messages = this.#readRequest(read);
  }

  async *#readRequest(read: () => Promise<Uint8Array>): AsyncGenerator<Uint8Array> {
    const { requestCompression, maxReceiveMessageBytes: max } = this.init;
    let bytes: Uint8Array;
    try {
      bytes = await read();
    } catch (e) {
      throw requestReadError(e);
    }
    yield requestCompression.name === "identity"
      ? bytes
      : markReceivedCompressed(await requestCompression.decompress(bytes, max));
  }

  sendHeader(header: Metadata): void {
    this.#header ??= header;
  }

  sendMessage(message: Uint8Array): void {
    this.#message = message;
  }

  end(error: RpcError | undefined, trailer: Metadata, header: Metadata | undefined): void {
    if (this.ended) {
      this.respond(new Response(null, { status: 499 }));
      return;
    }
    this.ended = true;
    const head = this.#header ?? header ?? new Metadata();
    if (error !== undefined || this.#message === undefined) {
      const e = error ?? new RpcError(Code.INTERNAL, "the handler sent no response message");
      this.respond(unaryErrorResponse(this.init.headers, e, head, trailer));
      return;
    }
    const message = this.#message;
    const { responseCompression: compression, compressMinBytes } = this.init;
    const headers = new Headers(this.init.headers);
    const add = (k: string, v: string) => headers.append(k, v);
    metadataToHeaders(head, add);
    muxTrailers(trailer, add);
    if (compression.name === "identity" || message.byteLength < compressMinBytes) {
      this.respond(new Response(message as Uint8Array<ArrayBuffer>, { status: 200, headers }));
      return;
    }
    compression.compress(message).then((packed) => {
      headers.set(connectHeaders.unaryEncoding, compression.name);
      this.respond(new Response(packed as Uint8Array<ArrayBuffer>, { status: 200, headers }));
    }, (e) => {
      const failure = RpcError.from(e, Code.INTERNAL);
      this.respond(unaryErrorResponse(this.init.headers, failure, head, trailer));
    });
  }
}

/**
 * One streaming Connect call on the server (client, server or bidi
 * streaming): enveloped messages both ways, the response as a streaming body
 * that ends with the end-of-stream message carrying the status and trailers.
 * The HTTP status is always 200; errors travel in the end-of-stream message.
 */
export class ConnectStreamCall extends ConnectCall implements ServerCallIO {
  readonly messages: AsyncIterable<Uint8Array>;
  readonly #body = new ResponseBodyStream(() =>
    this.cancel("the client stopped reading the response")
  );

  /** Starts a call for `init.request`. */
  constructor(init: ConnectCallInit) {
    super(init);
    this.messages = this.#readRequest();
  }

  protected override onCancel(): void {
    this.#body.close();
  }

  async *#readRequest(): AsyncGenerator<Uint8Array> {
    const { request, maxReceiveMessageBytes: max, requestCompression } = this.init;
    if (request.body === null) return;
    try {
      for await (const frame of decodeEnvelopes(request.body, max)) {
        if ((frame.flags & ~FLAG_COMPRESSED) !== 0) {
          throw new RpcError(
            Code.INVALID_ARGUMENT,
            `Connect protocol error: request envelope with flags 0x${frame.flags.toString(16)}`,
          );
        }
        yield await decompressEnvelope(frame, requestCompression, max);
      }
    } catch (e) {
      throw requestReadError(e);
    }
  }

  #headers(header: Metadata): Headers {
    const headers = new Headers(this.init.headers);
    const compression = this.init.responseCompression.name;
    if (compression !== "identity") headers.set(connectHeaders.streamEncoding, compression);
    metadataToHeaders(header, (k, v) => headers.append(k, v));
    return headers;
  }

  #enqueue(frame: Uint8Array): void | Promise<void> {
    if (!this.ended) return this.#body.enqueue(frame);
  }

  sendHeader(header: Metadata): void {
    if (this.responded || this.ended) return;
    this.respond(
      new Response(this.#body.readable, { status: 200, headers: this.#headers(header) }),
    );
  }

  sendMessage(message: Uint8Array): void | Promise<void> {
    if (this.ended) return;
    const framed = encodeMessage(
      message,
      this.init.responseCompression,
      this.init.compressMinBytes,
    );
    if (framed instanceof Uint8Array) return this.#enqueue(framed);
    return framed.then((f) => this.#enqueue(f));
  }

  end(error: RpcError | undefined, trailer: Metadata, header: Metadata | undefined): void {
    if (this.ended) {
      this.respond(new Response(null, { status: 499 }));
      return;
    }
    this.sendHeader(header ?? new Metadata());
    this.#enqueue(encodeEnvelope(FLAG_END_STREAM, encodeEndStream(error, trailer)));
    this.ended = true;
    this.#body.close();
  }
}

/**
 * The whole answer to a streaming call refused before it started (a bad
 * timeout, an unsupported encoding): HTTP 200 with only the end-of-stream
 * message.
 */
export function streamErrorResponse(base: Headers, error: RpcError): Response {
  const body = encodeEnvelope(FLAG_END_STREAM, encodeEndStream(error, new Metadata()));
  return new Response(body as Uint8Array<ArrayBuffer>, { status: 200, headers: base });
}
