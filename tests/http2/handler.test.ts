// createHttp2Handler: wirecall's native gRPC mounted on a node:http2 server
// the user made, beside the user's own routes.
import { after, describe, test } from "../support/test.ts";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { rmSync } from "node:fs";
import assert from "node:assert/strict";
import { Code, createClient } from "wirecall";
import { encodeEnvelope } from "wirecall/protocol";
import {
  createHttp2Handler,
  createHttp2Transport,
  type Http2Handler,
} from "wirecall/transports/http2";
import { toBinary } from "@bufbuild/protobuf";
import { DemoService, GreetRequestSchema } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { collect, demoRouter, from, rejection } from "../support/demo-router.ts";
import { generateTestCertificates } from "../interop/tls-certs.ts";
import { grpcHeaders, rawRequest } from "./raw-http2.ts";

const T = { timeout: 30_000 };

function listen(server: http2.Http2Server | http2.Http2SecureServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: http2.Http2Server | http2.Http2SecureServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A plain HTTP/2 GET: status and body text. */
function get(url: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.on("error", reject);
    const stream = session.request({ ":method": "GET", ":path": path });
    let status = 0;
    let body = "";
    stream.setEncoding("utf8");
    stream.on("response", (h) => (status = Number(h[":status"])));
    stream.on("data", (c: string) => (body += c));
    stream.on("error", reject);
    stream.on("end", () => {
      resolve({ status, body });
      session.close();
    });
  });
}

/** The user's own route: GET /healthz answers "ok"; the rest is the handler's 404. */
function userRoutes(
  req: http2.Http2ServerRequest | import("node:http").IncomingMessage,
  res: http2.Http2ServerResponse | import("node:http").ServerResponse,
): void {
  const r = res as http2.Http2ServerResponse;
  if (req.url === "/healthz") {
    r.writeHead(200, { "content-type": "text/plain" });
    r.end("ok");
    return;
  }
  r.writeHead(404);
  r.end();
}

describe("createHttp2Handler on the user's own node:http2 server", () => {
  test("a request listener: unary and streaming calls beside a user route", T, async () => {
    const { router, observed } = demoRouter();
    const handler = createHttp2Handler(router, { fallback: userRoutes });
    const server = http2.createServer(handler);
    const port = await listen(server);
    const transport = createHttp2Transport({ baseUrl: `http://127.0.0.1:${port}` });
    try {
      const client = createClient(DemoService, transport);
      assert.deepEqual((await client.greet({ name: "Ada" })).greeting, "Hello, Ada!");
      assert.deepEqual(
        (await collect(client.countdown({ from: 3 }))).map((m) => m.number),
        [3, 2, 1],
      );
      const sum = await client.sum(from({ value: 2n }, { value: 5n }));
      assert.equal(sum.total, 7n);
      assert.deepEqual(
        (await collect(client.chat(from({ from: "a", text: "hi" }, { from: "a", text: "yo" }))))
          .map((m) => m.text),
        ["echo: hi", "echo: yo"],
      );
      // A handler's error status, in trailers after a stream began, and trailers-only.
      const e = await rejection(collect(client.countdown({ from: -1 })));
      assert.equal(e.code, Code.OUT_OF_RANGE);
      assert.equal(e.rawMessage, "from must be positive");
      assert.match(observed.contexts[0].peer.address, /^127\.0\.0\.1:\d+$/);

      // The user's route on the same connection's server, through the fallback.
      assert.deepEqual(await get(`http://127.0.0.1:${port}`, "/healthz"), {
        status: 200,
        body: "ok",
      });
      assert.equal((await get(`http://127.0.0.1:${port}`, "/nope")).status, 404);
      assert.equal(handler.activeCalls, 0);
    } finally {
      await transport.close();
      await closeServer(server);
    }
  });

  test("without a fallback, a non-gRPC request gets a 404", T, async () => {
    const server = http2.createServer(createHttp2Handler(demoRouter().router));
    const port = await listen(server);
    try {
      const res = await get(`http://127.0.0.1:${port}`, "/");
      assert.equal(res.status, 404);
    } finally {
      await closeServer(server);
    }
  });

  test("malformed gRPC heads get the server's answers (one shared rule set)", T, async () => {
    const server = http2.createServer(createHttp2Handler(demoRouter().router));
    const port = await listen(server);
    const url = `http://127.0.0.1:${port}`;
    const frame = encodeEnvelope(
      0,
      toBinary(GreetRequestSchema, { $typeName: "wirecall.demo.v1.GreetRequest", name: "x" }),
    );
    try {
      const badTimeout = await rawRequest(
        url,
        grpcHeaders("/wirecall.demo.v1.DemoService/Greet", { "grpc-timeout": "soon" }),
        frame,
      );
      assert.equal(badTimeout.headers[":status"], 400);
      assert.equal(badTimeout.headers["grpc-status"], String(Code.INTERNAL));
      const badEncoding = await rawRequest(
        url,
        grpcHeaders("/wirecall.demo.v1.DemoService/Greet", { "grpc-encoding": "br" }),
        frame,
      );
      assert.equal(badEncoding.headers["grpc-status"], String(Code.UNIMPLEMENTED));
      const unknown = await rawRequest(url, grpcHeaders("/wirecall.demo.v1.DemoService/Nope"));
      assert.equal(unknown.headers["grpc-status"], String(Code.UNIMPLEMENTED));
    } finally {
      await closeServer(server);
    }
  });

  test("the stream API: handleStream takes gRPC streams and leaves the rest", T, async () => {
    const handler: Http2Handler = createHttp2Handler(demoRouter().router);
    const server = http2.createServer();
    server.on("stream", (stream, headers, _flags, rawHeaders) => {
      if (handler.handleStream(stream, headers, rawHeaders)) return;
      stream.respond({ ":status": 200, "content-type": "text/plain" });
      stream.end(`user: ${headers[":path"]}`);
    });
    const port = await listen(server);
    const transport = createHttp2Transport({ baseUrl: `http://127.0.0.1:${port}` });
    try {
      const client = createClient(DemoService, transport);
      assert.equal((await client.greet({ name: "Bo" })).greeting, "Hello, Bo!");
      assert.deepEqual(
        (await collect(client.countdown({ from: 2 }))).map((m) => m.number),
        [2, 1],
      );
      assert.deepEqual(await get(`http://127.0.0.1:${port}`, "/page"), {
        status: 200,
        body: "user: /page",
      });
    } finally {
      await transport.close();
      await closeServer(server);
    }
  });

  const certs = generateTestCertificates();
  after(() => rmSync(certs.dir, { recursive: true, force: true }));

  test(
    "on http2.createSecureServer with allowHTTP1: gRPC over TLS, HTTP/1.1 to the fallback",
    T,
    async () => {
      const server = http2.createSecureServer(
        { cert: certs.cert, key: certs.key, allowHTTP1: true },
        createHttp2Handler(demoRouter().router, { fallback: userRoutes }),
      );
      const port = await listen(server);
      const transport = createHttp2Transport({
        baseUrl: `https://127.0.0.1:${port}`,
        tls: { ca: certs.ca },
      });
      try {
        const client = createClient(DemoService, transport);
        assert.equal((await client.greet({ name: "Cy" })).greeting, "Hello, Cy!");
        assert.deepEqual(
          (await collect(client.countdown({ from: 2 }))).map((m) => m.number),
          [2, 1],
        );
        const https = await import("node:https");
        const body = await new Promise<string>((resolve, reject) => {
          https.get(
            `https://127.0.0.1:${port}/healthz`,
            { ca: certs.ca, agent: false },
            (res) => {
              let text = "";
              res.on("data", (c) => (text += c));
              res.on("end", () => resolve(`${res.statusCode} ${res.httpVersion} ${text}`));
            },
          ).on("error", reject);
        });
        assert.equal(body, "200 1.1 ok");
      } finally {
        await transport.close();
        await closeServer(server);
      }
    },
  );

  test("cancelCalls cancels running calls (a shutdown past its grace)", T, async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const { router, observed } = demoRouter({
      greet: (_name, ctx) =>
        new Promise((_, reject) => {
          started();
          ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason));
        }),
    });
    const handler = createHttp2Handler(router);
    const server = http2.createServer(handler);
    const port = await listen(server);
    const transport = createHttp2Transport({ baseUrl: `http://127.0.0.1:${port}` });
    try {
      const call = rejection(createClient(DemoService, transport).greet({ name: "Ada" }));
      await running;
      assert.equal(handler.activeCalls, 1);
      handler.cancelCalls();
      const e = await call;
      assert.equal(e.code, Code.CANCELLED);
      assert.equal(observed.aborts.length, 1);
    } finally {
      await transport.close();
      await closeServer(server);
    }
  });
});
