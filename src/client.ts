import {
  create,
  type DescMessage,
  type DescMethod,
  type DescMethodBiDiStreaming,
  type DescMethodClientStreaming,
  type DescMethodServerStreaming,
  type DescMethodUnary,
  type DescService,
  type Message,
  type MessageInitShape,
  type MessageShape,
} from "@bufbuild/protobuf";
import * as z from "zod/mini";
import { currentHandlerContext } from "./async-context.ts";
import { CallScope } from "./call-scope.ts";
import { type CallStats, newCallStats } from "./call-stats.ts";
import { type Clock, systemClock } from "./clock.ts";
import { type Codec, codecFor, type CodecFormat } from "./codec.ts";
import { Code } from "./code.ts";
import type { HandlerContext } from "./handler-context.ts";
import {
  applyInterceptors,
  type ClientInterceptor,
  type ClientNext,
  type ClientRequest,
  type ClientResponse,
} from "./interceptor.ts";
import { mapAsyncIterable } from "./mapped-iterable.ts";
import { Metadata, type MetadataInit } from "./metadata.ts";
import { methodInfo } from "./method.ts";
import { clockOption, durationOption, functionOption, parseOptions } from "./options.ts";
import { RpcError } from "./rpc-error.ts";
import { carryMessageCompression } from "./message-compression.ts";
import { readSingleMessage, singleMessageStream } from "./single-message.ts";
import type { Transport } from "./transport.ts";

/** Options of one call. */
export interface CallOptions {
  /** Aborting it cancels the call (`CANCELLED`). */
  signal?: AbortSignal;
  /** The call fails with `DEADLINE_EXCEEDED` after this many ms. */
  timeoutMs?: number;
  /** An absolute deadline: a `Date`, or a time on the client's clock. */
  deadline?: number | Date;
  /** Request metadata. */
  metadata?: MetadataInit;
  /** Called with the response headers. */
  onHeader?: (header: Metadata) => void;
  /** Called with the response trailers when the call succeeds. */
  onTrailer?: (trailer: Metadata) => void;
  /**
   * Compression of this call's request messages: `"gzip"` or `"identity"`
   * (default: the transport's `sendCompression`). Single messages can opt out
   * or in with `withMessageCompression`.
   */
  compression?: "gzip" | "identity";
  /**
   * The handler context to inherit deadline and cancellation from. By default
   * the current handler's context where the runtime has async context; `null`
   * turns inheritance off for this call.
   */
  parent?: HandlerContext | null;
}

/** A usable `deadline`: a finite epoch-ms number or a valid `Date` (what z.union([z.number(), z.date()]) accepts). */
function isDeadline(v: unknown): boolean {
  return typeof v === "number" ? Number.isFinite(v) : v instanceof Date && !isNaN(v.getTime());
}

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** Interceptors, outermost first. */
  interceptors?: ClientInterceptor[];
  /** The clock deadlines are measured on (default: the system clock). */
  clock?: Clock;
  /** A default timeout for every call, in ms. */
  timeoutMs?: number;
  /** The serialization: `"proto"` (default) or `"json"`. */
  format?: CodecFormat;
  /** Inherit the current handler's deadline and cancellation (default true). */
  propagate?: boolean;
}

const clientOptionsSchema = z.strictObject({
  interceptors: z.optional(z.array(functionOption)),
  clock: z.optional(clockOption),
  timeoutMs: z.optional(durationOption),
  format: z.optional(z.enum(["proto", "json"])),
  propagate: z.optional(z.boolean()),
});

const callOptionsSchema = z.strictObject({
  signal: z.optional(
    z.custom<AbortSignal>((v) => typeof AbortSignal !== "undefined" && v instanceof AbortSignal, {
      message: "expected an AbortSignal",
    }),
  ),
  timeoutMs: z.optional(durationOption),
  // z.union([z.number(), z.date()]) as one check (same verdicts, same
  // "Invalid input"), so browser bundles leave zod's union and date out.
  deadline: z.optional(z.custom<number | Date>(isDeadline)),
  metadata: z.optional(
    z.custom<MetadataInit>((v) => typeof v === "object" && v !== null, {
      message: "expected Metadata or a record of values",
    }),
  ),
  onHeader: z.optional(functionOption),
  onTrailer: z.optional(functionOption),
  compression: z.optional(z.enum(["gzip", "identity"])),
  parent: z.optional(
    z.custom<HandlerContext | null>((v) => typeof v === "object", {
      message: "expected a HandlerContext",
    }),
  ),
});

/** The option names {@link callOptionsLookValid} knows. */
const callOptionKeys: Record<string, true> = {
  signal: true,
  timeoutMs: true,
  deadline: true,
  metadata: true,
  onHeader: true,
  onTrailer: true,
  compression: true,
  parent: true,
};

/**
 * The cheap check run on every call's options: true when `o` is a plain
 * object whose fields are all known and well typed — never for anything the
 * schema refuses. Only when it says no does the zod schema run, to word the
 * error (or accept what this check is too strict for).
 */
function callOptionsLookValid(o: object): boolean {
  const proto = Object.getPrototypeOf(o);
  if (proto !== Object.prototype && proto !== null) return false;
  const r = o as Record<string, unknown>;
  for (const key in r) {
    const v = r[key];
    if (v === undefined) {
      if (!(key in callOptionKeys)) return false;
      continue;
    }
    switch (key) {
      case "signal":
        if (typeof AbortSignal === "undefined" || !(v instanceof AbortSignal)) return false;
        break;
      case "timeoutMs":
        if (typeof v !== "number" || !Number.isFinite(v) || v < 0) return false;
        break;
      case "deadline":
        if (!isDeadline(v)) return false;
        break;
      case "metadata":
        if (typeof v !== "object" || v === null) return false;
        break;
      case "onHeader":
      case "onTrailer":
        if (typeof v !== "function") return false;
        break;
      case "compression":
        if (v !== "gzip" && v !== "identity") return false;
        break;
      case "parent":
        if (v !== null && typeof v !== "object") return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Validates a call's options: the cheap check first, the schema only when it fails. */
function checkCallOptions(callOptions: CallOptions): void {
  if (!callOptionsLookValid(callOptions)) parseOptions("call", callOptionsSchema, callOptions);
}

/** A unary method on a client. */
export type UnaryFn<I extends DescMessage, O extends DescMessage> = (
  request: MessageInitShape<I>,
  options?: CallOptions,
) => Promise<MessageShape<O>>;
/** A server-streaming method on a client. */
export type ServerStreamingFn<I extends DescMessage, O extends DescMessage> = (
  request: MessageInitShape<I>,
  options?: CallOptions,
) => AsyncIterable<MessageShape<O>>;
/** A client-streaming method on a client. */
export type ClientStreamingFn<I extends DescMessage, O extends DescMessage> = (
  requests: AsyncIterable<MessageInitShape<I>>,
  options?: CallOptions,
) => Promise<MessageShape<O>>;
/** A bidi-streaming method on a client. */
export type BiDiStreamingFn<I extends DescMessage, O extends DescMessage> = (
  requests: AsyncIterable<MessageInitShape<I>>,
  options?: CallOptions,
) => AsyncIterable<MessageShape<O>>;

/** A typed client for a service: one function per method, named as in the schema. */
export type Client<S extends DescService> = {
  [P in keyof S["method"]]: S["method"][P] extends DescMethodUnary<infer I, infer O> ? UnaryFn<I, O>
    : S["method"][P] extends DescMethodServerStreaming<infer I, infer O> ? ServerStreamingFn<I, O>
    : S["method"][P] extends DescMethodClientStreaming<infer I, infer O> ? ClientStreamingFn<I, O>
    : S["method"][P] extends DescMethodBiDiStreaming<infer I, infer O> ? BiDiStreamingFn<I, O>
    : never;
};

/** Normalizes a message or its init shape to a message of `schema`. */
export function toMessage<Desc extends DescMessage>(
  schema: Desc,
  value: MessageInitShape<Desc> | MessageShape<Desc>,
): MessageShape<Desc> {
  const v = value as { $typeName?: string };
  return v.$typeName === schema.typeName ? value as MessageShape<Desc> : create(schema, value);
}

function countSent(stats: CallStats, bytes: Uint8Array): Uint8Array {
  stats.sentMessages++;
  stats.sentBytes += bytes.byteLength;
  return bytes;
}

function countReceived(stats: CallStats, bytes: Uint8Array): Uint8Array {
  stats.receivedMessages++;
  stats.receivedBytes += bytes.byteLength;
  return bytes;
}

interface MethodRuntime {
  desc: DescMethod;
  info: ReturnType<typeof methodInfo>;
  input: Codec<Message>;
  output: Codec<Message>;
  next: ClientNext;
}

/**
 * Creates a typed client for a service, calling through any transport.
 *
 * @example
 * ```ts
 * import { createClient, createRouter } from "wirecall";
 * import { createLoopbackTransport } from "wirecall/transports/loopback";
 * import { DemoService } from "./protos/gen/wirecall/demo/v1/demo_pb.ts";
 *
 * const router = createRouter().service(DemoService, { greet: (r) => ({ greeting: `hi ${r.name}` }) });
 * const client = createClient(DemoService, createLoopbackTransport(router));
 * const { greeting } = await client.greet({ name: "Ada" });
 * ```
 */
export function createClient<S extends DescService>(
  service: S,
  transport: Transport,
  options?: ClientOptions,
): Client<S> {
  const opts = parseOptions("client", clientOptionsSchema, options) as ClientOptions;
  const clock = opts.clock ?? systemClock;
  const format: CodecFormat = opts.format ?? "proto";
  const interceptors = opts.interceptors ?? [];
  const propagate = opts.propagate ?? true;
  const client: Record<string, unknown> = {};

  for (const desc of service.methods) {
    const info = methodInfo(desc);
    const input = codecFor(desc.input, format) as Codec<Message>;
    const output = codecFor(desc.output, format) as Codec<Message>;
    const rt: MethodRuntime = {
      desc,
      info,
      input,
      output,
      next: applyInterceptors(innermost(desc, info, input, output), interceptors),
    };
    client[desc.localName] = info.responseStream
      ? (request: unknown, callOptions?: CallOptions) => streamCall(rt, request, callOptions)
      : (request: unknown, callOptions?: CallOptions) => singleCall(rt, request, callOptions);
  }
  return client as Client<S>;

  function innermost(
    desc: DescMethod,
    info: ReturnType<typeof methodInfo>,
    input: Codec<Message>,
    output: Codec<Message>,
  ): ClientNext {
    const base = (req: ClientRequest) => ({
      method: info,
      contentSubtype: format,
      metadata: req.metadata,
      signal: req.signal,
      timeoutMs: req.timeoutMs,
      stats: req.stats,
      compression: req.compression,
    });
    if (desc.methodKind === "unary") {
      return async (req) => {
        if (req.stream) throw new RpcError(Code.INTERNAL, "unary call given a request stream");
        const stats = req.stats;
        const message = carryMessageCompression(req.message, input.encode(req.message));
        if (stats !== undefined) {
          stats.attempts++;
          countSent(stats, message);
        }
        const res = await transport.unary({ ...base(req), message });
        if (stats !== undefined) countReceived(stats, res.message);
        return {
          header: res.header,
          trailer: res.trailer,
          stream: false,
          message: carryMessageCompression(res.message, output.decode(res.message)),
        };
      };
    }
    return async (req): Promise<ClientResponse> => {
      const stats = req.stats;
      if (stats !== undefined) stats.attempts++;
      const encode = stats === undefined
        ? (m: Message) => carryMessageCompression(m, input.encode(m))
        : (m: Message) => countSent(stats, carryMessageCompression(m, input.encode(m)));
      const decode = stats === undefined
        ? (b: Uint8Array) => carryMessageCompression(b, output.decode(b))
        : (b: Uint8Array) => carryMessageCompression(b, output.decode(countReceived(stats, b)));
      const messages = req.stream
        ? mapAsyncIterable(req.messages, encode)
        : singleMessageStream(encode(req.message));
      const res = await transport.stream({ ...base(req), messages });
      if (info.responseStream) {
        return {
          header: res.header,
          trailer: res.trailer,
          stream: true,
          messages: mapAsyncIterable(res.messages, decode),
        };
      }
      const message = decode(await readSingleMessage(res.messages, info.path));
      return { header: res.header, trailer: res.trailer, stream: false, message };
    };
  }

  function openScope(callOptions: CallOptions | undefined): CallScope {
    const parent = callOptions?.parent === undefined
      ? (propagate ? currentHandlerContext() : undefined)
      : callOptions.parent ?? undefined;
    return new CallScope(
      clock,
      callOptions?.timeoutMs ?? opts.timeoutMs,
      callOptions?.deadline,
      callOptions?.signal,
      parent,
    );
  }

  function makeRequest(
    rt: MethodRuntime,
    scope: CallScope,
    request: unknown,
    callOptions: CallOptions | undefined,
  ): ClientRequest {
    const metadata = callOptions?.metadata === undefined
      ? new Metadata()
      : new Metadata(callOptions.metadata);
    const common = {
      method: rt.info,
      desc: rt.desc,
      metadata,
      signal: scope.signal,
      timeoutMs: scope.timeoutMs,
      stats: newCallStats(),
      compression: callOptions?.compression,
    };
    if (rt.info.requestStream) {
      const messages = mapAsyncIterable(
        request as AsyncIterable<MessageInitShape<DescMessage>>,
        (m) => carryMessageCompression(m, toMessage(rt.desc.input, m) as Message),
      );
      return { ...common, stream: true, messages };
    }
    return {
      ...common,
      stream: false,
      message: carryMessageCompression(
        request as object,
        toMessage(rt.desc.input, request as MessageInitShape<DescMessage>) as Message,
      ),
    };
  }

  async function singleCall(
    rt: MethodRuntime,
    request: unknown,
    callOptions: CallOptions | undefined,
  ): Promise<Message> {
    if (callOptions !== undefined) checkCallOptions(callOptions);
    const scope = openScope(callOptions);
    try {
      if (scope.signal.aborted) throw scope.signal.reason;
      const res = await rt.next(makeRequest(rt, scope, request, callOptions));
      callOptions?.onHeader?.(res.header);
      const message = res.stream
        ? await readSingleMessage(res.messages, rt.info.path)
        : res.message;
      callOptions?.onTrailer?.(res.trailer);
      return message;
    } catch (e) {
      throw scope.error(e);
    } finally {
      scope.done();
    }
  }

  async function* streamCall(
    rt: MethodRuntime,
    request: unknown,
    callOptions: CallOptions | undefined,
  ): AsyncGenerator<Message> {
    if (callOptions !== undefined) checkCallOptions(callOptions);
    const scope = openScope(callOptions);
    let finished = false;
    try {
      if (scope.signal.aborted) throw scope.signal.reason;
      const res = await rt.next(makeRequest(rt, scope, request, callOptions));
      callOptions?.onHeader?.(res.header);
      if (res.stream) {
        for await (const m of res.messages) yield m;
      } else {
        yield res.message;
      }
      finished = true;
      callOptions?.onTrailer?.(res.trailer);
    } catch (e) {
      finished = true;
      throw scope.error(e);
    } finally {
      // A consumer that stops early cancels the call so the transport lets go.
      if (!finished) scope.abort(new RpcError(Code.CANCELLED, "the caller stopped reading"));
      scope.done();
    }
  }
}
