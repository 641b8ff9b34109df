// `npm run demo`: builds the package (quietly) and runs the demo on Node.
import { execFileSync } from "node:child_process";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
execFileSync(process.execPath, [
  join(root, "node_modules", "typescript", "bin", "tsc"),
  "-p",
  "tsconfig.build.json",
], { cwd: root, stdio: "inherit" });
await import(join(root, "dist", "examples", "demo", "main.js"));
