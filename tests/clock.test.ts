import { describe, test } from "./support/test.ts";
import assert from "node:assert/strict";
import { ManualClock, systemClock } from "wirecall";

describe("clocks", () => {
  test("the manual clock fires due timers in order of due time, and only those", async () => {
    const clock = new ManualClock(100);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push("b@300"), 200);
    clock.setTimeout(() => fired.push("a@150"), 50);
    const c = clock.setTimeout(() => fired.push("cancelled"), 60);
    clock.setTimeout(() => fired.push("late@1100"), 1000);
    clock.clearTimeout(c);
    await clock.advance(200);
    assert.deepEqual(fired, ["a@150", "b@300"]);
    assert.equal(clock.now(), 300);
    assert.equal(clock.pendingTimers, 1);
  });

  test("timers scheduled by timers fire within the same advance when due", async () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 10);
    }, 10);
    await clock.advance(25);
    assert.deepEqual(fired, [10, 20]);
  });

  test("the system clock moves forward", () => {
    const a = systemClock.now();
    let b = systemClock.now();
    for (let i = 0; b === a && i < 1e6; i++) b = systemClock.now();
    assert.ok(b > a);
  });
});
