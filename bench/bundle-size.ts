/**
 * Minified + gzipped size of a browser gRPC-Web client for BenchService:
 * wirecall's against Connect's, both bundled by esbuild the same way.
 *
 * @module
 */
import { gzipSync } from "node:zlib";

/** One bundle's sizes. */
export interface BundleSize {
  name: string;
  minifiedBytes: number;
  gzippedBytes: number;
  /** `node:*` imports found in the bundle (must be none). */
  nodeImports: string[];
}

/** Bundles both entries from `bench/bundle/`. */
export async function bundleSizes(repoRoot: string): Promise<BundleSize[]> {
  const esbuild = await import("esbuild");
  const out: BundleSize[] = [];
  const entries = [
    ["wirecall + gRPC-Web", "wirecall-grpc-web.ts"],
    ["@connectrpc/connect-web + @bufbuild/protobuf", "connect-web.ts"],
  ];
  for (const [name, file] of entries) {
    const result = await esbuild.build({
      entryPoints: [`${repoRoot}bench/bundle/${file}`],
      absWorkingDir: repoRoot,
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      mainFields: ["browser", "module", "main"],
      target: "es2022",
      conditions: ["wirecall-source"],
      write: false,
      logLevel: "silent",
      metafile: true,
    });
    const code = result.outputFiles[0].contents;
    const nodeImports = Object.values(result.metafile.inputs)
      .flatMap((i) => i.imports.map((x) => x.path))
      .filter((p) => p.startsWith("node:"));
    out.push({
      name,
      minifiedBytes: code.byteLength,
      gzippedBytes: gzipSync(code, { level: 9 }).byteLength,
      nodeImports: [...new Set(nodeImports)],
    });
  }
  return out;
}
