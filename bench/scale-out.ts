/**
 * Throughput against the number of server processes on one port: the
 * scale-out example (examples/scale-out/server.ts, Node 26 from source) run
 * with 1…N workers under `cluster` and `reusePort`, each driven by h2load
 * (nghttp2's native client, so the load client is not a Node process) with
 * unary BenchService calls of a 64-byte payload. Prints one row per run.
 *
 *   node --conditions=wirecall-source bench/scale-out.ts [--max_workers N] [--window_ms MS]
 *
 * Bounded: a 1 s warm-up and a 3 s window per run by default. On a machine
 * with few cores h2load competes with the workers for them; the figure says
 * how many cores there were.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { ensureH2load, runH2load, unaryRequestFrame } from "./h2load.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const cores = availableParallelism();
const maxWorkers = arg("max_workers", Math.max(2, cores));
const windowMs = arg("window_ms", 3_000);
const root = new URL("..", import.meta.url).pathname;

const ok = ensureH2load((line) => console.error(line));
if (!ok.ok) {
  console.error(`scale-out: ${ok.why}`);
  process.exit(1);
}

async function measure(mode: string, workers: number): Promise<number> {
  const server = spawn(process.execPath, [
    "--conditions=wirecall-source",
    join(root, "examples", "scale-out", "server.ts"),
    "--workers",
    String(workers),
    "--mode",
    mode,
  ], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    server.stdout!.on("data", (c: Uint8Array) => {
      out += new TextDecoder().decode(c);
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    server.once("exit", (code) => reject(new Error(`server exited ${code}`)));
  });
  try {
    const m = await runH2load(
      port,
      server.pid!,
      { connections: 16, streams: 8 },
      unaryRequestFrame(64),
      { warmupMs: 1_000, windowMs },
      join(tmpdir(), "wirecall-scale-out"),
    );
    return m.callsPerS;
  } finally {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
  }
}

console.log(
  `scale-out: ${cores} cores, load average ${loadavg()[0].toFixed(1)} before the run; ` +
    `h2load 16 connections × 8 streams, 64 B unary, ${windowMs} ms per row`,
);
console.log("| mode | workers | calls/s | vs 1 worker |");
console.log("| --- | --- | --- | --- |");
for (const mode of ["cluster", "reuseport"]) {
  let base = 0;
  for (let w = 1; w <= maxWorkers; w++) {
    const rate = await measure(mode, w);
    if (w === 1) base = rate;
    console.log(`| ${mode} | ${w} | ${Math.round(rate)} | ${(rate / base).toFixed(2)}× |`);
  }
}
