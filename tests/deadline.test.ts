import { describe, test } from "./support/test.ts";
import assert from "node:assert/strict";
import { Code, createRouter, type HandlerContext, ManualClock, Metadata, RpcError } from "wirecall";
import { Deadline, type ServerCallIO } from "wirecall/protocol";
import { DemoService } from "../protos/gen/wirecall/demo/v1/demo_pb.ts";

const cancelled = () => new RpcError(Code.CANCELLED, "the client cancelled the call");

describe("deadlines", () => {
  test("a call's deadline is the earliest of its timeout, its absolute deadline and its parent's", () => {
    const clock = new ManualClock(1_000);
    const parent = { timeRemaining: () => 300 } as HandlerContext;
    assert.equal(Deadline.of(clock, {}), undefined);
    assert.equal(Deadline.of(clock, { timeoutMs: 500 })?.at, 1_500);
    assert.equal(Deadline.of(clock, { timeoutMs: 500, deadline: 1_200 })?.at, 1_200);
    assert.equal(Deadline.of(clock, { timeoutMs: 500, parent })?.at, 1_300);
    assert.equal(Deadline.of(clock, { timeoutMs: 500, parent })?.timeoutMs, 300);
  });

  test("a Date deadline is read on the wall clock and moved onto the call's clock", () => {
    const clock = new ManualClock(1_000);
    const at = Deadline.of(clock, { deadline: new Date(Date.now() + 10_000) })!.at;
    assert.ok(at > 10_900 && at <= 11_000, `at ${at}`);
  });

  test("an armed deadline fires DEADLINE_EXCEEDED when its clock reaches it, not before", async () => {
    const clock = new ManualClock();
    const fired: RpcError[] = [];
    Deadline.after(clock, 1_000).arm((e) => fired.push(e));
    await clock.advance(999);
    assert.equal(fired.length, 0);
    await clock.advance(1);
    assert.deepEqual(fired.map((e) => e.code), [Code.DEADLINE_EXCEEDED]);
  });

  test("a disarmed deadline leaves no timer and never fires", async () => {
    const clock = new ManualClock();
    const deadline = Deadline.after(clock, 1_000);
    let fired = false;
    deadline.arm(() => (fired = true));
    deadline.disarm();
    assert.equal(clock.pendingTimers, 0);
    await clock.advance(2_000);
    assert.equal(fired, false);
  });

  test("a deadline that has passed fires at once, without a timer", () => {
    const clock = new ManualClock();
    const fired: RpcError[] = [];
    Deadline.after(clock, 0).arm((e) => fired.push(e));
    assert.deepEqual(fired.map((e) => e.code), [Code.DEADLINE_EXCEEDED]);
    assert.equal(clock.pendingTimers, 0);
  });

  test("a cancel just before the deadline stands for the deadline; an earlier one for itself", async () => {
    const clock = new ManualClock();
    const deadline = Deadline.after(clock, 1_000);
    assert.equal(deadline.explain(cancelled()).code, Code.CANCELLED);
    await clock.advance(899);
    assert.equal(deadline.explain(cancelled()).code, Code.CANCELLED);
    await clock.advance(1);
    assert.equal(deadline.explain(cancelled()).code, Code.DEADLINE_EXCEEDED);
    const other = new RpcError(Code.UNAVAILABLE, "gone");
    assert.equal(deadline.explain(other), other);
  });

  test("a transport's cancel at the deadline reaches the handler as DEADLINE_EXCEEDED, on the router's clock", async () => {
    const clock = new ManualClock();
    const reasons: unknown[] = [];
    let started!: () => void;
    const router = createRouter({ clock }).service(DemoService, {
      greet: (_req, ctx) =>
        new Promise((_, reject) => {
          ctx.signal.addEventListener("abort", () => {
            reasons.push(ctx.signal.reason);
            reject(ctx.signal.reason);
          });
          started();
        }),
    });
    async function cancelAt(ms: number): Promise<Code> {
      const peer = new AbortController();
      const running = new Promise<void>((resolve) => (started = resolve));
      const io: ServerCallIO = {
        metadata: new Metadata(),
        timeoutMs: 1_000,
        signal: peer.signal,
        peer: { address: "test", protocol: "test" },
        contentSubtype: "proto",
        messages: (async function* () {
          yield new Uint8Array(0);
        })(),
        sendHeader() {},
        sendMessage() {},
        end() {},
      };
      const served = router.handle("/wirecall.demo.v1.DemoService/Greet", io);
      await running;
      await clock.advance(ms);
      peer.abort(cancelled());
      await served;
      return (reasons.at(-1) as RpcError).code;
    }
    assert.equal(await cancelAt(500), Code.CANCELLED);
    assert.equal(await cancelAt(950), Code.DEADLINE_EXCEEDED);
  });
});
