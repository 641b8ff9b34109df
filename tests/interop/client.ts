// The wirecall interop client: runs gRPC interop test cases against a server
// and prints `PASS name` / `FAIL name: reason` per case, then the totals.
//
//   deno run -A tests/interop/client.ts --server_host 127.0.0.1 --server_port N \
//     [--server_uri <gRPC target>] [--service_config_json JSON] \
//     [--test_case empty_unary,large_unary,…,rpc_soak,channel_soak] [--use_tls --ca_file PATH] \
//     [--server_host_override NAME] [--transport grpc|grpc-web|connect] \
//     [--probe_compression false] [--check_response_compression] \
//     [--soak_iterations N --soak_max_failures N --soak_per_iteration_max_acceptable_latency_ms MS \
//      --soak_overall_timeout_seconds S --soak_min_time_ms_between_rpcs MS \
//      --soak_request_size BYTES --soak_response_size BYTES]
//
// --server_uri (a gRPC target such as dns:///host:port or ipv4:a:p,b:p)
// overrides --server_host/--server_port and calls through a channel, as does
// --service_config_json. The soak flags and their defaults are grpc-go's.
// --probe_compression false leaves out the compression cases' probe (for a
// server that cannot see a request's compression); --check_response_compression
// checks that each response of server_compressed_* arrived compressed exactly
// when asked (for a server that compresses per message on request).
// Exits with status 1 when a case fails, 2 on bad flags.
import { readFileSync } from "node:fs";
import { parseServiceConfig, parseTarget } from "wirecall";
import { allCases, type CaseResult, runCases } from "./cases.ts";
import { commandLine, flagSet, parseFlags } from "./cli-args.ts";
import { type InteropTarget, wirecallStubs } from "./interop-client.ts";
import { runSoak, soakCases, type SoakOptions, soakOptions } from "./soak.ts";

function usage(message: string): never {
  console.error(message);
  process.exit(2);
}

const flags = parseFlags(commandLine());
const names = flags.test_case === undefined || flags.test_case === "all"
  ? [...allCases]
  : flags.test_case.split(",").map((s) => s.trim()).filter((s) => s !== "");
const useTls = flagSet(flags, "use_tls");
if (useTls && flags.ca_file === undefined) {
  usage("--use_tls needs --ca_file PATH (the CA the interop server printed)");
}
try {
  if (flags.server_uri !== undefined) parseTarget(flags.server_uri);
  if (flags.service_config_json !== undefined) parseServiceConfig(flags.service_config_json);
} catch (e) {
  usage(`bad flag: ${(e as Error).message}`);
}
let soak: SoakOptions;
try {
  soak = soakOptions(flags);
} catch (e) {
  usage((e as Error).message);
}
const target: InteropTarget = {
  host: flags.server_host ?? "127.0.0.1",
  port: Number(flags.server_port ?? 10000),
  serverUri: flags.server_uri,
  serviceConfigJson: flags.service_config_json,
  ca: useTls ? readFileSync(flags.ca_file, "utf8") : undefined,
  serverName: flags.server_host_override,
  transport: flags.transport === "grpc-web" || flags.transport === "connect"
    ? flags.transport
    : "grpc",
};
const stubs = wirecallStubs(target);
const results: CaseResult[] = [];
for (const name of names) {
  if ((soakCases as readonly string[]).includes(name)) {
    const fresh = name === "channel_soak";
    const r = await runSoak(() => fresh ? wirecallStubs(target).plain : stubs.plain, fresh, soak);
    console.error(`${name}: ${r.summary}`);
    results.push(r.ok ? { name, ok: true } : { name, ok: false, reason: r.summary });
  } else {
    results.push(
      ...await runCases(stubs, [name], {
        probeCompression: flags.probe_compression !== "false",
        checkResponseCompression: flagSet(flags, "check_response_compression"),
      }),
    );
  }
}
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
