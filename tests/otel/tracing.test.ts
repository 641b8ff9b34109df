// wirecall/otel: spans and metrics on @opentelemetry/api, checked with the
// SDK's in-memory exporter and a metric reader; a three-hop call chain over
// three transports is one trace whose last hop sees the first deadline less
// the time spent.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import {
  AggregationTemporality,
  type Histogram as HistogramPoint,
  MeterProvider,
  MetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  type Clock,
  Code,
  createClient,
  createRouter,
  type HandlerContext,
  ManualClock,
  type Router,
  RpcError,
} from "wirecall";
import { createOtelInterceptors, type OtelOptions } from "wirecall/otel";
import { createLoopbackTransport } from "wirecall/transports/loopback";
import { createHttp2Server, createHttp2Transport } from "wirecall/transports/http2";
import { createGrpcWebHandler, createGrpcWebTransport } from "wirecall/transports/grpc-web";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { collect, demoRouter, rejection } from "../support/demo-router.ts";
import { fetchThrough } from "../grpc-web/in-memory.ts";

class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function tracing(extra: OtelOptions = {}) {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const otel = createOtelInterceptors({ tracerProvider, metrics: false, ...extra });
  return { exporter, otel };
}

/** Handler pauses on the clock that a test can wait for, then advance past. */
function pauses(clock: Clock) {
  let started = 0;
  let waiting: Array<() => void> = [];
  return {
    pause(ms: number): Promise<void> {
      started++;
      const woken = waiting;
      waiting = [];
      for (const w of woken) w();
      return new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
    },
    /** Resolves once `n` pauses have started. */
    until(n: number): Promise<void> {
      return new Promise<void>((resolve) => {
        const check = () => (started >= n ? resolve() : waiting.push(check));
        check();
      });
    },
  };
}

describe("OpenTelemetry (wirecall/otel)", () => {
  test("a three-hop chain over HTTP/2, gRPC-Web and loopback is one trace; the last hop sees the first deadline less the time spent", async () => {
    const clock = new ManualClock(1_000);
    const { exporter, otel } = tracing();
    const { pause, until } = pauses(clock);
    let seenByC: { remaining: number | undefined; traceparent: unknown } | undefined;

    // C: the last hop, over loopback.
    const routerC = createRouter({ clock, interceptors: [otel.server] }).service(DemoService, {
      greet(_req, ctx: HandlerContext) {
        seenByC = { remaining: ctx.timeRemaining(), traceparent: ctx.metadata.get("traceparent") };
        return { greeting: "from C" };
      },
    });
    const toC = createClient(DemoService, createLoopbackTransport(routerC), {
      clock,
      interceptors: [otel.client],
    });
    // B: over the gRPC-Web fetch handler; spends 500 ms, then calls C.
    const routerB = createRouter({ clock, interceptors: [otel.server] }).service(DemoService, {
      async greet() {
        await pause(500);
        return { greeting: `B > ${(await toC.greet({})).greeting}` };
      },
    });
    const toB = createClient(
      DemoService,
      createGrpcWebTransport({
        baseUrl: "http://b.test",
        fetch: fetchThrough(createGrpcWebHandler(routerB)),
      }),
      { clock, interceptors: [otel.client] },
    );
    // A: over native gRPC on HTTP/2; spends 1 s, then calls B.
    const routerA: Router = createRouter({ clock, interceptors: [otel.server] }).service(
      DemoService,
      {
        async greet() {
          await pause(1_000);
          return { greeting: `A > ${(await toB.greet({})).greeting}` };
        },
      },
    );
    const serverA = createHttp2Server(routerA);
    const { port } = await serverA.listen({ host: "127.0.0.1", port: 0 });
    const transportA = createHttp2Transport({ baseUrl: `http://127.0.0.1:${port}` });
    try {
      const client = createClient(DemoService, transportA, { clock, interceptors: [otel.client] });
      const call = client.greet({ name: "chain" }, { timeoutMs: 10_000 });
      await until(1);
      await clock.advance(1_000);
      await until(2);
      await clock.advance(500);
      assert.equal((await call).greeting, "A > B > from C");
    } finally {
      await transportA.close();
      await serverA.close({ graceMs: 100 });
    }

    assert.equal(seenByC?.remaining, 10_000 - 1_000 - 500);
    assert.match(String(seenByC?.traceparent), /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

    const spans = exporter.getFinishedSpans();
    assert.equal(spans.length, 6);
    const traceIds = new Set(spans.map((s) => s.spanContext().traceId));
    assert.equal(traceIds.size, 1, "one trace");
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const root = spans.filter((s) => s.parentSpanContext === undefined);
    assert.equal(root.length, 1);
    // Walk the chain from the root: client → server → client → server → client → server.
    const chain: ReadableSpan[] = [root[0]];
    for (;;) {
      const last = chain.at(-1)!;
      const child = spans.find((s) => s.parentSpanContext?.spanId === last.spanContext().spanId);
      if (child === undefined) break;
      chain.push(child);
    }
    assert.deepEqual(chain.map((s) => s.kind), [
      SpanKind.CLIENT,
      SpanKind.SERVER,
      SpanKind.CLIENT,
      SpanKind.SERVER,
      SpanKind.CLIENT,
      SpanKind.SERVER,
    ]);
    assert.equal(byId.size, 6);
    for (const s of spans) {
      assert.equal(s.name, "wirecall.demo.v1.DemoService/Greet");
      assert.equal(s.attributes["rpc.system"], "grpc");
      assert.equal(s.attributes["rpc.service"], "wirecall.demo.v1.DemoService");
      assert.equal(s.attributes["rpc.method"], "Greet");
      assert.equal(s.attributes["rpc.grpc.status_code"], 0);
      assert.equal(s.status.code, SpanStatusCode.UNSET);
    }
    // The servers' spans are remote children; the first client span knows its server.
    assert.equal(chain[1].parentSpanContext?.isRemote, true);
    assert.equal(chain[0].attributes["server.address"], "127.0.0.1");
    assert.equal(chain[0].attributes["server.port"], port);
    assert.equal(chain[1].attributes["network.peer.address"], "127.0.0.1");
  });

  test("errors: the client span is ERROR for any failure, the server span only for server faults", async () => {
    const { exporter, otel } = tracing();
    const { router } = demoRouter({
      interceptors: [otel.server],
      greet: (name) => {
        throw new RpcError(name === "missing" ? Code.NOT_FOUND : Code.INTERNAL, `failed ${name}`);
      },
    });
    const client = createClient(DemoService, createLoopbackTransport(router), {
      interceptors: [otel.client],
    });
    await rejection(client.greet({ name: "missing" }));
    await rejection(client.greet({ name: "broken" }));
    const spans = exporter.getFinishedSpans();
    const pick = (kind: SpanKind, code: number) =>
      spans.find((s) => s.kind === kind && s.attributes["rpc.grpc.status_code"] === code)!;
    assert.equal(pick(SpanKind.SERVER, Code.NOT_FOUND).status.code, SpanStatusCode.UNSET);
    assert.equal(pick(SpanKind.CLIENT, Code.NOT_FOUND).status.code, SpanStatusCode.ERROR);
    assert.deepEqual(pick(SpanKind.SERVER, Code.INTERNAL).status, {
      code: SpanStatusCode.ERROR,
      message: "failed broken",
    });
    assert.equal(pick(SpanKind.CLIENT, Code.INTERNAL).status.code, SpanStatusCode.ERROR);
  });

  test("a streaming call's span ends when its stream ends", async () => {
    const { exporter, otel } = tracing();
    const { router } = demoRouter({ interceptors: [otel.server] });
    const client = createClient(DemoService, createLoopbackTransport(router), {
      interceptors: [otel.client],
    });
    const stream = client.countdown({ from: 2 })[Symbol.asyncIterator]();
    await stream.next();
    assert.equal(exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT).length, 0);
    await collect({ [Symbol.asyncIterator]: () => stream });
    const spans = exporter.getFinishedSpans();
    assert.equal(spans.length, 2);
    assert.ok(spans.every((s) => s.name === "wirecall.demo.v1.DemoService/Countdown"));
  });

  test("an invalid incoming traceparent starts a new trace; a valid one is continued", async () => {
    const { exporter, otel } = tracing();
    const { router } = demoRouter({ interceptors: [otel.server] });
    const client = createClient(DemoService, createLoopbackTransport(router));
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    await client.greet({}, { metadata: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    await client.greet({}, {
      metadata: { traceparent: `00-${"0".repeat(32)}-00f067aa0ba902b7-01` },
    });
    await client.greet({}, { metadata: { traceparent: "not a traceparent" } });
    const [continued, zero, junk] = exporter.getFinishedSpans();
    assert.equal(continued.spanContext().traceId, traceId);
    assert.equal(continued.parentSpanContext?.spanId, "00f067aa0ba902b7");
    for (const s of [zero, junk]) {
      assert.equal(s.parentSpanContext, undefined);
      assert.notEqual(s.spanContext().traceId, traceId);
    }
  });

  test("stable conventions: rpc.system.name, the full rpc.method, rpc.response.status_code, error.type", async () => {
    const { exporter, otel } = tracing({ semconv: "stable" });
    const { router } = demoRouter({
      interceptors: [otel.server],
      greet: () => {
        throw new RpcError(Code.UNAVAILABLE, "down");
      },
    });
    const client = createClient(DemoService, createLoopbackTransport(router), {
      interceptors: [otel.client],
    });
    await rejection(client.greet({}));
    for (const s of exporter.getFinishedSpans()) {
      assert.equal(s.attributes["rpc.system.name"], "grpc");
      assert.equal(s.attributes["rpc.method"], "wirecall.demo.v1.DemoService/Greet");
      assert.equal(s.attributes["rpc.response.status_code"], "UNAVAILABLE");
      assert.equal(s.attributes["error.type"], "UNAVAILABLE");
      assert.equal(s.attributes["rpc.system"], undefined);
    }
  });

  test("metrics: durations on gRPC's buckets, sizes and message counts, per method and code", async () => {
    const clock = new ManualClock();
    const reader = new TestReader({
      aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE,
    });
    const meterProvider = new MeterProvider({ readers: [reader] });
    const otel = createOtelInterceptors({ meterProvider, clock, semconv: "both" });
    const { router } = demoRouter({ clock, interceptors: [otel.server] });
    const client = createClient(
      DemoService,
      createLoopbackTransport(router, { faults: { latencyMs: 2 } }),
      { clock, interceptors: [otel.client] },
    );
    const call = client.greet({ name: "Ada" });
    for (let i = 0; i < 3; i++) await clock.advance(2);
    await call;
    const { resourceMetrics } = await reader.collect();
    const all = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const metric = (name: string) => all.find((m) => m.descriptor.name === name)!;
    const point = (name: string) => metric(name).dataPoints[0];

    const legacy = point("rpc.client.duration");
    assert.equal(metric("rpc.client.duration").descriptor.unit, "ms");
    assert.equal((legacy.value as HistogramPoint).sum, 4);
    assert.equal(legacy.attributes["rpc.grpc.status_code"], 0);
    assert.equal(legacy.attributes["rpc.method"], "wirecall.demo.v1.DemoService/Greet");
    const stable = point("rpc.client.call.duration");
    assert.equal(metric("rpc.client.call.duration").descriptor.unit, "s");
    assert.equal((stable.value as HistogramPoint).sum, 0.004);
    assert.deepEqual(
      (stable.value as HistogramPoint).buckets.boundaries.slice(0, 4),
      [0, 0.00001, 0.00005, 0.0001],
    );
    assert.equal(stable.attributes["rpc.response.status_code"], "OK");
    assert.equal((point("rpc.client.request.size").value as HistogramPoint).sum, 5);
    assert.equal((point("rpc.server.request.size").value as HistogramPoint).sum, 5);
    assert.equal((point("rpc.server.responses_per_rpc").value as HistogramPoint).sum, 1);
    assert.equal((point("rpc.server.call.duration").value as HistogramPoint).sum, 0);
  });

  test("options are validated", () => {
    assert.throws(
      () => createOtelInterceptors({ semconv: "v2" as never }),
      /invalid OpenTelemetry option "semconv"/,
    );
    assert.throws(
      () => createOtelInterceptors({ tracerProvider: {} as never }),
      /invalid OpenTelemetry option "tracerProvider": expected a TracerProvider/,
    );
  });
});
