// The short soak in the test run (~1 minute, Node 26 only: the same code
// runs in `npm run soak` at full size): unary calls then concurrent streams
// against one server process; no call lost, memory levels off.
import assert from "node:assert/strict";
import process from "node:process";
import { describe, test } from "../support/test.ts";
import { runSoak } from "./soak.ts";

const node26 = !("Deno" in globalThis) && Number(process.versions.node.split(".")[0]) >= 22;

describe("soak (short)", () => {
  test("40k unary calls then 2000 concurrent streams: none lost, RSS levels off", {
    timeout: 180_000,
    skip: node26 ? false : "runs once, under Node 26 (npm run soak for the full size)",
  }, async () => {
    const r = await runSoak({
      unaryCalls: 40_000,
      concurrency: 64,
      streams: 2_000,
      messagesPerStream: 3,
      streamsPerConnection: 1_000,
      timeLimitMs: 120_000,
    });
    assert.equal(r.firstError, undefined);
    assert.equal(r.unary.ok, r.unary.sent);
    assert.equal(r.streams.ok, 2_000);
    assert.equal(r.streams.messages, 6_000);
    // Levelled off: over the second half of the unary phase RSS grows by
    // less than 60 MiB per minute. A leak of 1 KiB per call would be about
    // 120 MiB/min at this machine's ~2000 calls/s.
    assert.ok(r.rssSlopeMiBPerMin < 60, `RSS slope ${r.rssSlopeMiBPerMin} MiB/min`);
    assert.ok(r.handlesEnd < 50, `${r.handlesEnd} handles left open`);
  });
});
