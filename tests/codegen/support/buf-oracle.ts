// `buf build` as the oracle: runs buf on a directory and caches the
// FileDescriptorSet under the system temp directory, keyed by the caller
// (versions, content hash), so repeated test runs do not pay for it again.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { repoRoot } from "./repo.ts";

/** Version of an installed npm package. */
export function packageVersion(pkg: string): string {
  return JSON.parse(readFileSync(join(repoRoot, "node_modules", pkg, "package.json"), "utf8"))
    .version;
}

/** `buf build <root>` as FileDescriptorSet bytes, cached under `key`. */
export function bufBuild(
  root: string,
  options: { key: string; sourceInfo: boolean; exclude?: string[] },
): Uint8Array {
  const dir = join(tmpdir(), "wirecall-codegen-oracle");
  const file = join(
    dir,
    `buf-${packageVersion("@bufbuild/buf")}-${options.key}-${
      options.sourceInfo ? "si" : "nosi"
    }.binpb`,
  );
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    execFileSync(join(repoRoot, "node_modules", ".bin", "buf"), [
      "build",
      root,
      ...(options.exclude ?? []).flatMap((f) => ["--exclude-path", join(root, f)]),
      ...(options.sourceInfo ? [] : ["--exclude-source-info"]),
      "-o",
      partial,
    ], { stdio: ["ignore", "ignore", "inherit"] });
    renameSync(partial, file);
  }
  return readFileSync(file);
}
