import * as z from "zod/mini";
import { watchClientCall, watchServerCall } from "./call-outcome.ts";
import type { CallStats } from "./call-stats.ts";
import { type Clock, systemClock } from "./clock.ts";
import { codeName } from "./code.ts";
import type { FetchProtocol } from "./fetch-protocol.ts";
import type { ClientInterceptor, ServerInterceptor } from "./interceptor.ts";
import type { MethodInfo, MethodKind } from "./method.ts";
import { clockOption, parseOptions } from "./options.ts";
import type { RpcError } from "./rpc-error.ts";

/**
 * gRPC's standard latency buckets, in seconds: the boundaries gRFC A66
 * (gRPC's OpenTelemetry metrics) gives for every call and attempt duration.
 */
export const GRPC_LATENCY_BUCKETS: readonly number[] = /* @__PURE__ */ Object.freeze([
  0,
  0.00001,
  0.00005,
  0.0001,
  0.0003,
  0.0006,
  0.0008,
  0.001,
  0.002,
  0.003,
  0.004,
  0.005,
  0.006,
  0.008,
  0.01,
  0.013,
  0.016,
  0.02,
  0.025,
  0.03,
  0.04,
  0.05,
  0.065,
  0.08,
  0.1,
  0.13,
  0.16,
  0.2,
  0.25,
  0.3,
  0.4,
  0.5,
  0.65,
  0.8,
  1,
  2,
  5,
  10,
  20,
  50,
  100,
]);

/** The content type of the Prometheus text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** Upper bounds of the latency histogram buckets, in seconds (default {@link GRPC_LATENCY_BUCKETS}). */
  buckets?: number[];
  /** The clock durations are measured on (default: the system clock). */
  clock?: Clock;
}

/** Built when used, so bundles that never call the factory drop it. */
const optionsSchema = () =>
  z.strictObject({
    buckets: z.optional(z.array(z.number().check(z.nonnegative())).check(z.minLength(1))),
    clock: z.optional(clockOption),
  });

/** Options of {@link Metrics.endpoint}. */
export interface MetricsEndpointOptions {
  /** The path served (default `"/metrics"`). */
  path?: string;
}

/**
 * Per-method, per-code call metrics of clients and servers, kept in memory
 * and rendered in the Prometheus text format.
 */
export interface Metrics {
  /** Counts the calls of a client. */
  readonly client: ClientInterceptor;
  /** Counts the calls a router serves. */
  readonly server: ServerInterceptor;
  /** Every metric, in the Prometheus text exposition format (version 0.0.4). */
  render(): string;
  /** Answers any request with {@link Metrics.render}'s text. */
  handler(request?: Request): Response;
  /**
   * A fetch protocol answering `GET /metrics` beside gRPC on the same server:
   * `createGrpcWebHandler(router, { protocols: [metrics.endpoint()] })`, which
   * the HTTP/2 server's same-port hand-off serves too.
   */
  endpoint(options?: MetricsEndpointOptions): FetchProtocol;
}

const typeLabel: Record<MethodKind, string> = {
  unary: "unary",
  client_streaming: "client_stream",
  server_streaming: "server_stream",
  bidi_streaming: "bidi_stream",
};

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function formatNumber(n: number): string {
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return Number.isNaN(n) ? "NaN" : String(n);
}

interface Histogram {
  /** Per-bucket (not cumulative) counts; the last slot is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

interface MethodSeries {
  labels: string;
  started: number;
  /** Messages of ended calls. */
  received: number;
  sent: number;
  /** The stats of calls still running, read live when rendering. */
  running: Set<CallStats>;
  /** By code name. */
  handled: Map<string, number>;
  latency: Map<string, Histogram>;
}

/** The metrics of one side (client or server). */
class SideMetrics {
  readonly series = new Map<string, MethodSeries>();
  readonly side: "client" | "server";
  readonly bounds: readonly number[];

  constructor(side: "client" | "server", bounds: readonly number[]) {
    this.side = side;
    this.bounds = bounds;
  }

  of(method: MethodInfo): MethodSeries {
    let s = this.series.get(method.path);
    if (s === undefined) {
      s = {
        labels: `grpc_method="${escapeLabel(method.methodName)}",grpc_service="${
          escapeLabel(method.serviceName)
        }",grpc_type="${typeLabel[method.kind]}"`,
        started: 0,
        received: 0,
        sent: 0,
        running: new Set(),
        handled: new Map(),
        latency: new Map(),
      };
      this.series.set(method.path, s);
    }
    return s;
  }

  start(s: MethodSeries, stats: CallStats | undefined): void {
    s.started++;
    if (stats !== undefined) s.running.add(stats);
  }

  end(s: MethodSeries, error: RpcError | undefined, seconds: number, stats: CallStats | undefined) {
    if (stats !== undefined) s.running.delete(stats);
    const code = codeName(error?.code ?? 0);
    s.handled.set(code, (s.handled.get(code) ?? 0) + 1);
    s.received += stats?.receivedMessages ?? 0;
    s.sent += stats?.sentMessages ?? 0;
    let h = s.latency.get(code);
    if (h === undefined) {
      h = { counts: new Array(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
      s.latency.set(code, h);
    }
    let i = 0;
    while (i < this.bounds.length && seconds > this.bounds[i]) i++;
    h.counts[i]++;
    h.sum += seconds;
    h.count++;
  }

  render(out: string[]): void {
    const p = `grpc_${this.side}`;
    const all = [...this.series.values()].sort((a, b) => (a.labels < b.labels ? -1 : 1));
    const who = this.side === "server" ? "on the server" : "by the client";
    const counter = (name: string, help: string, value: (s: MethodSeries) => number) => {
      out.push(`# HELP ${p}_${name} ${help}`, `# TYPE ${p}_${name} counter`);
      for (const s of all) out.push(`${p}_${name}{${s.labels}} ${value(s)}`);
    };
    counter("started_total", `Total number of RPCs started ${who}.`, (s) => s.started);
    out.push(
      `# HELP ${p}_handled_total Total number of RPCs completed ${who}, regardless of success or failure.`,
      `# TYPE ${p}_handled_total counter`,
    );
    for (const s of all) {
      for (const [code, n] of [...s.handled].sort()) {
        out.push(`${p}_handled_total{grpc_code="${code}",${s.labels}} ${n}`);
      }
    }
    // Messages of running calls count too, so a long stream shows as it goes.
    const live = (s: MethodSeries, pick: (st: CallStats) => number) => {
      let n = 0;
      for (const st of s.running) n += pick(st);
      return n;
    };
    counter(
      "msg_received_total",
      `Total number of RPC stream messages received ${who}.`,
      (s) => s.received + live(s, (st) => st.receivedMessages),
    );
    counter(
      "msg_sent_total",
      `Total number of gRPC stream messages sent ${who}.`,
      (s) => s.sent + live(s, (st) => st.sentMessages),
    );
    const hist = `${p}_handling_seconds`;
    out.push(
      `# HELP ${hist} Histogram of response latency (seconds) of gRPC calls ${who}, by status code.`,
      `# TYPE ${hist} histogram`,
    );
    for (const s of all) {
      for (const [code, h] of [...s.latency].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        const labels = `grpc_code="${code}",${s.labels}`;
        let cumulative = 0;
        for (let i = 0; i < this.bounds.length; i++) {
          cumulative += h.counts[i];
          out.push(`${hist}_bucket{${labels},le="${formatNumber(this.bounds[i])}"} ${cumulative}`);
        }
        out.push(`${hist}_bucket{${labels},le="+Inf"} ${h.count}`);
        out.push(`${hist}_sum{${labels}} ${formatNumber(h.sum)}`);
        out.push(`${hist}_count{${labels}} ${h.count}`);
      }
    }
  }
}

/**
 * Creates call metrics for clients and servers, per method and status
 * code: calls started and handled, messages sent and received, and a
 * latency histogram on gRPC's standard buckets — named as
 * go-grpc-prometheus names them (`grpc_server_handled_total{grpc_code,
 * grpc_method, grpc_service, grpc_type}`, `grpc_server_handling_seconds`, …),
 * so existing dashboards work. Render them with `render()`, or serve them at
 * `/metrics` with `endpoint()`.
 *
 * @example
 * ```ts
 * import { createMetrics, createRouter } from "wirecall";
 * import { createGrpcWebHandler } from "wirecall/transports/grpc-web";
 * const metrics = createMetrics();
 * const router = createRouter({ interceptors: [metrics.server] });
 * Deno.serve(createGrpcWebHandler(router, { protocols: [metrics.endpoint()] })); // GET /metrics
 * ```
 */
export function createMetrics(options?: MetricsOptions): Metrics {
  const opts = parseOptions("metrics", optionsSchema(), options) as MetricsOptions;
  const bounds = [...(opts.buckets ?? GRPC_LATENCY_BUCKETS)].sort((a, b) => a - b);
  const clock = opts.clock ?? systemClock;
  const server = new SideMetrics("server", bounds);
  const client = new SideMetrics("client", bounds);
  const render = () => {
    const out: string[] = [];
    server.render(out);
    client.render(out);
    return out.join("\n") + "\n";
  };
  const handler = () =>
    new Response(render(), { status: 200, headers: { "content-type": PROMETHEUS_CONTENT_TYPE } });
  return {
    client: (next) => (req) => {
      const s = client.of(req.method);
      client.start(s, req.stats);
      const start = clock.now();
      return watchClientCall(
        next,
        req,
        (error) => client.end(s, error, (clock.now() - start) / 1000, req.stats),
      );
    },
    server: (next) => (req) => {
      const s = server.of(req.method);
      server.start(s, req.stats);
      const start = clock.now();
      return watchServerCall(
        next,
        req,
        (error) => server.end(s, error, (clock.now() - start) / 1000, req.stats),
      );
    },
    render,
    handler,
    endpoint: (endpointOptions) => {
      const path = endpointOptions?.path ?? "/metrics";
      return {
        protocol: "metrics",
        serve: (request, requestPath) =>
          (request.method === "GET" || request.method === "HEAD") && requestPath === path
            ? Promise.resolve(handler())
            : undefined,
      };
    },
  };
}
