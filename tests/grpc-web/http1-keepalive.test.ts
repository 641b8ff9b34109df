// HTTP/1.1 gRPC-Web on the HTTP/2 server's port, byte by byte: a request and
// its body in one write, large and compressed bodies, keep-alive reuse after
// every kind of error answer, pipelining and `Connection: close` — in
// cleartext (where the port tells HTTP/1.1 from HTTP/2 by sniffing) and TLS.
import assert from "node:assert/strict";
import { gzip } from "wirecall";
import { encodeEnvelope } from "wirecall/protocol";
import { toBinary } from "@bufbuild/protobuf";
import { createHttp2Server, type Http2Server } from "wirecall/transports/http2";
import { createGrpcWebHandler } from "wirecall/transports/grpc-web";
import { createNodeRequestListener } from "wirecall/transports/grpc-web/node";
import { GreetRequestSchema } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { demoRouter } from "../support/demo-router.ts";
import { after, before, describe, test } from "../support/test.ts";
import { generateTestCertificates } from "../interop/tls-certs.ts";
import { Http1Connection, http1Request, type Http1Response } from "./http1-wire.ts";

const GREET = "/wirecall.demo.v1.DemoService/Greet";
const WEB = { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" };

const greet = (name: string) =>
  toBinary(GreetRequestSchema, { $typeName: "wirecall.demo.v1.GreetRequest", name });

/** The grpc-status of a gRPC-Web response (trailers frame, or headers for trailers-only). */
function grpcStatus(res: Http1Response): string | undefined {
  const b = res.body;
  let offset = 0;
  while (offset + 5 <= b.byteLength) {
    const flags = b[offset];
    const length = new DataView(b.buffer, b.byteOffset + offset + 1, 4).getUint32(0);
    if ((flags & 0x80) !== 0) {
      const text = new TextDecoder().decode(b.subarray(offset + 5, offset + 5 + length));
      return /grpc-status:\s*(\d+)/i.exec(text)?.[1];
    }
    offset += 5 + length;
  }
  return res.headers["grpc-status"];
}

describe("HTTP/1.1 gRPC-Web on the shared port, on the wire", () => {
  for (const mode of ["cleartext", "TLS"] as const) {
    let server: Http2Server;
    let ca: string | undefined;
    before(async () => {
      const certs = mode === "TLS" ? generateTestCertificates() : undefined;
      ca = certs?.ca;
      const { router } = demoRouter();
      server = createHttp2Server(router, {
        tls: certs && { cert: certs.cert, key: certs.key },
        grpcWeb: createNodeRequestListener(createGrpcWebHandler(router)),
      });
      await server.listen({ port: 0 });
    });
    after(() => server.close({ graceMs: 0 }));
    const connect = () =>
      new Http1Connection(server.port!, { tls: ca === undefined ? undefined : { ca } });

    test(`headers and a 100 KB body in one write are answered, 10 fresh connections (${mode})`, async () => {
      const name = "x".repeat(100_000);
      for (let i = 0; i < 10; i++) {
        const c = connect();
        await c.ready;
        await c.write(http1Request(GREET, WEB, encodeEnvelope(0, greet(name))));
        const [res] = await c.waitForResponses(1);
        assert.equal(res?.status, 200, `connection ${i}`);
        assert.equal(grpcStatus(res), "0", `connection ${i}`);
        c.destroy();
      }
    });

    test(`an unknown method with a 1 MiB body is UNIMPLEMENTED, with no reset while the client writes (${mode})`, async () => {
      const body = encodeEnvelope(0, new Uint8Array(1 << 20));
      for (let i = 0; i < 10; i++) {
        const c = connect();
        await c.ready;
        await c.write(http1Request("/wirecall.demo.v1.DemoService/Nope", WEB, body));
        const [res] = await c.waitForResponses(1);
        assert.equal(c.writeError, undefined, `connection ${i}: ${c.writeError?.message}`);
        assert.equal(grpcStatus(res), "12", `connection ${i}`);
        assert.equal(c.isClosed, false, `connection ${i} was closed`);
        c.destroy();
      }
    });

    test(`one kept-alive connection serves a call after every kind of error answer (${mode})`, async () => {
      const c = connect();
      await c.ready;
      const good = http1Request(GREET, WEB, encodeEnvelope(0, greet("Ada")));
      const requests: Array<[string, Uint8Array, string | undefined]> = [
        ["ok", good, "0"],
        [
          "unknown method, large body",
          http1Request("/wirecall.demo.v1.DemoService/Nope", WEB, new Uint8Array(300_000)),
          "12",
        ],
        ["ok", good, "0"],
        ["unknown service", http1Request("/no.Such/Thing", WEB, new Uint8Array(1000)), "12"],
        ["ok", good, "0"],
        [
          "malformed frame",
          http1Request(GREET, WEB, Uint8Array.from([0, 0, 0, 0, 9, 1])),
          "13",
        ],
        ["ok", good, "0"],
        [
          "unknown encoding",
          http1Request(GREET, { ...WEB, "grpc-encoding": "br" }, encodeEnvelope(1, greet("x"))),
          "12",
        ],
        ["ok", good, "0"],
        [
          "over the receive limit",
          http1Request(GREET, WEB, encodeEnvelope(0, greet("y".repeat(5 << 20)))),
          "8",
        ],
        ["ok", good, "0"],
        [
          "gzip-compressed request",
          http1Request(
            GREET,
            { ...WEB, "grpc-encoding": "gzip" },
            encodeEnvelope(1, await gzip.compress(greet("z".repeat(50_000)))),
          ),
          "0",
        ],
        ["ok", good, "0"],
      ];
      for (const [i, [what, bytes, status]] of requests.entries()) {
        await c.write(bytes);
        const responses = await c.waitForResponses(i + 1);
        assert.equal(responses.length, i + 1, `no answer to "${what}" (closed: ${c.isClosed})`);
        assert.equal(grpcStatus(responses[i]), status, what);
      }
      assert.equal(c.isClosed, false);
      c.destroy();
    });

    test(`pipelined requests are answered in order on one connection (${mode})`, async () => {
      const c = connect();
      await c.ready;
      const names = ["one", "two", "three", "four"];
      await c.write(
        new Uint8Array(
          names.flatMap((n) => [...http1Request(GREET, WEB, encodeEnvelope(0, greet(n)))]),
        ),
      );
      const responses = await c.waitForResponses(names.length);
      assert.equal(responses.length, names.length);
      for (const [i, n] of names.entries()) {
        assert.equal(grpcStatus(responses[i]), "0");
        assert.ok(new TextDecoder().decode(responses[i].body).includes(`Hello, ${n}!`), n);
      }
      c.destroy();
    });

    test(`"Connection: close" is honoured: answered, then the server closes (${mode})`, async () => {
      const c = connect();
      await c.ready;
      await c.write(
        http1Request(GREET, { ...WEB, connection: "close" }, encodeEnvelope(0, greet("Ada"))),
      );
      const [res] = await c.waitForResponses(1);
      assert.equal(grpcStatus(res), "0");
      await Promise.race([c.closed, new Promise((r) => setTimeout(r, 5_000))]);
      assert.equal(c.isClosed, true);
    });
  }
});
