/**
 * Turns the runs of all repetitions into one row per scenario and pairing:
 * medians of each figure, and ratios to the group's reference taken within
 * each repetition before the median.
 *
 * @module
 */
import { groups, pairings } from "./pairings.ts";
import type { RunRecord } from "./run-matrix.ts";
import type { Scenario } from "./scenarios.ts";
import { median } from "./statistics.ts";

/** The summary of one pairing on one scenario. */
export interface SummaryRow {
  scenario: string;
  pairing: string;
  label: string;
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  clientCpuUs: number;
  serverCpuUs: number;
  clientRssMB: number;
  serverRssMB: number;
  /** Throughput ÷ the reference's, median over repetitions. */
  ratio: number;
  /** Server CPU per unit ÷ the reference server's. */
  serverCpuRatio: number;
  /** Client CPU per unit ÷ the reference client's. */
  clientCpuRatio: number;
  /** How many repetitions succeeded, and the last error if any failed. */
  reps: number;
  error?: string;
}

/** One table: a group on a scenario. */
export interface SummaryTable {
  group: string;
  title: string;
  scenario: Scenario;
  rows: SummaryRow[];
}

/** Summarizes the records into one table per group and scenario. */
export function aggregate(records: RunRecord[], scenarios: Scenario[]): SummaryTable[] {
  const tables: SummaryTable[] = [];
  for (const g of groups) {
    for (const s of scenarios) {
      const rows: SummaryRow[] = [];
      for (const id of g.members) {
        const mine = records.filter((r) => r.scenario === s.id && r.pairing === id);
        if (mine.length === 0) continue;
        const ok = mine.filter((r) => r.error === undefined);
        const ratioOf = (pick: (r: RunRecord) => number) =>
          median(ok.map((r) => {
            const ref = records.find((x) =>
              x.rep === r.rep && x.scenario === s.id && x.pairing === g.reference
            );
            return ref === undefined || ref.error !== undefined ? NaN : pick(r) / pick(ref);
          }));
        const m = (pick: (r: RunRecord) => number) => median(ok.map(pick));
        rows.push({
          scenario: s.id,
          pairing: id,
          label: pairings.find((p) => p.id === id)!.label,
          throughput: m((r) => r.throughput),
          p50Ms: m((r) => r.p50Ms),
          p99Ms: m((r) => r.p99Ms),
          clientCpuUs: m((r) => r.clientCpuUs),
          serverCpuUs: m((r) => r.serverCpuUs),
          clientRssMB: m((r) => r.clientRssMB),
          serverRssMB: m((r) => r.serverRssMB),
          ratio: ratioOf((r) => r.throughput),
          serverCpuRatio: ratioOf((r) => r.serverCpuUs),
          clientCpuRatio: ratioOf((r) => r.clientCpuUs),
          reps: ok.length,
          error: mine.find((r) => r.error !== undefined)?.error,
        });
      }
      if (rows.length > 0) tables.push({ group: g.id, title: g.title, scenario: s, rows });
    }
  }
  return tables;
}
