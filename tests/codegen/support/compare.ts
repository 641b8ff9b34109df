// Comparing wirecall's descriptors with buf's, file by file, as bytes; on a
// mismatch, the field paths that differ.
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
} from "@bufbuild/protobuf/wkt";
import { diffPaths } from "./descriptor-diff.ts";

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Outcome of {@link compareWithBuf}. */
export interface Comparison {
  matched: number;
  total: number;
  missing: string[];
  report: string[];
}

/** Compares every file of `mine` that buf's set also holds. */
export function compareWithBuf(mine: FileDescriptorProto[], bufSet: Uint8Array): Comparison {
  const byName = new Map(mine.map((f) => [f.name, f]));
  const set = fromBinary(FileDescriptorSetSchema, bufSet);
  const out: Comparison = { matched: 0, total: 0, missing: [], report: [] };
  for (const expected of set.file) {
    const got = byName.get(expected.name);
    if (!got) {
      out.missing.push(expected.name);
      continue;
    }
    out.total++;
    // buf appends its own metadata extensions (buf.descriptor.v1): whether the
    // file is an import, whether `syntax` was written, unused imports. They
    // are not part of descriptor.proto; drop them before comparing.
    expected.$unknown = undefined;
    if (expected.sourceCodeInfo) expected.sourceCodeInfo.$unknown = undefined;
    const want = toBinary(FileDescriptorProtoSchema, expected);
    const have = toBinary(FileDescriptorProtoSchema, got);
    if (sameBytes(want, have)) {
      out.matched++;
      continue;
    }
    if (out.report.length < 10) {
      const w = fromBinary(FileDescriptorProtoSchema, want);
      const g = fromBinary(FileDescriptorProtoSchema, have);
      out.report.push(...diffPaths(w, g, expected.name, 3));
    }
  }
  return out;
}
