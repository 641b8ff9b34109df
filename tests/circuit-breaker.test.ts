import { describe, test } from "./support/test.ts";
import assert from "node:assert/strict";
import {
  type CircuitBreakerOptions,
  type CircuitStateChange,
  Code,
  createCircuitBreaker,
  createClient,
  ManualClock,
  readErrorDetails,
  RpcError,
} from "wirecall";
import { createLoopbackTransport } from "wirecall/transports/loopback";
import { DemoService } from "../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { collect, demoRouter, rejection } from "./support/demo-router.ts";

const T = { timeout: 10_000 };

/** A client with a breaker before a server whose greet fails with `failWith` while it is set. */
function setup(options: CircuitBreakerOptions = {}) {
  const clock = new ManualClock();
  const changes: CircuitStateChange[] = [];
  const server = { calls: 0, failWith: undefined as Code | undefined };
  const { router } = demoRouter({
    clock,
    greet: (name) => {
      server.calls++;
      if (server.failWith !== undefined) throw new RpcError(server.failWith, `down (${name})`);
      return { greeting: `hi ${name}` };
    },
  });
  const breaker = createCircuitBreaker({
    clock,
    onStateChange: (c) => changes.push(c),
    ...options,
  });
  const client = createClient(DemoService, createLoopbackTransport(router), {
    clock,
    interceptors: [breaker.interceptor],
  });
  return { clock, changes, server, breaker, client };
}

describe("circuit breaker", () => {
  test(
    "opens after N failures in the window and then fails calls at once with UNAVAILABLE",
    T,
    async () => {
      const { server, breaker, client, changes } = setup({ failureThreshold: 3, windowMs: 1_000 });
      server.failWith = Code.UNAVAILABLE;
      for (let i = 0; i < 3; i++) {
        assert.equal((await rejection(client.greet({ name: `${i}` }))).code, Code.UNAVAILABLE);
      }
      assert.equal(breaker.state(), "open");
      assert.deepEqual(changes.map((c) => [c.key, c.from, c.to]), [["*", "closed", "open"]]);
      assert.equal(changes[0].cause?.rawMessage, "down (2)");

      const refused = await rejection(client.greet({ name: "after" }));
      assert.equal(refused.code, Code.UNAVAILABLE);
      assert.match(
        refused.rawMessage,
        /^circuit breaker open for this client: \/wirecall\.demo\.v1\.DemoService\/Greet not sent after 3 failures within 1000 ms \(last: UNAVAILABLE "down \(2\)"\); the next probe goes in 30000 ms$/,
      );
      assert.equal(server.calls, 3, "the refused call never reached the server");
      const details = readErrorDetails(refused);
      assert.equal(details.errorInfo?.reason, "CIRCUIT_OPEN");
      assert.deepEqual(details.errorInfo?.metadata, { circuit: "*", state: "open" });
      assert.equal(details.retryInfo?.retryDelay?.seconds, 30n);
    },
  );

  test("failures spread wider than the window do not open it", T, async () => {
    const { clock, server, breaker, client } = setup({ failureThreshold: 3, windowMs: 1_000 });
    server.failWith = Code.UNAVAILABLE;
    for (let i = 0; i < 6; i++) {
      await rejection(client.greet({}));
      await clock.advance(600);
    }
    assert.equal(breaker.state(), "closed");
    assert.equal(server.calls, 6);
  });

  test("after openMs one probe goes through; its success closes the circuit", T, async () => {
    const { clock, server, breaker, client, changes } = setup({
      failureThreshold: 2,
      openMs: 5_000,
    });
    server.failWith = Code.DEADLINE_EXCEEDED;
    await rejection(client.greet({}));
    await rejection(client.greet({}));
    assert.equal(breaker.state(), "open");
    await clock.advance(4_999);
    assert.equal(breaker.state(), "open");
    assert.match((await rejection(client.greet({}))).rawMessage, /next probe goes in 1 ms/);
    await clock.advance(1);
    assert.equal(breaker.state(), "half_open");
    server.failWith = undefined;
    assert.equal((await client.greet({ name: "probe" })).greeting, "hi probe");
    assert.equal(breaker.state(), "closed");
    assert.deepEqual(changes.map((c) => c.to), ["open", "half_open", "closed"]);
    // Closed again, with the old failures forgotten: one new failure does not reopen it.
    server.failWith = Code.UNAVAILABLE;
    await rejection(client.greet({}));
    assert.equal(breaker.state(), "closed");
  });

  test("a failing probe opens it again; calls beside an in-flight probe fail fast", T, async () => {
    const clock = new ManualClock();
    let release: ((v: { greeting: string }) => void) | undefined;
    let calls = 0;
    let fail = true;
    const { router } = demoRouter({
      clock,
      greet: () => {
        calls++;
        if (fail) throw new RpcError(Code.INTERNAL, "broken");
        return new Promise((resolve) => (release = resolve));
      },
    });
    const breaker = createCircuitBreaker({ clock, failureThreshold: 1, openMs: 100 });
    const client = createClient(DemoService, createLoopbackTransport(router), {
      clock,
      interceptors: [breaker.interceptor],
    });
    await rejection(client.greet({}));
    assert.equal(breaker.state(), "open");
    await clock.advance(100);
    // The probe fails: open again, for another openMs.
    assert.equal((await rejection(client.greet({}))).rawMessage, "broken");
    assert.equal(breaker.state(), "open");
    await clock.advance(100);
    fail = false;
    const probe = client.greet({ name: "slow probe" });
    await clock.advance(0);
    const beside = await rejection(client.greet({}));
    assert.match(beside.rawMessage, /a probe is already in flight$/);
    assert.equal(calls, 3);
    release!({ greeting: "done" });
    assert.equal((await probe).greeting, "done");
    assert.equal(breaker.state(), "closed");
  });

  test(
    "answers such as INVALID_ARGUMENT and calls the caller cancelled never open it",
    T,
    async () => {
      const { server, breaker, client } = setup({ failureThreshold: 2 });
      server.failWith = Code.INVALID_ARGUMENT;
      for (let i = 0; i < 5; i++) await rejection(client.greet({}));
      const aborted = new AbortController();
      aborted.abort();
      for (let i = 0; i < 5; i++) {
        assert.equal(
          (await rejection(client.greet({}, { signal: aborted.signal }))).code,
          Code.CANCELLED,
        );
      }
      assert.equal(breaker.state(), "closed");
    },
  );

  test("failureRatio keeps a busy, mostly healthy client closed", T, async () => {
    const { server, breaker, client } = setup({ failureThreshold: 2, failureRatio: 0.5 });
    for (let i = 0; i < 8; i++) await client.greet({});
    server.failWith = Code.UNAVAILABLE;
    for (let i = 0; i < 3; i++) await rejection(client.greet({}));
    assert.equal(breaker.state(), "closed", "3 failures of 11 calls is under half");
    for (let i = 0; i < 5; i++) await rejection(client.greet({}));
    assert.equal(breaker.state(), "open", "8 failures of 16 calls is half");
  });

  test(
    "a failure inside a response stream counts; per-method scope keeps other methods closed",
    T,
    async () => {
      const clock = new ManualClock();
      const { router } = demoRouter({ clock });
      const breaker = createCircuitBreaker({
        clock,
        failureThreshold: 2,
        scope: "method",
        failureCodes: [Code.OUT_OF_RANGE],
      });
      const client = createClient(DemoService, createLoopbackTransport(router), {
        clock,
        interceptors: [breaker.interceptor],
      });
      // countdown with a negative start fails with OUT_OF_RANGE from the stream.
      for (let i = 0; i < 2; i++) {
        assert.equal(
          (await rejection(collect(client.countdown({ from: -1 })))).code,
          Code.OUT_OF_RANGE,
        );
      }
      assert.equal(breaker.state("/wirecall.demo.v1.DemoService/Countdown"), "open");
      assert.equal(breaker.state("/wirecall.demo.v1.DemoService/Greet"), "closed");
      assert.equal((await client.greet({ name: "ok" })).greeting, "Hello, ok!");
      const refused = await rejection(collect(client.countdown({ from: 3 })));
      assert.match(
        refused.rawMessage,
        /^circuit breaker open for \/wirecall\.demo\.v1\.DemoService\/Countdown/,
      );
      breaker.reset();
      assert.deepEqual((await collect(client.countdown({ from: 2 }))).map((m) => m.number), [2, 1]);
    },
  );

  test("bad options are INVALID_ARGUMENT naming the option", T, () => {
    assert.throws(
      () => createCircuitBreaker({ failureRatio: 2 }),
      (e: unknown) =>
        e instanceof RpcError && e.code === Code.INVALID_ARGUMENT &&
        /invalid circuit breaker option "failureRatio"/.test(e.rawMessage),
    );
    assert.throws(
      () => createCircuitBreaker({ scope: "global" as never }),
      /invalid circuit breaker option "scope"/,
    );
  });
});
