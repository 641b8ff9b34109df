// Runs after `npm install`: puts Node 26 (the current LTS) in its own prefix,
// .tools/node26, so it never shadows the machine's `node` in npm scripts, and
// builds the package. Browser and edge runtimes are set up by the test runner
// when their suites run.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
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
run(process.execPath, [
  join(root, "node_modules", "typescript", "bin", "tsc"),
  "-p",
  "tsconfig.build.json",
]);
