// Exactness: for every file of the googleapis corpus, the FileDescriptorProto
// wirecall compiles equals the one `buf build` produces, field by field —
// with SourceCodeInfo (spans, comments) and without; and lint with buf's
// STANDARD rules finds exactly what `buf lint` finds.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { compile } from "../../codegen/mod.ts";
import { lint } from "../../codegen/checks/lint.ts";
import type { CompileResult } from "../../codegen/compile.ts";
import { bufLint, key } from "./support/check-oracle.ts";
import { compareWithBuf } from "./support/compare.ts";
import { bufDescriptorSet, corpusFiles, corpusRoot, UNBUILDABLE } from "./support/corpus.ts";
import { diskReader } from "./support/repo.ts";

let withSourceInfo: CompileResult | undefined;

function check(sourceInfo: boolean): void {
  const files = corpusFiles();
  const result = compile({ files, includePaths: [corpusRoot], readFile: diskReader, sourceInfo });
  if (sourceInfo) withSourceInfo = result;
  assert.deepEqual(result.diagnostics, []);
  const { matched, total, missing, report } = compareWithBuf(
    result.files,
    bufDescriptorSet(sourceInfo),
  );
  console.log(
    `corpus ${sourceInfo ? "with" : "without"} source info: ${matched}/${total} files equal buf's`,
  );
  assert.deepEqual(missing, []);
  assert.equal(total, files.length, "buf built every corpus file");
  assert.equal(matched, total, report.join("\n"));
}

describe("googleapis corpus (npm google-proto-files) against buf build", () => {
  test("every file equals buf's descriptor including source code info", () => check(true));
  test("every file equals buf's descriptor without source code info", () => check(false));
  test("lint (buf's v2 defaults, STANDARD) finds exactly what buf lint finds", {
    timeout: 900_000,
  }, () => {
    // buf refuses to load files with MessageSets (a proto1 feature); leave them out on both sides.
    const messageSets = [
      "google/protobuf/bridge/message_set.proto",
      "google/protobuf/sample_messages_edition.proto",
    ];
    const r = withSourceInfo ??
      compile({ files: corpusFiles(), includePaths: [corpusRoot], readFile: diskReader });
    const files = r.files.filter((f) => !messageSets.includes(f.name));
    const ours = lint(files, { imports: r.allFiles, unusedImports: r.unusedImports }).map(key);
    const theirs = bufLint(
      corpusRoot,
      {},
      ["node_modules", "build", ...UNBUILDABLE, ...messageSets].flatMap((
        p,
      ) => ["--exclude-path", p]),
    ).map(key);
    const theirSet = new Set(theirs), ourSet = new Set(ours);
    const onlyBuf = theirs.filter((k) => !ourSet.has(k)),
      onlyUs = ours.filter((k) => !theirSet.has(k));
    console.log(
      `corpus lint: ${
        ours.length - onlyUs.length
      }/${theirs.length} of buf's findings, ${onlyUs.length} extra`,
    );
    assert.deepEqual({ onlyBuf: onlyBuf.slice(0, 20), onlyUs: onlyUs.slice(0, 20) }, {
      onlyBuf: [],
      onlyUs: [],
    });
    assert.equal(ours.length, theirs.length);
  });
});
