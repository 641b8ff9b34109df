// How every property test runs fast-check: thousands of runs, a bound on the
// time, and a seed that can be replayed. On failure fast-check's error names
// the seed and the counterexample path; WIRECALL_FC_SEED (and
// WIRECALL_FC_PATH) replay exactly that run.
import fc from "fast-check";
import process from "node:process";

/** Runs per property (default 2000, or `WIRECALL_FC_RUNS`). */
export const RUNS: number = Number(process.env.WIRECALL_FC_RUNS) || 2000;

/** fast-check's parameters for one property of `runs` runs (default {@link RUNS}). */
export function params<T>(runs = RUNS): fc.Parameters<T> {
  const seed = process.env.WIRECALL_FC_SEED;
  return {
    numRuns: runs,
    seed: seed === undefined ? undefined : Number(seed),
    path: process.env.WIRECALL_FC_PATH,
    // A bound on the time: past it the run stops and counts what it checked.
    interruptAfterTimeLimit: 20_000,
    markInterruptAsFailure: false,
  };
}

/** Asserts `property` with {@link params}. */
export function check<T>(property: fc.IProperty<T>, runs?: number): void {
  fc.assert(property, params<T>(runs));
}

/** Asserts an async `property` with {@link params}. */
export function checkAsync<T>(property: fc.IAsyncProperty<T>, runs?: number): Promise<void> {
  return fc.assert(property, params<T>(runs));
}
