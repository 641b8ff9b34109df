import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import type { Http2Server } from "wirecall/transports/http2";
import { bidiCases, fetchCarriedCases, runCases } from "../interop/cases.ts";
import { wirecallStubs } from "../interop/interop-client.ts";
import { startInteropServer } from "../interop/interop-server.ts";
import { generateTestCertificates } from "../interop/tls-certs.ts";

/** The interop cases gRPC-Web can carry: every case that needs no bidi stream. */
const grpcWebCases = fetchCarriedCases;
describe("gRPC interop cases over gRPC-Web (wirecall client → wirecall server's port)", () => {
  for (const mode of ["cleartext", "TLS"] as const) {
    let server: Http2Server;
    let ca: string | undefined;
    before(async () => {
      const certs = mode === "TLS" ? generateTestCertificates() : undefined;
      ca = certs?.ca;
      server = await startInteropServer({ tls: certs && { cert: certs.cert, key: certs.key } });
    });
    after(() => server.close({ graceMs: 0 }));

    /** Runs `names` over gRPC-Web against this mode's server. */
    const run = async (names: readonly string[]) => {
      const stubs = wirecallStubs({
        host: "127.0.0.1",
        port: server.port!,
        ca,
        serverName: "localhost",
        transport: "grpc-web",
      });
      try {
        return await runCases(stubs, names);
      } finally {
        await stubs.plain.close();
        await stubs.gzip.close();
      }
    };

    test(`every case gRPC-Web can carry passes (${mode})`, async () => {
      assert.deepEqual((await run(grpcWebCases)).filter((r) => !r.ok), []);
    });

    test(`the six bidi cases fail, pointing to the HTTP/2 transport (${mode})`, async () => {
      assert.equal(bidiCases.length, 6);
      for (const r of await run(bidiCases)) {
        assert.equal(r.ok, false, r.name);
        assert.match(r.reason ?? "", /transports\/http2/, r.name);
      }
    });
  }
});
