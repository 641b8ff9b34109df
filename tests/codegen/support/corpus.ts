// The googleapis corpus (npm google-proto-files) and buf's descriptors for it.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { bufBuild, packageVersion } from "./buf-oracle.ts";
import { repoRoot } from "./repo.ts";

/** Where the corpus lives. */
export const corpusRoot: string = join(repoRoot, "node_modules", "google-proto-files");

/**
 * Files of the package that neither buf nor protoc can compile: they import
 * test protos the package does not ship, or declare a name twice.
 */
export const UNBUILDABLE: string[] = [
  "google/protobuf/compiler/ruby/ruby_generated_code.proto",
  "google/protobuf/compiler/ruby/ruby_generated_code_proto2.proto",
  "google/protobuf/compiler/ruby/ruby_generated_pkg_explicit.proto",
  "google/protobuf/util/json_format_proto3.proto",
];

/** Every buildable .proto file of the corpus, as import paths, sorted. */
export function corpusFiles(): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(corpusRoot, rel), { withFileTypes: true })) {
      const p = rel + "/" + e.name;
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".proto") && !UNBUILDABLE.includes(p)) out.push(p);
    }
  };
  for (const top of readdirSync(corpusRoot, { withFileTypes: true })) {
    // node_modules/ holds protobufjs's own copies, build/ the package's JS.
    if (top.isDirectory() && top.name !== "node_modules" && top.name !== "build") walk(top.name);
  }
  return out.sort();
}

/** `buf build` of the whole corpus as FileDescriptorSet bytes (cached). */
export function bufDescriptorSet(sourceInfo: boolean): Uint8Array {
  return bufBuild(corpusRoot, {
    key: `gpf-${packageVersion("google-proto-files")}`,
    sourceInfo,
    exclude: ["node_modules", "build", ...UNBUILDABLE],
  });
}
