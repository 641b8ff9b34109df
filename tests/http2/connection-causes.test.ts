// The first call to a server that cannot be reached says why: the cause in
// the message, an AttemptFailure (with the runtime's error) as `cause`, code
// UNAVAILABLE — on the first call, not only on later ones during backoff.
import assert from "node:assert/strict";
import * as http2 from "node:http2";
import * as net from "node:net";
import { attemptFailureOf, Code, createClient, type RpcError } from "wirecall";
import { createHttp2Server, createHttp2Transport } from "wirecall/transports/http2";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { demoRouter, rejection } from "../support/demo-router.ts";
import { after, before, describe, test } from "../support/test.ts";
import {
  generateTestCertificates,
  issueServerCertificate,
  type TestCertificates,
} from "../interop/tls-certs.ts";

type TransportOptions = Parameters<typeof createHttp2Transport>[0];

/** The error of the first call made with `options`. */
async function firstCallError(options: TransportOptions): Promise<RpcError> {
  const transport = createHttp2Transport({ connectTimeoutMs: 5_000, ...options });
  try {
    return await rejection(
      createClient(DemoService, transport).greet({ name: "Ada" }, { timeoutMs: 10_000 }),
    );
  } finally {
    await transport.close();
  }
}

function runtimeCause(error: RpcError): Error | undefined {
  const failure = error.cause as Error | undefined;
  return failure?.cause as Error | undefined;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function listening(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return (server.address() as net.AddressInfo).port;
}

describe("http2 client: the first failed connection names its cause", () => {
  let certs: TestCertificates;
  const servers: Array<{ close(): unknown }> = [];
  let tlsPort = 0;
  before(async () => {
    certs = generateTestCertificates();
    const tlsServer = createHttp2Server(demoRouter().router, {
      tls: { cert: certs.cert, key: certs.key },
    });
    servers.push(tlsServer);
    tlsPort = (await tlsServer.listen({ port: 0 })).port;
  });
  after(async () => {
    for (const s of servers) await s.close();
  });

  test("a refused connection is UNAVAILABLE naming ECONNREFUSED, kind refused", async () => {
    const port = await freePort();
    const e = await firstCallError({ baseUrl: `http://127.0.0.1:${port}` });
    assert.equal(e.code, Code.UNAVAILABLE);
    assert.match(e.rawMessage, /cannot connect to http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    assert.equal(attemptFailureOf(e), "refused");
    assert.equal((runtimeCause(e) as { code?: string }).code, "ECONNREFUSED");
  });

  test("a name that does not resolve is UNAVAILABLE naming the DNS failure", async () => {
    const e = await firstCallError({ baseUrl: "http://wirecall-test.invalid:50051" });
    assert.equal(e.code, Code.UNAVAILABLE);
    assert.match(
      e.rawMessage,
      /cannot connect to .*wirecall-test\.invalid.*(ENOTFOUND|EAI_AGAIN|getaddrinfo)/,
    );
    assert.equal(attemptFailureOf(e), "refused");
  });

  test("an untrusted server certificate is UNAVAILABLE, kind tls, naming the verdict", async () => {
    const e = await firstCallError({ baseUrl: `https://127.0.0.1:${tlsPort}` });
    assert.equal(e.code, Code.UNAVAILABLE);
    assert.match(
      e.rawMessage,
      /TLS handshake failed: .*(verify|self[- ]signed|issuer|certificate)/i,
    );
    assert.equal(attemptFailureOf(e), "tls");
    assert.ok(runtimeCause(e) instanceof Error);
  });

  test("an expired server certificate is UNAVAILABLE naming the expiry", async () => {
    const expired = issueServerCertificate(certs, "expired", { days: -1 });
    const server = createHttp2Server(demoRouter().router, { tls: expired });
    servers.push(server);
    const { port } = await server.listen({ port: 0 });
    const e = await firstCallError({ baseUrl: `https://127.0.0.1:${port}`, tls: { ca: certs.ca } });
    assert.equal(e.code, Code.UNAVAILABLE);
    assert.match(e.rawMessage, /TLS handshake failed: .*expired/i);
    assert.equal(attemptFailureOf(e), "tls");
  });

  test("a certificate for another host name is UNAVAILABLE naming the mismatch", async () => {
    const e = await firstCallError({
      baseUrl: `https://127.0.0.1:${tlsPort}`,
      tls: { ca: certs.ca, serverName: "wrong.example" },
    });
    assert.equal(e.code, Code.UNAVAILABLE);
    assert.match(e.rawMessage, /TLS handshake failed: .*(altname|does not match|wrong\.example)/i);
    assert.equal(attemptFailureOf(e), "tls");
  });

  test("a TLS client to a cleartext server is UNAVAILABLE naming the wrong protocol", async () => {
    const server = createHttp2Server(demoRouter().router);
    servers.push(server);
    const { port } = await server.listen({ port: 0 });
    const e = await firstCallError({ baseUrl: `https://127.0.0.1:${port}`, tls: { ca: certs.ca } });
    assert.equal(e.code, Code.UNAVAILABLE);
    assert.match(
      e.rawMessage,
      // OpenSSL says "wrong version number", Bun's BoringSSL WRONG_VERSION_NUMBER.
      /TLS handshake failed: .*(wrong[ _]version[ _]number|packet length|record)/i,
    );
    assert.equal(attemptFailureOf(e), "tls");
  });

  test("a cleartext client to a TLS server is UNAVAILABLE saying no HTTP/2 handshake came", async () => {
    const e = await firstCallError({ baseUrl: `http://127.0.0.1:${tlsPort}` });
    assert.equal(e.code, Code.UNAVAILABLE);
    assert.match(e.rawMessage, /without an HTTP\/2 handshake .*https:\/\//);
    assert.equal(attemptFailureOf(e), "refused");
  });

  test("a connection lost after the response headers is UNAVAILABLE (lost), not CANCELLED", async () => {
    const raw = http2.createServer();
    raw.on("stream", (stream) => {
      stream.on("error", () => {});
      stream.respond({ ":status": 200, "content-type": "application/grpc" });
      stream.write(new Uint8Array([0, 0, 0, 0, 0]));
      setTimeout(() => stream.session?.destroy(), 20);
    });
    servers.push(raw);
    const port = await listening(raw);
    const e = await firstCallError({ baseUrl: `http://127.0.0.1:${port}` });
    assert.equal(e.code, Code.UNAVAILABLE);
    assert.equal(attemptFailureOf(e), "lost");
  });

  test("a real RST_STREAM(CANCEL) from the server stays CANCELLED (reset)", async () => {
    const raw = http2.createServer();
    raw.on("stream", (stream) => {
      stream.on("error", () => {});
      stream.respond({ ":status": 200, "content-type": "application/grpc" });
      setTimeout(() => stream.close(http2.constants.NGHTTP2_CANCEL), 20);
    });
    servers.push(raw);
    const port = await listening(raw);
    const transport = createHttp2Transport({ baseUrl: `http://127.0.0.1:${port}` });
    // A client stream still open: node:http2 reports the peer's RST_STREAM
    // code only on a stream whose sending side has not ended.
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    async function* values() {
      yield { value: 1n };
      await stopped;
    }
    try {
      const e = await rejection(createClient(DemoService, transport).sum(values()));
      assert.equal(e.code, Code.CANCELLED, e.message);
      assert.equal(attemptFailureOf(e), "reset");
    } finally {
      stop();
      await transport.close();
    }
  });
});
