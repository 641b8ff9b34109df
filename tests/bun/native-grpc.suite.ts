// Run by scripts/test-runtimes.mjs with `bun test`: native gRPC on Bun's
// node:http2. The 18 interop cases with wirecall's server under Bun against
// grpc-js's, Connect's and wirecall's clients under Node, and wirecall's
// client under Bun against their servers under Node, in cleartext and over
// TLS. The Node side is tests/bun/node-peer.ts in a child process: Node 26
// from source when WIRECALL_PEER_NODE names it (scripts/test-runtimes.mjs
// does) or .tools/node26 holds it, else the `node` on PATH running dist/.
// And one cleartext port serving native gRPC and gRPC-Web side by side.
import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { createClient } from "wirecall";
import { createHttp2Server, createHttp2Transport } from "wirecall/transports/http2";
import { createGrpcWebHandler, createGrpcWebTransport } from "wirecall/transports/grpc-web";
import { createNodeRequestListener } from "wirecall/transports/grpc-web/node";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { demoRouter } from "../support/demo-router.ts";
import { allCases, runCases } from "../interop/cases.ts";
import { wirecallStubs } from "../interop/interop-client.ts";
import { startInteropServer } from "../interop/interop-server.ts";
import { exitCode, outputOf, waitForOutput } from "../interop/spawn-script.ts";
import { generateTestCertificates, type TestCertificates } from "../interop/tls-certs.ts";

declare const Bun: { version: string };

const root = fileURLToPath(new URL("../..", import.meta.url));
/** Time for one pairing: 18 cases plus a Node start (type stripping) on a loaded 2-core machine. */
const PAIRING_TIMEOUT_MS = 90_000;

/** How Node runs tests/bun/node-peer.ts: from source on Node 26, or dist/ on the PATH's Node. */
function nodePeer(): { cmd: string; args: string[] } {
  const node26 = process.env.WIRECALL_PEER_NODE ??
    join(root, ".tools", "node26", "node_modules", "node", "bin", "node");
  if (existsSync(node26)) {
    return {
      cmd: node26,
      args: ["--conditions=wirecall-source", join(root, "tests", "bun", "node-peer.ts")],
    };
  }
  const built = join(root, "dist", "tests", "bun", "node-peer.js");
  assert.ok(existsSync(built), `no Node 26 at ${node26} and no ${built}: run npm run build`);
  return { cmd: "node", args: [built] };
}

function spawnPeer(args: string[]): ChildProcess {
  const { cmd, args: base } = nodePeer();
  const child = spawn(cmd, [...base, ...args], { stdio: "pipe", cwd: root });
  child.stderr!.on("data", (c: Uint8Array) => process.stderr.write(c));
  return child;
}

/** Runs a Node client against `port` and returns its `PASS`/`FAIL` lines and summary. */
async function nodeClient(peer: string, port: number, caPath?: string): Promise<string> {
  const child = spawnPeer([
    "client",
    peer,
    "--port",
    String(port),
    ...(caPath !== undefined ? ["--ca", caPath] : []),
  ]);
  const summary = waitForOutput(child, /\d+ passed, \d+ failed/);
  try {
    await summary;
    await exitCode(child);
    return outputOf(child);
  } finally {
    child.kill();
  }
}

const peers = ["grpc-js", "connect", "wirecall"] as const;
const peerName = {
  "grpc-js": "grpc-js",
  connect: "connect-node (gRPC protocol)",
  wirecall: "wirecall",
};

describe(`native gRPC under Bun ${Bun.version}`, () => {
  let certs: TestCertificates;
  before(() => {
    certs = generateTestCertificates();
  });
  after(() => rmSync(certs.dir, { recursive: true, force: true }));

  for (const secure of [false, true]) {
    const mode = secure ? "TLS" : "cleartext";
    for (const peer of peers) {
      test(
        `${peerName[peer]} client (Node) → wirecall server (Bun), ${mode}: every case passes`,
        { timeout: PAIRING_TIMEOUT_MS },
        async () => {
          // The interop server as tests/interop runs it: gRPC-Web, Connect and
          // REST share its port (cleartext: sniffed, TLS: ALPN).
          const server = await startInteropServer({
            tls: secure ? { cert: certs.cert, key: certs.key } : undefined,
          });
          try {
            const out = await nodeClient(peer, server.port!, secure ? certs.caPath : undefined);
            assert.match(out, /^18 passed, 0 failed$/m, out);
          } finally {
            await server.close({ graceMs: 100 });
          }
        },
      );

      test(
        `wirecall client (Bun) → ${peerName[peer]} server (Node), ${mode}: every case passes`,
        { timeout: PAIRING_TIMEOUT_MS },
        async () => {
          const child = spawnPeer([
            "server",
            peer,
            ...(secure ? ["--cert", certs.certPath, "--key", certs.keyPath] : []),
          ]);
          try {
            const [, port] = await waitForOutput(child, /listening (\d+)/);
            const target = wirecallStubs({
              host: "127.0.0.1",
              port: Number(port),
              ca: secure ? certs.ca : undefined,
            });
            try {
              // A grpc-js handler cannot see whether a request was compressed,
              // so the compression probe is not asked of it.
              const results = await runCases(target, allCases, {
                probeCompression: peer !== "grpc-js",
              });
              const failures = results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.reason}`);
              assert.deepEqual(failures, []);
              assert.equal(results.length, 18);
            } finally {
              await target.plain.close();
              await target.gzip.close();
            }
          } finally {
            child.stdin!.end();
            child.kill();
          }
        },
      );
    }
  }

  test("one cleartext port under Bun: native gRPC (the sniffed socket handed on) and gRPC-Web over HTTP/1.1, the peer address intact", async () => {
    const { router, observed } = demoRouter();
    const server = createHttp2Server(router, {
      grpcWeb: createNodeRequestListener(createGrpcWebHandler(router)),
    });
    await server.listen({ port: 0, host: "127.0.0.1" });
    const native = createHttp2Transport({ baseUrl: server.url! });
    try {
      const viaH2 = await createClient(DemoService, native).greet({ name: "h2" });
      const viaWeb = await createClient(
        DemoService,
        createGrpcWebTransport({ baseUrl: server.url! }),
      )
        .greet({ name: "web" });
      assert.deepEqual([viaH2.greeting, viaWeb.greeting], ["Hello, h2!", "Hello, web!"]);
      const peer = observed.contexts[0].peer;
      assert.match(peer.address, /^127\.0\.0\.1:\d+$/);
      assert.deepEqual([peer.protocol, peer.tls], ["grpc", false]);
    } finally {
      await native.close();
      await server.close({ graceMs: 100 });
    }
  });
});
