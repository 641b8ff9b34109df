// `npm run soak`: the full soak (a million unary calls, then ten thousand
// concurrent streams) against one wirecall HTTP/2 server on 127.0.0.1, under
// Node 26 from source. Bounded: it stops after 20 minutes whatever is left.
// Extra arguments go to tests/soak/soak-cli.ts (--unary N --streams N --minutes M).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const node26 = join(root, ".tools", "node26", "node_modules", "node", "bin", "node");
const node = existsSync(node26) ? node26 : process.execPath;
const r = spawnSync(node, [
  "--conditions=wirecall-source",
  join(root, "tests", "soak", "soak-cli.ts"),
  ...process.argv.slice(2),
], { cwd: root, stdio: "inherit" });
process.exit(r.status ?? 1);
