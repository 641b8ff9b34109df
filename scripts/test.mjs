// The whole test suite, as `npm test` runs it: the same test files under Deno
// (from source), Node 20 (the built JavaScript) and Node 26 (from source, by
// type stripping), then the suites for other runtimes (Bun, workerd,
// Chromium) when scripts/test-runtimes.mjs is present. Prints a summary line
// per runtime and a final `N passed, N failed`.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const bin = (name) => join(root, "node_modules", ".bin", name);
const node26 = join(root, ".tools", "node26", "node_modules", "node", "bin", "node");
const only = process.argv.slice(2); // optional filters: deno, node20, node26, runtimes

function findTests(dir, suffix) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p, suffix));
    else if (name.endsWith(suffix)) out.push(p);
  }
  return out.sort();
}

const results = [];
function run(label, cmd, args, parse) {
  if (only.length > 0 && !only.includes(label)) return;
  console.log(
    `\n=== ${label}: ${[relative(root, cmd) || cmd, ...args.slice(0, 3)].join(" ")}${
      args.length > 3 ? " …" : ""
    }`,
  );
  const r = spawnSync(cmd, args, {
    cwd: root,
    env: { ...process.env, NO_COLOR: "1" },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 1 << 28,
  });
  process.stdout.write(r.stdout ?? "");
  process.stderr.write(r.stderr ?? "");
  const counts = parse((r.stdout ?? "") + (r.stderr ?? ""));
  if (r.status !== 0 && counts.failed === 0) counts.failed = 1;
  results.push({ label, ...counts, status: r.status });
  console.log(`=== ${label}: ${counts.passed} passed, ${counts.failed} failed`);
}

function parseNode(out) {
  const pass = /^ℹ pass (\d+)/m.exec(out) ?? /^# pass (\d+)/m.exec(out);
  const fail = /^ℹ fail (\d+)/m.exec(out) ?? /^# fail (\d+)/m.exec(out);
  return { passed: Number(pass?.[1] ?? 0), failed: Number(fail?.[1] ?? 0) };
}

function parseDeno(out) {
  // Deno counts a describe() block as one test with steps; report the steps,
  // which are the same leaf tests Node counts.
  const m =
    /(?:ok|FAILED) \| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed(?: \((\d+) steps?\))?/
      .exec(out);
  return { passed: Number(m?.[2] ?? m?.[1] ?? 0), failed: Number(m?.[4] ?? m?.[3] ?? 0) };
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

run("deno", bin("deno"), ["test", "-A", "--no-check", ...sourceTests], parseDeno);
run("node20", process.execPath, ["--test", "--test-concurrency=1", ...builtTests], parseNode);
if (existsSync(node26)) {
  run("node26", node26, [
    "--conditions=wirecall-source",
    "--test",
    "--test-concurrency=1",
    ...sourceTests,
  ], parseNode);
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
