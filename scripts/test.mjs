// The whole test suite, as `npm test` runs it: the same test files under Deno
// (from source), Node 20 (the built JavaScript) and Node 26 (from source, by
// type stripping), then the suites for other runtimes (Bun, workerd,
// Chromium) when scripts/test-runtimes.mjs is present, and last the packaging
// suite (the tarballs installed into fresh projects). Prints a summary line
// per suite and a final `N passed, N failed`.
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { build } from "./build.mjs";
import { ensureNode26 } from "./node26.mjs";
import {
  findTests,
  NODE_TEST_ARGS,
  parseDenoCounts,
  parseNodeCounts,
  runSuite,
} from "./suite-runner.mjs";

const root = new URL("..", import.meta.url).pathname;
const bin = (name) => join(root, "node_modules", ".bin", name);
const only = process.argv.slice(2); // optional filters: deno, node20, node26, runtimes, packaging

// A hung suite must fail the run rather than hold CI until its time is up.
const SUITE_TIMEOUT_MS = 20 * 60_000;
/**
 * The packaging suite packs, installs and runs a few projects: ~2 minutes on a
 * quiet machine, 7.5 at a load average of 20.
 */
const PACKAGING_TIMEOUT_MS = 15 * 60_000;

const results = [];
function run(label, cmd, args, parse) {
  if (only.length > 0 && !only.includes(label)) return;
  results.push(runSuite(root, label, cmd, args, parse, SUITE_TIMEOUT_MS));
}

// The built JavaScript is what Node 20 runs; build it fresh.
build();
const wanted = (label) => only.length === 0 || only.includes(label);

const sourceTests = findTests(join(root, "tests"), ".test.ts").map((p) => relative(root, p));
const builtTests = findTests(join(root, "dist", "tests"), ".test.js").map((p) => relative(root, p));

run("deno", bin("deno"), ["test", "-A", "--no-check", ...sourceTests], parseDenoCounts);
run("node20", process.execPath, [...NODE_TEST_ARGS, ...builtTests], parseNodeCounts);
// Node 26 is installed on first use; the packaging suite needs it too.
const node26 = wanted("node26") || wanted("packaging") ? ensureNode26(root) : undefined;
if (wanted("node26")) {
  if (node26) {
    run("node26", node26, [
      "--conditions=wirecall-source",
      ...NODE_TEST_ARGS,
      ...sourceTests,
    ], parseNodeCounts);
  } else {
    results.push({ label: "node26", passed: 0, failed: 1 });
  }
}

const runtimes = join(root, "scripts", "test-runtimes.mjs");
if (existsSync(runtimes) && (only.length === 0 || only.includes("runtimes"))) {
  const { runRuntimeSuites } = await import(runtimes);
  for (const r of await runRuntimeSuites({ root, only })) results.push(r);
}

// Last, as a new user gets it: the packed tarballs installed into fresh
// projects (tests/packaging/install.suite.ts). It needs the npm registry.
if (wanted("packaging")) {
  results.push(runSuite(
    root,
    "packaging",
    process.execPath,
    [...NODE_TEST_ARGS, "dist/tests/packaging/install.suite.js"],
    parseNodeCounts,
    PACKAGING_TIMEOUT_MS,
  ));
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
