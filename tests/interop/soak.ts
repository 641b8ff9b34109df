// The gRPC interop soak cases, with grpc-go's flags and defaults:
// rpc_soak (many large_unary calls in sequence on one channel) and
// channel_soak (the same, with a new channel for every call).
import type { InteropStub } from "./interop-stub.ts";

/** The soak cases. */
export const soakCases = ["rpc_soak", "channel_soak"] as const;

/** Settings of a soak run, as grpc-go's interop client names its flags. */
export interface SoakOptions {
  /** `--soak_iterations` (default 10). */
  iterations: number;
  /** `--soak_max_failures` (default 0): iterations allowed to fail. */
  maxFailures: number;
  /** `--soak_per_iteration_max_acceptable_latency_ms` (default 1000): slower counts as failed. */
  maxLatencyMs: number;
  /** `--soak_overall_timeout_seconds` (default 10): the run fails once it lasts longer. */
  overallTimeoutSeconds: number;
  /** `--soak_min_time_ms_between_rpcs` (default 0). */
  minTimeBetweenRpcsMs: number;
  /** `--soak_request_size` (default 271828 bytes). */
  requestSize: number;
  /** `--soak_response_size` (default 314159 bytes). */
  responseSize: number;
}

/** Reads the soak flags, with grpc-go's defaults. */
export function soakOptions(flags: Record<string, string>): SoakOptions {
  const int = (name: string, fallback: number) => {
    const v = flags[name];
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) {
      throw new Error(`--${name} expects a whole number, got ${v}`);
    }
    return n;
  };
  return {
    iterations: int("soak_iterations", 10),
    maxFailures: int("soak_max_failures", 0),
    maxLatencyMs: int("soak_per_iteration_max_acceptable_latency_ms", 1000),
    overallTimeoutSeconds: int("soak_overall_timeout_seconds", 10),
    minTimeBetweenRpcsMs: int("soak_min_time_ms_between_rpcs", 0),
    requestSize: int("soak_request_size", 271828),
    responseSize: int("soak_response_size", 314159),
  };
}

/** What a soak run saw. */
export interface SoakResult {
  ok: boolean;
  /** Why it failed, or a summary when it passed. */
  summary: string;
  /** Iterations run, failed, and the latencies of the successful ones (ms, sorted). */
  iterations: number;
  failures: number;
  latencies: number[];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs a soak case: `stub()` gives the stub of each iteration — the same one
 * for rpc_soak (the caller closes it), a new one for channel_soak (closed
 * after its call). Fails
 * when more than `maxFailures` iterations fail (an error, a wrong response
 * size, or a latency over `maxLatencyMs`) or the run outlasts its timeout.
 */
export async function runSoak(
  stub: () => InteropStub,
  fresh: boolean,
  o: SoakOptions,
): Promise<SoakResult> {
  const start = performance.now();
  const deadline = start + o.overallTimeoutSeconds * 1000;
  const latencies: number[] = [];
  const reasons: string[] = [];
  let failures = 0;
  let done = 0;
  let timedOut = false;
  const shared = fresh ? undefined : stub();
  for (let i = 0; i < o.iterations; i++) {
    if (performance.now() > deadline) {
      timedOut = true;
      break;
    }
    const began = performance.now();
    const s = shared ?? stub();
    try {
      const res = await s.unaryCall({
        responseSize: o.responseSize,
        payload: { body: new Uint8Array(o.requestSize) },
      }, { timeoutMs: Math.max(1, deadline - began) });
      const took = performance.now() - began;
      const size = res.payload?.body.length ?? 0;
      if (size !== o.responseSize) {
        failures++;
        reasons.push(`iteration ${i}: response of ${size} bytes, expected ${o.responseSize}`);
      } else if (took > o.maxLatencyMs) {
        failures++;
        reasons.push(`iteration ${i}: ${took.toFixed(1)} ms, over ${o.maxLatencyMs} ms`);
      } else {
        latencies.push(took);
      }
    } catch (e) {
      failures++;
      const err = s.errorOf(e);
      reasons.push(`iteration ${i}: code ${err.code}: ${err.message}`);
    } finally {
      if (fresh) await s.close();
    }
    done++;
    const wait = began + o.minTimeBetweenRpcsMs - performance.now();
    if (wait > 0) await sleep(wait);
  }
  latencies.sort((a, b) => a - b);
  const stats = `${done} iterations, ${failures} failed; latency p50 ` +
    `${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`;
  if (timedOut) {
    return {
      ok: false,
      summary: `timed out after ${o.overallTimeoutSeconds} s with ${done} of ` +
        `${o.iterations} iterations done (${stats})`,
      iterations: done,
      failures,
      latencies,
    };
  }
  if (failures > o.maxFailures) {
    return {
      ok: false,
      summary: `${failures} iterations failed, more than the ${o.maxFailures} allowed ` +
        `(${stats}); first: ${reasons[0]}`,
      iterations: done,
      failures,
      latencies,
    };
  }
  return { ok: true, summary: stats, iterations: done, failures, latencies };
}
