/**
 * Summarizes `.cpuprofile` files (from `BENCH_CPU_PROF`, see children.ts):
 * self time by function and by file, the top entries first.
 *
 * Run: `node --conditions=wirecall-source bench/profile-summary.ts <file.cpuprofile> [top]`
 *
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Time per function including its callees, in ms, largest first (recursion counted once per path). */
export function inclusive(profile: Profile): [string, number][] {
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    self.set(
      profile.samples[i],
      (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0),
    );
  }
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  const keyOf = (n: ProfileNode) => {
    const f = n.callFrame;
    const file = f.url.replace(/^file:\/\/.*?\/(node_modules|bench|src|transports)\//, "$1/") ||
      "(native)";
    return `${f.functionName || "(anonymous)"} ${file}:${f.lineNumber + 1}`;
  };
  const walk = (id: number, onPath: Set<string>): number => {
    const n = byId.get(id)!;
    let t = self.get(id) ?? 0;
    const key = keyOf(n);
    const fresh = !onPath.has(key);
    if (fresh) onPath.add(key);
    for (const c of n.children ?? []) t += walk(c, onPath);
    if (fresh) {
      onPath.delete(key);
      totals.set(key, (totals.get(key) ?? 0) + t / 1000);
    }
    return t;
  };
  walk(profile.nodes[0].id, new Set());
  return [...totals].sort((a, b) => b[1] - a[1]);
}

/** Self time per function and per file, in ms, largest first. */
export function summarize(
  profile: Profile,
): { functions: [string, number][]; files: [string, number][] } {
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    self.set(
      profile.samples[i],
      (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0),
    );
  }
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    if (us === 0) continue;
    const f = node.callFrame;
    const file = f.url.replace(/^file:\/\/.*?\/(node_modules|bench|src|transports)\//, "$1/") ||
      "(native)";
    const key = `${f.functionName || "(anonymous)"} ${file}:${f.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us / 1000);
    byFile.set(file, (byFile.get(file) ?? 0) + us / 1000);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { functions: sorted(byFunction), files: sorted(byFile) };
}

if (import.meta.main) {
  const [file, top = "30", filter] = process.argv.slice(2);
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const { functions, files } = summarize(profile);
  const total = files.reduce((a, [, ms]) => a + ms, 0);
  console.log(`total ${total.toFixed(0)} ms`);
  console.log("\nby file:");
  for (const [k, ms] of files.slice(0, 15)) {
    console.log(
      `${ms.toFixed(1).padStart(9)} ms ${(100 * ms / total).toFixed(1).padStart(5)}%  ${k}`,
    );
  }
  console.log("\nby function:");
  for (const [k, ms] of functions.slice(0, Number(top))) {
    console.log(
      `${ms.toFixed(1).padStart(9)} ms ${(100 * ms / total).toFixed(1).padStart(5)}%  ${k}`,
    );
  }
  console.log(`\ninclusive${filter ? ` (matching ${filter})` : ""}:`);
  const shown = inclusive(profile).filter(([k]) => filter === undefined || k.includes(filter));
  for (const [k, ms] of shown.slice(0, Number(top))) {
    console.log(
      `${ms.toFixed(1).padStart(9)} ms ${(100 * ms / total).toFixed(1).padStart(5)}%  ${k}`,
    );
  }
}
