import { describe, test } from "./support/test.ts";
import assert from "node:assert/strict";
import {
  Code,
  createClient,
  createRouter,
  type HandlerContext,
  ManualClock,
  type RpcError,
} from "wirecall";
import { createLoopbackTransport } from "wirecall/transports/loopback";
import { DemoService } from "../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { demoRouter, rejection } from "./support/demo-router.ts";

/** A front service whose Greet calls a back service's Greet. */
function twoTier(clock: ManualClock, parent: "auto" | "explicit" | "none") {
  const back = demoRouter({ clock, greet: () => new Promise(() => {}) });
  const backClient = createClient(DemoService, createLoopbackTransport(back.router), { clock });
  const front = createRouter({ clock }).service(DemoService, {
    async greet(req, ctx: HandlerContext) {
      const options = parent === "explicit"
        ? { parent: ctx }
        : parent === "none"
        ? { parent: null }
        : {};
      return await backClient.greet(req, options);
    },
  });
  return {
    back,
    frontClient: createClient(DemoService, createLoopbackTransport(front), { clock }),
  };
}

describe("deadline and cancellation propagation", () => {
  test("a call made inside a handler inherits the handler's deadline automatically", async () => {
    const clock = new ManualClock();
    const { back, frontClient } = twoTier(clock, "auto");
    const call = rejection(frontClient.greet({}, { timeoutMs: 1_000 }));
    await clock.advance(0);
    assert.equal(back.observed.contexts[0].deadline, 1_000);
    await clock.advance(1_000);
    assert.equal((await call).code, Code.DEADLINE_EXCEEDED);
    assert.equal(
      (back.observed.contexts[0].signal.reason as RpcError).code,
      Code.DEADLINE_EXCEEDED,
    );
  });

  test("the handler context can be passed explicitly where there is no async context", async () => {
    const clock = new ManualClock();
    const { back, frontClient } = twoTier(clock, "explicit");
    const call = rejection(frontClient.greet({}, { timeoutMs: 500 }));
    await clock.advance(0);
    assert.equal(back.observed.contexts[0].deadline, 500);
    await clock.advance(500);
    assert.equal((await call).code, Code.DEADLINE_EXCEEDED);
  });

  test("a client cancel reaches the downstream handler", async () => {
    const clock = new ManualClock();
    const { back, frontClient } = twoTier(clock, "auto");
    const controller = new AbortController();
    const call = rejection(frontClient.greet({}, { signal: controller.signal }));
    await clock.advance(1);
    controller.abort();
    assert.equal((await call).code, Code.CANCELLED);
    await clock.advance(1);
    assert.equal(back.observed.contexts[0].signal.aborted, true);
    assert.equal((back.observed.contexts[0].signal.reason as RpcError).code, Code.CANCELLED);
  });

  test("parent: null opts a call out of inheritance", async () => {
    const clock = new ManualClock();
    const { back, frontClient } = twoTier(clock, "none");
    void frontClient.greet({}, { timeoutMs: 1_000 }).catch(() => {});
    await clock.advance(1);
    assert.equal(back.observed.contexts[0].deadline, undefined);
    await clock.advance(2_000);
    assert.equal(back.observed.contexts[0].signal.aborted, false);
  });
});
