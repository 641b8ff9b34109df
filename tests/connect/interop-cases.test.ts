// The gRPC interop cases over the Connect protocol, in every pairing of
// wirecall with @connectrpc/connect-node: the Connect client of each side
// against the server of each side, in cleartext and over TLS.
import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import type * as http2 from "node:http2";
import type { Http2Server } from "wirecall/transports/http2";
import { allCases, fetchCarriedCases, runCases } from "../interop/cases.ts";
import { connectProtocolStubs, startConnectServer } from "../interop/connect-peer.ts";
import { wirecallStubs } from "../interop/interop-client.ts";
import { startInteropServer } from "../interop/interop-server.ts";
import type { InteropStubs } from "../interop/interop-stub.ts";
import { generateTestCertificates, type TestCertificates } from "../interop/tls-certs.ts";

const isDeno = "Deno" in globalThis;
// Under Deno, connect-node's node:http2 client ends a streamed response of
// more than about 16 KiB early ("Premature close") — against connect-node's
// own server as well — and its node:https client fails its writes ("write
// EPERM"); both pairings run on Node.
const denoH2HandoffSkip = isDeno
  ? "connect-node's node:http2 client under Deno cuts streamed responses over ~16 KiB (against connect-node's own server too)"
  : false;
const denoHttpsClientSkip = isDeno
  ? "connect-node's node:https client fails under Deno (write EPERM)"
  : false;

/** The cases a fetch-based client can carry: all but the six on a bidi stream. */
const fetchCases = fetchCarriedCases;

async function failures(stubs: InteropStubs, names: readonly string[]) {
  try {
    const results = await runCases(stubs, names);
    assert.equal(results.length, names.length);
    return results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.reason}`);
  } finally {
    await stubs.plain.close();
    await stubs.gzip.close();
  }
}

describe("gRPC interop cases over the Connect protocol", () => {
  let certs: TestCertificates;
  before(() => {
    certs = generateTestCertificates();
  });

  for (const secure of [false, true]) {
    const mode = secure ? "TLS" : "cleartext";
    let server: Http2Server;
    before(async () => {
      server = await startInteropServer({
        tls: secure ? { cert: certs.cert, key: certs.key } : undefined,
      });
    });
    after(() => server.close({ graceMs: 0 }));

    test(`connect-node client (Connect, HTTP/2) → wirecall server: all 18 cases pass (${mode})`, {
      skip: denoH2HandoffSkip,
    }, async () => {
      const stubs = connectProtocolStubs({
        baseUrl: server.url!,
        httpVersion: "2",
        nodeOptions: secure ? { ca: certs.ca, servername: "localhost" } : undefined,
      });
      assert.deepEqual(await failures(stubs, allCases), []);
    });

    test(
      `connect-node client (Connect, HTTP/1.1) → wirecall server: the 12 non-bidi cases pass (${mode})`,
      {
        skip: secure ? denoHttpsClientSkip : false,
      },
      async () => {
        const stubs = connectProtocolStubs({
          baseUrl: server.url!,
          httpVersion: "1.1",
          nodeOptions: secure ? { ca: certs.ca, servername: "localhost" } : undefined,
        });
        assert.deepEqual(await failures(stubs, fetchCases), []);
      },
    );

    test(`wirecall Connect client → wirecall server: the 12 non-bidi cases pass (${mode})`, async () => {
      const stubs = wirecallStubs({
        host: "127.0.0.1",
        port: server.port!,
        ca: secure ? certs.ca : undefined,
        transport: "connect",
      });
      assert.deepEqual(await failures(stubs, fetchCases), []);
    });

    test(`wirecall Connect client → connect-node server (Connect): the 12 non-bidi cases pass (${mode})`, async () => {
      const peer = await startConnectServer(
        secure ? { cert: certs.cert, key: certs.key } : undefined,
        "connect",
      );
      try {
        const stubs = wirecallStubs({
          host: "127.0.0.1",
          port: peer.port,
          ca: secure ? certs.ca : undefined,
          transport: "connect",
        });
        assert.deepEqual(await failures(stubs, fetchCases), []);
      } finally {
        await closeNode(peer.server);
      }
    });
  }
});

function closeNode(server: http2.Http2Server | http2.Http2SecureServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
  });
}
