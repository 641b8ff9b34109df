// A slow reader never makes the other side buffer without bound: 1 GiB
// (WIRECALL_BACKPRESSURE_MIB to change it) is streamed each way to a reader
// that takes its time, and the sender's memory, measured in its own process,
// stays within a few tens of MiB of where it started.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import process from "node:process";
import { createClient, createRouter } from "wirecall";
import { createHttp2Server, createHttp2Transport } from "wirecall/transports/http2";
import { TestService } from "../../protos/gen/grpc/testing/test_pb.ts";
import { spawnScript, waitForOutput } from "../interop/spawn-script.ts";

const MIB = 1024 * 1024;
/** Message size. */
const CHUNK = MIB;
const perMib = MIB / CHUNK;
/** Streamed first, so that the baseline is taken once the heap has settled to the traffic. */
const WARM_UP_MIB = 64;
const volumeMib = Number(process.env.WIRECALL_BACKPRESSURE_MIB ?? 1024);
/**
 * How far the sender's RSS may rise above its baseline: its peak while
 * streaming the 64 MiB warm-up (the same traffic, so the same steady heap).
 * Unbounded buffering would add the whole volume.
 */
const allowedGrowth = 64 * MIB;

/** Starts the peer script under the runtime running the tests. */
function spawnPeer(args: string[]): ChildProcess {
  return spawnScript(import.meta.url, "backpressure-peer", args);
}

const lineMatching = waitForOutput;

function report(side: string, idle: string, baseline: string, max: string): void {
  const mib = (v: string | number) => (Number(v) / MIB).toFixed(1);
  console.log(
    `${side} RSS: idle ${mib(idle)} MiB, warm-up peak ${mib(baseline)} MiB, peak ${mib(max)} MiB ` +
      `(+${mib(Number(max) - Number(baseline))} MiB) for ${volumeMib} MiB streamed`,
  );
}

/** Waits a little: the slow reader's pace. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("http2 backpressure", () => {
  test(`a server streaming ${volumeMib} MiB to a slow client stays within ${allowedGrowth / MIB} MiB of its baseline RSS`, async () => {
    const child = spawnPeer(["server"]);
    child.stderr!.pipe(process.stderr);
    try {
      const [, port] = await lineMatching(child, /listening (\d+)/);
      const transport = createHttp2Transport({ baseUrl: `http://127.0.0.1:${port}` });
      const client = createClient(TestService, transport);
      const ask = (n: number) =>
        client.streamingOutputCall({
          responseParameters: Array.from({ length: n * perMib }, () => ({ size: CHUNK })),
        });
      for await (const _ of ask(WARM_UP_MIB)) { /* warm-up */ }
      child.stdin!.write("baseline\n");
      await lineMatching(child, /^ok$/m);
      let received = 0;
      let count = 0;
      for await (const r of ask(volumeMib)) {
        received += r.payload?.body.length ?? 0;
        if (++count % (4 * perMib) === 0) await pause(10);
      }
      assert.equal(received, volumeMib * MIB);
      child.stdin!.write("report\n");
      const [, idle, baseline, max] = await lineMatching(child, /rss (\d+) (\d+) (\d+)/);
      const growth = Number(max) - Number(baseline);
      report("server", idle, baseline, max);
      assert.ok(growth < allowedGrowth, `server RSS grew by ${(growth / MIB).toFixed(1)} MiB`);
      await transport.close();
    } finally {
      child.kill();
    }
  });

  test(`a client streaming ${volumeMib} MiB to a slow server stays within ${allowedGrowth / MIB} MiB of its baseline RSS`, async () => {
    let count = 0;
    const router = createRouter().service(TestService, {
      async streamingInputCall(reqs) {
        let size = 0;
        for await (const r of reqs) {
          size += r.payload?.body.length ?? 0;
          if (++count % (4 * perMib) === 0) await pause(10);
        }
        return { aggregatedPayloadSize: size };
      },
    });
    const server = createHttp2Server(router);
    await server.listen({ port: 0 });
    const child = spawnPeer(["client", server.url!, String(volumeMib), String(WARM_UP_MIB)]);
    child.stderr!.pipe(process.stderr);
    try {
      const [, idle, baseline, max] = await lineMatching(child, /rss (\d+) (\d+) (\d+)/);
      const [, total] = await lineMatching(child, /total (\d+)/);
      assert.equal(Number(total), volumeMib * MIB);
      const growth = Number(max) - Number(baseline);
      report("client", idle, baseline, max);
      assert.ok(growth < allowedGrowth, `client RSS grew by ${(growth / MIB).toFixed(1)} MiB`);
    } finally {
      child.kill();
      await server.close({ graceMs: 0 });
    }
  });
});
