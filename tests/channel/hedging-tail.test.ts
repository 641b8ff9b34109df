// Hedged calls cut tail latency: three backend processes, each answering
// one Greet in 20 (at random, each backend with its own seed: slow replies
// every 20th call would line up across backends under round_robin, and the
// hedges would meet slow replies too) after an injected 250 ms; the same sequence of calls with
// and without a hedging policy (a second attempt to another backend after
// 20 ms, a third after 40 ms). Prints the percentiles it measured.
import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { createChannel, createClient, endpointUrl, type ServiceConfigJson } from "wirecall";
import { createHttp2Transport } from "wirecall/transports/http2";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { startBackend, stopBackend } from "./backend-process.ts";

const CALLS = 300;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

describe("hedging against injected slow replies", () => {
  let backends: Array<{ child: ChildProcess; port: number }> = [];
  before(async () => {
    const args = (
      seed: number,
    ) => ["--slow_every", "20", "--slow_ms", "250", "--slow_seed", `${seed}`];
    backends = await Promise.all([
      startBackend(args(1)),
      startBackend(args(2)),
      startBackend(args(3)),
    ]);
  });
  after(async () => {
    await Promise.all(backends.map((b) => stopBackend(b.child)));
  });

  async function latencies(serviceConfig: ServiceConfigJson): Promise<number[]> {
    const channel = createChannel({
      target: `ipv4:${backends.map((b) => `127.0.0.1:${b.port}`).join(",")}`,
      transport: (ep) => createHttp2Transport({ baseUrl: endpointUrl(ep) }),
      serviceConfig,
    });
    try {
      const client = createClient(DemoService, channel);
      for (let i = 0; i < 100; i++) await client.greet({ name: "warm-up" });
      const out: number[] = [];
      for (let i = 0; i < CALLS; i++) {
        const t0 = performance.now();
        await client.greet({ name: "x" });
        out.push(performance.now() - t0);
      }
      return out.sort((a, b) => a - b);
    } finally {
      await channel.close();
    }
  }

  test("p99 and the worst call are far lower with hedging", async () => {
    const roundRobin = { loadBalancingConfig: [{ round_robin: {} }] };
    const plain = await latencies(roundRobin);
    const hedged = await latencies({
      ...roundRobin,
      methodConfig: [{
        name: [{ service: "wirecall.demo.v1.DemoService", method: "Greet" }],
        hedgingPolicy: { maxAttempts: 3, hedgingDelay: "0.02s", nonFatalStatusCodes: [] },
      }],
    });
    const row = (name: string, l: number[]) =>
      `${name}: p50 ${percentile(l, 50).toFixed(1)} ms, p90 ${percentile(l, 90).toFixed(1)} ms, ` +
      `p99 ${percentile(l, 99).toFixed(1)} ms, max ${l[l.length - 1].toFixed(1)} ms`;
    console.log(`hedging over ${CALLS} calls, 1 reply in 20 slowed by 250 ms:`);
    console.log(`  ${row("without hedging", plain)}`);
    console.log(`  ${row("with hedging   ", hedged)}`);
    // One call in 20 waits 250 ms without hedging: p99 is a slow reply.
    assert.ok(percentile(plain, 99) >= 240, row("without", plain));
    assert.ok(percentile(hedged, 99) < percentile(plain, 99) / 2, row("with", hedged));
  });
});
