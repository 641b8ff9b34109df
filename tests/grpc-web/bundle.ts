// Bundles a test fixture with esbuild for a browser or an edge runtime,
// resolving `wirecall` from the TypeScript sources.
import { build, type Metafile } from "esbuild";
import { join } from "node:path";
import { repoRoot } from "../support/repo-root.ts";

/** A bundle: its code and what went into it. */
export interface Bundle {
  code: string;
  metafile: Metafile;
}

/** Bundles `entry` (a path from the repository root) as one ES module. */
export async function bundle(
  entry: string,
  options: { platform: "browser" | "neutral"; conditions?: string[]; minify?: boolean },
): Promise<Bundle> {
  const result = await build({
    entryPoints: [join(repoRoot, entry)],
    absWorkingDir: repoRoot,
    bundle: true,
    write: false,
    format: "esm",
    target: "es2022",
    platform: options.platform,
    mainFields: ["browser", "module", "main"],
    conditions: [...(options.conditions ?? []), "wirecall-source"],
    minify: options.minify ?? false,
    metafile: true,
    logLevel: "silent",
  });
  return { code: result.outputFiles[0].text, metafile: result.metafile };
}
