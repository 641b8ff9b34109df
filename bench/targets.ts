/**
 * Issue 13's speed targets, checked against one run's summary: each target
 * with the measured figure beside it and whether it was met.
 *
 * @module
 */
import type { SummaryTable } from "./aggregate.ts";
import type { Extras } from "./extras.ts";

/** One target and what the run measured for it. */
export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | undefined;
}

function row(tables: SummaryTable[], group: string, scenario: string, pairing: string) {
  return tables.find((t) => t.group === group && t.scenario.id === scenario)?.rows.find((r) =>
    r.pairing === pairing
  );
}

const x = (v: number | undefined) =>
  v === undefined || !Number.isFinite(v) ? "—" : `${v.toFixed(2)}×`;

/** Checks every target that the run has figures for. */
export function checkTargets(tables: SummaryTable[], extras: Extras | undefined): TargetCheck[] {
  const out: TargetCheck[] = [];
  const add = (target: string, measured: string, met: boolean | undefined) =>
    out.push({ target, measured, met });
  for (const shape of ["c1m128", "c16m16"]) {
    const id = `h2load-unary-64B-${shape}`;
    const r = row(tables, "native", id, "h2load:wirecall");
    const g = row(tables, "native", id, "h2load:grpc-js");
    if (r === undefined) continue;
    const vsGrpc = g === undefined ? NaN : r.throughput / g.throughput;
    add(
      `server under h2load, unary 64 B, ${shape}: CPU/call ≤ 1.3× bare, ≥ 0.85× ceiling, ≥ 1.5× grpc-js`,
      `CPU ${x(r.serverCpuRatio)} bare, ${x(r.ratio)} ceiling, ${x(vsGrpc)} grpc-js`,
      r.serverCpuRatio <= 1.3 && r.ratio >= 0.85 && vsGrpc >= 1.5,
    );
  }
  for (const shape of ["c1m128", "c16m16"]) {
    const r = row(tables, "deno", `h2load-unary-64B-${shape}`, "h2load:wirecall@deno");
    if (r === undefined) continue;
    add(
      `Deno: wirecall server under h2load, unary 64 B, ${shape}: ≥ 0.8× a bare node:http2 server under Deno`,
      `${x(r.ratio)} (server CPU ${x(r.serverCpuRatio)} bare)`,
      r.ratio >= 0.8,
    );
  }
  const e2e = row(tables, "e2e", "unary-64B-c128", "e2e:wirecall");
  const grpc = row(tables, "e2e", "unary-64B-c128", "e2e:grpc-js");
  if (e2e !== undefined) {
    add(
      "end to end, unary 64 B, c=128: ≥ 0.75× ceiling",
      `${x(e2e.ratio)} (grpc-js → grpc-js ${x(grpc?.ratio)})`,
      e2e.ratio >= 0.75,
    );
  }
  const s = row(tables, "server", "stream-64B", "server:wirecall");
  const se = row(tables, "e2e", "stream-64B", "e2e:wirecall");
  if (s !== undefined || se !== undefined) {
    const best = Math.max(s?.throughput ?? 0, se?.throughput ?? 0);
    add(
      "server streaming 64 B: ≥ 1.5 M msgs/s",
      `server ${((s?.throughput ?? NaN) / 1e6).toFixed(2)} M, end to end ${
        ((se?.throughput ?? NaN) / 1e6).toFixed(2)
      } M msgs/s`,
      best >= 1.5e6,
    );
  }
  for (
    const [id, what] of [["unary-64KiB-c16", "unary 64 KiB"], ["stream-1MiB", "streaming 1 MiB"]]
  ) {
    const r = row(tables, "e2e", id, "e2e:wirecall");
    const sv = row(tables, "server", id, "server:wirecall");
    if (r === undefined) continue;
    add(
      `${what}: ≥ 0.8× tuned-window ceiling (end to end)`,
      `${x(r.ratio)} (server alone ${x(sv?.ratio)})`,
      r.ratio >= 0.8,
    );
  }
  const lb = extras?.rows.find((r) => r.key === "loopback");
  if (lb !== undefined) add("loopback: ≥ 0.5× a direct call", lb.value, lb.number >= 0.5);
  const bundle = extras?.rows.find((r) => r.key === "bundle:ratio");
  if (bundle !== undefined) {
    add(
      "browser bundle smaller than Connect's (gzipped)",
      `${bundle.value} Connect's size`,
      bundle.number < 1,
    );
  }
  return out;
}

/** The checks as a markdown table. */
export function targetsMarkdown(checks: TargetCheck[]): string {
  const lines = ["| target | measured | met |", "| --- | --- | :---: |"];
  for (const c of checks) {
    lines.push(
      `| ${c.target} | ${c.measured} | ${c.met === undefined ? "—" : c.met ? "yes" : "no"} |`,
    );
  }
  return lines.join("\n");
}
