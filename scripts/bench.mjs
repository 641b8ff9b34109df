// `npm run bench` / `deno task bench`: runs bench/main.ts on Node 26 (which
// runs the TypeScript sources directly), passing the arguments through, e.g.
// `npm run bench -- --quick` or `--reps=5 --scenarios=unary-64B-c16`.
// See bench/README.md.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

const root = new URL("..", import.meta.url).pathname;
const node26 = join(root, ".tools", "node26", "node_modules", "node", "bin", "node");
const major = Number(process.versions.node?.split(".")[0] ?? 0);
// Deno reports a Node version too, but the benchmark must run on Node itself.
const ownNodeRunsTs = typeof globalThis.Deno === "undefined" && major >= 23;
const node = existsSync(node26) ? node26 : ownNodeRunsTs ? process.execPath : undefined;
if (node === undefined) {
  console.error(
    "bench: needs Node >= 23 (type stripping); run `npm install` to put Node 26 in .tools/node26",
  );
  process.exit(1);
}
const r = spawnSync(node, [
  "--conditions=wirecall-source",
  join(root, "bench", "main.ts"),
  ...process.argv.slice(2),
], {
  cwd: root,
  stdio: "inherit",
});
process.exit(r.status ?? 1);
