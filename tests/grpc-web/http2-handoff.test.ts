import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { createClient } from "wirecall";
import {
  createHttp2Server,
  createHttp2Transport,
  type Http2Server,
} from "wirecall/transports/http2";
import { createGrpcWebHandler, createGrpcWebTransport } from "wirecall/transports/grpc-web";
import { createNodeFetch, createNodeRequestListener } from "wirecall/transports/grpc-web/node";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { collect, demoRouter, from } from "../support/demo-router.ts";
import { generateTestCertificates, type TestCertificates } from "../interop/tls-certs.ts";
import { greetOverH2c } from "./h2c-greet.ts";

const { router, observed } = demoRouter();
const listener = createNodeRequestListener(createGrpcWebHandler(router));
const httpVersions: string[] = [];
const grpcWeb: typeof listener = (req, res) => {
  httpVersions.push(req.httpVersion);
  return listener(req, res);
};

describe("gRPC-Web on the HTTP/2 server's port (cleartext)", () => {
  let server: Http2Server;
  const fetch = createNodeFetch();

  before(async () => {
    server = createHttp2Server(router, { grpcWeb });
    await server.listen({ host: "127.0.0.1", port: 0 });
  });
  after(async () => {
    await fetch.close();
    await server.close({ graceMs: 0 });
  });

  test("native gRPC and gRPC-Web over HTTP/1.1 are answered on the same port", async () => {
    const native = createClient(DemoService, createHttp2Transport({ baseUrl: server.url! }));
    const web = createClient(DemoService, createGrpcWebTransport({ baseUrl: server.url!, fetch }));
    assert.equal((await native.greet({ name: "h2" })).greeting, "Hello, h2!");
    assert.equal((await web.greet({ name: "web" })).greeting, "Hello, web!");
    assert.deepEqual((await collect(web.countdown({ from: 3 }))).map((m) => m.number), [3, 2, 1]);
    assert.equal((await web.sum(from({ value: 1n }, { value: 2n }))).total, 3n);
    const protocols = observed.contexts.slice(-4).map((c) => c.peer.protocol);
    assert.deepEqual(protocols, ["grpc", "grpc-web", "grpc-web", "grpc-web"]);
  });

  test("gRPC-Web over cleartext HTTP/2 (h2c) is answered on the same port", async () => {
    const { headers, frames } = await greetOverH2c(server.url!, "h2c");
    assert.equal(headers["content-type"], "application/grpc-web+proto");
    assert.deepEqual(frames.map(([flags]) => flags), [0, 0x80]);
  });
});

describe("gRPC-Web on the HTTP/2 server's port (TLS, ALPN)", () => {
  let certs: TestCertificates;
  let server: Http2Server;

  before(async () => {
    certs = generateTestCertificates();
    server = createHttp2Server(router, { grpcWeb, tls: { cert: certs.cert, key: certs.key } });
    await server.listen({ host: "127.0.0.1", port: 0 });
  });
  after(() => server.close({ graceMs: 0 }));

  test("the undici client negotiates HTTP/2 when asked and is served gRPC-Web", async () => {
    const fetch = createNodeFetch({ allowH2: true, ca: certs.ca });
    try {
      const web = createClient(
        DemoService,
        createGrpcWebTransport({ baseUrl: server.url!, fetch }),
      );
      httpVersions.length = 0;
      assert.equal((await web.greet({ name: "alpn" })).greeting, "Hello, alpn!");
      assert.deepEqual(httpVersions, ["2.0"]);
      assert.deepEqual((await collect(web.countdown({ from: 2 }))).map((m) => m.number), [2, 1]);
      const res = await fetch(`${server.url}/wirecall.demo.v1.DemoService/Nope`, {
        method: "POST",
        headers: { "content-type": "application/grpc-web+proto" },
        body: new Uint8Array(5),
      });
      await res.body?.cancel();
      assert.equal(res.headers.get("grpc-status"), "12");
    } finally {
      await fetch.close();
    }
  });

  test("gRPC-Web over HTTP/1.1 with TLS is answered too", async () => {
    const fetch = createNodeFetch({ ca: certs.ca });
    try {
      const web = createClient(
        DemoService,
        createGrpcWebTransport({ baseUrl: server.url!, fetch }),
      );
      httpVersions.length = 0;
      assert.equal((await web.greet({ name: "tls" })).greeting, "Hello, tls!");
      assert.deepEqual(httpVersions, ["1.1"]);
    } finally {
      await fetch.close();
    }
  });
});
