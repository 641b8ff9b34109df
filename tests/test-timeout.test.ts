import { describe, test } from "./support/test.ts";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { repoRoot } from "./support/repo-root.ts";

const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === "fixtures" ? [] : testFiles(p);
    return /\.(test|suite)\.ts$/.test(name) ? [p] : [];
  });
}

describe("every test has a timeout", () => {
  test("every test file declares its tests through tests/support/test.ts, not node:test", () => {
    const offenders: string[] = [];
    for (const file of testFiles(join(repoRoot, "tests"))) {
      const text = readFileSync(file, "utf8");
      if (
        /from\s+["']node:test["']/.test(text) || !/from\s+["'][./]+support\/test\.ts["']/.test(text)
      ) {
        offenders.push(relative(repoRoot, file));
      }
    }
    assert.deepEqual(offenders, []);
  });

  test(
    "a test that hangs fails by name, the next test still runs, and the runner exits",
    { timeout: 120_000, skip: isBun ? "the Bun suite runs only its own file" : false },
    async () => {
      // The runner's own command line, as scripts/test.mjs builds it.
      const { NODE_TEST_ARGS } = await import(
        pathToFileURL(join(repoRoot, "scripts", "suite-runner.mjs")).href
      ) as { NODE_TEST_ARGS: string[] };
      const here = new URL(import.meta.url);
      const support = new URL(
        here.pathname.endsWith(".js") ? "./support/test.js" : "./support/test.ts",
        here,
      );
      const dir = mkdtempSync(join(tmpdir(), "wirecall-timeout-"));
      try {
        const file = join(dir, "hang.test.mjs");
        writeFileSync(
          file,
          `import { after, describe, test } from ${JSON.stringify(support.href)};
describe("a group", () => {
  test("this test hangs", () => new Promise((resolve) => setTimeout(resolve, 600000)));
  test("this test passes", () => {});
  after(() => new Promise((resolve) => setTimeout(resolve, 600000)));
});
`,
        );
        const args = isDeno ? ["test", "-A", "--no-check", file] : [...NODE_TEST_ARGS, file];
        // The child is a runner of its own, not a part of this one.
        const env: Record<string, string | undefined> = {
          ...process.env,
          NO_COLOR: "1",
          WIRECALL_TEST_TIMEOUT_MS: "500",
        };
        delete env.NODE_TEST_CONTEXT;
        const started = Date.now();
        const r = spawnSync(process.execPath, args, {
          encoding: "utf8",
          env,
          timeout: 90_000,
        });
        const out = `${r.stdout}\n${r.stderr}`;
        assert.equal(
          r.signal,
          null,
          `the runner had to be killed after ${Date.now() - started} ms`,
        );
        assert.notEqual(r.status, 0, out);
        // Deno's report, Node's spec reporter, Node's TAP reporter.
        assert.match(
          out,
          /this test hangs \.\.\. FAILED|✖ this test hangs|not ok \d+ - this test hangs/,
        );
        assert.match(out, /timed out after 500 ?ms/, out);
        assert.match(
          out,
          /this test passes \.\.\. ok|✔ this test passes|^\s*ok \d+ - this test passes/m,
        );
        assert.match(out, /after hook timed out after 500 ms[^\n]*hang\.test\.mjs:5:3/, out);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
