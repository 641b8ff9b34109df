import type * as http2 from "node:http2";
import { setImmediate } from "node:timers";
import {
  type ClosableTransport,
  Code,
  type Compression,
  gzip,
  identity,
  messageCompression,
  Metadata,
  RpcError,
  type TransportConnectivity,
} from "../../mod.ts";
import {
  DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
  formatGrpcTimeout,
  MessageQueue,
  metadataFromHeaders,
  metadataToHeaders,
  parseOptions,
  type StreamTransportRequest,
  type StreamTransportResponse,
  transportFailure,
  type TransportRequestBase,
  type UnaryTransportRequest,
  type UnaryTransportResponse,
} from "../../protocol.ts";
import { type Http2TransportOptions, http2TransportOptionsSchema } from "./client-options.ts";
import { ClientSession } from "./client-session.ts";
import { rootError } from "./connection-failure.ts";
import { MessageReader, type MessageSink } from "./message-reader.ts";
import { type BatchSink, FrameBatcher } from "./frame-batcher.ts";
import { writeFrame, writeMessage } from "./message-writer.ts";
import { codeFromRstStream, rstCode } from "./rst-stream-code.ts";
import {
  type HeaderFields,
  statusFromFields,
  validateResponseHeader,
} from "./validate-response.ts";
import { messageTooLarge, singleMessageOf } from "../../protocol.ts";

/** Stops replaying request messages for a transparent retry past this many bytes. */
const REPLAY_LIMIT_BYTES = 1024 * 1024;

const contentTypes: Record<string, string> = {
  proto: "application/grpc+proto",
  json: "application/grpc+json",
};

/** What every call of one transport shares: its session, header cache and limits. */
interface TransportState {
  session: ClientSession;
  /** Frozen request headers per method and content subtype, for calls without deadline or metadata. */
  headerCache: Map<string, Record<string, string | string[]>>;
  baseHeaders: Record<string, string>;
  compression: Compression;
  maxReceive: number;
  maxSend: number;
  retries: number;
}

/**
 * What `createHttp2Transport` returns: a transport that holds an HTTP/2
 * session, so `close()` is required (call it when done, or the process keeps
 * the connection open), and its connectivity is always there for a channel.
 */
export interface Http2Transport extends ClosableTransport {
  /** The transport's session, as a channel watches it. */
  readonly connectivity: TransportConnectivity;
}

/**
 * Creates a client transport for native gRPC over HTTP/2 (`node:http2`).
 * Every call shares one session; the session is replaced after GOAWAY or a
 * lost connection, with backoff between failed attempts. Calls that never
 * reached the server (a refused stream, a GOAWAY that did not cover them)
 * are retried transparently.
 *
 * @example
 * ```ts
 * import { createClient } from "wirecall";
 * import { createHttp2Transport } from "wirecall/transports/http2";
 * import { DemoService } from "./protos/gen/wirecall/demo/v1/demo_pb.ts";
 *
 * const transport = createHttp2Transport({ baseUrl: "http://127.0.0.1:50051" });
 * const client = createClient(DemoService, transport);
 * console.log(await client.greet({ name: "Ada" }));
 * await transport.close();
 * ```
 */
export function createHttp2Transport(options: Http2TransportOptions): Http2Transport {
  const opts = parseOptions(
    "http2 transport",
    http2TransportOptionsSchema,
    options,
  ) as Http2TransportOptions;
  const url = new URL(opts.baseUrl);
  if (opts.socketPath !== undefined && url.protocol === "https:") {
    throw new RpcError(
      Code.INVALID_ARGUMENT,
      `invalid http2 transport option "socketPath": TLS over a Unix socket is not supported; ` +
        `use an http:// baseUrl`,
    );
  }
  if (opts.tls !== undefined && url.protocol !== "https:") {
    throw new RpcError(
      Code.INVALID_ARGUMENT,
      `invalid http2 transport option "tls": baseUrl ${opts.baseUrl} is not https://`,
    );
  }
  const compression = opts.sendCompression === "gzip" ? gzip : identity;
  const baseHeaders: Record<string, string> = {
    ":method": "POST",
    ":scheme": url.protocol === "https:" ? "https" : "http",
    ":authority": url.host,
    te: "trailers",
    "user-agent": opts.userAgent ?? "wirecall-http2/0.1",
    "grpc-accept-encoding": "gzip, identity",
  };
  if (compression !== identity) baseHeaders["grpc-encoding"] = compression.name;
  const settings: TransportState = {
    session: new ClientSession(url.origin, opts),
    headerCache: new Map(),
    baseHeaders,
    compression,
    maxReceive: opts.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
    maxSend: opts.maxSendMessageBytes ?? Infinity,
    retries: opts.maxTransparentRetries ?? 3,
  };

  const peer = url.host;
  return {
    unary(req: UnaryTransportRequest): Promise<UnaryTransportResponse> {
      if (req.stats !== undefined) req.stats.peer = peer;
      return new Http2ClientCall(settings, req, req.message, true).result as Promise<
        UnaryTransportResponse
      >;
    },
    stream(req: StreamTransportRequest): Promise<StreamTransportResponse> {
      if (req.stats !== undefined) req.stats.peer = peer;
      return new Http2ClientCall(settings, req, req.messages, false).result as Promise<
        StreamTransportResponse
      >;
    },
    close: () => settings.session.close(),
    connectivity: {
      connect: () => settings.session.connect(),
      onDisconnect: (listener) => settings.session.onDisconnect(listener),
    },
  };
}

/** The request headers of a call, before its deadline and metadata. */
function methodHeaders(
  s: TransportState,
  req: TransportRequestBase,
): Record<string, string | string[]> {
  return {
    ...s.baseHeaders,
    ":path": req.method.path,
    "content-type": contentTypes[req.contentSubtype] ?? "application/grpc",
  };
}

/** One call on the wire, including its transparent retries. */
class Http2ClientCall {
  readonly result: Promise<UnaryTransportResponse | StreamTransportResponse>;
  readonly #s: TransportState;
  readonly #req: TransportRequestBase;
  readonly #unary: boolean;
  #resolve!: (r: UnaryTransportResponse | StreamTransportResponse) => void;
  #reject!: (e: unknown) => void;
  #stream!: http2.ClientHttp2Stream;
  #session!: http2.ClientHttp2Session;
  #reader!: MessageReader;
  /** Streaming calls: the response messages, handed to the caller with the headers. */
  #messages: MessageQueue<Uint8Array> | undefined;
  /** Unary calls: the response messages, read once the call is over. */
  #collected: Uint8Array[] | undefined;
  /** Unary calls: the request message, kept to send it again on a transparent retry. */
  #unaryBody: Uint8Array | undefined;
  #httpStatus = 0;
  #header: Metadata | undefined;
  #headOutcome: { error: RpcError | undefined } | undefined;
  #trailerFields: HeaderFields | undefined;
  #readerDone: Promise<void> | undefined;
  #early: Uint8Array[] | undefined;
  #attempts = 0;
  #lostChecked = false;
  #settled = false;
  #finished = false;
  #localError: RpcError | undefined;
  /** Framed request messages kept for a transparent retry, until a response arrives. */
  #replay: Uint8Array[] | undefined = [];
  #replayBytes = 0;
  #requestEnded = false;
  readonly #trailer = new Metadata();
  readonly #onAbort = () => this.#cancel(this.#req.signal.reason as RpcError);
  /** Streaming calls: the request side as the writer sees it (the current attempt's stream). */
  #sink: BatchSink | undefined;
  /** The compression of this call's request messages (the call's option, else the transport's). */
  readonly #compression: Compression;
  /** What the current attempt's stream heard as its error (a connection failure names its cause). */
  #streamError: Error | undefined;

  constructor(
    settings: TransportState,
    req: TransportRequestBase,
    body: Uint8Array | AsyncIterable<Uint8Array>,
    unary: boolean,
  ) {
    this.#s = settings;
    this.#req = req;
    this.#unary = unary;
    this.#compression = req.compression === undefined
      ? settings.compression
      : req.compression === "gzip"
      ? gzip
      : identity;
    this.result = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    if (req.signal.aborted) {
      this.#reject(req.signal.reason);
      return;
    }
    req.signal.addEventListener("abort", this.#onAbort, { once: true });
    try {
      this.#open();
    } catch (e) {
      this.#finish(RpcError.from(e, Code.UNAVAILABLE));
      return;
    }
    if (body instanceof Uint8Array) this.#sendUnary(body);
    else this.#pump(body);
  }

  #open(): void {
    const s = this.#s;
    this.#attempts++;
    const req = this.#req;
    const plain = req.timeoutMs === undefined && req.metadata.size === 0 &&
      this.#compression === s.compression;
    let headers: Record<string, string | string[]>;
    if (plain) {
      // The hot path: a call without deadline or metadata reuses a frozen
      // header object per method (node:http2 copies headers, never mutates them).
      const key = req.method.path + "\0" + req.contentSubtype;
      headers = s.headerCache.get(key)!;
      if (headers === undefined) {
        headers = Object.freeze(methodHeaders(s, req));
        if (s.headerCache.size < 1024) s.headerCache.set(key, headers);
      }
    } else {
      const own = methodHeaders(s, req);
      if (this.#compression !== s.compression) {
        if (this.#compression === identity) delete own["grpc-encoding"];
        else own["grpc-encoding"] = this.#compression.name;
      }
      if (req.timeoutMs !== undefined) own["grpc-timeout"] = formatGrpcTimeout(req.timeoutMs);
      metadataToHeaders(req.metadata, (k, v) => {
        const prev = own[k];
        if (prev === undefined) own[k] = v;
        else if (Array.isArray(prev)) prev.push(v);
        else own[k] = [prev, v];
      });
      headers = own;
    }
    let session = s.session.acquire();
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request(headers, { endStream: false });
    } catch {
      // The session went away between acquire and request (GOAWAY): use a new one.
      s.session.retire(session);
      session = s.session.acquire();
      stream = session.request(headers, { endStream: false });
    }
    this.#session = session;
    this.#stream = stream;
    s.session.callStarted(session);
    let sink: MessageSink;
    if (this.#unary) {
      const collected: Uint8Array[] = [];
      this.#collected = collected;
      sink = collected;
    } else {
      sink = this.#messages = new MessageQueue<Uint8Array>({
        highWaterMark: 8,
        onReturn: () => this.#cancel(new RpcError(Code.CANCELLED, "the caller stopped reading")),
      });
    }
    this.#reader = new MessageReader(stream, s.maxReceive, identity, sink, (e) => this.#cancel(e));
    this.#readerDone = undefined;
    const reader = this.#reader;
    stream.on("response", (h) => this.#onResponse(stream, h as HeaderFields));
    stream.on("data", (chunk: Uint8Array) => {
      // Some runtimes emit DATA before "response"; hold it until the headers
      // name the encoding.
      if (this.#headOutcome !== undefined) return; // the headers already decided the call
      if (this.#httpStatus === 0) (this.#early ??= []).push(chunk);
      else reader.push(chunk);
    });
    stream.on("trailers", (t) => {
      if (stream === this.#stream) this.#trailerFields = t as HeaderFields;
    });
    stream.on("end", () => {
      if (stream !== this.#stream || this.#headOutcome !== undefined) return;
      if (this.#early !== undefined) {
        for (const chunk of this.#early) reader.push(chunk);
        this.#early = undefined;
      }
      this.#readerDone = reader.end();
    });
    this.#streamError = undefined;
    stream.on("error", (e: Error) => {
      // The outcome is decided on "close" from the stream's state; the error
      // names the cause when the connection failed.
      if (stream === this.#stream) this.#streamError = e;
    });
    stream.on("close", () => this.#onClose(stream, session));
  }

  #onResponse(stream: http2.ClientHttp2Stream, fields: HeaderFields): void {
    if (stream !== this.#stream) return;
    this.#replay = undefined;
    this.#httpStatus = Number(fields[":status"] ?? 0);
    const head = validateResponseHeader(fields, this.#req.method.path);
    if (head.outcome !== undefined) {
      this.#headOutcome = head.outcome;
      if (head.outcome.error === undefined) {
        // Trailers-only OK: its fields are both the headers and the trailers.
        this.#header = metadataFromHeaders(Object.entries(fields) as Array<[string, string]>);
        this.#trailer.merge(this.#header);
      }
      if (head.outcome.error !== undefined && !stream.closed) {
        // Nothing useful can follow an error in the headers.
        stream.close(rstCode.CANCEL);
      }
      return;
    }
    this.#header = metadataFromHeaders(Object.entries(fields) as Array<[string, string]>);
    this.#reader.compression = head.compression;
    if (this.#early !== undefined) {
      for (const chunk of this.#early) this.#reader.push(chunk);
      this.#early = undefined;
    }
    if (!this.#unary) {
      this.#settle({ header: this.#header, messages: this.#messages!, trailer: this.#trailer });
    }
  }

  #onClose(stream: http2.ClientHttp2Stream, session: http2.ClientHttp2Session): void {
    this.#s.session.callEnded(session);
    if (stream !== this.#stream || this.#finished) return;
    if (this.#localError !== undefined) return this.#finish(this.#localError);
    const code = stream.rstCode ?? rstCode.NO_ERROR;
    const neverAnswered = this.#httpStatus === 0 && this.#trailerFields === undefined;
    if (neverAnswered && code === rstCode.REFUSED_STREAM && this.#canRetry()) {
      // A refusal is about this stream (over the server's stream limit, or
      // above a GOAWAY's last stream id, which retires the session by itself:
      // its "goaway" event comes after this "close", hence the deferral).
      setImmediate(() => {
        if (this.#finished) return;
        try {
          this.#retry();
        } catch (e) {
          this.#finish(RpcError.from(e, Code.UNAVAILABLE));
        }
      });
      return;
    }
    if (this.#headOutcome !== undefined) return this.#finish(this.#headOutcome.error);
    if (this.#trailerFields !== undefined) {
      // Compressed messages may still be inflating: the status waits for them.
      const pending = this.#readerDone;
      if (pending === undefined) return this.#finishWithTrailers(this.#trailerFields);
      const fields = this.#trailerFields;
      pending.then(() => this.#finishWithTrailers(fields));
      return;
    }
    if (code === rstCode.CANCEL && !session.destroyed && !session.closed && !this.#lostChecked) {
      // Deno's node:http2 closes the streams of a dead connection with CANCEL
      // before it marks the session destroyed: look again once it has.
      this.#lostChecked = true;
      setImmediate(() => this.#onClosed(session, code, neverAnswered));
      return;
    }
    this.#onClosed(session, code, neverAnswered);
  }

  #onClosed(session: http2.ClientHttp2Session, code: number, neverAnswered: boolean): void {
    if (this.#finished) return;
    const sessionGone = session.destroyed || session.closed;
    if (neverAnswered && sessionGone) {
      // The connection itself failed (refused, DNS, TLS, not HTTP/2, lost):
      // not a reset from the server, and the error says which.
      return this.#finish(this.#s.session.failure(session, this.#streamError));
    }
    if (sessionGone) {
      // node:http2 closes the streams of a lost connection with CANCEL (or
      // NO_ERROR): that is not the server's RST_STREAM, and it is retryable.
      return this.#finish(
        transportFailure("lost", "the connection was lost before the call completed", {
          cause: rootError(this.#streamError),
        }),
      );
    }
    if (code !== rstCode.NO_ERROR) {
      return this.#finish(
        transportFailure(
          code === rstCode.REFUSED_STREAM ? "unprocessed" : "reset",
          `the server reset the stream (HTTP/2 error ${code})`,
          { code: codeFromRstStream(code) },
        ),
      );
    }
    if (neverAnswered) {
      return this.#finish(
        transportFailure("lost", "the connection was lost before the call completed"),
      );
    }
    // Deno's node:http2 reports no RST_STREAM code: a reset reads like this too.
    this.#finish(
      transportFailure("reset", "the server closed the stream without a status", {
        code: Code.INTERNAL,
      }),
    );
  }

  #finishWithTrailers(fields: HeaderFields): void {
    if (this.#reader.failed) return;
    const error = statusFromFields(fields, this.#httpStatus);
    if (error === undefined) {
      this.#trailer.merge(metadataFromHeaders(Object.entries(fields) as Array<[string, string]>));
    }
    this.#finish(error);
  }

  #canRetry(): boolean {
    return this.#attempts <= this.#s.retries && !this.#req.signal.aborted &&
      (this.#unaryBody !== undefined || this.#replay !== undefined);
  }

  #retry(): void {
    this.#open();
    if (this.#unaryBody !== undefined) {
      this.#sendUnary(this.#unaryBody);
      return;
    }
    for (const chunk of this.#replay!) this.#stream.write(chunk);
    if (this.#requestEnded) this.#stream.end();
  }

  #write(chunk: Uint8Array): boolean {
    if (this.#replay !== undefined) {
      this.#replayBytes += chunk.byteLength;
      if (this.#replayBytes > REPLAY_LIMIT_BYTES) this.#replay = undefined;
      else this.#replay.push(chunk);
    }
    return this.#stream.write(chunk);
  }

  #endRequest(): void {
    this.#requestEnded = true;
    if (!this.#stream.destroyed) this.#stream.end();
  }

  #sendUnary(message: Uint8Array): void {
    const s = this.#s;
    if (message.byteLength > s.maxSend) {
      this.#cancel(messageTooLarge("request message", message.byteLength, s.maxSend));
      return;
    }
    // Kept for a transparent retry: a unary request is replayed from it.
    this.#unaryBody = message;
    this.#replay = undefined;
    const compression = this.#compression;
    if (compression === identity || messageCompression(message) === false) {
      writeFrame(this.#stream, 0, message);
      this.#endRequest();
      return;
    }
    const stream = this.#stream;
    compression.compress(message).then((packed) => {
      if (this.#finished || stream !== this.#stream) return;
      writeFrame(stream, 1, packed);
      this.#endRequest();
    }, (e) => this.#cancel(RpcError.from(e, Code.INTERNAL)));
  }

  async #pump(messages: AsyncIterable<Uint8Array>): Promise<void> {
    const s = this.#s;
    // Uncompressed request messages are coalesced into few writes, as the
    // server's responses are (FrameBatcher): one write per small message
    // costs about as much as encoding it.
    const batcher = this.#compression === identity
      ? new FrameBatcher(this.#sink ??= this.#requestSink())
      : undefined;
    try {
      for await (const message of messages) {
        if (this.#finished || this.#localError !== undefined) return;
        // A closed stream means the call is ending (a retry replaces it at once).
        if (this.#stream.destroyed) return;
        let wait: void | Promise<void>;
        if (batcher !== undefined && message.byteLength <= s.maxSend) {
          wait = batcher.push(0, message);
        } else {
          batcher?.flush();
          wait = writeMessage(
            this.#sink ??= this.#requestSink(),
            message,
            this.#compression,
            s.maxSend,
          );
        }
        if (wait !== undefined) await wait;
      }
      batcher?.flush();
      if (!this.#finished) this.#endRequest();
    } catch (e) {
      const error = e instanceof RpcError && e.code === Code.RESOURCE_EXHAUSTED
        ? e
        : RpcError.from(e, Code.CANCELLED);
      this.#cancel(error);
    }
  }

  /** The request side of a streaming call as the writer sees it: the current attempt's stream. */
  #requestSink(): BatchSink {
    const needDrain = () => this.#stream.writableNeedDrain;
    return {
      get writableNeedDrain() {
        return needDrain();
      },
      write: (chunk) => this.#write(chunk),
      once: (event, listener) => this.#stream.once(event, listener),
      off: (event, listener) => this.#stream.off(event, listener),
      cork: () => this.#stream.cork(),
      uncork: () => this.#stream.uncork(),
      get destroyed() {
        return false;
      },
    };
  }

  /** Stops the call from this side: RST_STREAM(CANCEL) and fail with `error`. */
  #cancel(error: RpcError): void {
    if (this.#finished || this.#localError !== undefined) return;
    this.#localError = error;
    const stream = this.#stream;
    if (stream !== undefined && !stream.closed && !stream.destroyed) {
      stream.close(rstCode.CANCEL);
      // Destroying the closed stream flushes its RST_STREAM and emits "close"
      // now: Node 20's node:http2 can leave a stream closed this way with its
      // RST_STREAM pending and never emit "close", and the call never settled.
      stream.destroy();
    } else {
      this.#finish(error);
    }
  }

  #settle(value: UnaryTransportResponse | StreamTransportResponse): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#resolve(value);
  }

  #finish(error: RpcError | undefined): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#req.signal.removeEventListener("abort", this.#onAbort);
    const messages = this.#messages;
    if (error !== undefined) {
      messages?.fail(error);
      if (!this.#settled) {
        this.#settled = true;
        this.#reject(error);
      }
      return;
    }
    if (this.#header === undefined) this.#header = new Metadata();
    if (this.#unary) {
      this.#finishUnary();
      return;
    }
    messages?.close();
    this.#settle({ header: this.#header, messages: messages!, trailer: this.#trailer });
  }

  #finishUnary(): void {
    this.#settled = true;
    let message: Uint8Array;
    try {
      message = singleMessageOf(this.#collected ?? [], this.#req.method.path, "response");
    } catch (e) {
      this.#reject(e);
      return;
    }
    this.#resolve({ header: this.#header!, message, trailer: this.#trailer });
  }
}
