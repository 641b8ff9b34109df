// gRPC-Web over HTTP/1.1 on the HTTP/2 server's own port, driven by an
// independent client (@connectrpc/connect-node's createGrpcWebTransport with
// httpVersion "1.1"): every interop case gRPC-Web carries, over kept-alive
// connections, in cleartext (protocol sniffing) and TLS (ALPN http/1.1).
import assert from "node:assert/strict";
import type { Http2Server } from "wirecall/transports/http2";
import { runCases } from "../interop/cases.ts";
import { connectGrpcWebStubs } from "../interop/connect-peer.ts";
import { startInteropServer } from "../interop/interop-server.ts";
import { generateTestCertificates } from "../interop/tls-certs.ts";
import { after, before, describe, test } from "../support/test.ts";

/** The interop cases gRPC-Web can carry (no bidi), in an order that puts errors before reuse. */
const cases = [
  "empty_unary",
  "large_unary",
  "status_code_and_message",
  "empty_unary",
  "unimplemented_method",
  "large_unary",
  "unimplemented_service",
  "client_compressed_unary",
  "server_compressed_unary",
  "special_status_message",
  "server_compressed_streaming",
  "server_streaming",
  "custom_metadata",
  "large_unary",
] as const;

describe("gRPC-Web over HTTP/1.1 on the HTTP/2 server's port (connect-node client)", () => {
  for (const mode of ["cleartext", "TLS"] as const) {
    let server: Http2Server;
    let ca: string | undefined;
    before(async () => {
      const certs = mode === "TLS" ? generateTestCertificates() : undefined;
      ca = certs?.ca;
      server = await startInteropServer({ tls: certs && { cert: certs.cert, key: certs.key } });
    });
    after(() => server.close({ graceMs: 0 }));

    test(`every gRPC-Web case passes, three rounds on kept-alive connections (${mode})`, async () => {
      const stubs = connectGrpcWebStubs({
        baseUrl: `${mode === "TLS" ? "https" : "http"}://localhost:${server.port}`,
        httpVersion: "1.1",
        nodeOptions: ca === undefined ? undefined : { ca },
      });
      for (let round = 0; round < 3; round++) {
        const results = await runCases(stubs, cases as unknown as string[]);
        assert.deepEqual(results.filter((r) => !r.ok), [], `round ${round}`);
      }
    });
  }
});
