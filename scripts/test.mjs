// The whole test suite, as `npm test` runs it: the same test files under Deno
// (from source), Node 20 (the built JavaScript) and Node 26 (from source, by
// type stripping), then the suites for other runtimes (Bun, workerd,
// Chromium) when scripts/test-runtimes.mjs is present. Prints a summary line
// per runtime and a final `N passed, N failed`.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import {
  findTests,
  NODE_TEST_ARGS,
  parseDenoCounts,
  parseNodeCounts,
  runSuite,
} from "./suite-runner.mjs";

const root = new URL("..", import.meta.url).pathname;
const bin = (name) => join(root, "node_modules", ".bin", name);
const node26 = join(root, ".tools", "node26", "node_modules", "node", "bin", "node");
const only = process.argv.slice(2); // optional filters: deno, node20, node26, runtimes

// A hung suite must fail the run rather than hold CI until its time is up.
const SUITE_TIMEOUT_MS = 20 * 60_000;

const results = [];
function run(label, cmd, args, parse) {
  if (only.length > 0 && !only.includes(label)) return;
  results.push(runSuite(root, label, cmd, args, parse, SUITE_TIMEOUT_MS));
}

// The built JavaScript is what Node 20 runs; build it fresh.
const build = spawnSync(process.execPath, [
  join(root, "node_modules", "typescript", "bin", "tsc"),
  "-p",
  "tsconfig.build.json",
], { cwd: root, stdio: "inherit" });
if (build.status !== 0) {
  console.error("build failed");
  process.exit(1);
}

const sourceTests = findTests(join(root, "tests"), ".test.ts").map((p) => relative(root, p));
const builtTests = findTests(join(root, "dist", "tests"), ".test.js").map((p) => relative(root, p));

run("deno", bin("deno"), ["test", "-A", "--no-check", ...sourceTests], parseDenoCounts);
run("node20", process.execPath, [...NODE_TEST_ARGS, ...builtTests], parseNodeCounts);
if (existsSync(node26)) {
  run("node26", node26, [
    "--conditions=wirecall-source",
    ...NODE_TEST_ARGS,
    ...sourceTests,
  ], parseNodeCounts);
} else {
  console.log("\n=== node26: not installed (run `npm install`), skipped");
}

const runtimes = join(root, "scripts", "test-runtimes.mjs");
if (existsSync(runtimes) && (only.length === 0 || only.includes("runtimes"))) {
  const { runRuntimeSuites } = await import(runtimes);
  for (const r of await runRuntimeSuites({ root, only })) results.push(r);
}

console.log("\n=== summary");
let passed = 0;
let failed = 0;
for (const r of results) {
  console.log(`${r.label.padEnd(10)} ${r.passed} passed, ${r.failed} failed`);
  passed += r.passed;
  failed += r.failed;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || results.length === 0 ? 1 : 0);
