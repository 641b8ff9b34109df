// The suites that need a runtime of their own, run after the Deno and Node
// test runs by scripts/test.mjs: Bun (the handler under Bun.serve, from the
// npm package `bun`), workerd (from the npm package `workerd`, driven from
// Node) and Chromium (Debian's package, driven by playwright-core from Node).
// Each prints its own counts. Node runs the built suites from dist/, which
// scripts/test.mjs has just built. The Bun suite's native gRPC pairings run
// their grpc-js, Connect and wirecall peers under Node 26 from source
// (WIRECALL_PEER_NODE), or the PATH's Node on dist/ when Node 26 is missing.
//
// Filters: `node scripts/test.mjs runtimes` runs all three; add `bun`,
// `workerd` or `chromium` to run only those.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ensureNode26 } from "./node26.mjs";
import { NODE_TEST_ARGS, parseBunCounts, parseNodeCounts, runSuite } from "./suite-runner.mjs";

/** How long one runtime's suite may run before it counts as failed. */
const SUITE_TIMEOUT_MS = 300_000;

/** The Chromium the browser suite drives; installed from Debian when missing. */
const chromium = "/usr/bin/chromium";

/**
 * Makes sure an npm-installed runtime binary starts. npm 11 warns about
 * dependency install scripts not listed in `allowScripts` and a later npm may
 * skip them; then `bun`/`workerd` are placeholders, so their package's own
 * install script is run here instead.
 */
function ensureNpmBinary(root, pkg, bin) {
  const ok = () => spawnSync(bin, ["--version"], { stdio: "ignore" }).status === 0;
  if (ok()) return true;
  console.log(`\n=== ${pkg}: binary did not start; running its install script`);
  spawnSync(process.execPath, ["install.js"], {
    cwd: join(root, "node_modules", pkg),
    stdio: "inherit",
  });
  return ok();
}

/** Installs Debian's chromium when it is missing (CI runs as root). */
function ensureChromium() {
  if (existsSync(chromium)) return true;
  console.log(`\n=== chromium: ${chromium} missing, installing it with apt-get`);
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const sudo = asRoot ? [] : ["sudo", "-n"];
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (
    const args of [["apt-get", "update"], [
      "apt-get",
      "install",
      "-y",
      "--no-install-recommends",
      "chromium",
    ]]
  ) {
    const cmd = [...sudo, ...args];
    const r = spawnSync(cmd[0], cmd.slice(1), { stdio: "inherit", env });
    if (r.status !== 0) {
      console.error(
        `chromium: \`${cmd.join(" ")}\` failed; install chromium to run the browser suite`,
      );
      return false;
    }
  }
  return existsSync(chromium);
}

/**
 * Runs the Bun, workerd and Chromium suites and returns one
 * `{ label, passed, failed }` per suite run.
 *
 * @param {{ root: string, only?: string[] }} options
 */
// deno-lint-ignore require-await -- async by contract: scripts/test.mjs awaits it
export async function runRuntimeSuites({ root, only = [] }) {
  const picked = ["bun", "workerd", "chromium"].filter((s) => only.includes(s));
  const want = (label) => picked.length === 0 || picked.includes(label);
  const bin = (name) => join(root, "node_modules", ".bin", name);
  const results = [];

  if (want("bun")) {
    ensureNpmBinary(root, "bun", bin("bun"));
    const node26 = ensureNode26(root);
    if (node26 !== undefined) process.env.WIRECALL_PEER_NODE = node26;
    results.push(runSuite(
      root,
      "bun",
      bin("bun"),
      [
        "test",
        "--conditions=wirecall-source",
        "./tests/bun/bun-serve.suite.ts",
        "./tests/bun/auth.suite.ts",
        "./tests/bun/native-grpc.suite.ts",
        // The HTTP/2 transport's own tests, on Bun's node:http2; not
        // deno-close-path.test.ts (Deno only).
        ...[
          "attempt-failure",
          "backpressure",
          "client-transport",
          "connection-causes",
          "connection-limits",
          "frame-batcher",
          "handler",
          "keepalive-policy",
          "server",
        ].map((name) => `./tests/http2/${name}.test.ts`),
      ],
      parseBunCounts,
      SUITE_TIMEOUT_MS,
    ));
  }
  if (want("workerd")) {
    ensureNpmBinary(root, "workerd", bin("workerd"));
    results.push(runSuite(
      root,
      "workerd",
      process.execPath,
      [
        ...NODE_TEST_ARGS,
        "dist/tests/workerd/workerd.suite.js",
      ],
      parseNodeCounts,
      SUITE_TIMEOUT_MS,
    ));
  }
  if (want("chromium")) {
    if (ensureChromium()) {
      results.push(runSuite(
        root,
        "chromium",
        process.execPath,
        [
          ...NODE_TEST_ARGS,
          "dist/tests/browser/chromium.suite.js",
        ],
        parseNodeCounts,
        SUITE_TIMEOUT_MS,
      ));
    } else {
      results.push({ label: "chromium", passed: 0, failed: 1 });
    }
  }
  return results;
}
