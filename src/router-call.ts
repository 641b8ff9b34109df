import type { DescMethod, Message } from "@bufbuild/protobuf";
import { runInHandlerContext } from "./async-context.ts";
import type { Clock } from "./clock.ts";
import { type Codec, codecFor } from "./codec.ts";
import { Code } from "./code.ts";
import { Deadline } from "./deadline.ts";
import type { HandlerContext, PeerInfo } from "./handler-context.ts";
import type { CallEndListener } from "./call-outcome.ts";
import type { CallStats } from "./call-stats.ts";
import { toMessage } from "./client.ts";
import type { ServerNext, ServerRequest } from "./interceptor.ts";
import { carryMessageCompression } from "./message-compression.ts";
import { Metadata } from "./metadata.ts";
import type { MethodInfo } from "./method.ts";
import { RpcError } from "./rpc-error.ts";
import type { ServerCallIO } from "./server-call.ts";
import { readSingleMessage } from "./single-message.ts";
import { messageTooLarge } from "./envelope.ts";

/** What the router knows of a method when it serves a call of it. */
export interface ServedMethod {
  readonly info: MethodInfo;
  readonly desc: DescMethod;
  /** The handler behind the method's interceptors. */
  readonly next: ServerNext;
  /** Its codecs by content subtype, made on first use. */
  readonly codecs: Record<string, MethodCodecs>;
}

/** The router's settings a call needs. */
export interface CallSettings {
  readonly clock: Clock;
  /** The largest response message, in bytes. */
  readonly maxSend: number;
}

/** The request and response codecs of a method for a content subtype. */
export interface MethodCodecs {
  readonly input: Codec<Message>;
  readonly output: Codec<Message>;
}

/** Metadata nobody set: the one instance handed to transports for empty headers or trailers. */
const noMetadata = new Metadata();

/**
 * One call in the router, and the handler's context for it: the request
 * read, the handler run inside its context, the response encoded and sent,
 * and the status at the end, whatever comes first (the handler's answer, a
 * deadline, the client's cancel). What a handler may never touch is made on
 * first use: the abort signal, the response metadata, the request metadata
 * (which the transport parses on demand).
 */
export class RouterCall implements HandlerContext {
  readonly method: MethodInfo;
  readonly clock: Clock;
  readonly peer: PeerInfo;
  readonly requestEncoding?: string;
  readonly #io: ServerCallIO;
  readonly #served: ServedMethod;
  readonly #settings: CallSettings;
  readonly #deadline: Deadline | undefined;
  readonly #stats: CallStats;
  #controller: AbortController | undefined;
  /** Set once the call was aborted (cancel or deadline), the reason its signal carries. */
  #aborted: RpcError | undefined;
  #header: Metadata | undefined;
  #trailer: Metadata | undefined;
  #headerSent = false;
  #finished = false;
  #endListeners: CallEndListener[] | undefined;
  readonly #onEnd = (listener: CallEndListener) => {
    if (this.#finished) return;
    (this.#endListeners ??= []).push(listener);
  };
  /** The listener on the transport's signal, for transports without `onAbort`. */
  #onSignalAbort: (() => void) | undefined;

  /** Prepares a call of `served` on `io`. */
  constructor(served: ServedMethod, io: ServerCallIO, settings: CallSettings, stats: CallStats) {
    this.#served = served;
    this.#io = io;
    this.#settings = settings;
    this.#stats = stats;
    this.method = served.info;
    this.clock = settings.clock;
    this.peer = io.peer;
    this.requestEncoding = io.requestEncoding;
    this.#deadline = io.timeoutMs === undefined
      ? undefined
      : Deadline.after(settings.clock, io.timeoutMs);
  }

  get metadata(): Metadata {
    return this.#io.metadata;
  }

  get deadline(): number | undefined {
    return this.#deadline?.at;
  }

  get signal(): AbortSignal {
    let c = this.#controller;
    if (c === undefined) {
      c = this.#controller = new AbortController();
      if (this.#aborted !== undefined) c.abort(this.#aborted);
    }
    return c.signal;
  }

  get responseHeader(): Metadata {
    return this.#header ??= new Metadata();
  }

  get responseTrailer(): Metadata {
    return this.#trailer ??= new Metadata();
  }

  timeRemaining(): number | undefined {
    return this.#deadline?.timeRemaining();
  }

  sendHeader(): void {
    if (this.#headerSent || this.#finished) return;
    this.#headerSent = true;
    this.#io.sendHeader(this.#header ?? noMetadata);
  }

  setResponseCompression(name: "gzip" | "identity"): void {
    if (!this.#headerSent) this.#io.setResponseCompression?.(name);
  }

  #abort(reason: RpcError): void {
    if (this.#aborted !== undefined) return;
    this.#aborted = reason;
    this.#controller?.abort(reason);
  }

  #finish(error: RpcError | undefined): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#deadline?.disarm();
    if (this.#onSignalAbort !== undefined) {
      this.#io.signal.removeEventListener("abort", this.#onSignalAbort);
    }
    // The error's own metadata is written by the transport with the status
    // (writeTrailerFields), so it is not merged into the trailers here.
    try {
      this.#io.end(
        error,
        this.#trailer ?? noMetadata,
        this.#headerSent ? undefined : this.#header ?? noMetadata,
      );
    } finally {
      this.#notifyEnd(error);
    }
  }

  /** Tells the interceptors' end listeners the status the call ended with. */
  #notifyEnd(error: RpcError | undefined): void {
    const listeners = this.#endListeners;
    this.#endListeners = undefined;
    if (listeners === undefined) return;
    for (const listener of listeners) {
      try {
        listener(error);
      } catch {
        // An observer that throws must not change the call.
      }
    }
  }

  /** The client went away (`reason`: what the transport's signal carries). */
  #peerAborted(cause: unknown): void {
    if (this.#finished) return;
    this.#finished = true;
    const deadline = this.#deadline;
    deadline?.disarm();
    const reason = cause instanceof RpcError
      ? cause
      : new RpcError(Code.CANCELLED, "the client cancelled the call");
    const explained = deadline === undefined ? reason : deadline.explain(reason);
    this.#abort(explained);
    this.#notifyEnd(explained);
  }

  /** Serves the call to its end; never rejects on the handler's account. */
  async serve(): Promise<void> {
    const io = this.#io;
    if (io.onAbort !== undefined) {
      io.onAbort((reason) => this.#peerAborted(reason));
      if (this.#finished) return;
    } else {
      const signal = io.signal;
      if (signal.aborted) return this.#peerAborted(signal.reason);
      this.#onSignalAbort = () => this.#peerAborted(signal.reason);
      signal.addEventListener("abort", this.#onSignalAbort, { once: true });
    }
    this.#deadline?.arm((e) => {
      this.#abort(e);
      this.#finish(e);
    });
    if (this.#finished) return;
    const served = this.#served;
    const stats = this.#stats;
    try {
      const codecs = codecsOf(served, io.contentSubtype);
      const request: ServerRequest = served.info.requestStream
        ? {
          method: served.info,
          desc: served.desc,
          context: this,
          stats,
          onEnd: this.#onEnd,
          stream: true,
          messages: decodeAll(io.messages, codecs.input, stats),
        }
        : {
          method: served.info,
          desc: served.desc,
          context: this,
          stats,
          onEnd: this.#onEnd,
          stream: false,
          message: await readSingle(io.messages, codecs.input, served.info, stats),
        };
      const response = await runInHandlerContext(this, () => served.next(request));
      if (this.#finished) return;
      const out = codecs.output;
      if (response.stream) {
        for await (const m of response.messages) {
          if (this.#finished) break;
          const wait = this.#send(out, m);
          if (wait !== undefined) await wait;
        }
      } else {
        const wait = this.#send(out, response.message);
        if (wait !== undefined) await wait;
      }
      this.#finish(undefined);
    } catch (e) {
      this.#finish(this.#aborted ?? RpcError.from(e, Code.UNKNOWN));
    }
  }

  #send(out: Codec<Message>, m: unknown): void | Promise<void> {
    const bytes = carryMessageCompression(
      m as object,
      out.encode(toMessage(this.#served.desc.output, m as never) as Message),
    );
    const maxSend = this.#settings.maxSend;
    if (bytes.byteLength > maxSend) {
      throw messageTooLarge("response message", bytes.byteLength, maxSend);
    }
    this.#stats.sentMessages++;
    this.#stats.sentBytes += bytes.byteLength;
    this.sendHeader();
    return this.#io.sendMessage(bytes);
  }
}

function codecsOf(served: ServedMethod, subtype: string): MethodCodecs {
  let c = served.codecs[subtype];
  if (c === undefined) {
    if (subtype !== "proto" && subtype !== "json") {
      throw new RpcError(Code.INTERNAL, `unsupported content subtype "${subtype}"`);
    }
    c = served.codecs[subtype] = {
      input: codecFor(served.desc.input, subtype) as Codec<Message>,
      output: codecFor(served.desc.output, subtype) as Codec<Message>,
    };
  }
  return c;
}

async function* decodeAll(
  source: AsyncIterable<Uint8Array>,
  codec: Codec<Message>,
  stats: CallStats,
): AsyncGenerator<Message> {
  for await (const bytes of source) {
    stats.receivedMessages++;
    stats.receivedBytes += bytes.byteLength;
    yield carryMessageCompression(bytes, codec.decode(bytes));
  }
}

async function readSingle(
  source: AsyncIterable<Uint8Array>,
  codec: Codec<Message>,
  info: MethodInfo,
  stats: CallStats,
): Promise<Message> {
  const bytes = await readSingleMessage(source, info.path, "request");
  stats.receivedMessages = 1;
  stats.receivedBytes = bytes.byteLength;
  return carryMessageCompression(bytes, codec.decode(bytes));
}
