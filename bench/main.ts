/**
 * wirecall's benchmark suite: `npm run bench` / `deno task bench` (both go
 * through scripts/bench.mjs, which runs this file on Node 26). Prints the
 * tables and writes bench/results/ (JSON, markdown, SVG).
 *
 * @module
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import process from "node:process";
import { aggregate } from "./aggregate.ts";
import { denoExecutable } from "./children.ts";
import { ensureH2load } from "./h2load.ts";
import { runExtras } from "./extras.ts";
import type { PeerName } from "./pairings.ts";
import { renderMarkdown } from "./report-markdown.ts";
import { renderSvg } from "./report-svg.ts";
import { type AvailablePeers, runMatrix } from "./run-matrix.ts";
import { readSettings, scenariosFor } from "./scenarios.ts";
import { updateReadme } from "./update-readme.ts";
import { versions } from "./versions.ts";

const repoRoot = new URL("..", import.meta.url).pathname;
const settings = readSettings(process.argv.slice(2), process.env, repoRoot + "bench/results");
const scenarios = scenariosFor(settings);
const started = Date.now();
const loadBefore = os.loadavg();
const log = (line: string) => console.log(line);

/** Peers whose modules load: a work tree may lack one (say, a transport not written yet). */
async function availablePeers(): Promise<AvailablePeers> {
  const all: PeerName[] = [
    "bare",
    "wirecall",
    "wirecall-web",
    "grpc-js",
    "connect",
    "rest",
    "undici-h2",
  ];
  const found: AvailablePeers = {
    clients: new Set(),
    servers: new Set(),
    runtimes: new Set(["node"]),
  };
  for (const p of all) {
    for (const role of ["client", "server"] as const) {
      const file = new URL(`./peers/${p}-${role}.ts`, import.meta.url);
      if (!existsSync(file)) continue;
      try {
        await import(file.href);
        found[role === "client" ? "clients" : "servers"].add(p);
      } catch (e) {
        log(`(skipping the ${p} ${role}: ${(e as Error).message.split("\n")[0]})`);
      }
    }
  }
  const wantsH2load = scenarios.some((s) => s.h2load !== undefined);
  if (wantsH2load) {
    const h2load = ensureH2load(log);
    if (h2load.ok) found.clients.add("h2load");
    else log(`(skipping the h2load scenarios: ${h2load.why})`);
    if (denoExecutable() !== undefined) found.runtimes.add("deno");
    else log("(skipping the Deno servers: the deno executable is not installed)");
  }
  return found;
}

log(
  `wirecall bench: ${settings.reps} repetition(s), warm-up ${settings.warmupMs} ms, window ${settings.windowMs} ms`,
);
const available = await availablePeers();
const records = await runMatrix(settings, scenarios, available, log);
const tables = aggregate(records, scenarios);
const extras = settings.skipExtras ? undefined : await runExtras(repoRoot, log);
const result = {
  date: new Date().toISOString(),
  durationS: Math.round((Date.now() - started) / 1000),
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGB: Math.round(os.totalmem() / 1e9),
    platform: `${os.platform()} ${os.release()}`,
    loadAverage: loadBefore,
  },
  versions: versions(repoRoot),
  settings,
  scenarios,
  tables,
  extras,
  records,
};
const markdown = renderMarkdown(result);
mkdirSync(settings.outDir, { recursive: true });
writeFileSync(`${settings.outDir}/latest.json`, JSON.stringify(result, null, 2) + "\n");
writeFileSync(`${settings.outDir}/latest.md`, markdown);
writeFileSync(`${settings.outDir}/latest.svg`, renderSvg(result));
const fullRun = settings.reps >= 3 && settings.scenarios.length === 0 &&
  settings.peers.length === 0 &&
  !settings.skipExtras && !process.argv.includes("--quick") &&
  settings.outDir === repoRoot + "bench/results";
if (fullRun) updateReadme(repoRoot + "bench/README.md", markdown);
log("\n" + markdown);
log(`results: ${settings.outDir}/latest.{json,md,svg} (${result.durationS} s)`);
