import { describe, test } from "./support/test.ts";
import assert from "node:assert/strict";
import {
  Code,
  createClient,
  createRouter,
  HealthRegistry,
  HealthService,
  type Router,
  type RouterOptions,
  RpcError,
  ServingStatus,
  type Transport,
} from "wirecall";
import { createLoopbackTransport } from "wirecall/transports/loopback";
import { createHttp2Server, createHttp2Transport } from "wirecall/transports/http2";
import { createGrpcWebHandler, createGrpcWebTransport } from "wirecall/transports/grpc-web";
import { DemoService } from "../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { collect, rejection } from "./support/demo-router.ts";
import { fetchThrough } from "./grpc-web/in-memory.ts";

const T = { timeout: 15_000 };

/** A router whose greet handlers park until released, with the health service beside them. */
function parkingRouter(options: RouterOptions) {
  const parked: Array<() => void> = [];
  let entered = 0;
  let waiters: Array<() => void> = [];
  const router = createRouter(options)
    .service(DemoService, {
      greet: (req) =>
        new Promise((resolve) => {
          entered++;
          const woken = waiters;
          waiters = [];
          for (const w of woken) w();
          parked.push(() => resolve({ greeting: `hi ${req.name}` }));
        }),
      async *countdown(req) {
        for (let n = req.from; n > 0; n--) yield { number: n };
      },
    })
    .service(HealthService, new HealthRegistry().impl);
  /** Resolves once `n` greet handlers have started. */
  const untilEntered = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => (entered >= n ? resolve() : waiters.push(check));
      check();
    });
  return { router, parked, untilEntered };
}

async function shedsTheThirdCall(router: Router, transport: Transport, parking: {
  parked: Array<() => void>;
  untilEntered: (n: number) => Promise<void>;
}): Promise<void> {
  const client = createClient(DemoService, transport);
  const first = client.greet({ name: "one" }, { timeoutMs: 10_000 });
  const second = client.greet({ name: "two" }, { timeoutMs: 10_000 });
  await parking.untilEntered(2);
  const third = await rejection(client.greet({ name: "three" }, { timeoutMs: 10_000 }));
  assert.equal(third.code, Code.RESOURCE_EXHAUSTED);
  assert.equal(
    third.rawMessage,
    "the server is at its limit of 2 concurrent calls; try again later",
  );
  // Streams count too, and the health service is never shed.
  assert.equal(
    (await rejection(collect(client.countdown({ from: 1 })))).code,
    Code.RESOURCE_EXHAUSTED,
  );
  const health = createClient(HealthService, transport);
  assert.equal((await health.check({ service: "" })).status, ServingStatus.SERVING);
  // A finished call frees its place at once.
  parking.parked.shift()!();
  assert.equal((await first).greeting, "hi one");
  const fourth = client.greet({ name: "four" }, { timeoutMs: 10_000 });
  await parking.untilEntered(3);
  for (const release of parking.parked.splice(0)) release();
  assert.equal((await second).greeting, "hi two");
  assert.equal((await fourth).greeting, "hi four");
  void router;
}

describe("load shedding (router maxConcurrentCalls)", () => {
  test("over loopback, the call beyond the limit is RESOURCE_EXHAUSTED at once", T, async () => {
    const parking = parkingRouter({ maxConcurrentCalls: 2 });
    await shedsTheThirdCall(parking.router, createLoopbackTransport(parking.router), parking);
  });

  test("over native gRPC (HTTP/2), the same limit holds", T, async () => {
    const parking = parkingRouter({ maxConcurrentCalls: 2 });
    const server = createHttp2Server(parking.router);
    await server.listen({ host: "127.0.0.1", port: 0 });
    const transport = createHttp2Transport({ baseUrl: server.url! });
    try {
      await shedsTheThirdCall(parking.router, transport, parking);
    } finally {
      await transport.close();
      await server.close({ graceMs: 100 });
    }
  });

  test("over the gRPC-Web fetch handler, the same limit holds", T, async () => {
    const parking = parkingRouter({ maxConcurrentCalls: 2 });
    const transport = createGrpcWebTransport({
      baseUrl: "http://in-memory.test",
      fetch: fetchThrough(createGrpcWebHandler(parking.router)),
    });
    await shedsTheThirdCall(parking.router, transport, parking);
  });

  test("a handler that throws frees its place too", T, async () => {
    let calls = 0;
    const router = createRouter({ maxConcurrentCalls: 1 }).service(DemoService, {
      greet: () => {
        calls++;
        throw new RpcError(Code.NOT_FOUND, "none");
      },
    });
    const client = createClient(DemoService, createLoopbackTransport(router));
    for (let i = 0; i < 5; i++) {
      assert.equal((await rejection(client.greet({}))).code, Code.NOT_FOUND);
    }
    assert.equal(calls, 5);
  });

  test("shedExempt names services or methods never shed; bad limits are refused", T, async () => {
    const parking = parkingRouter({
      maxConcurrentCalls: 1,
      shedExempt: ["/wirecall.demo.v1.DemoService/Countdown"],
    });
    const client = createClient(DemoService, createLoopbackTransport(parking.router));
    const first = client.greet({ name: "a" });
    await parking.untilEntered(1);
    assert.equal((await rejection(client.greet({}))).code, Code.RESOURCE_EXHAUSTED);
    assert.deepEqual((await collect(client.countdown({ from: 2 }))).map((m) => m.number), [2, 1]);
    // Health is no longer exempt once the list is given.
    const health = createClient(HealthService, createLoopbackTransport(parking.router));
    assert.equal((await rejection(health.check({}))).code, Code.RESOURCE_EXHAUSTED);
    parking.parked.shift()!();
    await first;
    assert.throws(
      () => createRouter({ maxConcurrentCalls: 0 }),
      /invalid router option "maxConcurrentCalls"/,
    );
    assert.throws(
      () => createRouter({ maxConcurrentCalls: 1.5 }),
      /invalid router option "maxConcurrentCalls": expected int/,
    );
  });
});
