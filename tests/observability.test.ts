import { describe, test } from "./support/test.ts";
import assert from "node:assert/strict";
import {
  type CallLogEntry,
  Code,
  createCallLogger,
  createChannel,
  createClient,
  createMetrics,
  createRouter,
  GRPC_LATENCY_BUCKETS,
  ManualClock,
  PROMETHEUS_CONTENT_TYPE,
  RpcError,
} from "wirecall";
import { createLoopbackTransport } from "wirecall/transports/loopback";
import { createHttp2Server, createHttp2Transport } from "wirecall/transports/http2";
import { createGrpcWebHandler } from "wirecall/transports/grpc-web";
import { createNodeRequestListener } from "wirecall/transports/grpc-web/node";
import { DemoService } from "../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { collect, demoRouter, from, rejection } from "./support/demo-router.ts";

describe("call logger", () => {
  test("one entry per call on each side, for every call kind, with matching sizes", async () => {
    const clock = new ManualClock();
    const entries: CallLogEntry[] = [];
    const logger = createCallLogger({ clock, log: (e) => entries.push(e) });
    const { router } = demoRouter({ clock, interceptors: [logger.server] });
    const client = createClient(
      DemoService,
      createLoopbackTransport(router, { faults: { latencyMs: 25 } }),
      { clock, interceptors: [logger.client] },
    );
    const run = async <T>(p: Promise<T>) => {
      const settled = p.then(() => {}, () => {});
      for (let i = 0; i < 4; i++) await clock.advance(25);
      await settled;
      return await p;
    };
    await run(client.greet({ name: "Ada" }, { timeoutMs: 5_000 }));
    await run(collect(client.countdown({ from: 3 })));
    await run(client.sum(from({ value: 1n }, { value: 2n })));
    await run(collect(client.chat(from({ text: "a" }, { text: "b" }))));

    const byKey = (side: string, kind: string) =>
      entries.find((e) => e.side === side && e.kind === kind)!;
    assert.equal(entries.length, 8);
    const greetClient = byKey("client", "unary");
    assert.deepEqual(
      { ...greetClient, durationMs: undefined },
      {
        side: "client",
        method: "/wirecall.demo.v1.DemoService/Greet",
        kind: "unary",
        peer: "loopback",
        code: "OK",
        durationMs: undefined,
        timeoutMs: 5_000,
        requestMessages: 1,
        requestBytes: 5, // field 1, length 3, "Ada"
        responseMessages: 1,
        responseBytes: byKey("server", "unary").responseBytes,
        attempt: 1,
      },
    );
    assert.equal(greetClient.durationMs, 50, "latency before the server and before the status");
    assert.equal(byKey("server", "unary").requestBytes, 5);
    assert.equal(byKey("server", "unary").peer, "loopback");
    // grpc-timeout is what the client had left when it sent the call.
    assert.equal(byKey("server", "unary").timeoutMs, 5_000);
    assert.equal(byKey("server", "unary").responseBytes, "Hello, Ada!".length + 2);
    const countdown = byKey("client", "server_streaming");
    assert.equal(countdown.responseMessages, 3);
    assert.equal(byKey("server", "server_streaming").responseMessages, 3);
    assert.equal(byKey("server", "client_streaming").requestMessages, 2);
    assert.equal(byKey("client", "bidi_streaming").responseMessages, 2);
    assert.equal(byKey("server", "bidi_streaming").requestMessages, 2);
  });

  test("a failed call logs its code and message; a throwing sink does not fail the call", async () => {
    const entries: CallLogEntry[] = [];
    const logger = createCallLogger({ log: (e) => entries.push(e) });
    const broken = createCallLogger({
      log: () => {
        throw new Error("disk full");
      },
    });
    const { router } = demoRouter({
      interceptors: [logger.server, broken.server],
      greet: () => {
        throw new RpcError(Code.NOT_FOUND, "no such user");
      },
    });
    const client = createClient(DemoService, createLoopbackTransport(router), {
      interceptors: [logger.client, broken.client],
    });
    assert.equal((await rejection(client.greet({}))).code, Code.NOT_FOUND);
    assert.deepEqual(entries.map((e) => [e.side, e.code, e.message]), [
      ["server", "NOT_FOUND", "no such user"],
      ["client", "NOT_FOUND", "no such user"],
    ]);
  });

  test("the default sink writes one JSON line per call; filter skips calls", async () => {
    const lines: string[] = [];
    const original = console.log;
    console.log = (line: string) => lines.push(line);
    try {
      const logger = createCallLogger({ filter: (m) => m.methodName !== "Countdown" });
      const { router } = demoRouter({ interceptors: [logger.server] });
      const client = createClient(DemoService, createLoopbackTransport(router));
      await client.greet({ name: "x" });
      await collect(client.countdown({ from: 1 }));
    } finally {
      console.log = original;
    }
    assert.equal(lines.length, 1);
    const entry = JSON.parse(lines[0]);
    assert.match(entry.time, /^\d{4}-\d\d-\d\dT/);
    assert.equal(entry.method, "/wirecall.demo.v1.DemoService/Greet");
    assert.equal(entry.code, "OK");
  });

  test("over HTTP/2 the client logs the endpoint and the server the caller's address", async () => {
    const entries: CallLogEntry[] = [];
    const logger = createCallLogger({ log: (e) => entries.push(e) });
    const { router } = demoRouter({ interceptors: [logger.server] });
    const server = createHttp2Server(router);
    const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
    const transport = createHttp2Transport({ baseUrl: `http://127.0.0.1:${port}` });
    try {
      const client = createClient(DemoService, transport, { interceptors: [logger.client] });
      await client.greet({ name: "h2" });
    } finally {
      await transport.close();
      await server.close({ graceMs: 100 });
    }
    const client = entries.find((e) => e.side === "client")!;
    const serverEntry = entries.find((e) => e.side === "server")!;
    assert.equal(client.peer, `127.0.0.1:${port}`);
    assert.match(serverEntry.peer ?? "", /^127\.0\.0\.1:\d+$/);
    assert.notEqual(serverEntry.peer, client.peer);
  });
});

test("a call the channel retried logs its attempt count", async () => {
  const clock = new ManualClock();
  const entries: CallLogEntry[] = [];
  const logger = createCallLogger({ clock, log: (e) => entries.push(e) });
  let calls = 0;
  const { router } = demoRouter({
    clock,
    greet: () => {
      if (++calls === 1) throw new RpcError(Code.UNAVAILABLE, "try another");
      return { greeting: "second time lucky" };
    },
  });
  const channel = createChannel({
    target: "ipv4:10.0.0.1:1,10.0.0.2:1",
    transport: () => createLoopbackTransport(router),
    clock,
    random: () => 0,
    serviceConfig: {
      methodConfig: [{
        name: [{ service: "wirecall.demo.v1.DemoService" }],
        retryPolicy: {
          maxAttempts: 3,
          initialBackoff: "0.1s",
          maxBackoff: "1s",
          backoffMultiplier: 2,
          retryableStatusCodes: ["UNAVAILABLE"],
        },
      }],
    },
  });
  try {
    const client = createClient(DemoService, channel, { clock, interceptors: [logger.client] });
    const call = client.greet({});
    for (let i = 0; i < 5 && entries.length === 0; i++) await clock.advance(100);
    assert.equal((await call).greeting, "second time lucky");
  } finally {
    await channel.close();
  }
  assert.equal(entries.length, 1);
  assert.equal(entries[0].code, "OK");
  assert.equal(entries[0].attempt, 2);
  assert.equal(entries[0].peer, "loopback");
});

describe("metrics (Prometheus text)", () => {
  test("counts, codes, messages and latency buckets per method, as go-grpc-prometheus names them", async () => {
    const clock = new ManualClock();
    const metrics = createMetrics({ clock });
    const { router } = demoRouter({
      clock,
      interceptors: [metrics.server],
      greet: (name) => {
        if (name === "") throw new RpcError(Code.INVALID_ARGUMENT, "name is required");
        return { greeting: `hi ${name}` };
      },
    });
    const client = createClient(
      DemoService,
      createLoopbackTransport(router, { faults: { latencyMs: 3 } }),
      { clock, interceptors: [metrics.client] },
    );
    const settle = async (p: Promise<unknown>) => {
      const done = p.then(() => {}, () => {});
      for (let i = 0; i < 4; i++) await clock.advance(3);
      await done;
    };
    await settle(client.greet({ name: "a" }));
    await settle(client.greet({ name: "b" }));
    await settle(client.greet({ name: "" }));
    await settle(collect(client.countdown({ from: 4 })));

    const text = metrics.render();
    const lines = new Set(text.split("\n"));
    const greet =
      'grpc_method="Greet",grpc_service="wirecall.demo.v1.DemoService",grpc_type="unary"';
    const count =
      'grpc_method="Countdown",grpc_service="wirecall.demo.v1.DemoService",grpc_type="server_stream"';
    for (
      const line of [
        "# TYPE grpc_server_started_total counter",
        `grpc_server_started_total{${greet}} 3`,
        `grpc_server_handled_total{grpc_code="OK",${greet}} 2`,
        `grpc_server_handled_total{grpc_code="INVALID_ARGUMENT",${greet}} 1`,
        `grpc_server_msg_sent_total{${count}} 4`,
        `grpc_server_msg_received_total{${count}} 1`,
        `grpc_client_msg_received_total{${count}} 4`,
        `grpc_client_started_total{${greet}} 3`,
        "# TYPE grpc_client_handling_seconds histogram",
        // The client saw 6 ms (3 ms each way), the server 0 ms.
        `grpc_client_handling_seconds_bucket{grpc_code="OK",${greet},le="0.005"} 0`,
        `grpc_client_handling_seconds_bucket{grpc_code="OK",${greet},le="0.006"} 2`,
        `grpc_client_handling_seconds_bucket{grpc_code="OK",${greet},le="+Inf"} 2`,
        `grpc_client_handling_seconds_sum{grpc_code="OK",${greet}} 0.012`,
        `grpc_client_handling_seconds_count{grpc_code="OK",${greet}} 2`,
        `grpc_server_handling_seconds_bucket{grpc_code="OK",${greet},le="0"} 2`,
        `grpc_server_handling_seconds_bucket{grpc_code="INVALID_ARGUMENT",${greet},le="0"} 1`,
      ]
    ) {
      assert.ok(lines.has(line), `missing: ${line}\n${text}`);
    }
    const buckets = text.split("\n").filter((l) =>
      l.startsWith(`grpc_server_handling_seconds_bucket{grpc_code="OK",${greet}`)
    );
    assert.equal(buckets.length, GRPC_LATENCY_BUCKETS.length + 1);
    assert.ok(text.endsWith("\n"));
  });

  test("a running stream's messages show before it ends", async () => {
    const metrics = createMetrics();
    const { router } = demoRouter({ interceptors: [metrics.server] });
    const client = createClient(DemoService, createLoopbackTransport(router), {
      interceptors: [metrics.client],
    });
    const stream = client.countdown({ from: 5 })[Symbol.asyncIterator]();
    await stream.next();
    await stream.next();
    const text = metrics.render();
    assert.match(text, /^grpc_client_msg_received_total\{grpc_method="Countdown",[^}]*\} 2$/m);
    assert.doesNotMatch(text, /grpc_client_handled_total\{[^}]*Countdown/);
    await stream.return?.();
  });

  test("the server counts the status as sent: a response over the send limit is RESOURCE_EXHAUSTED", async () => {
    const metrics = createMetrics();
    const router = createRouter({ interceptors: [metrics.server], maxSendMessageBytes: 8 })
      .service(DemoService, { greet: () => ({ greeting: "far too long for the limit" }) });
    const client = createClient(DemoService, createLoopbackTransport(router));
    assert.equal((await rejection(client.greet({}))).code, Code.RESOURCE_EXHAUSTED);
    assert.match(
      metrics.render(),
      /grpc_server_handled_total\{grpc_code="RESOURCE_EXHAUSTED",grpc_method="Greet"/,
    );
  });

  test("GET /metrics is served beside gRPC on the HTTP/2 server's port and by the fetch handler", async () => {
    const metrics = createMetrics();
    const { router } = demoRouter({ interceptors: [metrics.server] });
    const web = createGrpcWebHandler(router, { protocols: [metrics.endpoint()] });
    const server = createHttp2Server(router, { grpcWeb: createNodeRequestListener(web) });
    const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
    const transport = createHttp2Transport({ baseUrl: `http://127.0.0.1:${port}` });
    try {
      await createClient(DemoService, transport).greet({ name: "m" });
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), PROMETHEUS_CONTENT_TYPE);
      assert.match(
        await res.text(),
        /^grpc_server_handled_total\{grpc_code="OK",grpc_method="Greet",grpc_service="wirecall\.demo\.v1\.DemoService",grpc_type="unary"\} 1$/m,
      );
      const direct = await web(new Request("http://in-memory.test/metrics"));
      assert.equal(direct.status, 200);
      assert.match(await direct.text(), /grpc_server_started_total/);
      const other = await web(new Request("http://in-memory.test/metrics/else"));
      assert.notEqual(other.status, 200);
      await other.body?.cancel();
    } finally {
      await transport.close();
      await server.close({ graceMs: 100 });
    }
  });
});
