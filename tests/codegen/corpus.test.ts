// Exactness: for every file of the googleapis corpus, the FileDescriptorProto
// wirecall compiles equals the one `buf build` produces, field by field —
// with SourceCodeInfo (spans, comments) and without.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { compile } from "wirecall/codegen";
import { compareWithBuf } from "./support/compare.ts";
import { bufDescriptorSet, corpusFiles, corpusRoot } from "./support/corpus.ts";
import { diskReader } from "./support/repo.ts";

function check(sourceInfo: boolean): void {
  const files = corpusFiles();
  const result = compile({ files, includePaths: [corpusRoot], readFile: diskReader, sourceInfo });
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
});
