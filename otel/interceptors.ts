import {
  type Attributes,
  type Context,
  context as otelContext,
  type Histogram,
  type MeterProvider,
  metrics,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapPropagator,
  trace,
  type TracerProvider,
} from "@opentelemetry/api";
import * as z from "zod/mini";
import {
  type CallStats,
  type ClientInterceptor,
  type Clock,
  Code,
  codeName,
  currentHandlerContext,
  GRPC_LATENCY_BUCKETS,
  type HandlerContext,
  type MethodInfo,
  type RpcError,
  type ServerInterceptor,
  systemClock,
  watchClientCall,
  watchServerCall,
} from "../mod.ts";
import { parseOptions } from "../protocol.ts";
import { clockOption } from "../src/options.ts";
import { metadataGetter, metadataSetter, w3cTraceContextPropagator } from "./trace-context.ts";

/**
 * Which OpenTelemetry RPC semantic conventions to emit: `"legacy"` — the
 * long-standing ones (v1.37 and before: `rpc.system`, `rpc.service`,
 * `rpc.method`, `rpc.grpc.status_code`, `rpc.{client,server}.duration` in
 * ms) that most backends and dashboards read; `"stable"` — the current ones
 * (`rpc.system.name`, `rpc.method` as `pkg.Service/Method`,
 * `rpc.response.status_code`, `error.type`, `rpc.{client,server}.call.duration`
 * in s); `"both"` — every attribute and metric of both, with `rpc.method`
 * in its stable form (the `OTEL_SEMCONV_STABILITY_OPT_IN=rpc/dup` phase-in).
 */
export type RpcSemconv = "legacy" | "stable" | "both";

/** Options of {@link createOtelInterceptors}. */
export interface OtelOptions {
  /** Where spans go (default: the global tracer provider). */
  tracerProvider?: TracerProvider;
  /** Where metrics go (default: the global meter provider). */
  meterProvider?: MeterProvider;
  /**
   * How trace context travels in metadata (default: the global propagator
   * when one is set, else {@link w3cTraceContextPropagator}).
   */
  propagator?: TextMapPropagator;
  /**
   * The conventions to emit (default: from `OTEL_SEMCONV_STABILITY_OPT_IN`
   * — `rpc` is stable, `rpc/dup` both — else legacy).
   */
  semconv?: RpcSemconv;
  /** Record metrics (default true). */
  metrics?: boolean;
  /** The clock durations are measured on (default: the system clock). */
  clock?: Clock;
}

const optionsSchema = z.strictObject({
  tracerProvider: z.optional(z.custom<TracerProvider>(
    (v) => typeof (v as TracerProvider | undefined)?.getTracer === "function",
    { message: "expected a TracerProvider" },
  )),
  meterProvider: z.optional(z.custom<MeterProvider>(
    (v) => typeof (v as MeterProvider | undefined)?.getMeter === "function",
    { message: "expected a MeterProvider" },
  )),
  propagator: z.optional(z.custom<TextMapPropagator>(
    (v) => typeof (v as TextMapPropagator | undefined)?.inject === "function",
    { message: "expected a TextMapPropagator" },
  )),
  semconv: z.optional(z.enum(["legacy", "stable", "both"])),
  metrics: z.optional(z.boolean()),
  clock: z.optional(clockOption),
});

/** OpenTelemetry interceptors for clients and servers. */
export interface OtelInterceptors {
  /** Traces and measures a client's calls, and sends their trace context. */
  readonly client: ClientInterceptor;
  /** Traces and measures the calls a router serves, continuing the caller's trace. */
  readonly server: ServerInterceptor;
}

const INSTRUMENTATION = "wirecall";

/** Server spans mark only these codes as errors (the server's fault), per the gRPC conventions. */
const serverErrorCodes = new Set<number>([
  Code.UNKNOWN,
  Code.DEADLINE_EXCEEDED,
  Code.UNIMPLEMENTED,
  Code.INTERNAL,
  Code.UNAVAILABLE,
  Code.DATA_LOSS,
]);

/** The context of each handler's server span, so calls made from the handler are its children. */
const handlerContexts = new WeakMap<HandlerContext, Context>();

function semconvFromEnvironment(): RpcSemconv {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env;
  const optIn = (env?.OTEL_SEMCONV_STABILITY_OPT_IN ?? "").split(",").map((s) => s.trim());
  if (optIn.includes("rpc/dup")) return "both";
  if (optIn.includes("rpc")) return "stable";
  return "legacy";
}

function baseAttributes(method: MethodInfo, semconv: RpcSemconv): Attributes {
  const a: Attributes = {};
  if (semconv !== "stable") {
    a["rpc.system"] = "grpc";
    a["rpc.service"] = method.serviceName;
    a["rpc.method"] = method.methodName;
  }
  if (semconv !== "legacy") {
    a["rpc.system.name"] = "grpc";
    a["rpc.method"] = `${method.serviceName}/${method.methodName}`;
  }
  return a;
}

function statusAttributes(code: number, semconv: RpcSemconv): Attributes {
  const a: Attributes = {};
  if (semconv !== "stable") a["rpc.grpc.status_code"] = code;
  if (semconv !== "legacy") {
    a["rpc.response.status_code"] = codeName(code);
    if (code !== Code.OK) a["error.type"] = codeName(code);
  }
  return a;
}

/** `host:port` → server.address and server.port. */
function addressAttributes(
  peer: string | undefined,
  prefix: "server" | "network.peer",
): Attributes {
  if (peer === undefined || peer === "unknown") return {};
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(peer);
  if (m === null) return { [`${prefix}.address`]: peer };
  return { [`${prefix}.address`]: m[1], [`${prefix}.port`]: Number(m[2]) };
}

interface Instruments {
  legacyDuration?: Histogram;
  stableDuration?: Histogram;
  requestSize?: Histogram;
  responseSize?: Histogram;
  requestsPerRpc?: Histogram;
  responsesPerRpc?: Histogram;
}

function instruments(
  provider: MeterProvider,
  side: "client" | "server",
  semconv: RpcSemconv,
): Instruments {
  const meter = provider.getMeter(INSTRUMENTATION);
  const out: Instruments = {};
  const sizeBuckets = [0, 1024, 2048, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216];
  const countBuckets = [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
  if (semconv !== "stable") {
    out.legacyDuration = meter.createHistogram(`rpc.${side}.duration`, {
      description: `Measures the duration of ${side === "client" ? "outbound" : "inbound"} RPC.`,
      unit: "ms",
      advice: { explicitBucketBoundaries: GRPC_LATENCY_BUCKETS.map((s) => s * 1000) },
    });
    out.requestSize = meter.createHistogram(`rpc.${side}.request.size`, {
      description: "Measures the size of RPC request messages (uncompressed).",
      unit: "By",
      advice: { explicitBucketBoundaries: sizeBuckets },
    });
    out.responseSize = meter.createHistogram(`rpc.${side}.response.size`, {
      description: "Measures the size of RPC response messages (uncompressed).",
      unit: "By",
      advice: { explicitBucketBoundaries: sizeBuckets },
    });
    out.requestsPerRpc = meter.createHistogram(`rpc.${side}.requests_per_rpc`, {
      description: "Measures the number of messages received per RPC.",
      unit: "{count}",
      advice: { explicitBucketBoundaries: countBuckets },
    });
    out.responsesPerRpc = meter.createHistogram(`rpc.${side}.responses_per_rpc`, {
      description: "Measures the number of messages sent per RPC.",
      unit: "{count}",
      advice: { explicitBucketBoundaries: countBuckets },
    });
  }
  if (semconv !== "legacy") {
    out.stableDuration = meter.createHistogram(`rpc.${side}.call.duration`, {
      description: `Measures the duration of ${
        side === "client" ? "outbound" : "inbound"
      } remote procedure calls.`,
      unit: "s",
      advice: { explicitBucketBoundaries: [...GRPC_LATENCY_BUCKETS] },
    });
  }
  return out;
}

function record(
  inst: Instruments,
  side: "client" | "server",
  attributes: Attributes,
  ms: number,
  stats: CallStats | undefined,
): void {
  inst.legacyDuration?.record(ms, attributes);
  inst.stableDuration?.record(ms / 1000, attributes);
  if (stats === undefined) return;
  const requestBytes = side === "client" ? stats.sentBytes : stats.receivedBytes;
  const responseBytes = side === "client" ? stats.receivedBytes : stats.sentBytes;
  const requests = side === "client" ? stats.sentMessages : stats.receivedMessages;
  const responses = side === "client" ? stats.receivedMessages : stats.sentMessages;
  inst.requestSize?.record(requestBytes, attributes);
  inst.responseSize?.record(responseBytes, attributes);
  inst.requestsPerRpc?.record(requests, attributes);
  inst.responsesPerRpc?.record(responses, attributes);
}

function endSpan(
  span: Span,
  error: RpcError | undefined,
  side: "client" | "server",
  semconv: RpcSemconv,
) {
  const code = error?.code ?? Code.OK;
  span.setAttributes(statusAttributes(code, semconv));
  const isError = side === "client" ? code !== Code.OK : serverErrorCodes.has(code);
  if (isError) span.setStatus({ code: SpanStatusCode.ERROR, message: error?.rawMessage });
  span.end();
}

/**
 * Creates OpenTelemetry interceptors for clients and servers, on
 * `@opentelemetry/api` alone (an optional peer dependency; the core never
 * needs it). Each call gets a span named `pkg.Service/Method` — kind
 * `CLIENT` or `SERVER` — with the RPC semantic conventions' attributes, and
 * its duration, sizes and message counts are recorded as metrics. The
 * client sends the trace context in request metadata (W3C `traceparent`),
 * the server continues it, and calls made from inside a handler are
 * children of its server span — through OpenTelemetry's active context, or
 * wirecall's own handler context where no context manager is installed.
 *
 * @example
 * ```ts
 * import { createClient, createRouter } from "wirecall";
 * import { createOtelInterceptors } from "wirecall/otel";
 * const otel = createOtelInterceptors(); // global tracer and meter providers
 * const router = createRouter({ interceptors: [otel.server] });
 * // const client = createClient(DemoService, transport, { interceptors: [otel.client] });
 * ```
 */
export function createOtelInterceptors(options?: OtelOptions): OtelInterceptors {
  const opts = parseOptions("OpenTelemetry", optionsSchema, options) as OtelOptions;
  const semconv = opts.semconv ?? semconvFromEnvironment();
  const tracer = (opts.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION);
  const propagator = opts.propagator ??
    (propagation.fields().length > 0 ? propagation : w3cTraceContextPropagator);
  const clock = opts.clock ?? systemClock;
  const meterProvider = opts.metrics === false
    ? undefined
    : opts.meterProvider ?? metrics.getMeterProvider();
  let clientInstruments: Instruments | undefined;
  let serverInstruments: Instruments | undefined;

  const client: ClientInterceptor = (next) => (req) => {
    const active = otelContext.active();
    let parent = active;
    if (trace.getSpan(active) === undefined) {
      const handler = currentHandlerContext();
      const fromHandler = handler === undefined ? undefined : handlerContexts.get(handler);
      if (fromHandler !== undefined) parent = fromHandler;
    }
    const attributes = baseAttributes(req.method, semconv);
    const span = tracer.startSpan(
      `${req.method.serviceName}/${req.method.methodName}`,
      { kind: SpanKind.CLIENT, attributes },
      parent,
    );
    const spanContext = trace.setSpan(parent, span);
    try {
      propagator.inject(spanContext, req.metadata, metadataSetter);
    } catch {
      // Trace context that cannot be carried must not fail the call.
    }
    const start = clock.now();
    return otelContext.with(spanContext, () =>
      watchClientCall(next, req, (error) => {
        const stats = req.stats;
        span.setAttributes(addressAttributes(stats?.peer, "server"));
        if (stats !== undefined && stats.attempts > 1) {
          span.setAttribute("rpc.grpc.attempts", stats.attempts);
        }
        endSpan(span, error, "client", semconv);
        if (meterProvider !== undefined) {
          clientInstruments ??= instruments(meterProvider, "client", semconv);
          record(
            clientInstruments,
            "client",
            {
              ...attributes,
              ...statusAttributes(error?.code ?? Code.OK, semconv),
            },
            clock.now() - start,
            stats,
          );
        }
      }));
  };

  const server: ServerInterceptor = (next) => (req) => {
    const ctx = req.context;
    const remote = propagator.extract(ROOT_CONTEXT, ctx.metadata, metadataGetter);
    const attributes = baseAttributes(req.method, semconv);
    const span = tracer.startSpan(
      `${req.method.serviceName}/${req.method.methodName}`,
      {
        kind: SpanKind.SERVER,
        attributes: { ...attributes, ...addressAttributes(ctx.peer.address, "network.peer") },
      },
      remote,
    );
    const spanContext = trace.setSpan(remote, span);
    handlerContexts.set(ctx, spanContext);
    const start = clock.now();
    return otelContext.with(spanContext, () =>
      watchServerCall(next, req, (error) => {
        endSpan(span, error, "server", semconv);
        if (meterProvider !== undefined) {
          serverInstruments ??= instruments(meterProvider, "server", semconv);
          record(
            serverInstruments,
            "server",
            {
              ...attributes,
              ...statusAttributes(error?.code ?? Code.OK, semconv),
            },
            clock.now() - start,
            req.stats,
          );
        }
      }));
  };

  return { client, server };
}
