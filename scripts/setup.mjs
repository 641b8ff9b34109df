// The repository's own set-up, run by npm's `dependencies` script after each
// `npm install` that changed node_modules/ here. npm runs that script only
// for the project being installed, never for a package installed as a
// dependency, and counts it among no package's install scripts, so none of
// this reaches a project that depends on wirecall. The build, Node 26 and
// Chromium are set up by the scripts that need them (scripts/build.mjs,
// scripts/node26.mjs, scripts/test-runtimes.mjs).
import { existsSync, readlinkSync, symlinkSync, unlinkSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;

// The deno package's own install script points node_modules/.bin/deno at the
// native binary. `deno task` runs whatever it finds in node_modules/.bin as a
// Node script, so a task that says `deno …` would then try to run the binary
// as JavaScript. Pointing the link back at the package's launcher script
// keeps `deno task codegen` and friends working in this repository.
const denoLink = join(root, "node_modules", ".bin", "deno");
try {
  const launcher = join(root, "node_modules", "deno", "bin.cjs");
  if (readlinkSync(denoLink) === "../deno/deno" && existsSync(launcher)) {
    unlinkSync(denoLink);
    symlinkSync("../deno/bin.cjs", denoLink);
  }
} catch {
  // Not a link (another package manager's layout): leave it as it is.
}
