/**
 * A benchmark client child: `client-process.ts <peer>` loads
 * `peers/<peer>-client.ts` and runs scenarios on request: connect, warm up,
 * wait for "go" (so the parent can snapshot the server), measure, report.
 *
 * @module
 */
import process from "node:process";
import { performance } from "node:perf_hooks";
import type { ClientMeasurement, FromClient, ToClient } from "./child-messages.ts";
import type { ClientPeer, ConnectClient } from "./peer.ts";
import { ResourceMeter } from "./resource-meter.ts";
import type { Scenario } from "./scenarios.ts";
import { percentile } from "./statistics.ts";

const [peerName] = process.argv.slice(2);
const send = (m: FromClient) => process.send!(m);
const { connectClient } = await import(`./peers/${peerName}-client.ts`) as {
  connectClient: ConnectClient;
};
const meter = new ResourceMeter();
const goSignals = new Map<number, () => void>();

/** Runs `op` on `concurrency` workers until `ms` have passed; records each latency. */
async function loop(
  op: () => Promise<unknown>,
  concurrency: number,
  ms: number,
  latencies?: number[],
) {
  const start = performance.now();
  const end = start + ms;
  let ops = 0;
  const worker = async () => {
    do {
      const t = performance.now();
      await op();
      latencies?.push(performance.now() - t);
      ops++;
    } while (performance.now() < end);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ops, elapsedMs: performance.now() - start };
}

function check(expected: number, got: number, what: string): void {
  if (got !== expected) throw new Error(`${what}: expected ${expected}, got ${got}`);
}

function checkAtLeast(expected: number, got: number, what: string): void {
  if (got < expected) throw new Error(`${what}: expected at least ${expected}, got ${got}`);
}

function operation(client: ClientPeer, s: Scenario, body: Uint8Array): () => Promise<unknown> {
  switch (s.kind) {
    case "unary":
      return async () => checkAtLeast(s.size, await client.unary(body), "unary response size");
    case "serverStream":
      return async () =>
        check(s.count, await client.serverStream(s.count, s.size), "streamed messages");
    case "clientStream":
      return async () =>
        check(s.count, await client.clientStream(s.count, body), "messages the server counted");
    case "pingPong":
      throw new Error("ping-pong runs on an open stream");
  }
}

async function run(m: Extract<ToClient, { type: "run" }>): Promise<ClientMeasurement> {
  const s = m.scenario;
  const client = await connectClient(m.port, {
    tunedWindows: m.tunedWindows,
    concurrency: s.concurrency,
  });
  const body = new Uint8Array(s.size).fill(0x61);
  const pingPong = s.kind === "pingPong" ? await client.openPingPong(body) : undefined;
  const op = pingPong === undefined ? operation(client, s, body) : () => pingPong.roundTrip();
  try {
    await loop(op, s.concurrency, m.warmupMs);
    await new Promise<void>((resolve) => {
      goSignals.set(m.id, resolve);
      send({ type: "warm", id: m.id });
    });
    const latencies: number[] = [];
    meter.snapshot();
    const { ops, elapsedMs } = await loop(op, s.concurrency, m.windowMs, latencies);
    const use = meter.snapshot();
    latencies.sort((a, b) => a - b);
    return {
      ops,
      elapsedMs,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      use,
    };
  } finally {
    await pingPong?.close();
    await client.close();
  }
}

process.on("message", (m: ToClient) => {
  if (m.type === "go") {
    goSignals.get(m.id)?.();
    goSignals.delete(m.id);
  } else if (m.type === "close") {
    meter.stop();
    process.exit(0);
  } else if (m.type === "run") {
    run(m).then(
      (measurement) => send({ type: "result", id: m.id, measurement }),
      (e) =>
        send({
          type: "error",
          id: m.id,
          message: e instanceof Error ? e.stack ?? e.message : String(e),
        }),
    );
  }
});
send({ type: "ready" });
