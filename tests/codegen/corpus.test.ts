// Exactness: for every file of the googleapis corpus, the FileDescriptorProto
// wirecall compiles equals the one `buf build` produces, field by field —
// with SourceCodeInfo (spans, comments) and without.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { compile } from "wirecall/codegen";
import { bufDescriptorSet, corpusFiles, corpusRoot } from "./support/corpus.ts";
import { diffPaths } from "./support/descriptor-diff.ts";
import { diskReader } from "./support/repo.ts";

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function compareWithBuf(sourceInfo: boolean): { matched: number; total: number; report: string[] } {
  const files = corpusFiles();
  const result = compile({ files, includePaths: [corpusRoot], readFile: diskReader, sourceInfo });
  assert.deepEqual(result.diagnostics, []);
  const mine = new Map(result.files.map((f) => [f.name, f]));
  const set = fromBinary(FileDescriptorSetSchema, bufDescriptorSet(sourceInfo));
  const report: string[] = [];
  let matched = 0;
  let total = 0;
  for (const expected of set.file) {
    if (!mine.has(expected.name)) continue;
    total++;
    // buf appends its own metadata extensions (buf.descriptor.v1): whether the
    // file is an import, whether `syntax` was written, unused imports. They
    // are not part of descriptor.proto; drop them before comparing.
    expected.$unknown = undefined;
    if (expected.sourceCodeInfo) expected.sourceCodeInfo.$unknown = undefined;
    const want = toBinary(FileDescriptorProtoSchema, expected);
    const got = toBinary(FileDescriptorProtoSchema, mine.get(expected.name)!);
    if (sameBytes(want, got)) {
      matched++;
      continue;
    }
    if (report.length < 10) {
      const w = fromBinary(FileDescriptorProtoSchema, want);
      const g = fromBinary(FileDescriptorProtoSchema, got);
      report.push(...diffPaths(w, g, expected.name, 3));
    }
  }
  assert.equal(total, files.length, "buf built every corpus file");
  return { matched, total, report };
}

describe("googleapis corpus (npm google-proto-files) against buf build", () => {
  test("every file equals buf's descriptor including source code info", () => {
    const { matched, total, report } = compareWithBuf(true);
    console.log(`corpus with source info: ${matched}/${total} files equal buf's`);
    assert.equal(matched, total, report.join("\n"));
  });

  test("every file equals buf's descriptor without source code info", () => {
    const { matched, total, report } = compareWithBuf(false);
    console.log(`corpus without source info: ${matched}/${total} files equal buf's`);
    assert.equal(matched, total, report.join("\n"));
  });
});
