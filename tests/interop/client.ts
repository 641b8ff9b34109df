// The wirecall interop client: runs gRPC interop test cases against a server
// and prints `PASS name` / `FAIL name: reason` per case, then the totals.
//
//   deno run -A tests/interop/client.ts --server_host 127.0.0.1 --server_port N \
//     [--test_case empty_unary,large_unary,…] [--use_tls --ca_file PATH] \
//     [--server_host_override NAME] [--transport grpc|grpc-web|connect]
//
// Exits with status 1 when a case fails.
import { readFileSync } from "node:fs";
import { allCases, runCases } from "./cases.ts";
import { commandLine, flagSet, parseFlags } from "./cli-args.ts";
import { wirecallStubs } from "./interop-client.ts";

const flags = parseFlags(commandLine());
const names = flags.test_case === undefined || flags.test_case === "all"
  ? [...allCases]
  : flags.test_case.split(",").map((s) => s.trim()).filter((s) => s !== "");
const useTls = flagSet(flags, "use_tls");
if (useTls && flags.ca_file === undefined) {
  console.error("--use_tls needs --ca_file PATH (the CA the interop server printed)");
  process.exit(2);
}
const stubs = wirecallStubs({
  host: flags.server_host ?? "127.0.0.1",
  port: Number(flags.server_port ?? 10000),
  ca: useTls ? readFileSync(flags.ca_file, "utf8") : undefined,
  serverName: flags.server_host_override,
  transport: flags.transport === "grpc-web" || flags.transport === "connect"
    ? flags.transport
    : "grpc",
});
const results = await runCases(stubs, names, {
  probeCompression: flags.probe_compression !== "false",
});
let failed = 0;
for (const r of results) {
  if (r.ok) console.log(`PASS ${r.name}`);
  else {
    failed++;
    console.log(`FAIL ${r.name}: ${r.reason}`);
  }
}
console.log(`${results.length - failed} passed, ${failed} failed`);
await stubs.plain.close();
await stubs.gzip.close();
process.exit(failed > 0 ? 1 : 0);
