// The grpc-js, Connect and wirecall peers of tests/bun/native-grpc.suite.ts,
// run under Node (the suite spawns this script, so the peer is not itself on
// Bun's HTTP/2):
//
//   node --conditions=wirecall-source tests/bun/node-peer.ts client grpc-js|connect|wirecall \
//     --port N [--ca PATH]
//     runs the 18 interop cases against 127.0.0.1:N and prints
//     `PASS name` / `FAIL name: reason` per case, then `<p> passed, <f> failed`.
//   node --conditions=wirecall-source tests/bun/node-peer.ts server grpc-js|connect|wirecall \
//     [--cert PATH --key PATH]
//     serves TestService on 127.0.0.1 and prints `listening <port>`; exits
//     when its stdin closes (the suite's end of the pipe).
//
// Node 20 runs the built copy, dist/tests/bun/node-peer.js.
import { readFileSync } from "node:fs";
import process from "node:process";
import * as grpc from "@grpc/grpc-js";
import { allCases, runCases } from "../interop/cases.ts";
import { parseFlags } from "../interop/cli-args.ts";
import { connectStubs, startConnectServer } from "../interop/connect-peer.ts";
import { grpcJsStubs, startGrpcJsServer } from "../interop/grpc-js-peer.ts";
import { wirecallStubs } from "../interop/interop-client.ts";
import { startInteropServer } from "../interop/interop-server.ts";
import type { InteropStubs } from "../interop/interop-stub.ts";

const [role, peer, ...rest] = process.argv.slice(2);
const flags = parseFlags(rest);
const read = (name: string) =>
  flags[name] === undefined ? undefined : readFileSync(flags[name], "utf8");

if (role === "client") {
  const port = Number(flags.port);
  const ca = read("ca");
  let stubs: InteropStubs;
  if (peer === "grpc-js") {
    const creds = ca !== undefined
      ? grpc.credentials.createSsl(Buffer.from(ca))
      : grpc.credentials.createInsecure();
    // grpc-js refuses an IP address as TLS server name: check "localhost" (in the SAN).
    const options = ca !== undefined ? { "grpc.ssl_target_name_override": "localhost" } : {};
    stubs = grpcJsStubs(`127.0.0.1:${port}`, creds, options);
  } else if (peer === "wirecall") {
    stubs = wirecallStubs({ host: "127.0.0.1", port, ca });
  } else {
    stubs = connectStubs({
      baseUrl: `${ca !== undefined ? "https" : "http"}://127.0.0.1:${port}`,
      nodeOptions: ca !== undefined ? { ca, servername: "localhost" } : undefined,
    });
  }
  const results = await runCases(stubs, allCases);
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
  process.exit(0);
} else if (role === "server") {
  const cert = read("cert");
  const key = read("key");
  const tls = cert !== undefined && key !== undefined ? { cert, key } : undefined;
  let port: number;
  if (peer === "grpc-js") {
    const creds = tls !== undefined
      ? grpc.ServerCredentials.createSsl(null, [{
        cert_chain: Buffer.from(tls.cert),
        private_key: Buffer.from(tls.key),
      }])
      : grpc.ServerCredentials.createInsecure();
    ({ port } = await startGrpcJsServer(creds));
  } else if (peer === "wirecall") {
    port = (await startInteropServer({ tls })).port!;
  } else {
    ({ port } = await startConnectServer(tls));
  }
  console.log(`listening ${port}`);
  // Exits when the suite kills it, or when the suite's process goes away.
  process.stdin.on("end", () => process.exit(0));
  process.stdin.resume();
} else {
  console.error("usage: node-peer.ts client|server grpc-js|connect [flags]");
  process.exit(2);
}
