// Runs after `npm install`: puts Node 26 (the current LTS) in its own prefix,
// .tools/node26, so it never shadows the machine's `node` in npm scripts, and
// builds the package. Browser and edge runtimes are set up by the test runner
// when their suites run.
import { execFileSync } from "node:child_process";
import { existsSync, readlinkSync, symlinkSync, unlinkSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const node26 = join(root, ".tools", "node26", "node_modules", "node", "bin", "node");

function run(cmd, args) {
  execFileSync(cmd, args, { stdio: "inherit", cwd: root });
}

if (!existsSync(node26)) {
  console.log("wirecall setup: installing Node 26 into .tools/node26");
  try {
    run("npm", [
      "install",
      "--prefix",
      join(root, ".tools", "node26"),
      "--no-save",
      "--no-audit",
      "--no-fund",
      "node@26",
    ]);
  } catch (e) {
    console.warn(
      `wirecall setup: could not install Node 26 (${e.message}); its test run will be skipped`,
    );
  }
}
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

run(process.execPath, [
  join(root, "node_modules", "typescript", "bin", "tsc"),
  "-p",
  "tsconfig.build.json",
]);
