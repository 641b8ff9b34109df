// One router, every protocol, one port: the same DemoService handlers answer
// native gRPC, gRPC-Web, Connect (JSON and protobuf, unary GET included) and
// REST — from the HTTP/2 server (Node and Deno), and from the fetch handler
// (Deno.serve under Deno, node:http under Node; Bun and workerd have their
// own suites).
import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import { Code, createClient, type Router, RpcError } from "wirecall";
import { createConnectHandler, createConnectTransport } from "wirecall/transports/connect";
import {
  createGrpcWebHandler,
  createGrpcWebTransport,
  type GrpcWebHandler,
} from "wirecall/transports/grpc-web";
import { createNodeFetch, createNodeRequestListener } from "wirecall/transports/grpc-web/node";
import {
  createHttp2Server,
  createHttp2Transport,
  type Http2Server,
} from "wirecall/transports/http2";
import { createRestHandler } from "wirecall/transports/rest";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { collect, demoRouter, from, rejection } from "../support/demo-router.ts";
import { type RunningServer, serve } from "../grpc-web/serve.ts";

/** The fetch handler serving gRPC-Web, Connect and REST for a router. */
export function everyProtocol(router: Router): GrpcWebHandler {
  return createGrpcWebHandler(router, {
    protocols: [createConnectHandler(router), createRestHandler(router)],
  });
}

function router(): Router {
  return demoRouter({
    greet: (name, ctx) => {
      if (name === "") {
        throw new RpcError(Code.INVALID_ARGUMENT, "name is required", {
          details: [{ desc: DurationSchema, value: { seconds: 2n } }],
        });
      }
      ctx.responseHeader.set("x-protocol", ctx.peer.protocol);
      return { greeting: `Hello, ${name}!` };
    },
  }).router;
}

/** What every protocol must answer on `baseUrl`, with `fetch` as the HTTP client. */
/** A fetch that always gets its init, as createNodeFetch requires. */
type Fetch = (url: string, init: RequestInit) => Promise<Response>;

function webProtocolCases(base: () => string, fetchFn: Fetch) {
  test("gRPC-Web: unary and server stream", async () => {
    const client = createClient(
      DemoService,
      createGrpcWebTransport({ baseUrl: base(), fetch: fetchFn }),
    );
    assert.equal((await client.greet({ name: "web" })).greeting, "Hello, web!");
    assert.deepEqual((await collect(client.countdown({ from: 2 }))).map((m) => m.number), [2, 1]);
  });

  for (const format of ["proto", "json"] as const) {
    test(`Connect (${format}): unary POST, unary GET, server and client streams, errors`, async () => {
      const transport = (useHttpGet: boolean) =>
        createConnectTransport({ baseUrl: base(), fetch: fetchFn, useHttpGet });
      const post = createClient(DemoService, transport(false), { format });
      const get = createClient(DemoService, transport(true), { format });
      let protocol: string | undefined;
      const res = await post.greet({ name: "connect" }, {
        onHeader: (h) => (protocol = h.get("x-protocol") as string),
      });
      assert.equal(res.greeting, "Hello, connect!");
      assert.equal(protocol, "connect");
      assert.equal((await get.greet({ name: "get" })).greeting, "Hello, get!");
      assert.deepEqual((await collect(post.countdown({ from: 3 }))).map((m) => m.number), [
        3,
        2,
        1,
      ]);
      const sum = await post.sum(from({ value: 4n }, { value: 5n }));
      assert.equal(sum.total, 9n);
      const e = await rejection(get.greet({ name: "" }));
      assert.equal(e.code, Code.INVALID_ARGUMENT);
      assert.equal(e.findDetails(DurationSchema)[0].seconds, 2n);
    });
  }

  test("Connect with curl's request: POST application/json", async () => {
    const res = await fetchFn(`${base()}/wirecall.demo.v1.DemoService/Greet`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"name":"curl"}',
    });
    assert.deepEqual(await res.json(), { greeting: "Hello, curl!" });
  });

  test("REST: GET /v1/greet/{name}, POST /v1/greet, NDJSON streams, Status JSON errors", async () => {
    const get = await fetchFn(`${base()}/v1/greet/Ada%20L`, {});
    assert.equal(get.status, 200);
    assert.equal(get.headers.get("x-protocol"), "rest");
    assert.deepEqual(await get.json(), { greeting: "Hello, Ada L!" });

    const post = await fetchFn(`${base()}/v1/greet`, { method: "POST", body: '{"name":"Bo"}' });
    assert.deepEqual(await post.json(), { greeting: "Hello, Bo!" });

    const stream = await fetchFn(`${base()}/v1/countdown/3`, {});
    assert.equal(stream.headers.get("content-type"), "application/x-ndjson");
    assert.deepEqual((await stream.text()).trim().split("\n").map((l) => JSON.parse(l)), [
      { result: { number: 3 } },
      { result: { number: 2 } },
      { result: { number: 1 } },
    ]);

    const sum = await fetchFn(`${base()}/v1/sum`, {
      method: "POST",
      body: '{"value":"2"}\n{"value":3}\n',
    });
    assert.deepEqual(await sum.json(), { total: "5", count: 2 });

    const failed = await fetchFn(`${base()}/v1/countdown/-1`, {});
    assert.equal(failed.status, 400);
    assert.deepEqual(await failed.json(), {
      code: Code.OUT_OF_RANGE,
      message: "from must be positive",
      details: [],
    });

    const invalid = await fetchFn(`${base()}/v1/greet`, { method: "POST", body: '{"name":""}' });
    assert.equal(invalid.status, 400);
    assert.deepEqual(await invalid.json(), {
      code: Code.INVALID_ARGUMENT,
      message: "name is required",
      details: [{ "@type": "type.googleapis.com/google.protobuf.Duration", value: "2s" }],
    });
  });
}

describe("one port, every protocol: the HTTP/2 server", () => {
  let server: Http2Server;
  const fetchFn: Fetch = createNodeFetch();
  before(async () => {
    const r = router();
    server = createHttp2Server(r, { grpcWeb: createNodeRequestListener(everyProtocol(r)) });
    await server.listen({ port: 0, host: "127.0.0.1" });
  });
  after(() => server.close({ graceMs: 0 }));

  test("native gRPC over HTTP/2: all four call kinds", async () => {
    const transport = createHttp2Transport({ baseUrl: server.url! });
    try {
      const client = createClient(DemoService, transport);
      let protocol: string | undefined;
      const res = await client.greet({ name: "grpc" }, {
        onHeader: (h) => (protocol = h.get("x-protocol") as string),
      });
      assert.equal(res.greeting, "Hello, grpc!");
      assert.equal(protocol, "grpc");
      assert.deepEqual((await collect(client.countdown({ from: 2 }))).map((m) => m.number), [2, 1]);
      assert.equal((await client.sum(from({ value: 1n }, { value: 2n }))).total, 3n);
      assert.deepEqual(
        (await collect(client.chat(from({ from: "a", text: "hi" })))).map((m) => m.text),
        [
          "echo: hi",
        ],
      );
    } finally {
      await transport.close();
    }
  });

  webProtocolCases(() => server.url!, fetchFn);
});

describe("one port, every protocol: the fetch handler", () => {
  let running: RunningServer;
  before(async () => {
    running = await serve(everyProtocol(router()));
  });
  after(() => running.close());

  webProtocolCases(() => running.url, fetch);
});
