/**
 * The native load client: nghttp2's `h2load` (Debian `nghttp2-client`,
 * installed with apt-get when missing) drives unary calls at a server
 * child, so that what is measured is the server and not a Node client's
 * own ceiling. It runs with a warm-up and a timed window; the server
 * process's CPU time and RSS are read from `/proc` at the moments h2load
 * reports the window's start and end, which works for a server under any
 * runtime. gRPC's status is not something h2load reads, so it is checked
 * separately, before and after each run, by `checkUnaryEcho`.
 *
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as http2 from "node:http2";
import { Buffer } from "node:buffer";
import { performance } from "node:perf_hooks";
import process from "node:process";
import { benchPaths } from "./peer.ts";
import { percentile } from "./statistics.ts";

/** How h2load loads the server: connections × streams in flight on each. */
export interface H2loadShape {
  connections: number;
  streams: number;
}

/** One h2load run against one server process. */
export interface H2loadMeasurement {
  /** Calls that succeeded (HTTP 200) in the window, per second. */
  callsPerS: number;
  succeeded: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  /** The server process's CPU time in the window, in µs. */
  serverCpuMicros: number;
  /** The server's highest RSS sampled in the window, in bytes. */
  serverRssPeakBytes: number;
  /** h2load's own CPU time over the whole run (warm-up included), in µs. */
  clientCpuMicros: number;
  /** h2load's run time (warm-up included), in ms. */
  clientElapsedMs: number;
  clientRssPeakBytes: number;
}

const CLK_TCK = 100; // Linux's USER_HZ for /proc/<pid>/stat

/** User + system CPU time of a process from /proc, in µs (NaN if it is gone). */
export function processCpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces; fields count from after ")".
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1e6) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** Resident set size of a process from /proc, in bytes (NaN if it is gone). */
export function processRssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const m = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return m === null ? NaN : Number(m[1]) * 1024;
  } catch {
    return NaN;
  }
}

let availability: { ok: true; path: string } | { ok: false; why: string } | undefined;

/**
 * Finds h2load, installing Debian's `nghttp2-client` with apt-get when it is
 * missing (the benchmark's own set-up; nothing a user of the library runs).
 */
export function ensureH2load(
  log: (line: string) => void,
): { ok: true } | { ok: false; why: string } {
  if (availability !== undefined) return availability;
  const which = () => spawnSync("sh", ["-c", "command -v h2load"], { encoding: "utf8" });
  let found = which();
  if (found.status !== 0 && process.platform === "linux") {
    log("— h2load missing: apt-get install nghttp2-client");
    const apt = (args: string[]) =>
      spawnSync("apt-get", args, {
        stdio: ["ignore", "ignore", "inherit"],
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      });
    if (apt(["install", "-y", "-qq", "nghttp2-client"]).status !== 0) {
      apt(["update", "-qq"]);
      apt(["install", "-y", "-qq", "nghttp2-client"]);
    }
    found = which();
  }
  availability = found.status === 0 ? { ok: true, path: found.stdout.trim() } : {
    ok: false,
    why: "h2load (Debian nghttp2-client) is not installed and apt-get could not install it",
  };
  return availability;
}

/** The unary request the benchmark sends: a framed `Payload` of `size` bytes of 'a'. */
export function unaryRequestFrame(size: number): Buffer {
  const body = Buffer.alloc(size, 0x61);
  const len = varint(size);
  const message = Buffer.concat([Buffer.from([0x0a]), len, body]);
  const frame = Buffer.allocUnsafe(5 + message.byteLength);
  frame[0] = 0;
  frame.writeUInt32BE(message.byteLength, 1);
  message.copy(frame, 5);
  return frame;
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 0x7f) {
    bytes.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

const requestHeaders = {
  "content-type": "application/grpc",
  te: "trailers",
};

/**
 * One unary call with exactly the headers and body h2load sends, over a
 * fresh node:http2 connection: it must end with HTTP 200, `grpc-status: 0`,
 * and echo the request message. Throws naming what was wrong.
 */
export function checkUnaryEcho(port: number, frame: Buffer, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const timer = setTimeout(() => done(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
    const done = (e?: Error) => {
      clearTimeout(timer);
      session.destroy();
      if (e) reject(new Error(`grpc-status check on port ${port}: ${e.message}`));
      else resolve();
    };
    session.on("error", (e) => done(e));
    const req = session.request({
      ":method": "POST",
      ":path": benchPaths.unary,
      ...requestHeaders,
    });
    let status: number | undefined;
    let grpcStatus: string | undefined;
    const chunks: Buffer[] = [];
    req.on("response", (h) => {
      status = h[":status"];
      grpcStatus = h["grpc-status"] as string | undefined; // trailers-only
    });
    req.on("trailers", (t) => (grpcStatus = t["grpc-status"] as string | undefined));
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", (e) => done(e));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (status !== 200) return done(new Error(`HTTP status ${status}`));
      if (grpcStatus !== "0") return done(new Error(`grpc-status ${grpcStatus ?? "missing"}`));
      if (!body.equals(frame)) {
        return done(new Error(`response is ${body.byteLength} bytes, not the echo of the request`));
      }
      done();
    });
    req.end(frame);
  });
}

/**
 * Runs h2load against `port` (the server process is `serverPid`): a warm-up
 * of `warmupMs`, then a window of `windowMs`. Latencies come from h2load's
 * per-request log; only completed HTTP 200 requests count.
 */
export async function runH2load(
  port: number,
  serverPid: number,
  shape: H2loadShape,
  frame: Buffer,
  timing: { warmupMs: number; windowMs: number },
  workDir: string,
): Promise<H2loadMeasurement> {
  mkdirSync(workDir, { recursive: true });
  const bodyFile = `${workDir}/request-${frame.byteLength}.bin`;
  const logFile = `${workDir}/h2load-${port}-${Date.now()}.log`;
  writeFileSync(bodyFile, frame);
  const args = [
    "-D",
    `${timing.windowMs}ms`,
    `--warm-up-time=${timing.warmupMs}ms`,
    "-c",
    String(shape.connections),
    "-m",
    String(shape.streams),
    "-t",
    "1",
    "-d",
    bodyFile,
    `--log-file=${logFile}`,
    ...Object.entries(requestHeaders).flatMap(([k, v]) => ["-H", `${k}: ${v}`]),
    `http://127.0.0.1:${port}${benchPaths.unary}`,
  ];
  // bash's `times` reports the CPU time of the finished h2load exactly.
  const child = spawn("bash", ["-c", 'h2load "$@"; rc=$?; times; exit $rc', "h2load", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const started = performance.now();
  let out = "";
  let err = "";
  let cpuStart = NaN;
  let cpuEnd = NaN;
  let rssPeak = NaN;
  let clientRssPeak = NaN;
  let inWindow = false;
  const sampler = setInterval(() => {
    if (inWindow) {
      const rss = processRssBytes(serverPid);
      if (!(rss <= rssPeak)) rssPeak = rss;
    }
    const c = child.pid === undefined ? NaN : h2loadRss(child.pid);
    if (!(c <= clientRssPeak)) clientRssPeak = c;
  }, 25);
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    out += chunk;
    // h2load prints these the moment each phase changes (its stdout is not buffered).
    if (Number.isNaN(cpuStart) && out.includes("Main benchmark duration is started")) {
      cpuStart = processCpuMicros(serverPid);
      rssPeak = processRssBytes(serverPid);
      inWindow = true;
    }
    if (Number.isNaN(cpuEnd) && out.includes("Main benchmark duration is over")) {
      cpuEnd = processCpuMicros(serverPid);
      inWindow = false;
    }
  });
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => (err += chunk));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearInterval(sampler);
  const elapsedMs = performance.now() - started;
  try {
    if (code !== 0) throw new Error(`h2load exited ${code}: ${(err || out).trim().slice(-300)}`);
    const succeeded = Number(/(\d+) succeeded/.exec(out)?.[1]);
    const failed = Number(/(\d+) failed/.exec(out)?.[1]) +
      Number(/(\d+) errored/.exec(out)?.[1]);
    if (!Number.isFinite(succeeded) || succeeded === 0) {
      throw new Error(`h2load completed no request: ${out.trim().slice(-300)}`);
    }
    // The per-request log covers the window only (h2load's traffic and
    // status-code totals also count part of the warm-up, so they are not
    // compared): every completed request must be HTTP 200.
    const entries = readFileSync(logFile, "utf8").split("\n").map((line) => line.split("\t"))
      .filter((f) => f.length === 3);
    const refused = entries.filter((f) => f[1] !== "200" && f[1] !== "0").length;
    if (refused > 0) throw new Error(`${refused} responses in the window were not HTTP 200`);
    const latencies = entries
      .filter((f) => f[1] === "200")
      .map((f) => Number(f[2]) / 1000)
      .sort((a, b) => a - b);
    const cpu = parseTimes(out);
    const windowS = timing.windowMs / 1000;
    return {
      callsPerS: succeeded / windowS,
      succeeded,
      failed,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      serverCpuMicros: cpuEnd - cpuStart,
      serverRssPeakBytes: rssPeak,
      clientCpuMicros: cpu,
      clientElapsedMs: elapsedMs,
      clientRssPeakBytes: clientRssPeak,
    };
  } finally {
    rmSync(logFile, { force: true });
  }
}

/** The RSS of h2load, the child of the `bash` wrapper whose pid is given. */
function h2loadRss(bashPid: number): number {
  try {
    const children = readFileSync(`/proc/${bashPid}/task/${bashPid}/children`, "utf8").trim();
    const pid = Number(children.split(" ")[0]);
    return Number.isFinite(pid) && pid > 0 ? processRssBytes(pid) : NaN;
  } catch {
    return NaN;
  }
}

/** The children's line of bash's `times` ("0m1.234s 0m0.567s"), in µs. */
function parseTimes(out: string): number {
  const lines = out.trim().split("\n");
  const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(lines[lines.length - 1] ?? "");
  if (m === null) return NaN;
  return ((Number(m[1]) * 60 + Number(m[2])) + (Number(m[3]) * 60 + Number(m[4]))) * 1e6;
}
