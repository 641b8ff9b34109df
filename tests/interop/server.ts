// The wirecall interop server: serves grpc.testing.TestService over native
// gRPC, gRPC-Web and the Connect protocol, all on its one port, on 127.0.0.1.
//
//   deno run -A tests/interop/server.ts --port 0 [--use_tls] [--cert PATH --key PATH]
//   node --conditions=wirecall-source tests/interop/server.ts --port 0   (Node 26)
//   node dist/tests/interop/server.js --port 0                           (Node 20)
//
// Prints `listening <port>` once it accepts calls. With --use_tls and no
// --cert/--key it generates test certificates and prints `ca <path>`.
import { readFileSync } from "node:fs";
import { commandLine, flagSet, parseFlags } from "./cli-args.ts";
import { type InteropServerOptions, startInteropServer } from "./interop-server.ts";
import { generateTestCertificates } from "./tls-certs.ts";

const flags = parseFlags(commandLine());
let tls: InteropServerOptions["tls"];
if (flagSet(flags, "use_tls")) {
  if (flags.cert !== undefined && flags.key !== undefined) {
    tls = { cert: readFileSync(flags.cert, "utf8"), key: readFileSync(flags.key, "utf8") };
  } else {
    const certs = generateTestCertificates();
    tls = { cert: certs.cert, key: certs.key };
    console.log(`ca ${certs.caPath}`);
  }
}
const server = await startInteropServer({ port: Number(flags.port ?? 0), tls });
console.log(`listening ${server.port}`);
const stop = () => {
  server.close({ graceMs: 1000 }).then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
