import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import {
  type ClientInterceptor,
  Code,
  createChannel,
  createClient,
  ManualClock,
  Metadata,
  previousAttempts,
  RpcError,
  type ServiceConfigJson,
} from "wirecall";
import { RetryInfoSchema } from "../../src/gen/google/rpc/error_details_pb.ts";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { collect, rejection } from "../support/demo-router.ts";
import { type FakeBackend, fakeBackends } from "./fake-backends.ts";

const one = "127.0.0.1:50001";
const three = ["127.0.0.1:50001", "127.0.0.1:50002", "127.0.0.1:50003"];

function retryConfig(
  overrides: Partial<{ maxAttempts: number; codes: string[] }> = {},
  extra: ServiceConfigJson = {},
): ServiceConfigJson {
  return {
    ...extra,
    methodConfig: [{
      name: [{ service: "wirecall.demo.v1.DemoService" }],
      retryPolicy: {
        maxAttempts: overrides.maxAttempts ?? 4,
        initialBackoff: "0.1s",
        maxBackoff: "1s",
        backoffMultiplier: 2,
        retryableStatusCodes: overrides.codes ?? ["UNAVAILABLE"],
      },
    }],
  };
}

/** A greet handler that fails the first `n` calls with `error`, then answers. */
function failFirst(n: number, error: () => RpcError) {
  let calls = 0;
  return (b: FakeBackend) => {
    if (calls++ < n) throw error();
    return { greeting: `${b.address} after ${calls - 1} failures` };
  };
}

function setup(serviceConfig: ServiceConfigJson, addresses = [one], random = () => 1) {
  const clock = new ManualClock();
  const fakes = fakeBackends(addresses, { clock });
  const channel = createChannel({
    target: `ipv4:${addresses.join(",")}`,
    transport: fakes.factory,
    serviceConfig,
    clock,
    random,
  });
  return { clock, channel, ...fakes };
}

describe("retries (gRFC A6)", () => {
  test("a retryable code is retried with backoff until it succeeds; attempts are counted both ways", async () => {
    const { clock, channel, backends } = setup(retryConfig());
    const b = backends.get(one)!;
    b.greet = failFirst(2, () => new RpcError(Code.UNAVAILABLE, "busy"));
    const seen: Array<[number, number | undefined]> = [];
    const countAttempts: ClientInterceptor = (next) => async (req) => {
      const res = await next(req);
      seen.push([previousAttempts(res.trailer), req.stats?.attempts]);
      return res;
    };
    const client = createClient(DemoService, channel, { interceptors: [countAttempts], clock });
    let trailer: Metadata | undefined;
    const call = client.greet({ name: "x" }, { onTrailer: (t) => (trailer = t) });
    await clock.advance(0);
    assert.equal(b.handled, 1);
    // random() is 1: the first backoff is the whole initialBackoff, 100 ms.
    await clock.advance(99);
    assert.equal(b.handled, 1, "no retry before the backoff is over");
    await clock.advance(1);
    assert.equal(b.handled, 2);
    // The second backoff is min(100 ms × 2, 1 s) = 200 ms.
    await clock.advance(199);
    assert.equal(b.handled, 2);
    await clock.advance(1);
    assert.equal((await call).greeting, `${one} after 2 failures`);
    assert.deepEqual(b.previous, [undefined, "1", "2"]);
    assert.equal(trailer?.get("grpc-previous-rpc-attempts"), "2");
    // Interceptors see it in the trailers and in the call's stats.
    assert.deepEqual(seen, [[2, 3]]);
    await channel.close();
  });

  test("a code not in retryableStatusCodes fails at once, with one attempt", async () => {
    const { channel, backends } = setup(retryConfig());
    const b = backends.get(one)!;
    b.greet = () => {
      throw new RpcError(Code.INVALID_ARGUMENT, "bad name");
    };
    const e = await rejection(createClient(DemoService, channel).greet({ name: "x" }));
    assert.equal(e.code, Code.INVALID_ARGUMENT);
    assert.equal(b.handled, 1);
    assert.equal(e.metadata.get("grpc-previous-rpc-attempts"), undefined);
    await channel.close();
  });

  test("after maxAttempts the last error is returned, with the attempt count in its metadata", async () => {
    const { clock, channel, backends } = setup(retryConfig({ maxAttempts: 3 }));
    const b = backends.get(one)!;
    b.greet = failFirst(10, () => new RpcError(Code.UNAVAILABLE, "still busy"));
    const call = rejection(createClient(DemoService, channel).greet({ name: "x" }));
    await clock.advance(0);
    await clock.advance(2_000);
    const e = await call;
    assert.equal(e.code, Code.UNAVAILABLE);
    assert.equal(e.rawMessage, "still busy");
    assert.equal(b.handled, 3);
    assert.equal(e.metadata.get("grpc-previous-rpc-attempts"), "2");
    await channel.close();
  });

  test("server pushback (grpc-retry-pushback-ms) sets the delay of the next attempt", async () => {
    const { clock, channel, backends } = setup(retryConfig());
    const b = backends.get(one)!;
    b.greet = failFirst(1, () =>
      new RpcError(Code.UNAVAILABLE, "come back in 3 s", {
        metadata: new Metadata({ "grpc-retry-pushback-ms": "3000" }),
      }));
    const call = createClient(DemoService, channel).greet({ name: "x" });
    await clock.advance(0);
    await clock.advance(2_999);
    assert.equal(b.handled, 1, "the 100 ms backoff is overridden by the pushback");
    await clock.advance(1);
    assert.equal((await call).greeting, `${one} after 1 failures`);
    await channel.close();
  });

  test("a negative pushback means do not retry", async () => {
    const { clock, channel, backends } = setup(retryConfig());
    const b = backends.get(one)!;
    b.greet = failFirst(5, () =>
      new RpcError(Code.UNAVAILABLE, "go away", {
        metadata: new Metadata({ "grpc-retry-pushback-ms": "-1" }),
      }));
    const call = rejection(createClient(DemoService, channel).greet({ name: "x" }));
    await clock.advance(0);
    await clock.advance(5_000);
    assert.equal((await call).rawMessage, "go away");
    assert.equal(b.handled, 1);
    await channel.close();
  });

  test("a google.rpc.RetryInfo detail is honoured like a pushback", async () => {
    const { clock, channel, backends } = setup(retryConfig());
    const b = backends.get(one)!;
    b.greet = failFirst(1, () =>
      new RpcError(Code.UNAVAILABLE, "retry in 2 s", {
        details: [{ desc: RetryInfoSchema, value: { retryDelay: { seconds: 2n } } }],
      }));
    const call = createClient(DemoService, channel).greet({ name: "x" });
    await clock.advance(0);
    await clock.advance(1_999);
    assert.equal(b.handled, 1);
    await clock.advance(1);
    assert.equal((await call).greeting, `${one} after 1 failures`);
    void DurationSchema;
    await channel.close();
  });

  test("retry throttling stops retries once the token bucket is half empty, and refills on success", async () => {
    const { clock, channel, backends } = setup(
      retryConfig({ maxAttempts: 2 }, { retryThrottling: { maxTokens: 4, tokenRatio: 1 } }),
    );
    const b = backends.get(one)!;
    let failing = true;
    b.greet = (backend) => {
      if (failing) throw new RpcError(Code.UNAVAILABLE, "down");
      return { greeting: backend.address };
    };
    const client = createClient(DemoService, channel);
    // Call 1: two failed attempts take 2 tokens (4 → 2): at the threshold.
    const first = rejection(client.greet({ name: "x" }));
    await clock.advance(0);
    await clock.advance(1_000);
    await first;
    assert.equal(b.handled, 2);
    // Call 2 is not retried: tokens (2) are not above maxTokens / 2.
    const second = rejection(client.greet({ name: "x" }));
    await clock.advance(1_000);
    assert.equal((await second).code, Code.UNAVAILABLE);
    assert.equal(b.handled, 3, "throttled: one attempt only");
    // Its failure took one more token (1 left). Successes give back tokenRatio
    // each, up to maxTokens: 1 → 2 → 3 → 4.
    failing = false;
    for (let i = 0; i < 3; i++) await client.greet({ name: "x" });
    failing = true;
    // A failure takes one (3, above the threshold), so the call is retried again.
    const third = rejection(client.greet({ name: "x" }));
    await clock.advance(0);
    await clock.advance(1_000);
    await third;
    assert.equal(b.handled, 8, "retried again");
    await channel.close();
  });

  test("no retry once response messages arrived: the call is committed", async () => {
    const { clock, channel, backends } = setup(retryConfig());
    const b = backends.get(one)!;
    b.countdown = async function* () {
      yield { number: 3 };
      throw new RpcError(Code.UNAVAILABLE, "lost mid-stream");
    };
    const client = createClient(DemoService, channel);
    const got: number[] = [];
    const call = rejection((async () => {
      for await (const m of client.countdown({ from: 3 })) got.push(m.number);
    })());
    await clock.advance(0);
    await clock.advance(1_000);
    const e = await call;
    assert.equal(e.code, Code.UNAVAILABLE);
    assert.deepEqual(got, [3]);
    assert.equal(b.handled, 1);
    await channel.close();
  });

  test("no retry once a streamed response's headers arrived, even without a message", async () => {
    const { clock, channel, backends } = setup(retryConfig());
    const b = backends.get(one)!;
    // deno-lint-ignore require-yield -- it fails before its first message
    b.countdown = async function* (_from, ctx) {
      ctx.sendHeader();
      throw new RpcError(Code.UNAVAILABLE, "after headers");
    };
    const call = rejection(collect(createClient(DemoService, channel).countdown({ from: 1 })));
    await clock.advance(0);
    await clock.advance(1_000);
    assert.equal((await call).rawMessage, "after headers");
    assert.equal(b.handled, 1);
    await channel.close();
  });

  test("a single response is retried until it is complete: its headers reach no one before", async () => {
    const { clock, channel, backends } = setup(retryConfig());
    const b = backends.get(one)!;
    let calls = 0;
    b.greet = (backend, _name, ctx) => {
      if (calls++ > 0) return { greeting: backend.address };
      ctx.responseHeader.set("x-attempt", "first");
      ctx.sendHeader();
      throw new RpcError(Code.UNAVAILABLE, "after headers");
    };
    let header: Metadata | undefined;
    const call = createClient(DemoService, channel).greet({ name: "x" }, {
      onHeader: (h) => (header = h),
    });
    await clock.advance(0);
    await clock.advance(1_000);
    assert.equal((await call).greeting, one);
    assert.equal(b.handled, 2);
    assert.equal(
      header?.get("x-attempt"),
      undefined,
      "the caller sees the answering attempt's headers",
    );
    await channel.close();
  });

  test("a client stream is replayed in full on a retry", async () => {
    const { clock, channel, backends } = setup(retryConfig());
    const b = backends.get(one)!;
    b.sumError = new RpcError(Code.UNAVAILABLE, "once");
    const client = createClient(DemoService, channel);
    async function* values() {
      for (let i = 1n; i <= 5n; i++) yield { value: i };
    }
    const call = client.sum(values());
    await clock.advance(0);
    b.sumError = undefined;
    await clock.advance(100);
    const res = await call;
    assert.equal(res.total, 15n);
    assert.deepEqual(b.sumCounts, [5, 5]);
    await channel.close();
  });

  test("a client stream over the per-call buffer cap is committed and not retried", async () => {
    const clock = new ManualClock();
    const { factory, backends } = fakeBackends([one], { clock });
    const channel = createChannel({
      target: `ipv4:${one}`,
      transport: factory,
      serviceConfig: retryConfig(),
      clock,
      perCallBufferBytes: 16,
    });
    const b = backends.get(one)!;
    b.sumError = new RpcError(Code.UNAVAILABLE, "once");
    async function* values() {
      for (let i = 1n; i <= 20n; i++) yield { value: 1_000_000n * i };
    }
    const call = rejection(createClient(DemoService, channel).sum(values()));
    await clock.advance(1_000);
    assert.equal((await call).rawMessage, "once");
    assert.deepEqual(b.sumCounts, [20]);
    await channel.close();
  });

  test("attempts that never reached a server are retried transparently, even without a policy", async () => {
    const { channel, backends } = setup({ loadBalancingConfig: [{ round_robin: {} }] }, three);
    backends.get(three[0])!.down = "never-sent";
    backends.get(three[1])!.down = "refused";
    const client = createClient(DemoService, channel);
    for (let i = 0; i < 6; i++) {
      assert.equal((await client.greet({ name: "x" })).greeting, three[2]);
    }
    await channel.close();
  });

  test("an unprocessed attempt (REFUSED_STREAM, GOAWAY) is retried once transparently", async () => {
    const { channel, backends } = setup({}, [one]);
    const b = backends.get(one)!;
    b.down = "unprocessed";
    const e = await rejection(createClient(DemoService, channel).greet({ name: "x" }));
    assert.equal(e.code, Code.UNAVAILABLE);
    assert.equal(b.attempts, 2);
    await channel.close();
  });

  test("a connection lost mid-call is not retried without a policy: the server may have run it", async () => {
    const { channel, backends } = setup({ loadBalancingConfig: [{ round_robin: {} }] }, three);
    backends.get(three[0])!.down = "lost";
    const client = createClient(DemoService, channel);
    const outcomes = await Promise.allSettled([0, 1, 2].map(() => client.greet({ name: "x" })));
    const failed = outcomes.filter((o) => o.status === "rejected");
    assert.equal(failed.length, 1);
    assert.equal(((failed[0] as PromiseRejectedResult).reason as RpcError).code, Code.UNAVAILABLE);
    await channel.close();
  });

  test("the service config's timeout ends a call with DEADLINE_EXCEEDED, retries included", async () => {
    const { clock, channel, backends } = setup({
      methodConfig: [{
        name: [{ service: "wirecall.demo.v1.DemoService" }],
        timeout: "0.25s",
        retryPolicy: {
          maxAttempts: 5,
          initialBackoff: "0.1s",
          maxBackoff: "0.1s",
          backoffMultiplier: 1,
          retryableStatusCodes: ["UNAVAILABLE"],
        },
      }],
    });
    const b = backends.get(one)!;
    b.greet = failFirst(10, () => new RpcError(Code.UNAVAILABLE, "busy"));
    const call = rejection(createClient(DemoService, channel).greet({ name: "x" }));
    await clock.advance(0);
    await clock.advance(250);
    const e = await call;
    assert.equal(
      e.code,
      Code.UNAVAILABLE,
      "the last attempt's error: no retry fits before the deadline",
    );
    assert.equal(b.handled, 3);
    await channel.close();
  });

  test("maxRequestMessageBytes and maxResponseMessageBytes fail calls with RESOURCE_EXHAUSTED", async () => {
    const { channel, backends } = setup({
      methodConfig: [
        {
          name: [{ service: "wirecall.demo.v1.DemoService", method: "Greet" }],
          maxRequestMessageBytes: 8,
        },
        {
          name: [{ service: "wirecall.demo.v1.DemoService", method: "Countdown" }],
          maxResponseMessageBytes: 1,
        },
      ],
    });
    const client = createClient(DemoService, channel);
    const e = await rejection(client.greet({ name: "a long name" }));
    assert.equal(e.code, Code.RESOURCE_EXHAUSTED);
    assert.match(e.rawMessage, /maxRequestMessageBytes of 8/);
    assert.equal(backends.get(one)!.attempts, 0, "nothing was sent");
    const f = await rejection(collect(client.countdown({ from: 300 })));
    assert.equal(f.code, Code.RESOURCE_EXHAUSTED);
    assert.match(f.rawMessage, /maxResponseMessageBytes of 1/);
    await channel.close();
  });

  test("retries: false turns the policies off", async () => {
    const clock = new ManualClock();
    const { factory, backends } = fakeBackends([one], { clock });
    const channel = createChannel({
      target: `ipv4:${one}`,
      transport: factory,
      serviceConfig: retryConfig(),
      clock,
      retries: false,
    });
    backends.get(one)!.greet = failFirst(1, () => new RpcError(Code.UNAVAILABLE, "busy"));
    const call = rejection(createClient(DemoService, channel).greet({ name: "x" }));
    await clock.advance(1_000);
    assert.equal((await call).code, Code.UNAVAILABLE);
    assert.equal(backends.get(one)!.handled, 1);
    await channel.close();
  });
});

describe("hedging (gRFC A6)", () => {
  const hedging = (delay: string, nonFatal = ["UNAVAILABLE"]): ServiceConfigJson => ({
    loadBalancingConfig: [{ round_robin: {} }],
    methodConfig: [{
      name: [{ service: "wirecall.demo.v1.DemoService" }],
      hedgingPolicy: { maxAttempts: 3, hedgingDelay: delay, nonFatalStatusCodes: nonFatal },
    }],
  });

  /** Greet waits `ms` on the clock at `slow`, answers at once elsewhere. */
  function slowAt(clock: ManualClock, slow: string, ms: number) {
    return (b: FakeBackend, _name: string, ctx: { signal: AbortSignal }) =>
      b.address !== slow ? { greeting: b.address } : new Promise((resolve, reject) => {
        const t = clock.setTimeout(() => resolve({ greeting: b.address }), ms);
        ctx.signal.addEventListener("abort", () => {
          clock.clearTimeout(t);
          reject(ctx.signal.reason);
        });
      });
  }

  test("a hedge after hedgingDelay goes to another endpoint; the first answer wins, the rest are cancelled", async () => {
    const clock = new ManualClock();
    const { factory, backends } = fakeBackends(three, { clock });
    const channel = createChannel({
      target: `ipv4:${three.join(",")}`,
      transport: factory,
      serviceConfig: hedging("0.05s"),
      clock,
      random: () => 0,
    });
    const greet = slowAt(clock, three[0], 10_000);
    for (const b of backends.values()) b.greet = greet;
    const cancelled: unknown[] = [];
    backends.get(three[0])!.greet = (b, n, ctx) => {
      ctx.signal.addEventListener(
        "abort",
        () => cancelled.push((ctx.signal.reason as RpcError).code),
      );
      return greet(b, n, ctx);
    };
    const call = createClient(DemoService, channel).greet({ name: "x" });
    await clock.advance(49);
    assert.equal(backends.get(three[1])!.handled, 0, "no hedge before hedgingDelay");
    await clock.advance(1);
    assert.equal((await call).greeting, three[1]);
    await clock.advance(0);
    assert.deepEqual(cancelled, [Code.CANCELLED]);
    assert.deepEqual(backends.get(three[1])!.previous, ["1"]);
    assert.equal(backends.get(three[2])!.handled, 0);
    await channel.close();
  });

  test("a non-fatal failure sends the next hedge at once", async () => {
    const clock = new ManualClock();
    const { factory, backends } = fakeBackends(three, { clock });
    const channel = createChannel({
      target: `ipv4:${three.join(",")}`,
      transport: factory,
      serviceConfig: hedging("10s"),
      clock,
      random: () => 0,
    });
    backends.get(three[0])!.greet = () => {
      throw new RpcError(Code.UNAVAILABLE, "not me");
    };
    const call = createClient(DemoService, channel).greet({ name: "x" });
    await clock.advance(0);
    assert.equal((await call).greeting, three[1]);
    await channel.close();
  });

  test("a fatal code ends the hedged call at once and cancels the other attempts", async () => {
    const clock = new ManualClock();
    const { factory, backends } = fakeBackends(three, { clock });
    const channel = createChannel({
      target: `ipv4:${three.join(",")}`,
      transport: factory,
      serviceConfig: hedging("0s"),
      clock,
      random: () => 0,
    });
    const slow = slowAt(clock, three[1], 10_000);
    let aborted = 0;
    for (const b of backends.values()) {
      b.greet = (backend, n, ctx) => {
        if (backend.address === three[0]) throw new RpcError(Code.PERMISSION_DENIED, "no");
        ctx.signal.addEventListener("abort", () => aborted++);
        return slow({ ...backend, address: three[1] } as FakeBackend, n, ctx);
      };
    }
    const call = rejection(createClient(DemoService, channel).greet({ name: "x" }));
    await clock.advance(0);
    assert.equal((await call).code, Code.PERMISSION_DENIED);
    await clock.advance(0);
    assert.equal(aborted, 2, "both other hedges were cancelled");
    await channel.close();
  });

  test("hedges stop when every attempt failed with a non-fatal code: the last error is returned", async () => {
    const clock = new ManualClock();
    const { factory, backends } = fakeBackends(three, { clock });
    const channel = createChannel({
      target: `ipv4:${three.join(",")}`,
      transport: factory,
      serviceConfig: hedging("0.01s"),
      clock,
    });
    for (const b of backends.values()) {
      b.greet = (backend) => {
        throw new RpcError(Code.UNAVAILABLE, `no from ${backend.address}`);
      };
    }
    const call = rejection(createClient(DemoService, channel).greet({ name: "x" }));
    await clock.advance(100);
    const e = await call;
    assert.equal(e.code, Code.UNAVAILABLE);
    const handled = [...backends.values()].reduce((n, b) => n + b.handled, 0);
    assert.equal(handled, 3);
    assert.equal(e.metadata.get("grpc-previous-rpc-attempts"), "2");
    await channel.close();
  });
});
