import {
  type Clock,
  Code,
  Metadata,
  type MethodInfo,
  type Router,
  RpcError,
  type Transport,
} from "../../mod.ts";
import {
  copyBytes,
  DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
  MessageQueue,
  metadataFromHeaders,
  metadataToHeaders,
  parseOptions,
  readTrailerStatus,
  type ServerCallIO,
  type StreamTransportRequest,
  type StreamTransportResponse,
  writeTrailerFields,
} from "../../protocol.ts";
import { messageTooLarge, SingleMessageStream, unaryOverStream } from "../../protocol.ts";
import {
  type LoopbackFaults,
  type LoopbackOptions,
  loopbackOptionsSchema,
} from "./client-options.ts";

/** Carries metadata through its wire form, as a network would. */
function throughWire(md: Metadata): Metadata {
  const fields: Array<[string, string]> = [];
  metadataToHeaders(md, (k, v) => fields.push([k, v]));
  return metadataFromHeaders(fields);
}

/** Carries a status through its trailer form, as a network would. */
function statusThroughWire(error: RpcError, trailer: Metadata, header?: Metadata): RpcError {
  const fields: Array<[string, string]> = [];
  if (header !== undefined) metadataToHeaders(header, (k, v) => fields.push([k, v]));
  writeTrailerFields(error, trailer, (k, v) => fields.push([k, v]));
  const map = new Map(fields);
  return readTrailerStatus((k) => map.get(k), fields) ?? error;
}

function delay(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  if (!(ms > 0)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clock.clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = clock.setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Creates a transport that calls `router` in the same process.
 *
 * @example
 * ```ts
 * import { Code, createClient, createRouter } from "wirecall";
 * import { createLoopbackTransport } from "wirecall/transports/loopback";
 * import { DemoService } from "./protos/gen/wirecall/demo/v1/demo_pb.ts";
 * const flaky = createLoopbackTransport(createRouter().service(DemoService, {}), {
 *   faults: { failWith: { code: Code.UNAVAILABLE, message: "try later" } },
 * });
 * ```
 */
export function createLoopbackTransport(router: Router, options?: LoopbackOptions): Transport {
  const opts = parseOptions("loopback", loopbackOptionsSchema, options) as LoopbackOptions;
  const clock = opts.clock ?? router.clock;
  const maxBytes = opts.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_MESSAGE_BYTES;
  const faultsFor = (method: MethodInfo): LoopbackFaults =>
    (typeof opts.faults === "function" ? opts.faults(method) : opts.faults) ?? {};

  /** A unary call's request as a ready queue: no generator chain per call. */
  function singleRequest(bytes: Uint8Array): MessageQueue<Uint8Array> {
    const queue = new MessageQueue<Uint8Array>();
    if (bytes.byteLength > maxBytes) {
      queue.fail(messageTooLarge("request message", bytes.byteLength, maxBytes));
    } else {
      queue.push(copyBytes(bytes));
      queue.close();
    }
    return queue;
  }

  async function stream(req: StreamTransportRequest): Promise<StreamTransportResponse> {
    const { signal } = req;
    if (req.stats !== undefined) req.stats.peer = "loopback";
    if (signal.aborted) throw signal.reason;
    const faults = faultsFor(req.method);
    if (faults.latencyMs) await delay(clock, faults.latencyMs, signal);
    if (faults.failWith !== undefined) {
      throw statusThroughWire(
        new RpcError(faults.failWith.code as Code, faults.failWith.message ?? "injected fault"),
        new Metadata(),
        new Metadata(),
      );
    }

    const server = new AbortController();
    const trailer = new Metadata();
    let sent = 0;
    let done = false;
    // The router hears of a cancel through onAbort rather than a listener on
    // the signal: an EventTarget listener per call made V8 pretenure this
    // path's objects (twice the CPU per call; see bench/README.md).
    let onServerAbort: ((reason: unknown) => void) | undefined;
    const cancelServer = (reason: RpcError) => {
      if (server.signal.aborted) return;
      server.abort(reason);
      const listener = onServerAbort;
      onServerAbort = undefined;
      listener?.(reason);
    };
    const responses = new MessageQueue<Uint8Array>({
      highWaterMark: 16,
      onReturn: () => cancelServer(new RpcError(Code.CANCELLED, "the client stopped reading")),
    });
    let resolveHeader!: (h: Metadata) => void;
    let rejectHeader!: (e: unknown) => void;
    const header = new Promise<Metadata>((res, rej) => {
      resolveHeader = res;
      rejectHeader = rej;
    });
    const fail = (error: RpcError) => {
      if (done) return;
      done = true;
      rejectHeader(error);
      responses.fail(error);
    };
    const onClientAbort = () => {
      const reason = signal.reason as RpcError;
      // The handler sees the deadline as its own; any other abort is a cancel.
      cancelServer(
        reason.code === Code.DEADLINE_EXCEEDED
          ? new RpcError(Code.DEADLINE_EXCEEDED, "deadline exceeded")
          : new RpcError(Code.CANCELLED, "the client cancelled the call"),
      );
      fail(reason);
    };
    signal.addEventListener("abort", onClientAbort, { once: true });

    async function* requests(): AsyncGenerator<Uint8Array> {
      try {
        for await (const bytes of req.messages) {
          if (server.signal.aborted) return;
          if (bytes.byteLength > maxBytes) {
            const e = messageTooLarge("request message", bytes.byteLength, maxBytes);
            throw e;
          }
          yield copyBytes(bytes);
        }
      } catch (e) {
        if (e instanceof RpcError && e.code === Code.RESOURCE_EXHAUSTED) throw e;
        // A failing request stream cancels the call, as a reset stream would.
        const error = RpcError.from(e, Code.CANCELLED);
        cancelServer(new RpcError(Code.CANCELLED, "the client's request stream failed"));
        fail(error);
        throw error;
      }
    }

    const io: ServerCallIO = {
      metadata: throughWire(req.metadata),
      timeoutMs: req.timeoutMs,
      signal: server.signal,
      onAbort(listener) {
        if (server.signal.aborted) listener(server.signal.reason);
        else onServerAbort = listener;
      },
      peer: { address: "loopback", protocol: "loopback" },
      contentSubtype: req.contentSubtype,
      messages: req.messages instanceof SingleMessageStream
        ? singleRequest(req.messages.message)
        : requests(),
      sendHeader(h) {
        if (!done) resolveHeader(throughWire(h));
      },
      sendMessage(bytes) {
        if (done) return;
        if (bytes.byteLength > maxBytes) {
          cancelServer(new RpcError(Code.CANCELLED, "the client refused an oversized message"));
          fail(messageTooLarge("response message", bytes.byteLength, maxBytes));
          return;
        }
        if (faults.dropAfterMessages !== undefined && sent >= faults.dropAfterMessages) {
          cancelServer(new RpcError(Code.CANCELLED, "connection dropped"));
          fail(new RpcError(Code.UNAVAILABLE, "connection dropped (injected fault)"));
          return;
        }
        sent++;
        return responses.push(copyBytes(bytes));
      },
      end(error, trl, h) {
        if (done) return;
        const finish = () => {
          if (done) return;
          done = true;
          signal.removeEventListener("abort", onClientAbort);
          if (error !== undefined) {
            const wired = statusThroughWire(error, trl, h);
            rejectHeader(wired);
            responses.fail(wired);
            return;
          }
          if (h !== undefined) resolveHeader(throughWire(h));
          trailer.merge(throughWire(trl));
          responses.close();
        };
        const latency = faults.latencyMs ?? 0;
        if (latency > 0) clock.setTimeout(finish, latency);
        else finish();
      },
    };
    router.handle(req.method.path, io);
    header.catch(() => {});
    return { header: await header, messages: responses, trailer };
  }

  return { stream, unary: unaryOverStream(stream) };
}
