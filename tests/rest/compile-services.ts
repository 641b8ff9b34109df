// Compiles .proto sources with wirecall's own compiler into a registry, so a
// test can serve services that have no generated code.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  create,
  createFileRegistry,
  type DescService,
  type FileRegistry,
} from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { compileOrThrow } from "../../codegen/mod.ts";
import { repoRoot } from "../support/repo-root.ts";

/**
 * Compiles `sources` (import path → text), or `files` found on the include
 * paths (default: the repository's protos/), into a registry.
 */
export function compileServices(
  sources: Record<string, string>,
  includePaths: string[] = [join(repoRoot, "protos")],
  files: string[] = Object.keys(sources),
): FileRegistry {
  const { allFiles } = compileOrThrow({
    files,
    sources,
    includePaths,
    readFile: (path) => {
      try {
        return readFileSync(path, "utf8");
      } catch {
        return undefined;
      }
    },
  });
  return createFileRegistry(create(FileDescriptorSetSchema, { file: allFiles }));
}

/** The service `typeName` of a registry, or a clear failure. */
export function serviceOf(registry: FileRegistry, typeName: string): DescService {
  const s = registry.getService(typeName);
  if (s === undefined) throw new Error(`no service ${typeName} in the compiled files`);
  return s;
}
