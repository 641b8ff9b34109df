import { after, describe, test } from "../support/test.ts";
import { rmSync } from "node:fs";
import assert from "node:assert/strict";
import { Code, createClient, type RpcError } from "wirecall";
import { encodeEnvelope } from "wirecall/protocol";
import { createHttp2Server, createHttp2Transport } from "wirecall/transports/http2";
import { toBinary } from "@bufbuild/protobuf";
import { DemoService, GreetRequestSchema } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { collect, demoRouter, from, rejection } from "../support/demo-router.ts";
import { generateTestCertificates } from "../interop/tls-certs.ts";
import { grpcHeaders, rawRequest } from "./raw-http2.ts";

const GREET = "/wirecall.demo.v1.DemoService/Greet";
const greetFrame = (name: string) =>
  encodeEnvelope(
    0,
    toBinary(GreetRequestSchema, { $typeName: "wirecall.demo.v1.GreetRequest", name }),
  );

async function withServer(
  run: (url: string) => Promise<void>,
  options: Parameters<typeof createHttp2Server>[1] = {},
  router = demoRouter().router,
): Promise<void> {
  const server = createHttp2Server(router, options);
  await server.listen({ port: 0 });
  try {
    await run(server.url!);
  } finally {
    await server.close({ graceMs: 100 });
  }
}

/** After a bad request, a good call on a new connection still works. */
async function stillServes(url: string): Promise<void> {
  const transport = createHttp2Transport({ baseUrl: url });
  try {
    const res = await createClient(DemoService, transport).greet({ name: "Ada" });
    assert.equal(res.greeting, "Hello, Ada!");
  } finally {
    await transport.close();
  }
}

/**
 * A router whose Greet handler waits until its signal fires, and what the test
 * needs to watch it: `running` once the handler runs, `aborted` with the reason.
 */
function waitingForAbort() {
  let sawAbort!: (reason: RpcError) => void;
  const aborted = new Promise<RpcError>((resolve) => (sawAbort = resolve));
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const { router } = demoRouter({
    greet: (_name, ctx) =>
      new Promise((_, reject) => {
        ctx.signal.addEventListener("abort", () => {
          sawAbort(ctx.signal.reason as RpcError);
          reject(ctx.signal.reason);
        });
        started();
      }),
  });
  return { router, running, aborted };
}

describe("http2 server", () => {
  test("answers a unary call with 200, its message and grpc-status 0 in trailers", async () => {
    await withServer(async (url) => {
      const res = await rawRequest(url, grpcHeaders(GREET), greetFrame("Ada"));
      assert.equal(res.headers[":status"], 200);
      assert.equal(res.headers["content-type"], "application/grpc");
      assert.equal(res.body[0], 0);
      assert.equal(res.trailers?.["grpc-status"], "0");
    });
  });

  test("refuses a non-gRPC content-type with HTTP 415 and keeps serving", async () => {
    await withServer(async (url) => {
      const res = await rawRequest(url, grpcHeaders(GREET, { "content-type": "text/plain" }));
      assert.equal(res.headers[":status"], 415);
      // grpc-go's answer (see tests/request-refusals.test.ts).
      assert.equal(res.headers["grpc-status"], String(Code.INVALID_ARGUMENT));
      await stillServes(url);
    });
  });

  test("refuses a request without te: trailers with HTTP 400 and INTERNAL", async () => {
    await withServer(async (url) => {
      const headers = grpcHeaders(GREET);
      delete headers.te;
      const res = await rawRequest(url, headers, greetFrame("Ada"));
      assert.equal(res.headers[":status"], 400);
      assert.equal(res.headers["grpc-status"], String(Code.INTERNAL));
    });
  });

  test("refuses a method other than POST with HTTP 405", async () => {
    await withServer(async (url) => {
      const res = await rawRequest(url, grpcHeaders(GREET, { ":method": "PUT" }));
      assert.equal(res.headers[":status"], 405);
    });
  });

  test("answers a malformed grpc-timeout with INTERNAL", async () => {
    await withServer(async (url) => {
      const res = await rawRequest(url, grpcHeaders(GREET, { "grpc-timeout": "12x" }));
      assert.equal(res.headers["grpc-status"], String(Code.INTERNAL));
    });
  });

  test("answers an unknown grpc-encoding with UNIMPLEMENTED and the accepted encodings", async () => {
    await withServer(async (url) => {
      const res = await rawRequest(url, grpcHeaders(GREET, { "grpc-encoding": "snappy" }));
      assert.equal(res.headers["grpc-status"], String(Code.UNIMPLEMENTED));
      assert.match(String(res.headers["grpc-accept-encoding"]), /gzip/);
    });
  });

  test("fails a call whose frame is cut short with INTERNAL and keeps serving", async () => {
    await withServer(async (url) => {
      const frame = greetFrame("Ada");
      const res = await rawRequest(url, grpcHeaders(GREET), frame.subarray(0, frame.length - 1));
      const status = res.trailers?.["grpc-status"] ?? res.headers["grpc-status"];
      assert.equal(status, String(Code.INTERNAL));
      await stillServes(url);
    });
  });

  test("fails a call whose message is over the receive limit with RESOURCE_EXHAUSTED", async () => {
    await withServer(async (url) => {
      const res = await rawRequest(url, grpcHeaders(GREET), greetFrame("x".repeat(200)));
      const status = res.trailers?.["grpc-status"] ?? res.headers["grpc-status"];
      assert.equal(status, String(Code.RESOURCE_EXHAUSTED));
      await stillServes(url);
    }, { maxReceiveMessageBytes: 100 });
  });

  test("fails a response over the send limit with RESOURCE_EXHAUSTED", async () => {
    await withServer(async (url) => {
      const transport = createHttp2Transport({ baseUrl: url });
      const e = await rejection(
        createClient(DemoService, transport).greet({ name: "y".repeat(200) }),
      );
      assert.equal(e.code, Code.RESOURCE_EXHAUSTED);
      await transport.close();
    }, { maxSendMessageBytes: 100 });
  });

  test("answers an error before any message as trailers-only: one HEADERS block", async () => {
    await withServer(async (url) => {
      const res = await rawRequest(url, grpcHeaders("/wirecall.demo.v1.Nope/Call"), greetFrame(""));
      assert.equal(res.headers[":status"], 200);
      assert.equal(res.headers["grpc-status"], String(Code.UNIMPLEMENTED));
      assert.equal(res.trailers, undefined);
      assert.equal(res.body.byteLength, 0);
    });
  });

  test("cancels the handler's signal with CANCELLED when the client resets the stream", async () => {
    const { router, running, aborted } = waitingForAbort();
    await withServer(
      async (url) => {
        const transport = createHttp2Transport({ baseUrl: url });
        const controller = new AbortController();
        const call = createClient(DemoService, transport).greet({ name: "Ada" }, {
          signal: controller.signal,
        });
        await running;
        controller.abort();
        assert.equal((await rejection(call)).code, Code.CANCELLED);
        assert.equal((await aborted).code, Code.CANCELLED);
        await transport.close();
      },
      {},
      router,
    );
  });

  test("enforces the client's deadline: DEADLINE_EXCEEDED on both sides", async () => {
    const { router, aborted } = waitingForAbort();
    await withServer(
      async (url) => {
        const transport = createHttp2Transport({ baseUrl: url });
        const e = await rejection(
          createClient(DemoService, transport).greet({ name: "Ada" }, { timeoutMs: 50 }),
        );
        assert.equal(e.code, Code.DEADLINE_EXCEEDED);
        assert.equal((await aborted).code, Code.DEADLINE_EXCEEDED);
        await transport.close();
      },
      {},
      router,
    );
  });

  test("serves all four call kinds over one connection", async () => {
    await withServer(async (url) => {
      const transport = createHttp2Transport({ baseUrl: url });
      const client = createClient(DemoService, transport);
      const [greet, counted, sum, chat] = await Promise.all([
        client.greet({ name: "Ada" }),
        collect(client.countdown({ from: 3 })),
        client.sum(from({ value: 1n }, { value: 2n })),
        collect(client.chat(from({ text: "a" }, { text: "b" }))),
      ]);
      assert.equal(greet.greeting, "Hello, Ada!");
      assert.deepEqual(counted.map((r) => r.number), [3, 2, 1]);
      assert.equal(sum.total, 3n);
      assert.deepEqual(chat.map((m) => m.text), ["echo: a", "echo: b"]);
      await transport.close();
    });
  });

  const certs = generateTestCertificates();
  after(() => rmSync(certs.dir, { recursive: true, force: true }));

  test("shows the peer address and, under mutual TLS, the client certificate", async () => {
    const { router, observed } = demoRouter();
    await withServer(
      async (url) => {
        const transport = createHttp2Transport({
          baseUrl: url,
          tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey },
        });
        await createClient(DemoService, transport).greet({ name: "Ada" });
        await transport.close();
        const peer = observed.contexts[0].peer;
        assert.match(peer.address, /^127\.0\.0\.1:\d+$/);
        assert.equal(peer.tls, true);
        const cert = peer.certificate as { subject?: { CN?: string } };
        assert.equal(cert.subject?.CN, "wirecall test client");
      },
      { tls: { cert: certs.cert, key: certs.key, ca: certs.ca, requestCert: true } },
      router,
    );
  });

  test("refuses a client without a certificate when mutual TLS is required", async () => {
    await withServer(async (url) => {
      const transport = createHttp2Transport({ baseUrl: url, tls: { ca: certs.ca } });
      const e = await rejection(createClient(DemoService, transport).greet({ name: "Ada" }));
      assert.equal(e.code, Code.UNAVAILABLE);
      await transport.close();
    }, { tls: { cert: certs.cert, key: certs.key, ca: certs.ca, requestCert: true } });
  });

  test("close() lets a running call finish within the grace period", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const { router } = demoRouter({
      greet: async (name) => {
        started();
        await gate;
        return { greeting: `late ${name}` };
      },
    });
    const server = createHttp2Server(router);
    await server.listen({ port: 0 });
    const transport = createHttp2Transport({ baseUrl: server.url! });
    const call = createClient(DemoService, transport).greet({ name: "Ada" });
    await running;
    const closed = server.close({ graceMs: 10_000 });
    release();
    assert.equal((await call).greeting, "late Ada");
    await closed;
    await transport.close();
  });

  test("close() cancels calls still running after the grace period", async () => {
    const { router, running, aborted } = waitingForAbort();
    const server = createHttp2Server(router);
    await server.listen({ port: 0 });
    const transport = createHttp2Transport({ baseUrl: server.url! });
    const call = createClient(DemoService, transport).greet({ name: "Ada" });
    await running;
    await server.close({ graceMs: 0 });
    assert.equal((await aborted).code, Code.CANCELLED);
    const e = await rejection(call);
    assert.ok(e.code === Code.CANCELLED || e.code === Code.UNAVAILABLE, `got ${e.message}`);
    await transport.close();
  });

  test("hands requests that are not native gRPC to the grpcWeb hook, over HTTP/2", async () => {
    await withServer(async (url) => {
      const res = await rawRequest(
        url,
        grpcHeaders(GREET, { "content-type": "application/grpc-web+proto" }),
      );
      assert.equal(res.headers[":status"], 299);
      assert.equal(
        new TextDecoder().decode(res.body),
        "web POST /wirecall.demo.v1.DemoService/Greet",
      );
    }, {
      grpcWeb: (req, res) => {
        const out = res as import("node:http").ServerResponse;
        out.writeHead(299, { "content-type": "text/plain" });
        out.end(`web ${req.method} ${req.url}`);
      },
    });
  });

  test("hands HTTP/1.1 requests to the grpcWeb hook on the same cleartext port", async () => {
    await withServer(async (url) => {
      const res = await fetch(`${url}/wirecall.demo.v1.DemoService/Greet`, {
        method: "POST",
        headers: { "content-type": "application/grpc-web+proto" },
        body: new Uint8Array(0),
      });
      assert.equal(res.status, 299);
      assert.equal(await res.text(), "web 1.1");
      await stillServes(url);
    }, {
      grpcWeb: (req, res) => {
        const out = res as import("node:http").ServerResponse;
        out.writeHead(299, { "content-type": "text/plain" });
        out.end(`web ${(req as { httpVersion: string }).httpVersion}`);
      },
    });
  });

  test("rejects an unknown option with INVALID_ARGUMENT naming it", () => {
    assert.throws(
      () => createHttp2Server(demoRouter().router, { maxConcurrentStreams: -1 }),
      (e: RpcError) => e.code === Code.INVALID_ARGUMENT && /maxConcurrentStreams/.test(e.message),
    );
  });
});
