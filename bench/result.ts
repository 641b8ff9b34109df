/**
 * The shape of `bench/results/latest.json`.
 *
 * @module
 */
import type { SummaryTable } from "./aggregate.ts";
import type { Extras } from "./extras.ts";
import type { RunRecord } from "./run-matrix.ts";
import type { BenchSettings, Scenario } from "./scenarios.ts";

/** One benchmark run's results. */
export interface BenchResult {
  date: string;
  durationS: number;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGB: number;
    platform: string;
    loadAverage: number[];
  };
  versions: Record<string, string>;
  settings: BenchSettings;
  scenarios: Scenario[];
  tables: SummaryTable[];
  extras: Extras | undefined;
  records: RunRecord[];
}
