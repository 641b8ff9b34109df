// Locating the repository from a test file, whether it runs from tests/
// (Deno, Node 26) or from dist/tests/ (Node 20), and reading files from it.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) || dir.endsWith("/dist")) {
    const up = dirname(dir);
    if (up === dir) throw new Error("package.json not found above " + import.meta.url);
    dir = up;
  }
  return dir;
}

/** The repository root (the directory holding package.json). */
export const repoRoot: string = findRoot();

/** A readFile for the compiler backed by the file system. */
export function diskReader(path: string): Uint8Array | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}
