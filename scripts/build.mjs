// Builds the package with tsc. `node scripts/build.mjs` compiles the whole
// tree into dist/ (what the demo and the Node 20 test run use);
// `--clean` empties dist/ first, as `npm pack` does through `prepack`, so a
// tarball never carries the output of a source file that no longer exists.
// `codegen` builds the wirecall-codegen package (codegen/) into codegen/dist/
// instead, as its own `prepack` does.
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = new URL("..", import.meta.url).pathname;

/**
 * Compiles one tsconfig; exits the process with tsc's status when it fails.
 *
 * @param {{ clean?: boolean, project?: "wirecall" | "codegen" }} options
 */
export function build({ clean = false, project = "wirecall" } = {}) {
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  if (!existsSync(tsc)) {
    console.error("wirecall build: node_modules/typescript is missing; run `npm install` first");
    process.exit(1);
  }
  const [config, out] = project === "codegen"
    ? [join(root, "codegen", "tsconfig.build.json"), join(root, "codegen", "dist")]
    : [join(root, "tsconfig.build.json"), join(root, "dist")];
  if (clean) rmSync(out, { recursive: true, force: true });
  const r = spawnSync(process.execPath, [tsc, "-p", config], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`wirecall build: tsc -p ${config} failed`);
    process.exit(r.status ?? 1);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  build({
    clean: args.includes("--clean"),
    project: args.includes("codegen") ? "codegen" : "wirecall",
  });
}
