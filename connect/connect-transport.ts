import type {
  DescMessage,
  DescMethod,
  DescMethodStreaming,
  DescMethodUnary,
  Message,
  MessageInitShape,
  MessageShape,
} from "@bufbuild/protobuf";
import {
  type Code as ConnectCode,
  ConnectError,
  type StreamResponse,
  type Transport as ConnectTransport,
  type UnaryResponse,
} from "@connectrpc/connect";
import {
  type Clock,
  Code,
  type Codec,
  codecFor,
  type CodecFormat,
  type Metadata,
  methodInfo,
  RpcError,
  systemClock,
  toMessage,
  type Transport,
} from "../mod.ts";
import {
  CallScope,
  metadataFromHeaders,
  metadataToHeaders,
  type StreamTransportResponse,
} from "../protocol.ts";

/** Options of {@link toConnectTransport}. */
export interface ConnectBridgeOptions {
  /** The serialization to use on the wire (default `"proto"`). */
  format?: CodecFormat;
  /** The clock for timeouts (default: the system clock). */
  clock?: Clock;
}

function toHeaders(md: Metadata, into = new Headers()): Headers {
  metadataToHeaders(md, (k, v) => into.append(k, v));
  return into;
}

function toConnectError(e: unknown): ConnectError {
  const error = e instanceof RpcError ? e : RpcError.from(e);
  // wirecall's codes and Connect's share the gRPC numbering.
  const ce = new ConnectError(
    error.rawMessage,
    error.code as unknown as ConnectCode,
    toHeaders(error.metadata),
    undefined,
    error,
  );
  for (const any of error.details) {
    ce.details.push({
      type: any.typeUrl.slice(any.typeUrl.lastIndexOf("/") + 1),
      value: any.value,
    });
  }
  return ce;
}

/** Decodes response messages and fills Connect's trailer once they end. */
async function* responses(
  res: StreamTransportResponse,
  codec: Codec<Message>,
  trailer: Headers,
  scope: CallScope,
): AsyncGenerator<Message> {
  let finished = false;
  try {
    for await (const bytes of res.messages) yield codec.decode(bytes);
    finished = true;
    toHeaders(res.trailer, trailer);
  } catch (e) {
    finished = true;
    throw toConnectError(scope.error(e));
  } finally {
    // A consumer that stops early cancels the call.
    if (!finished) scope.abort(new RpcError(Code.CANCELLED, "the caller stopped reading"));
    scope.done();
  }
}

/**
 * Wraps a wirecall transport as a `@connectrpc/connect` `Transport`, so
 * Connect's `createClient` and Connect-based tooling ride on any wirecall
 * transport (HTTP/2, gRPC-Web, loopback).
 *
 * @example
 * ```ts
 * import { createClient } from "@connectrpc/connect";
 * import { toConnectTransport } from "wirecall/connect";
 * import { createLoopbackTransport } from "wirecall/transports/loopback";
 * const client = createClient(DemoService, toConnectTransport(createLoopbackTransport(router)));
 * ```
 */
export function toConnectTransport(
  transport: Transport,
  options: ConnectBridgeOptions = {},
): ConnectTransport {
  const format = options.format ?? "proto";
  const clock = options.clock ?? systemClock;
  // One codec per message type for the bridge's life, not one per call
  // (a protobuf codec builds its sized encoder when made).
  const codecs = new WeakMap<DescMessage, Codec<Message>>();
  const codecOf = <Desc extends DescMessage>(schema: Desc): Codec<MessageShape<Desc>> => {
    let codec = codecs.get(schema);
    if (codec === undefined) {
      codec = codecFor(schema, format) as Codec<Message>;
      codecs.set(schema, codec);
    }
    return codec as unknown as Codec<MessageShape<Desc>>;
  };
  const requestBase = (method: DescMethod, header: HeadersInit | undefined, scope: CallScope) => ({
    method: methodInfo(method),
    contentSubtype: format,
    metadata: metadataFromHeaders(new Headers(header)),
    signal: scope.signal,
    timeoutMs: scope.timeoutMs,
  });
  return {
    async unary<I extends DescMessage, O extends DescMessage>(
      method: DescMethodUnary<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      header: HeadersInit | undefined,
      input: MessageInitShape<I>,
    ): Promise<UnaryResponse<I, O>> {
      const scope = new CallScope(clock, timeoutMs, undefined, signal, undefined);
      try {
        if (scope.signal.aborted) throw scope.signal.reason;
        const res = await transport.unary({
          ...requestBase(method, header, scope),
          message: codecOf(method.input).encode(toMessage(method.input, input)),
        });
        return {
          stream: false,
          service: method.parent,
          method,
          header: toHeaders(res.header),
          trailer: toHeaders(res.trailer),
          message: codecOf(method.output).decode(res.message) as MessageShape<O>,
        };
      } catch (e) {
        throw toConnectError(scope.error(e));
      } finally {
        scope.done();
      }
    },

    async stream<I extends DescMessage, O extends DescMessage>(
      method: DescMethodStreaming<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      header: HeadersInit | undefined,
      input: AsyncIterable<MessageInitShape<I>>,
    ): Promise<StreamResponse<I, O>> {
      const scope = new CallScope(clock, timeoutMs, undefined, signal, undefined);
      const inCodec = codecOf(method.input);
      const outCodec = codecOf(method.output);
      async function* requests() {
        for await (const m of input) yield inCodec.encode(toMessage(method.input, m));
      }
      try {
        if (scope.signal.aborted) throw scope.signal.reason;
        const res = await transport.stream({
          ...requestBase(method, header, scope),
          messages: requests(),
        });
        const trailer = new Headers();
        const message = responses(res, outCodec, trailer, scope) as AsyncIterable<MessageShape<O>>;
        return {
          stream: true,
          service: method.parent,
          method,
          header: toHeaders(res.header),
          trailer,
          message,
        };
      } catch (e) {
        scope.done();
        throw toConnectError(scope.error(e));
      }
    },
  };
}
