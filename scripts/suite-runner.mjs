// Runs one test suite as a child process and reads its pass/fail counts from
// what its runner prints. Shared by scripts/test.mjs and
// scripts/test-runtimes.mjs.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/**
 * How Node runs a suite: one file at a time, and exiting once its tests are
 * done, so that a test that timed out and left work behind (a timer, a
 * socket) fails by name instead of keeping its file's process alive.
 */
export const NODE_TEST_ARGS = ["--test", "--test-concurrency=1", "--test-force-exit"];

/**
 * Counts from Node's test runner (spec or TAP reporter). A test that timed
 * out is "cancelled" there, and counts as failed here.
 */
export function parseNodeCounts(out) {
  const count = (what) =>
    Number(
      (new RegExp(`^ℹ ${what} (\\d+)`, "m").exec(out) ??
        new RegExp(`^# ${what} (\\d+)`, "m").exec(out))?.[1] ?? 0,
    );
  return { passed: count("pass"), failed: count("fail") + count("cancelled") };
}

/**
 * Counts from Deno's test runner. Deno counts a describe() block as one test
 * with steps; the steps are the same leaf tests Node counts.
 */
export function parseDenoCounts(out) {
  const m =
    /(?:ok|FAILED) \| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed(?: \((\d+) steps?\))?/
      .exec(out);
  return { passed: Number(m?.[2] ?? m?.[1] ?? 0), failed: Number(m?.[4] ?? m?.[3] ?? 0) };
}

/** Counts from `bun test`. */
export function parseBunCounts(out) {
  const pass = /^\s*(\d+) pass/m.exec(out);
  const fail = /^\s*(\d+) fail/m.exec(out);
  return { passed: Number(pass?.[1] ?? 0), failed: Number(fail?.[1] ?? 0) };
}

/** Every file below `dir` whose name ends in `suffix`, sorted. */
export function findTests(dir, suffix) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p, suffix));
    else if (name.endsWith(suffix)) out.push(p);
  }
  return out.sort();
}

/**
 * Runs `cmd args` in `root`, echoes its output, and returns its counts. A
 * non-zero exit with no failure counted (a crash, a timeout) counts as one
 * failure, so a suite can never pass by dying.
 */
export function runSuite(root, label, cmd, args, parse, timeoutMs = 0) {
  const shown = [cmd === process.execPath ? "node" : relative(root, cmd) || cmd, ...args];
  console.log(`\n=== ${label}: ${shown.slice(0, 4).join(" ")}${shown.length > 4 ? " …" : ""}`);
  const r = spawnSync(cmd, args, {
    cwd: root,
    env: { ...process.env, NO_COLOR: "1" },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 1 << 28,
    timeout: timeoutMs,
  });
  process.stdout.write(r.stdout ?? "");
  process.stderr.write(r.stderr ?? "");
  if (r.error) console.error(`${label}: ${r.error.message}`);
  const counts = parse((r.stdout ?? "") + (r.stderr ?? ""));
  if (r.status !== 0 && counts.failed === 0) counts.failed = 1;
  console.log(`=== ${label}: ${counts.passed} passed, ${counts.failed} failed`);
  return { label, ...counts, status: r.status };
}
