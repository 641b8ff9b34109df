import { describe, test } from "./support/test.ts";
import assert from "node:assert/strict";
import { Code, codeName, createClient, ManualClock, Metadata, RpcError } from "wirecall";
import { createLoopbackTransport } from "wirecall/transports/loopback";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import { DemoService } from "../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { collect, demoRouter, from, rejection } from "./support/demo-router.ts";

describe("loopback transport", () => {
  test("carries all four call kinds", async () => {
    const { router } = demoRouter();
    const client = createClient(DemoService, createLoopbackTransport(router));
    assert.equal((await client.greet({ name: "Ada" })).greeting, "Hello, Ada!");
    assert.deepEqual((await collect(client.countdown({ from: 3 }))).map((r) => r.number), [
      3,
      2,
      1,
    ]);
    const sum = await client.sum(from({ value: 2n }, { value: 40n }));
    assert.deepEqual([sum.total, sum.count], [42n, 2]);
    const chat = await collect(client.chat(from({ text: "a" }, { text: "b" })));
    assert.deepEqual(chat.map((m) => m.text), ["echo: a", "echo: b"]);
  });

  test("messages really go through the codec: the handler gets a decoded copy", async () => {
    let seen: unknown;
    const { router } = demoRouter({
      greet: (_name, ctx) => {
        seen = ctx;
        return { greeting: "ok" };
      },
    });
    const captured: unknown[] = [];
    const { createRouter } = await import("wirecall");
    const spy = createRouter().service(DemoService, {
      greet(req) {
        captured.push(req);
        return { greeting: req.name };
      },
    });
    const original = { name: "x" };
    const res = await createClient(DemoService, createLoopbackTransport(spy)).greet(original);
    assert.notEqual(captured[0], original);
    assert.equal((captured[0] as { $typeName: string }).$typeName, "wirecall.demo.v1.GreetRequest");
    assert.equal(res.$typeName, "wirecall.demo.v1.GreetResponse");
    await createClient(DemoService, createLoopbackTransport(router)).greet({});
    assert.ok(seen !== undefined);
  });

  test("the JSON format carries the same messages", async () => {
    const { router } = demoRouter();
    const client = createClient(DemoService, createLoopbackTransport(router), { format: "json" });
    assert.equal((await client.greet({ name: "json" })).greeting, "Hello, json!");
    assert.equal((await client.sum(from({ value: 5n }))).total, 5n);
  });

  test("every status code round-trips with its message and details", async () => {
    for (let code = 1; code <= 16; code++) {
      const { router } = demoRouter({
        greet: () => {
          throw new RpcError(code as Code, `failed with ${codeName(code)} ☺`, {
            details: [{ desc: DurationSchema, value: { seconds: BigInt(code) } }],
          });
        },
      });
      const client = createClient(DemoService, createLoopbackTransport(router));
      const e = await rejection(client.greet({ name: "x" }));
      assert.equal(e.code, code);
      assert.equal(e.rawMessage, `failed with ${codeName(code)} ☺`);
      assert.equal(e.findDetails(DurationSchema)[0]?.seconds, BigInt(code));
    }
  });

  test("a handler's plain Error becomes UNKNOWN", async () => {
    const { router } = demoRouter({
      greet: () => {
        throw new Error("oops");
      },
    });
    const e = await rejection(createClient(DemoService, createLoopbackTransport(router)).greet({}));
    assert.equal(e.code, Code.UNKNOWN);
    assert.equal(e.rawMessage, "oops");
  });

  test("-bin and text metadata survive in request, response headers and trailers", async () => {
    const bytes = new Uint8Array([0, 1, 254, 255]);
    const { router } = demoRouter({
      greet: (_n, ctx) => {
        ctx.responseHeader.set("x-echo-bin", ctx.metadata.get("x-req-bin")!);
        ctx.responseTrailer.set("x-trailer", String(ctx.metadata.get("x-req")));
        return { greeting: "ok" };
      },
    });
    const client = createClient(DemoService, createLoopbackTransport(router));
    let header: Metadata | undefined;
    let trailer: Metadata | undefined;
    await client.greet({}, {
      metadata: { "x-req-bin": bytes, "x-req": "hello" },
      onHeader: (h) => (header = h),
      onTrailer: (t) => (trailer = t),
    });
    assert.deepEqual(header?.get("x-echo-bin"), bytes);
    assert.equal(trailer?.get("x-trailer"), "hello");
  });

  test("an error's trailers reach the caller as the error's metadata", async () => {
    const { router } = demoRouter({
      greet: (_n, ctx) => {
        ctx.responseTrailer.set("x-retry-after", "5");
        throw new RpcError(Code.UNAVAILABLE, "busy", {
          metadata: new Metadata({ "x-shard": "7" }),
        });
      },
    });
    const e = await rejection(createClient(DemoService, createLoopbackTransport(router)).greet({}));
    assert.equal(e.metadata.get("x-retry-after"), "5");
    assert.equal(e.metadata.get("x-shard"), "7");
  });

  test("a passed deadline is DEADLINE_EXCEEDED on both sides, on the injected clock", async () => {
    const clock = new ManualClock();
    let handlerSignal: AbortSignal | undefined;
    const { router } = demoRouter({
      clock,
      greet: (_n, ctx) => {
        handlerSignal = ctx.signal;
        return new Promise(() => {}); // never answers
      },
    });
    const client = createClient(DemoService, createLoopbackTransport(router), { clock });
    const call = rejection(client.greet({}, { timeoutMs: 5_000 }));
    await clock.advance(4_999);
    assert.equal(handlerSignal?.aborted, false);
    await clock.advance(1);
    const e = await call;
    assert.equal(e.code, Code.DEADLINE_EXCEEDED);
    assert.equal(handlerSignal?.aborted, true);
    assert.equal((handlerSignal?.reason as RpcError).code, Code.DEADLINE_EXCEEDED);
  });

  test("the handler sees the caller's deadline", async () => {
    const clock = new ManualClock(1_000);
    const { router, observed } = demoRouter({ clock });
    const client = createClient(DemoService, createLoopbackTransport(router), { clock });
    await client.greet({}, { timeoutMs: 2_500 });
    assert.equal(observed.contexts[0].deadline, 3_500);
    assert.equal(observed.contexts[0].timeRemaining(), 2_500);
  });

  test("a client cancel fires the handler's signal with CANCELLED", async () => {
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    let handlerSignal: AbortSignal | undefined;
    const { router } = demoRouter({
      greet: (_n, ctx) => {
        handlerSignal = ctx.signal;
        started();
        return new Promise(() => {});
      },
    });
    const controller = new AbortController();
    const call = rejection(
      createClient(DemoService, createLoopbackTransport(router)).greet({}, {
        signal: controller.signal,
      }),
    );
    await running;
    controller.abort();
    const e = await call;
    assert.equal(e.code, Code.CANCELLED);
    assert.equal(handlerSignal?.aborted, true);
    assert.equal((handlerSignal?.reason as RpcError).code, Code.CANCELLED);
  });

  test("a caller that stops reading a stream cancels the handler", async () => {
    const { router, observed } = demoRouter();
    const client = createClient(DemoService, createLoopbackTransport(router));
    for await (const r of client.countdown({ from: 1_000 })) {
      if (r.number === 998) break;
    }
    const handlerSignal = observed.contexts[0].signal;
    assert.equal(handlerSignal.aborted, true);
  });

  test("an over-limit message is RESOURCE_EXHAUSTED", async () => {
    const { router } = demoRouter();
    const client = createClient(
      DemoService,
      createLoopbackTransport(router, { maxReceiveMessageBytes: 100 }),
    );
    const e = await rejection(client.greet({ name: "x".repeat(200) }));
    assert.equal(e.code, Code.RESOURCE_EXHAUSTED);
    const e2 = await rejection(collect(client.chat(from({ text: "y".repeat(90) }))));
    assert.equal(e2.code, Code.RESOURCE_EXHAUSTED, "the echoed response is over the limit");
  });

  test("unknown services and methods are UNIMPLEMENTED", async () => {
    const { createRouter } = await import("wirecall");
    const empty = createClient(DemoService, createLoopbackTransport(createRouter()));
    const e = await rejection(empty.greet({}));
    assert.equal(e.code, Code.UNIMPLEMENTED);
    assert.match(e.rawMessage, /unknown service wirecall.demo.v1.DemoService/);
    const partial = createClient(
      DemoService,
      createLoopbackTransport(createRouter().service(DemoService, {})),
    );
    const e2 = await rejection(partial.greet({}));
    assert.equal(e2.code, Code.UNIMPLEMENTED);
    assert.match(e2.rawMessage, /Greet/);
  });

  test("injected latency delays the call on the clock, without real waiting", async () => {
    const clock = new ManualClock();
    const { router, observed } = demoRouter({ clock });
    const client = createClient(
      DemoService,
      createLoopbackTransport(router, { clock, faults: { latencyMs: 300 } }),
      { clock },
    );
    let done = false;
    const call = client.greet({ name: "slow" }).then((r) => {
      done = true;
      return r;
    });
    await clock.advance(299);
    assert.equal(observed.contexts.length, 0);
    await clock.advance(1);
    assert.equal(observed.contexts.length, 1);
    assert.equal(done, false);
    await clock.advance(300);
    assert.equal((await call).greeting, "Hello, slow!");
  });

  test("an injected failure is a trailers-only error that never reaches the handler", async () => {
    const { router, observed } = demoRouter();
    const client = createClient(
      DemoService,
      createLoopbackTransport(router, {
        faults: { failWith: { code: Code.UNAVAILABLE, message: "injected" } },
      }),
    );
    let header: Metadata | undefined;
    const e = await rejection(client.greet({}, { onHeader: (h) => (header = h) }));
    assert.equal(e.code, Code.UNAVAILABLE);
    assert.equal(e.rawMessage, "injected");
    assert.equal(header, undefined);
    assert.equal(observed.contexts.length, 0);
  });

  test("a dropped connection mid-stream is UNAVAILABLE to the caller and CANCELLED to the handler", async () => {
    const { router, observed } = demoRouter();
    const client = createClient(
      DemoService,
      createLoopbackTransport(router, { faults: { dropAfterMessages: 2 } }),
    );
    const got: number[] = [];
    const e = await rejection((async () => {
      for await (const r of client.countdown({ from: 10 })) got.push(r.number);
    })());
    assert.equal(e.code, Code.UNAVAILABLE);
    assert.deepEqual(got, [10, 9]);
    assert.equal((observed.contexts[0].signal.reason as RpcError).code, Code.CANCELLED);
  });

  test("faults can be chosen per method", async () => {
    const { router } = demoRouter();
    const client = createClient(
      DemoService,
      createLoopbackTransport(router, {
        faults: (
          m,
        ) => (m.methodName === "Greet" ? { failWith: { code: Code.ABORTED } } : undefined),
      }),
    );
    assert.equal((await rejection(client.greet({}))).code, Code.ABORTED);
    assert.equal((await client.sum(from({ value: 1n }))).total, 1n);
  });
});
