/**
 * The benchmark's scenarios and its settings, each overridable from the
 * command line (`--reps=5`) or the environment (`BENCH_REPS=5`).
 *
 * @module
 */

/** The call pattern a scenario drives. */
export type ScenarioKind = "unary" | "serverStream" | "clientStream" | "pingPong";

/** One scenario: what each operation is, how many run at once, and its unit. */
export interface Scenario {
  /** A short id, used by `--scenarios=`. */
  id: string;
  /** What the table calls it. */
  title: string;
  kind: ScenarioKind;
  /** Body size of each payload, in bytes. */
  size: number;
  /** Payloads per call for streaming kinds. */
  count: number;
  /** Operations in flight. */
  concurrency: number;
  /** The unit of throughput. */
  unit: "calls/s" | "msgs/s" | "MB/s" | "round trips/s";
  /** How many throughput units one operation counts for. */
  unitsPerOp: number;
  /**
   * Set for scenarios driven by nghttp2's native `h2load` instead of a Node
   * client child: its connections and streams in flight on each.
   */
  h2load?: { connections: number; streams: number };
}

/** The benchmark's settings. */
export interface BenchSettings {
  /** Repetitions; medians are taken over them (at least 3 for a real run). */
  reps: number;
  /** Warm-up before each measurement, in ms. */
  warmupMs: number;
  /** Length of each measurement window, in ms (a started operation always finishes). */
  windowMs: number;
  /** Messages per call in the small-message streaming scenarios. */
  streamCount: number;
  /** Messages per call in the 1 MiB streaming scenario. */
  largeCount: number;
  /** Only these scenario ids (all when empty). */
  scenarios: string[];
  /** Only these peers (all when empty): bare, wirecall, grpc-js, connect, rest. */
  peers: string[];
  /** Skip the extras (payload sizes, loopback, codegen, bundle size). */
  skipExtras: boolean;
  /** Where results go. */
  outDir: string;
}

const defaults: Omit<BenchSettings, "outDir"> = {
  reps: 3,
  warmupMs: 300,
  windowMs: 1000,
  streamCount: 100_000,
  largeCount: 32,
  scenarios: [],
  peers: [],
  skipExtras: false,
};

/** Reads settings from `--name=value` arguments and `BENCH_NAME` variables; `--quick` is a short run. */
export function readSettings(
  args: string[],
  env: Record<string, string | undefined>,
  outDir: string,
): BenchSettings {
  const s: BenchSettings = { ...defaults, outDir };
  if (args.includes("--quick") || env.BENCH_QUICK === "1") {
    Object.assign(s, { reps: 1, warmupMs: 100, windowMs: 300, streamCount: 20_000, largeCount: 8 });
  }
  const get = (name: string): string | undefined => {
    const flag = `--${name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())}=`;
    const arg = args.find((a) => a.startsWith(flag));
    return arg?.slice(flag.length) ??
      env[`BENCH_${name.replace(/[A-Z]/g, (c) => "_" + c).toUpperCase()}`];
  };
  for (const key of ["reps", "warmupMs", "windowMs", "streamCount", "largeCount"] as const) {
    const v = get(key);
    if (v !== undefined) {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) {
        throw new Error(`bench: --${key} must be a number, got "${v}"`);
      }
      s[key] = n;
    }
  }
  for (const key of ["scenarios", "peers"] as const) {
    const v = get(key);
    if (v !== undefined) s[key] = v.split(",").filter((x) => x !== "");
  }
  if (args.includes("--skip-extras") || env.BENCH_SKIP_EXTRAS === "1") s.skipExtras = true;
  const out = get("outDir");
  if (out !== undefined) s.outDir = out;
  return s;
}

/** The scenarios, sized by the settings. */
export function scenariosFor(s: BenchSettings): Scenario[] {
  const MiB = 1 << 20;
  const all: Scenario[] = [
    h2loadUnary("h2load-unary-64B-c1m128", 64, 1, 128),
    h2loadUnary("h2load-unary-64B-c16m16", 64, 16, 16),
    unary("unary-64B-c1", "unary 64 B, 1 in flight", 64, 1),
    unary("unary-64B-c16", "unary 64 B, 16 in flight", 64, 16),
    unary("unary-64B-c128", "unary 64 B, 128 in flight", 64, 128),
    unary("unary-64KiB-c16", "unary 64 KiB, 16 in flight", 64 * 1024, 16),
    {
      id: "stream-64B",
      title: `server stream ${s.streamCount / 1000}k × 64 B`,
      kind: "serverStream",
      size: 64,
      count: s.streamCount,
      concurrency: 1,
      unit: "msgs/s",
      unitsPerOp: s.streamCount,
    },
    {
      id: "stream-1MiB",
      title: `server stream ${s.largeCount} × 1 MiB`,
      kind: "serverStream",
      size: MiB,
      count: s.largeCount,
      concurrency: 1,
      unit: "MB/s",
      unitsPerOp: (s.largeCount * MiB) / 1e6,
    },
    {
      id: "pingpong-64B",
      title: "bidi ping-pong 64 B",
      kind: "pingPong",
      size: 64,
      count: 1,
      concurrency: 1,
      unit: "round trips/s",
      unitsPerOp: 1,
    },
    {
      id: "client-stream-64B",
      title: `client stream ${s.streamCount / 1000}k × 64 B`,
      kind: "clientStream",
      size: 64,
      count: s.streamCount,
      concurrency: 1,
      unit: "msgs/s",
      unitsPerOp: s.streamCount,
    },
  ];
  return s.scenarios.length === 0 ? all : all.filter((x) => s.scenarios.includes(x.id));
}

function unary(id: string, title: string, size: number, concurrency: number): Scenario {
  return { id, title, kind: "unary", size, count: 1, concurrency, unit: "calls/s", unitsPerOp: 1 };
}

function h2loadUnary(id: string, size: number, connections: number, streams: number): Scenario {
  return {
    id,
    title: `unary ${size} B, h2load ${connections} connection${
      connections === 1 ? "" : "s"
    } × ${streams} streams`,
    kind: "unary",
    size,
    count: 1,
    concurrency: connections * streams,
    unit: "calls/s",
    unitsPerOp: 1,
    h2load: { connections, streams },
  };
}
