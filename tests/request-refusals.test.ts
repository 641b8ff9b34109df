// A malformed request head gets one answer from every wirecall server: the
// core's validateRequest decides it, with the answers of gRPC's HTTP/2
// protocol and grpc-go (see src/validate-request.ts).
import { describe, test } from "./support/test.ts";
import assert from "node:assert/strict";
import { Code } from "wirecall";
import { createHttp2Server } from "wirecall/transports/http2";
import { createGrpcWebHandler } from "wirecall/transports/grpc-web";
import { createNodeRequestListener } from "wirecall/transports/grpc-web/node";
import { demoRouter } from "./support/demo-router.ts";
import { grpcHeaders, rawRequest } from "./http2/raw-http2.ts";

const GREET = "/wirecall.demo.v1.DemoService/Greet";

/** The parts of an answer every transport must agree on. */
interface Answer {
  httpStatus: number;
  grpcStatus: string | undefined;
  grpcMessage: string | undefined;
  acceptEncoding?: string;
}

interface Case {
  name: string;
  method: string;
  /** Headers that make the request malformed, on top of a valid request of each protocol. */
  headers: Record<string, string>;
  expected: Omit<Answer, "grpcMessage"> & { grpcMessage: RegExp };
}

const cases: Case[] = [
  {
    name: "a malformed grpc-timeout",
    method: "POST",
    headers: { "grpc-timeout": "12x" },
    expected: {
      httpStatus: 400,
      grpcStatus: String(Code.INTERNAL),
      grpcMessage: /grpc-timeout "12x"/,
    },
  },
  {
    name: "an unknown grpc-encoding",
    method: "POST",
    headers: { "grpc-encoding": "snappy" },
    expected: {
      httpStatus: 200,
      grpcStatus: String(Code.UNIMPLEMENTED),
      grpcMessage: /grpc-encoding "snappy"/,
      acceptEncoding: "gzip,identity",
    },
  },
  {
    name: "a content type that is not gRPC",
    method: "POST",
    headers: { "content-type": "text/plain" },
    expected: {
      httpStatus: 415,
      grpcStatus: String(Code.INVALID_ARGUMENT),
      grpcMessage: /content-type "text\/plain"/,
    },
  },
  {
    name: "a method other than POST",
    method: "PUT",
    headers: {},
    expected: { httpStatus: 405, grpcStatus: String(Code.INTERNAL), grpcMessage: /POST/ },
  },
];

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

describe("every server refuses a malformed request head with the same answer", () => {
  const { router } = demoRouter();
  const handler = createGrpcWebHandler(router);

  /** Asks a fresh HTTP/2 server, with the gRPC-Web hand-off on its port when `shared`. */
  async function viaHttp2(c: Case, shared = false): Promise<Answer> {
    const server = createHttp2Server(
      router,
      shared ? { grpcWeb: createNodeRequestListener(handler) } : {},
    );
    await server.listen({ port: 0 });
    let res;
    try {
      res = await rawRequest(
        server.url!,
        grpcHeaders(GREET, { ":method": c.method, ...c.headers }),
      );
    } finally {
      await server.close({ graceMs: 100 });
    }
    return {
      httpStatus: Number(res.headers[":status"]),
      grpcStatus: one(res.headers["grpc-status"]),
      grpcMessage: one(res.headers["grpc-message"]),
      acceptEncoding: one(res.headers["grpc-accept-encoding"]),
    };
  }

  async function viaGrpcWeb(c: Case): Promise<Answer> {
    const res = await handler(
      new Request(`http://wirecall.test${GREET}`, {
        method: c.method,
        headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1", ...c.headers },
        body: new Uint8Array(0),
      }),
    );
    await res.body?.cancel();
    return {
      httpStatus: res.status,
      grpcStatus: res.headers.get("grpc-status") ?? undefined,
      grpcMessage: res.headers.get("grpc-message") ?? undefined,
      acceptEncoding: res.headers.get("grpc-accept-encoding") ?? undefined,
    };
  }

  for (const c of cases) {
    test(`${c.name}: HTTP ${c.expected.httpStatus} and grpc-status ${c.expected.grpcStatus} from the HTTP/2 server and the gRPC-Web handler alike`, async () => {
      const answers = {
        http2: await viaHttp2(c),
        "gRPC-Web": await viaGrpcWeb(c),
      };
      for (const [transport, a] of Object.entries(answers)) {
        assert.equal(a.httpStatus, c.expected.httpStatus, transport);
        assert.equal(a.grpcStatus, c.expected.grpcStatus, transport);
        assert.match(a.grpcMessage ?? "", c.expected.grpcMessage, transport);
        if (c.expected.acceptEncoding !== undefined) {
          assert.equal(a.acceptEncoding, c.expected.acceptEncoding, transport);
        }
      }
      assert.equal(answers.http2.grpcMessage, answers["gRPC-Web"].grpcMessage);
    });
  }

  test("a content type that is not gRPC on the shared port (handed to gRPC-Web) gets the same answer", async () => {
    const c = cases[2];
    const [own, handedOff] = [await viaHttp2(c), await viaHttp2(c, true)];
    assert.deepEqual(
      { ...handedOff, acceptEncoding: undefined },
      { ...own, acceptEncoding: undefined },
    );
  });
});
