/**
 * Renders a result as markdown: the machine, one table per group and
 * scenario, then the extras.
 *
 * @module
 */
import type { SummaryTable } from "./aggregate.ts";
import type { BenchResult } from "./result.ts";
import { checkTargets, targetsMarkdown } from "./targets.ts";

function num(v: number, digits = 0): string {
  if (!Number.isFinite(v)) return "—";
  if (Math.abs(v) >= 1e6 && digits === 0) return (v / 1e6).toFixed(2) + " M";
  if (Math.abs(v) >= 1e4 && digits === 0) return (v / 1e3).toFixed(1) + " k";
  return v.toFixed(digits);
}

function ratio(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(2)}×` : "—";
}

function table(t: SummaryTable): string {
  const lines = [
    `**${t.scenario.title}** (${t.scenario.unit})`,
    "",
    "| pairing | throughput | × ceiling | p50 ms | p99 ms | client CPU µs/unit | server CPU µs/unit | server CPU × ceiling | client RSS MB | server RSS MB |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of t.rows) {
    const failed = r.error !== undefined ? ` (${r.reps} ok; failed: ${r.error.slice(0, 80)})` : "";
    lines.push(
      `| ${r.label}${failed} | ${num(r.throughput)} | ${ratio(r.ratio)} | ${num(r.p50Ms, 3)} | ${
        num(r.p99Ms, 3)
      } | ${num(r.clientCpuUs, 2)} | ${num(r.serverCpuUs, 2)} | ${ratio(r.serverCpuRatio)} | ${
        num(r.clientRssMB)
      } | ${num(r.serverRssMB)} |`,
    );
  }
  return lines.join("\n");
}

/** The whole result as markdown. */
export function renderMarkdown(result: BenchResult): string {
  const out: string[] = [];
  const s = result.settings;
  out.push(`# wirecall benchmark results`);
  out.push("");
  out.push(
    `${result.date} · ${result.machine.cpus} × ${result.machine.cpuModel}, ${result.machine.memoryGB} GB, ${result.machine.platform} · load before run ${
      result.machine.loadAverage.map((l) => l.toFixed(2)).join(" ")
    }`,
  );
  out.push("");
  out.push(Object.entries(result.versions).map(([k, v]) => `${k} ${v}`).join(" · "));
  out.push("");
  out.push(
    `${s.reps} repetition(s), medians shown; warm-up ${s.warmupMs} ms, window ${s.windowMs} ms; ratios are taken within each repetition against bare http2 with tuned windows (1 MiB stream / 16 MiB connection) — under h2load, against the bare server under the same runtime. Run took ${result.durationS} s.`,
  );
  out.push(
    "",
    "## Targets (issue 13)",
    "",
    targetsMarkdown(checkTargets(result.tables, result.extras)),
  );
  let group = "";
  for (const t of result.tables) {
    if (t.group !== group) {
      group = t.group;
      out.push("", `## ${t.title}`);
    }
    out.push("", table(t));
  }
  const x = result.extras;
  if (x !== undefined) {
    out.push("", "## Extras", "");
    out.push("| figure | value |", "| --- | ---: |");
    for (const row of x.rows) out.push(`| ${row.name} | ${row.value} |`);
    for (const note of x.notes) out.push("", note);
  }
  return out.join("\n") + "\n";
}
