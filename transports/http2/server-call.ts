import type * as http2 from "node:http2";
import {
  builtinCompressions,
  Code,
  type Compression,
  identity,
  messageCompression,
  Metadata,
  type PeerInfo,
  RpcError,
} from "../../mod.ts";
import {
  MessageQueue,
  metadataFromHeaders,
  metadataToHeaders,
  parseAcceptEncoding,
  type ServerCallIO,
  writeTrailerFields,
} from "../../protocol.ts";
import { resetStream } from "./bun-http2-workarounds.ts";
import { MessageReader } from "./message-reader.ts";
import { FrameBatcher } from "./frame-batcher.ts";
import { writeMessage } from "./message-writer.ts";
import { rstCode } from "./rst-stream-code.ts";
import type { Http2RequestHead } from "./validate-request.ts";
import type { HeaderFields } from "./validate-response.ts";

type OutgoingHeaders = Record<string, string | string[] | number>;

function addField(target: OutgoingHeaders, key: string, value: string): void {
  const prev = target[key];
  if (prev === undefined) target[key] = value;
  else if (Array.isArray(prev)) prev.push(value);
  else target[key] = [String(prev), value];
}

/** A stream serving a call, which its shared listeners find on it. */
type CallStream = http2.ServerHttp2Stream & { [kCall]?: Http2ServerCall };
const kCall = Symbol("wirecall.http2ServerCall");
let onData: (this: CallStream, chunk: Uint8Array) => void;
let onEnd: (this: CallStream) => void;
let onWantTrailers: (this: CallStream) => void;
let onClose: (this: CallStream) => void;
const ignore = () => {
  // Stream errors are reported through "close": a reset or lost stream cancels the call.
};
const respondOptions = { waitForTrailers: true };
const trailersOnlyOptions = { endStream: true };
const okTrailers: OutgoingHeaders = { "grpc-status": "0" };
const noMetadata = new Metadata();

/** Limits a server call enforces. */
export interface ServerCallLimits {
  /** Largest request message, in bytes. */
  maxReceiveBytes: number;
  /** Largest response message, in bytes. */
  maxSendBytes: number;
}

/**
 * One server stream as the core's `ServerCallIO`: request DATA becomes
 * messages (with backpressure), responses are framed (and compressed) onto
 * the stream, and the status goes out as trailers — or as one trailers-only
 * HEADERS block when nothing was sent. A client RST_STREAM or a lost
 * connection aborts `signal` with `CANCELLED`.
 */
export class Http2ServerCall implements ServerCallIO {
  readonly timeoutMs: number | undefined;
  readonly peer: PeerInfo;
  readonly contentSubtype: string;
  readonly requestEncoding: string | undefined;
  readonly messages: AsyncIterable<Uint8Array>;
  readonly #stream: http2.ServerHttp2Stream;
  readonly #head: Http2RequestHead;
  readonly #limits: ServerCallLimits;
  readonly #headers: HeaderFields;
  #metadata: Metadata | undefined;
  // The signal and the request metadata are made on first use: most
  // handlers read neither, and both cost more than the rest of the call.
  #controller: AbortController | undefined;
  #abortReason: RpcError | undefined;
  #abortListener: ((reason: unknown) => void) | undefined;
  readonly #queue: MessageQueue<Uint8Array>;
  readonly #reader: MessageReader;
  readonly #batcher: FrameBatcher;
  readonly #onDone: (call: Http2ServerCall) => void;
  #headerSent = false;
  /** The response encoding: negotiated from the request, or chosen by the handler. */
  #responseCompression: Compression;
  #ended = false;
  #trailers: OutgoingHeaders | undefined;

  /** Wraps `stream` (whose request `headers` become metadata on demand); `onDone` runs once when the call is over. */
  constructor(
    stream: http2.ServerHttp2Stream,
    head: Http2RequestHead,
    headers: HeaderFields,
    peer: PeerInfo,
    limits: ServerCallLimits,
    onDone: (call: Http2ServerCall) => void,
  ) {
    this.#stream = stream;
    this.#head = head;
    this.#responseCompression = head.responseCompression;
    this.#limits = limits;
    this.#onDone = onDone;
    this.#headers = headers;
    this.timeoutMs = head.timeoutMs;
    this.peer = peer;
    this.contentSubtype = head.contentType.subtype;
    this.requestEncoding = head.requestCompression === identity
      ? undefined
      : head.requestCompression.name;
    const queue = new MessageQueue<Uint8Array>({ highWaterMark: 8 });
    const reader = new MessageReader(
      stream,
      limits.maxReceiveBytes,
      head.requestCompression,
      queue,
      (e) => this.#failRequest(e),
    );
    this.#queue = queue;
    this.#batcher = new FrameBatcher(stream);
    this.messages = queue;
    this.#reader = reader;
    // Listeners shared by every call (they find theirs on the stream): five
    // closures per call less.
    (stream as CallStream)[kCall] = this;
    stream.on("data", onData);
    stream.on("end", onEnd);
    stream.on("wantTrailers", onWantTrailers);
    stream.on("error", ignore);
    stream.on("close", onClose);
  }

  static {
    onData = function (this: CallStream, chunk: Uint8Array) {
      this[kCall]!.#reader.push(chunk);
    };
    onEnd = function (this: CallStream) {
      const call = this[kCall]!;
      const reader = call.#reader;
      const pending = reader.end();
      if (pending === undefined) {
        if (!reader.failed) call.#queue.close();
      } else {
        pending.then(() => {
          if (!reader.failed) call.#queue.close();
        });
      }
    };
    onWantTrailers = function (this: CallStream) {
      if (this.destroyed) return;
      try {
        this.sendTrailers(this[kCall]!.#trailers ?? okTrailers);
      } catch {
        // The session went away between the last DATA and the trailers.
        this.destroy();
      }
    };
    onClose = function (this: CallStream) {
      const call = this[kCall]!;
      if (!call.#ended) {
        call.#ended = true;
        // A reset that comes with the deadline is told apart by the router,
        // on its clock (Deadline.explain).
        const reason = new RpcError(
          Code.CANCELLED,
          this.rstCode === rstCode.CANCEL
            ? "the client cancelled the call"
            : "the stream closed before the call completed",
        );
        call.#queue.fail(reason);
        call.#abortWith(reason);
      }
      call.#onDone(call);
    };
  }

  /** The request metadata (custom headers), parsed on first use. */
  get metadata(): Metadata {
    return this.#metadata ??= metadataFromHeaders(
      Object.entries(this.#headers) as Array<[string, string | string[] | undefined]>,
    );
  }

  /** Aborted when the client cancels or the stream is lost. */
  get signal(): AbortSignal {
    let c = this.#controller;
    if (c === undefined) {
      c = this.#controller = new AbortController();
      if (this.#abortReason !== undefined) c.abort(this.#abortReason);
    }
    return c.signal;
  }

  onAbort(listener: (reason: unknown) => void): void {
    if (this.#abortReason !== undefined) listener(this.#abortReason);
    else this.#abortListener = listener;
  }

  #abortWith(reason: RpcError): void {
    if (this.#abortReason !== undefined) return;
    this.#abortReason = reason;
    this.#controller?.abort(reason);
    const listener = this.#abortListener;
    this.#abortListener = undefined;
    listener?.(reason);
  }

  /** Cancels the call from the server side (used when a graceful close runs out of time). */
  cancel(reason: RpcError): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#queue.fail(reason);
    this.#abortWith(reason);
    if (!this.#stream.destroyed) resetStream(this.#stream, rstCode.CANCEL);
  }

  #responseHeaders(header: Metadata): OutgoingHeaders {
    const out: OutgoingHeaders = {
      ":status": 200,
      "content-type": this.#head.contentType.value,
      "grpc-accept-encoding": "gzip, identity",
    };
    if (this.#responseCompression !== identity) {
      out["grpc-encoding"] = this.#responseCompression.name;
    }
    if (header.size > 0) metadataToHeaders(header, (k, v) => addField(out, k, v));
    return out;
  }

  sendHeader(header: Metadata): void {
    if (this.#headerSent || this.#ended || this.#stream.destroyed) return;
    this.#headerSent = true;
    this.#stream.respond(this.#responseHeaders(header), respondOptions);
  }

  sendMessage(message: Uint8Array): void | Promise<void> {
    if (this.#ended || this.#stream.destroyed) return;
    if (!this.#headerSent) this.sendHeader(noMetadata);
    const compression = this.#responseCompression;
    if (compression === identity || messageCompression(message) === false) {
      if (message.byteLength > this.#limits.maxSendBytes) {
        // writeMessage words the error; it throws before writing anything.
        return writeMessage(this.#stream, message, identity, this.#limits.maxSendBytes);
      }
      return this.#batcher.push(0, message);
    }
    this.#batcher.flush();
    return writeMessage(this.#stream, message, compression, this.#limits.maxSendBytes);
  }

  setResponseCompression(name: string): void {
    if (this.#headerSent) return;
    if (name === "identity") {
      this.#responseCompression = identity;
      return;
    }
    const chosen = builtinCompressions.get(name);
    if (chosen !== undefined && parseAcceptEncoding(this.#head.acceptEncoding).includes(name)) {
      this.#responseCompression = chosen;
    }
  }

  end(error: RpcError | undefined, trailer: Metadata, header: Metadata | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    const stream = this.#stream;
    if (stream.destroyed) return;
    if (!this.#headerSent) {
      // Trailers-only: headers and status in one HEADERS frame that ends the stream.
      this.#headerSent = true;
      const fields = this.#responseHeaders(header ?? new Metadata());
      delete fields["grpc-encoding"];
      writeTrailerFields(error, trailer, (k, v) => addField(fields, k, v));
      stream.respond(fields, trailersOnlyOptions);
    } else if (error === undefined && trailer.size === 0) {
      this.#trailers = okTrailers;
      this.#batcher.flush();
      stream.end();
    } else {
      const fields: OutgoingHeaders = {};
      writeTrailerFields(error, trailer, (k, v) => addField(fields, k, v));
      this.#trailers = fields;
      this.#batcher.flush();
      stream.end();
    }
    this.#discardRequest();
  }

  /** A malformed or oversized request frame fails this call only. */
  #failRequest(error: RpcError): void {
    this.#queue.fail(error);
    if (this.#ended) return;
    try {
      this.end(error, new Metadata(), this.#headerSent ? undefined : new Metadata());
    } catch {
      // The stream died while answering; "close" reports it.
      this.#stream.destroy();
    }
    this.#abortWith(error);
  }

  /** Once answered, whatever the client still sends is read and dropped. */
  #discardRequest(): void {
    const stream = this.#stream;
    if (stream.readableEnded) return;
    stream.removeAllListeners("data");
    stream.on("data", () => {});
    stream.resume();
  }
}
