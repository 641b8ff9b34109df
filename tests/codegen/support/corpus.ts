// The googleapis corpus (npm google-proto-files) and buf's descriptors for
// it. buf runs once per mode and its output is cached under the system temp
// directory, keyed by the buf and corpus versions, so repeated test runs (and
// the three runtimes of `npm test`) do not pay for it again.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
  walk("google");
  walk("grafeas");
  return out.sort();
}

function version(pkg: string): string {
  return JSON.parse(readFileSync(join(repoRoot, "node_modules", pkg, "package.json"), "utf8"))
    .version;
}

/** `buf build` of the whole corpus as FileDescriptorSet bytes (cached). */
export function bufDescriptorSet(sourceInfo: boolean): Uint8Array {
  const dir = join(tmpdir(), "wirecall-codegen-oracle");
  const key = `buf-${version("@bufbuild/buf")}-gpf-${version("google-proto-files")}-${
    sourceInfo ? "si" : "nosi"
  }`;
  const file = join(dir, key + ".binpb");
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    execFileSync(join(repoRoot, "node_modules", ".bin", "buf"), [
      "build",
      corpusRoot,
      "--exclude-path",
      join(corpusRoot, "node_modules"),
      "--exclude-path",
      join(corpusRoot, "build"),
      ...UNBUILDABLE.flatMap((f) => ["--exclude-path", join(corpusRoot, f)]),
      ...(sourceInfo ? [] : ["--exclude-source-info"]),
      "-o",
      partial,
    ], { stdio: ["ignore", "ignore", "inherit"] });
    renameSync(partial, file);
  }
  return readFileSync(file);
}
