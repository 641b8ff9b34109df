import { describe, test } from "./support/test.ts";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { repoRoot } from "./support/repo-root.ts";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("the core stays runtime-neutral", () => {
  test("nothing under src/ imports a node: module or touches Deno", () => {
    const offenders: string[] = [];
    for (const file of [...sources(join(repoRoot, "src")), join(repoRoot, "mod.ts")]) {
      // JSDoc examples may show Node code; only real code lines count.
      const text = readFileSync(file, "utf8").split("\n")
        .filter((line) => !/^\s*(\*|\/\/)/.test(line)).join("\n");
      if (/from\s+["']node:|import\(\s*["']node:|require\(|\bDeno\./.test(text)) {
        offenders.push(relative(repoRoot, file));
      }
    }
    assert.deepEqual(offenders, []);
  });
});
