// Hand-written fixtures for what the googleapis corpus uses little: proto2
// groups, extensions, aggregate options with Any and lists, defaults,
// editions features, comment placement, protoc's package scoping
// (fixtures/scoping/). All are compiled in one invocation, as buf builds the
// directory, and each file equals `buf build`'s output.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compile } from "../../codegen/mod.ts";
import { bufBuild } from "./support/buf-oracle.ts";
import { compareWithBuf } from "./support/compare.ts";
import { diskReader, repoRoot } from "./support/repo.ts";

const root = join(repoRoot, "tests", "codegen", "fixtures");
const files = (readdirSync(root, { recursive: true }) as string[])
  .map((f) => f.split("\\").join("/"))
  .filter((f) => f.endsWith(".proto"))
  .sort();
const hash = createHash("sha256");
for (const f of files) hash.update(f).update(readFileSync(join(root, f)));
const key = "fixtures-" + hash.digest("hex").slice(0, 16);

describe("fixtures against buf build", () => {
  for (const sourceInfo of [true, false]) {
    test(`every fixture equals buf's descriptor ${sourceInfo ? "with" : "without"} source info`, () => {
      const r = compile({ files, includePaths: [root], readFile: diskReader, sourceInfo });
      assert.deepEqual(r.diagnostics, []);
      const { matched, total, report } = compareWithBuf(
        r.files,
        bufBuild(root, { key, sourceInfo }),
      );
      assert.equal(total, files.length);
      assert.equal(matched, total, report.join("\n"));
    });
  }
});
