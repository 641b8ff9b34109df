// Bundles a test fixture with esbuild for a browser or an edge runtime,
// resolving `wirecall` from the TypeScript sources.
import { build, type Metafile, type Plugin } from "esbuild";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { repoRoot } from "../support/repo-root.ts";

/** A bundle: its code, what went into it, and the Node builtins it asked for. */
export interface Bundle {
  code: string;
  metafile: Metafile;
  /** Every `node:*` or bare Node builtin import met while bundling, with its importer. */
  nodeImports: string[];
}

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Records Node builtin imports (and leaves them out) instead of failing the build. */
function recordNodeImports(found: string[]): Plugin {
  return {
    name: "record-node-imports",
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (!args.path.startsWith("node:") && !builtins.has(args.path)) return undefined;
        found.push(`${args.path} (from ${args.importer.replace(repoRoot + "/", "")})`);
        return { path: args.path, external: true };
      });
    },
  };
}

/** Bundles `entry` (a path from the repository root) as one ES module. */
export async function bundle(
  entry: string,
  options: { platform: "browser" | "neutral"; conditions?: string[]; minify?: boolean },
): Promise<Bundle> {
  const nodeImports: string[] = [];
  const result = await build({
    plugins: [recordNodeImports(nodeImports)],
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
  return { code: result.outputFiles[0].text, metafile: result.metafile, nodeImports };
}
