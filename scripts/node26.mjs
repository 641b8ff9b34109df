// Node 26 (the current LTS) for the test runs, in its own prefix,
// .tools/node26, so it never shadows the machine's `node` in npm scripts.
// Installed from npm (the `node` package) the first time a run needs it.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Where Node 26 lives under the repository root. */
export function node26Path(root) {
  return join(root, ".tools", "node26", "node_modules", "node", "bin", "node");
}

/**
 * Returns the path of Node 26, installing it first when it is missing, or
 * undefined (with a warning) when it cannot be installed.
 */
export function ensureNode26(root) {
  const node26 = node26Path(root);
  if (existsSync(node26)) return node26;
  console.log("\n=== node26: installing Node 26 into .tools/node26");
  const prefix = join(root, ".tools", "node26");
  mkdirSync(prefix, { recursive: true });
  // The `node` package fetches its platform binary package in a preinstall
  // script; allowScripts says so, so npm neither warns nor (in a later
  // release) blocks it.
  writeFileSync(
    join(prefix, "package.json"),
    JSON.stringify(
      {
        private: true,
        description: "Node 26 for wirecall's test runs (scripts/node26.mjs)",
        dependencies: { node: "^26.0.0" },
        allowScripts: { node: true },
      },
      null,
      2,
    ) + "\n",
  );
  try {
    execFileSync("npm", ["install", "--no-audit", "--no-fund"], { stdio: "inherit", cwd: prefix });
  } catch (e) {
    console.warn(`node26: could not install Node 26 (${e.message})`);
  }
  return existsSync(node26) ? node26 : undefined;
}
