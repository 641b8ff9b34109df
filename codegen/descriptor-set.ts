/**
 * Serializing a compilation as a `google.protobuf.FileDescriptorSet`, with
 * protoc's `--include_imports` and `--include_source_info` semantics.
 *
 * @module
 */

import { create, toBinary } from "@bufbuild/protobuf";
import { type FileDescriptorProto, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import type { CompileResult } from "./compile.ts";

/** Options of {@link toDescriptorSet}. */
export interface DescriptorSetOptions {
  /** Include every dependency, dependencies first (`--include_imports`). */
  includeImports?: boolean;
  /** Keep SourceCodeInfo (`--include_source_info`). */
  includeSourceInfo?: boolean;
}

/**
 * The binary FileDescriptorSet of a compilation.
 *
 * @example
 * ```ts
 * const bytes = toDescriptorSet(compile({ files: ["a.proto"], sources }), { includeImports: true });
 * ```
 */
export function toDescriptorSet(
  result: CompileResult,
  options: DescriptorSetOptions = {},
): Uint8Array {
  const targets = new Set(result.files.map((f) => f.name));
  const files: FileDescriptorProto[] = [];
  for (const f of result.allFiles) {
    if (!options.includeImports && !targets.has(f.name)) continue;
    files.push(options.includeSourceInfo ? f : { ...f, sourceCodeInfo: undefined });
  }
  return toBinary(FileDescriptorSetSchema, create(FileDescriptorSetSchema, { file: files }));
}
