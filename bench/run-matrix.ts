/**
 * Runs every scenario on every pairing, repetition by repetition, so that
 * ratios can be taken within one repetition: in each repetition all servers
 * and clients run in their own child processes and each scenario visits
 * every pairing in turn.
 *
 * @module
 */
import { ClientChild, ServerChild } from "./children.ts";
import { checkUnaryEcho, runH2load, unaryRequestFrame } from "./h2load.ts";
import { type Pairing, pairings, type PeerName, type Runtime } from "./pairings.ts";
import type { BenchSettings, Scenario } from "./scenarios.ts";

/** The peers whose client and server modules load. */
export interface AvailablePeers {
  clients: Set<PeerName>;
  servers: Set<PeerName>;
  /** Runtimes that server children can run under besides Node. */
  runtimes: Set<Runtime>;
}

/** One measurement of one pairing on one scenario in one repetition. */
export interface RunRecord {
  rep: number;
  scenario: string;
  pairing: string;
  /** Units per second (see the scenario's unit). */
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time per throughput unit, in microseconds. */
  clientCpuUs: number;
  serverCpuUs: number;
  /** Peak RSS during the window, in MB. */
  clientRssMB: number;
  serverRssMB: number;
  /** Set when the run failed; the numbers are then NaN. */
  error?: string;
  /** Calls the load client counted as failed in a run that otherwise succeeded. */
  failedCalls?: number;
}

/** Whether a pairing applies to a scenario and its peers are selected. */
export function applies(
  p: Pairing,
  s: Scenario,
  settings: BenchSettings,
  available: AvailablePeers,
): boolean {
  if (p.kinds !== undefined && !p.kinds.includes(s.kind)) return false;
  if ((s.h2load !== undefined) !== (p.client === "h2load")) return false;
  if (!available.clients.has(p.client) || !available.servers.has(p.server)) return false;
  if (!available.runtimes.has(p.serverRuntime ?? "node")) return false;
  const wanted = settings.peers;
  if (wanted.length === 0) return true;
  return [p.client, p.server].every((x) => x === "bare" || x === "h2load" || wanted.includes(x));
}

const MB = 1e6;

/** Runs the matrix; `log` gets one line per run. */
export async function runMatrix(
  settings: BenchSettings,
  scenarios: Scenario[],
  available: AvailablePeers,
  log: (line: string) => void,
): Promise<RunRecord[]> {
  const records: RunRecord[] = [];
  const active = pairings.filter((p) => scenarios.some((s) => applies(p, s, settings, available)));
  for (let rep = 1; rep <= settings.reps; rep++) {
    log(`— repetition ${rep} of ${settings.reps}`);
    const servers = new Map<string, ServerChild>();
    const clients = new Map<string, ClientChild>();
    const serverKey = (p: Pairing) =>
      `${p.server}:${p.server === "bare" && p.serverTuned ? 1 : 0}:${p.serverRuntime ?? "node"}`;
    const startServer = (p: Pairing) =>
      ServerChild.start(p.server, p.server === "bare" && p.serverTuned, p.serverRuntime);
    try {
      for (const p of active) {
        const key = serverKey(p);
        if (!servers.has(key)) servers.set(key, await startServer(p));
      }
      // Every other repetition visits the pairings in reverse, so that a drift
      // in the machine's speed during a scenario does not always favour the
      // pairings measured first (the ceiling among them).
      const order = rep % 2 === 0 ? [...active].reverse() : active;
      for (const s of scenarios) {
        for (const p of order) {
          if (!applies(p, s, settings, available)) continue;
          let server = servers.get(serverKey(p))!;
          if (server.dead) {
            // Deno's node:http2 may abort after a client's GOAWAY (issue 15).
            log(`  (the ${p.server} server under ${server.runtime} had exited; restarting it)`);
            server = await startServer(p);
            servers.set(serverKey(p), server);
          }
          if (p.client === "h2load") {
            const record = await measureH2load(rep, s, p, server, settings);
            records.push(record);
            log(formatRecord(s, p, record));
            continue;
          }
          let client = clients.get(p.client);
          if (client === undefined || client.dead) {
            client = await ClientChild.start(p.client);
            clients.set(p.client, client);
          }
          const record = await measure(rep, s, p, client, server, settings);
          if (record.error !== undefined) client.kill();
          records.push(record);
          log(formatRecord(s, p, record));
        }
      }
    } finally {
      for (const c of clients.values()) c.close();
      await Promise.all([...servers.values()].map((s) => s.close()));
    }
  }
  return records;
}

/**
 * One h2load measurement: grpc-status checked with a separate call before
 * and after (h2load sees HTTP only), then h2load's warm-up and window with
 * the server's CPU and RSS read from /proc at the window's edges.
 */
async function measureH2load(
  rep: number,
  s: Scenario,
  p: Pairing,
  server: ServerChild,
  settings: BenchSettings,
): Promise<RunRecord> {
  try {
    const frame = unaryRequestFrame(s.size);
    await checkUnaryEcho(server.port, frame);
    const m = await runH2load(server.port, server.pid, s.h2load!, frame, {
      warmupMs: settings.warmupMs,
      windowMs: settings.windowMs,
    }, `${settings.outDir}/tmp/h2load`);
    await checkUnaryEcho(server.port, frame);
    // h2load counts calls in the window only; its CPU covers the warm-up too.
    const clientCalls = m.succeeded * (settings.warmupMs + settings.windowMs) / settings.windowMs;
    return {
      rep,
      scenario: s.id,
      pairing: p.id,
      throughput: m.callsPerS,
      p50Ms: m.p50Ms,
      p99Ms: m.p99Ms,
      clientCpuUs: m.clientCpuMicros / clientCalls,
      serverCpuUs: m.serverCpuMicros / m.succeeded,
      clientRssMB: m.clientRssPeakBytes / MB,
      serverRssMB: m.serverRssPeakBytes / MB,
      ...(m.failed > 0 ? { failedCalls: m.failed } : {}),
    };
  } catch (e) {
    return failedRecord(rep, s, p, e);
  }
}

function failedRecord(rep: number, s: Scenario, p: Pairing, e: unknown): RunRecord {
  const message = e instanceof Error ? e.message.split("\n").slice(0, 3).join(" ") : String(e);
  return {
    rep,
    scenario: s.id,
    pairing: p.id,
    throughput: NaN,
    p50Ms: NaN,
    p99Ms: NaN,
    clientCpuUs: NaN,
    serverCpuUs: NaN,
    clientRssMB: NaN,
    serverRssMB: NaN,
    error: message,
  };
}

async function measure(
  rep: number,
  s: Scenario,
  p: Pairing,
  client: ClientChild,
  server: ServerChild,
  settings: BenchSettings,
): Promise<RunRecord> {
  try {
    const timing = {
      warmupMs: settings.warmupMs,
      windowMs: settings.windowMs,
      timeoutMs: 60_000 + 2 * (settings.warmupMs + settings.windowMs),
    };
    await server.snapshot();
    const m = await client.run(s, server.port, p.clientTuned, timing, async () => {
      await server.snapshot();
    });
    const serverUse = await server.snapshot();
    const units = m.ops * s.unitsPerOp;
    return {
      rep,
      scenario: s.id,
      pairing: p.id,
      throughput: units / (m.elapsedMs / 1000),
      p50Ms: m.p50Ms,
      p99Ms: m.p99Ms,
      clientCpuUs: m.use.cpuMicros / units,
      serverCpuUs: serverUse.cpuMicros / units,
      clientRssMB: m.use.rssPeakBytes / MB,
      serverRssMB: serverUse.rssPeakBytes / MB,
    };
  } catch (e) {
    return failedRecord(rep, s, p, e);
  }
}

function formatRecord(s: Scenario, p: Pairing, r: RunRecord): string {
  const head = `  ${s.id.padEnd(18)} ${p.id.padEnd(20)}`;
  if (r.error !== undefined) return `${head} FAILED: ${r.error}`;
  return `${head} ${r.throughput.toFixed(0).padStart(10)} ${s.unit.padEnd(13)} p50 ${
    r.p50Ms.toFixed(2)
  } ms  p99 ${r.p99Ms.toFixed(2)} ms  cpu c/s ${r.clientCpuUs.toFixed(2)}/${
    r.serverCpuUs.toFixed(2)
  } µs`;
}
