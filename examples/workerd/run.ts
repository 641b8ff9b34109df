/**
 * Bundles the example worker with esbuild, starts it under workerd (from the
 * npm package) and calls it with the gRPC-Web client.
 *
 * Run: `deno run -A examples/workerd/run.ts` (`--port N`, default 8787;
 * `--once` stops after the self-check).
 *
 * @module
 */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { build } from "esbuild";
import { createClient } from "wirecall";
import { createGrpcWebTransport } from "wirecall/transports/grpc-web";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";

let root = dirname(fileURLToPath(import.meta.url));
while (!existsSync(join(root, "package.json"))) root = dirname(root);
const args = process.argv.slice(2);
const portFlag = args.indexOf("--port");
const port = portFlag >= 0 ? Number(args[portFlag + 1]) : 8787;

const dir = mkdtempSync(join(tmpdir(), "wirecall-worker-"));
const bundle = await build({
  entryPoints: [join(root, "examples", "workerd", "worker.ts")],
  absWorkingDir: root,
  bundle: true,
  write: false,
  format: "esm",
  platform: "neutral",
  mainFields: ["browser", "module", "main"],
  conditions: ["workerd", "worker", "browser", "wirecall-source"],
});
writeFileSync(join(dir, "worker.js"), bundle.outputFiles[0].text);
copyFileSync(join(root, "examples", "workerd", "config.capnp"), join(dir, "config.capnp"));

const workerd = spawn(
  join(root, "node_modules", ".bin", "workerd"),
  ["serve", join(dir, "config.capnp"), "--socket-addr", `http=127.0.0.1:${port}`],
  { stdio: "inherit" },
);
const baseUrl = `http://127.0.0.1:${port}`;
console.log(`workerd serving the gRPC-Web worker at ${baseUrl}`);

const client = createClient(DemoService, createGrpcWebTransport({ baseUrl }));
let greeting = "";
for (let attempt = 0;; attempt++) {
  try {
    greeting = (await client.greet({ name: "edge" })).greeting;
    break;
  } catch (e) {
    if (attempt > 100) throw e;
    await new Promise((r) => setTimeout(r, 100)); // workerd is still starting
  }
}
const numbers: number[] = [];
for await (const { number } of client.countdown({ from: 3 })) numbers.push(number);
console.log(`self-check: Greet → ${JSON.stringify(greeting)}; Countdown → ${numbers.join(", ")}`);

if (args.includes("--once")) workerd.kill();
else console.log("serving; Ctrl-C stops");
