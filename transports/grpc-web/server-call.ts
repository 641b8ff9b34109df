import { Code, Metadata, type PeerInfo, RpcError } from "../../mod.ts";
import { metadataToHeaders, type ServerCallIO, writeTrailerFields } from "../../protocol.ts";
import { type FetchCallInit, requestReadError } from "../../src/fetch-protocol.ts";
import { encodeMessage } from "../../protocol.ts";
import { readGrpcWebMessages } from "./message-reader.ts";
import { encodeTrailerFrame } from "./trailer-frame.ts";
import { encodeGrpcWebText } from "./web-text.ts";

/** What a {@link GrpcWebServerCall} needs to know of its request. */
export interface GrpcWebCallInit extends FetchCallInit {
  /** `grpc-web-text` (base64) rather than binary. */
  text: boolean;
}

/**
 * One gRPC-Web call on the server: reads the request frames from a fetch
 * `Request` and writes the response as a streaming `Response` body. The
 * response is ready (see {@link response}) once the router sends headers or
 * ends the call; an error before any message is a trailers-only response.
 */
export class GrpcWebServerCall implements ServerCallIO {
  readonly metadata: Metadata;
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal;
  readonly peer: PeerInfo;
  readonly contentSubtype: string;
  readonly requestEncoding: string | undefined;
  readonly messages: AsyncIterable<Uint8Array>;
  /** Resolves to the `Response` to return to the runtime. */
  readonly response: Promise<Response>;

  readonly #init: GrpcWebCallInit;
  readonly #abort = new AbortController();
  readonly #body: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #resolve!: (response: Response) => void;
  #responded = false;
  #ended = false;
  #drained: (() => void) | undefined;
  readonly #onRequestAbort = () => this.#cancel("the client went away");
  #abortListener: ((reason: unknown) => void) | undefined;

  /** Starts a call for `init.request`, with its request metadata already read. */
  constructor(init: GrpcWebCallInit, metadata: Metadata) {
    this.#init = init;
    this.metadata = metadata;
    this.timeoutMs = init.timeoutMs;
    this.signal = this.#abort.signal;
    this.peer = init.peer;
    this.contentSubtype = init.contentSubtype;
    const encoding = init.requestCompression.name;
    this.requestEncoding = encoding === "identity" ? undefined : encoding;
    this.messages = this.#readRequest();
    this.response = new Promise((resolve) => (this.#resolve = resolve));
    this.#body = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.#controller = c;
      },
      pull: () => this.#wake(),
      cancel: () => this.#cancel("the client stopped reading the response"),
    }, { highWaterMark: 8 });
    init.request.signal?.addEventListener("abort", this.#onRequestAbort, { once: true });
  }

  #cancel(why: string): void {
    this.#wake();
    if (this.#ended) return;
    this.#ended = true;
    const reason = new RpcError(Code.CANCELLED, why);
    this.#abort.abort(reason);
    const listener = this.#abortListener;
    this.#abortListener = undefined;
    listener?.(reason);
    try {
      this.#controller.close();
    } catch {
      // Already cancelled by the runtime.
    }
    // The router does not end a call its peer abandoned; settle the runtime's
    // handler anyway, so that a graceful shutdown is not kept waiting.
    this.#respond(null, new Headers(this.#init.headers));
  }

  /** Tells the router of a cancel without a listener on `signal` (see `ServerCallIO.onAbort`). */
  onAbort(listener: (reason: unknown) => void): void {
    const signal = this.#abort.signal;
    if (signal.aborted) listener(signal.reason);
    else this.#abortListener = listener;
  }

  #wake(): void {
    const w = this.#drained;
    this.#drained = undefined;
    w?.();
  }

  async *#readRequest(): AsyncGenerator<Uint8Array> {
    const { request, text, maxReceiveMessageBytes: max, requestCompression } = this.#init;
    try {
      yield* readGrpcWebMessages(request.body, {
        text,
        maxBytes: max,
        compression: requestCompression,
      });
    } catch (e) {
      throw requestReadError(e);
    }
  }

  #respond(body: ReadableStream<Uint8Array> | null, headers: Headers): void {
    if (this.#responded) return;
    this.#responded = true;
    this.#resolve(new Response(body, { status: 200, headers }));
  }

  #enqueue(frame: Uint8Array): void | Promise<void> {
    if (this.#ended) return;
    this.#controller.enqueue(this.#init.text ? encodeGrpcWebText(frame) : frame);
    const size = this.#controller.desiredSize;
    if (size !== null && size <= 0) {
      return new Promise((resolve) => (this.#drained = resolve));
    }
  }

  sendHeader(header: Metadata): void {
    if (this.#responded || this.#ended) return;
    const headers = new Headers(this.#init.headers);
    if (this.#init.responseCompression.name !== "identity") {
      headers.set("grpc-encoding", this.#init.responseCompression.name);
    }
    metadataToHeaders(header, (k, v) => headers.append(k, v));
    this.#respond(this.#body, headers);
  }

  sendMessage(message: Uint8Array): void | Promise<void> {
    if (this.#ended) return;
    const framed = encodeMessage(
      message,
      this.#init.responseCompression,
      this.#init.compressMinBytes,
    );
    if (framed instanceof Uint8Array) return this.#enqueue(framed);
    return framed.then((f) => this.#enqueue(f));
  }

  end(error: RpcError | undefined, trailer: Metadata, header: Metadata | undefined): void {
    this.#init.request.signal?.removeEventListener("abort", this.#onRequestAbort);
    if (this.#ended) {
      this.#respond(null, new Headers(this.#init.headers));
      return;
    }
    if (!this.#responded && error !== undefined) {
      // Trailers-only: the status travels in the headers and the body is empty.
      const headers = new Headers(this.#init.headers);
      if (header !== undefined) metadataToHeaders(header, (k, v) => headers.append(k, v));
      writeTrailerFields(error, trailer, (k, v) => headers.append(k, v));
      this.#ended = true;
      this.#controller.close();
      this.#respond(null, headers);
      return;
    }
    this.sendHeader(header ?? new Metadata());
    this.#enqueue(encodeTrailerFrame(error, trailer));
    this.#ended = true;
    this.#controller.close();
  }
}
