// Runs every gRPC interop case in every pairing of wirecall with itself,
// @grpc/grpc-js and @connectrpc/connect-node, in cleartext and over TLS.
import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import process from "node:process";
import * as grpc from "@grpc/grpc-js";
import { allCases, type CaseOptions, runCases } from "./cases.ts";
import { connectStubs, startConnectServer } from "./connect-peer.ts";
import { grpcJsStubs, startGrpcJsServer } from "./grpc-js-peer.ts";
import { wirecallStubs } from "./interop-client.ts";
import { startInteropServer } from "./interop-server.ts";
import type { InteropStubs } from "./interop-stub.ts";
import { exitCode, outputOf, spawnScript, waitForOutput } from "./spawn-script.ts";
import { generateTestCertificates, type TestCertificates } from "./tls-certs.ts";

const isDeno = "Deno" in globalThis;
// @connectrpc/connect-node declares node >= 22 but passes every case on Node 20
// too (checked), so its pairings run everywhere.

// grpc-js's TLS server does not complete a TLS handshake under Deno's
// node:tls (its own grpc-js client fails the same way), so that one pairing
// runs on Node only.
const grpcJsTlsServerSkip = isDeno
  ? "grpc-js's TLS server fails its TLS handshake under Deno (grpc-js → grpc-js fails too)"
  : false;

async function expectAllPass(stubs: InteropStubs, options: CaseOptions = {}): Promise<void> {
  try {
    const results = await runCases(stubs, allCases, options);
    const failures = results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.reason}`);
    assert.deepEqual(failures, []);
    assert.equal(results.length, 18);
  } finally {
    await stubs.plain.close();
    await stubs.gzip.close();
  }
}

describe("gRPC interop: 18 cases per pairing, cleartext and TLS", () => {
  let certs: TestCertificates;
  before(() => {
    certs = generateTestCertificates();
  });
  after(() => rmSync(certs.dir, { recursive: true, force: true }));

  for (const secure of [false, true]) {
    const mode = secure ? "TLS" : "cleartext";

    test(`wirecall client → wirecall server (${mode}): every case passes`, async () => {
      const server = await startInteropServer({
        tls: secure ? { cert: certs.cert, key: certs.key } : undefined,
      });
      try {
        await expectAllPass(
          wirecallStubs({
            host: "127.0.0.1",
            port: server.port!,
            ca: secure ? certs.ca : undefined,
          }),
          // wirecall's server compresses per message on request: each
          // response's compressed flag is checked as it arrived.
          { checkResponseCompression: true },
        );
      } finally {
        await server.close({ graceMs: 100 });
      }
    });

    test(`wirecall client → grpc-js server (${mode}): every case passes`, {
      skip: secure ? grpcJsTlsServerSkip : false,
    }, async () => {
      const creds = secure
        ? grpc.ServerCredentials.createSsl(null, [{
          cert_chain: Buffer.from(certs.cert),
          private_key: Buffer.from(certs.key),
        }])
        : grpc.ServerCredentials.createInsecure();
      const { server, port } = await startGrpcJsServer(creds);
      try {
        // A grpc-js handler cannot see whether a request was compressed, so
        // the compression probe is not asked of it.
        await expectAllPass(
          wirecallStubs({ host: "127.0.0.1", port, ca: secure ? certs.ca : undefined }),
          { probeCompression: false },
        );
      } finally {
        server.forceShutdown();
      }
    });

    test(`grpc-js client → wirecall server (${mode}): every case passes`, async () => {
      const server = await startInteropServer({
        tls: secure ? { cert: certs.cert, key: certs.key } : undefined,
      });
      try {
        const creds = secure
          ? grpc.credentials.createSsl(Buffer.from(certs.ca))
          : grpc.credentials.createInsecure();
        // grpc-js refuses an IP address as TLS server name: check "localhost" (in the SAN).
        const options = secure ? { "grpc.ssl_target_name_override": "localhost" } : {};
        await expectAllPass(grpcJsStubs(`127.0.0.1:${server.port}`, creds, options));
      } finally {
        await server.close({ graceMs: 100 });
      }
    });

    test(
      `wirecall client → connect-node server, gRPC protocol (${mode}): every case passes`,
      async () => {
        const { server, port } = await startConnectServer(
          secure ? { cert: certs.cert, key: certs.key } : undefined,
        );
        try {
          await expectAllPass(
            wirecallStubs({ host: "127.0.0.1", port, ca: secure ? certs.ca : undefined }),
          );
        } finally {
          await new Promise((resolve) => {
            server.close(resolve);
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          });
        }
      },
    );

    test(
      `connect-node client, gRPC protocol → wirecall server (${mode}): every case passes`,
      async () => {
        const server = await startInteropServer({
          tls: secure ? { cert: certs.cert, key: certs.key } : undefined,
        });
        try {
          await expectAllPass(connectStubs({
            baseUrl: server.url!,
            nodeOptions: secure ? { ca: certs.ca } : undefined,
          }));
        } finally {
          await server.close({ graceMs: 100 });
        }
      },
    );
  }

  test("the server.ts and client.ts entry points run every case over TLS and report 18 passed", async () => {
    const server = spawnScript(import.meta.url, "server", [
      "--port",
      "0",
      "--use_tls",
      "--cert",
      certs.certPath,
      "--key",
      certs.keyPath,
    ]);
    try {
      const [, port] = await waitForOutput(server, /listening (\d+)/);
      const client = spawnScript(import.meta.url, "client", [
        "--server_host",
        "127.0.0.1",
        "--server_port",
        port,
        "--use_tls",
        "--ca_file",
        certs.caPath,
      ]);
      const summary = waitForOutput(client, /\d+ passed, \d+ failed/);
      client.stderr!.on("data", (c: Uint8Array) => process.stderr.write(c));
      const code = await exitCode(client);
      await summary;
      const out = outputOf(client);
      assert.match(out, /^18 passed, 0 failed$/m, out);
      assert.equal(code, 0);
    } finally {
      server.kill();
    }
  });
});
