// A slow reader never makes the other side buffer without bound: 1 GiB
// (WIRECALL_BACKPRESSURE_MIB to change it) is streamed each way to a reader
// that takes its time, and the sender's memory, measured in its own process,
// stays within a few tens of MiB of where it started.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { createClient, createRouter } from "wirecall";
import { createHttp2Server, createHttp2Transport } from "wirecall/transports/http2";
import { TestService } from "../../protos/gen/grpc/testing/test_pb.ts";

const MIB = 1024 * 1024;
/** Message size. */
const CHUNK = MIB;
const perMib = MIB / CHUNK;
/** Streamed first, so that the baseline is taken once the heap has settled to the traffic. */
const WARM_UP_MIB = 64;
const volumeMib = Number(process.env.WIRECALL_BACKPRESSURE_MIB ?? 1024);
/** How far above its baseline the sender's RSS may go. */
const allowedGrowth = 64 * MIB;

/** Starts this file's peer script under the runtime running the tests. */
function spawnPeer(args: string[]): ChildProcess {
  const here = fileURLToPath(import.meta.url);
  const script = here.replace(/backpressure\.test\.(ts|js)$/, "backpressure-peer.$1");
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
  if (deno !== undefined) {
    return spawn(deno.execPath(), ["run", "-A", script, ...args], { stdio: "pipe" });
  }
  const flags = script.endsWith(".ts") ? ["--conditions=wirecall-source"] : [];
  return spawn(process.execPath, [...flags, script, ...args], { stdio: "pipe" });
}

const outputs = new WeakMap<ChildProcess, { text: string }>();

/** Resolves with the first match of `pattern` in everything the child printed so far or later. */
function lineMatching(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  let out = outputs.get(child);
  if (out === undefined) {
    const collected = { text: "" };
    outputs.set(child, collected);
    child.stdout!.on("data", (chunk: Uint8Array) => {
      collected.text += new TextDecoder().decode(chunk);
    });
    out = collected;
  }
  const seen = out;
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = pattern.exec(seen.text);
      if (m === null) return false;
      child.stdout!.off("data", onData);
      child.off("exit", onExit);
      resolve(m);
      return true;
    };
    const onData = () => setTimeout(check, 0);
    const onExit = (code: number | null) => {
      if (!check()) reject(new Error(`peer exited (${code}) before ${pattern}`));
    };
    if (check()) return;
    child.stdout!.on("data", onData);
    child.once("exit", onExit);
  });
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
      const [, baseline, max] = await lineMatching(child, /rss (\d+) (\d+)/);
      const growth = Number(max) - Number(baseline);
      console.log(
        `server RSS: baseline ${(Number(baseline) / MIB).toFixed(1)} MiB, max ${
          (Number(max) / MIB).toFixed(1)
        } MiB, growth ${(growth / MIB).toFixed(1)} MiB for ${volumeMib} MiB streamed`,
      );
      assert.ok(growth < allowedGrowth, `server RSS grew by ${(growth / MIB).toFixed(1)} MiB`);
      await transport.close!();
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
      const [, baseline, max] = await lineMatching(child, /rss (\d+) (\d+)/);
      const [, total] = await lineMatching(child, /total (\d+)/);
      assert.equal(Number(total), volumeMib * MIB);
      const growth = Number(max) - Number(baseline);
      console.log(
        `client RSS: baseline ${(Number(baseline) / MIB).toFixed(1)} MiB, max ${
          (Number(max) / MIB).toFixed(1)
        } MiB, growth ${(growth / MIB).toFixed(1)} MiB for ${volumeMib} MiB streamed`,
      );
      assert.ok(growth < allowedGrowth, `client RSS grew by ${(growth / MIB).toFixed(1)} MiB`);
    } finally {
      child.kill();
      await server.close({ graceMs: 0 });
    }
  });
});
