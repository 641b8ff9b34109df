// The framework adapters: Express middleware, a Fastify plugin and Next.js
// route handlers serve gRPC-Web, Connect and REST on the routes a user picks.
import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express from "express";
import Fastify from "fastify";
import { createClient, type Router } from "wirecall";
import { createConnectHandler, createConnectTransport } from "wirecall/transports/connect";
import { createGrpcWebHandler, createGrpcWebTransport } from "wirecall/transports/grpc-web";
import { createRestHandler } from "wirecall/transports/rest";
import { createExpressMiddleware } from "wirecall/transports/frameworks/express";
import { wirecallFastifyPlugin } from "wirecall/transports/frameworks/fastify";
import { createNextRouteHandlers } from "wirecall/transports/frameworks/next";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { collect, demoRouter, from } from "../support/demo-router.ts";

const handlerFor = (router: Router, pathPrefix?: string) =>
  createGrpcWebHandler(router, {
    pathPrefix,
    protocols: [createConnectHandler(router), createRestHandler(router)],
  });

/** The same checks for every framework, against `base()` (the mount point's URL). */
function everyProtocolUnder(base: () => string) {
  test("gRPC-Web: a unary call and a server stream", async () => {
    const client = createClient(DemoService, createGrpcWebTransport({ baseUrl: base() }));
    assert.equal((await client.greet({ name: "web" })).greeting, "Hello, web!");
    assert.deepEqual((await collect(client.countdown({ from: 2 }))).map((m) => m.number), [2, 1]);
  });

  test("Connect: JSON with curl's request, a client stream with the Connect client", async () => {
    const res = await fetch(`${base()}/wirecall.demo.v1.DemoService/Greet`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"name":"curl"}',
    });
    assert.deepEqual(await res.json(), { greeting: "Hello, curl!" });
    const client = createClient(DemoService, createConnectTransport({ baseUrl: base() }));
    assert.equal((await client.sum(from({ value: 20n }, { value: 22n }))).total, 42n);
  });

  test("REST: GET /v1/greet/{name} and POST /v1/greet", async () => {
    assert.deepEqual(await (await fetch(`${base()}/v1/greet/Ada`)).json(), {
      greeting: "Hello, Ada!",
    });
    const posted = await fetch(`${base()}/v1/greet`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"name":"Bo"}',
    });
    assert.deepEqual(await posted.json(), { greeting: "Hello, Bo!" });
  });
}

describe("Express middleware", () => {
  let server: Server;
  let url = "";
  before(async () => {
    const app = express();
    // A JSON body parser in front, as many apps have: the adapter replays what it read.
    app.use(express.json());
    app.use("/rpc", createExpressMiddleware(handlerFor(demoRouter().router)));
    app.get("/other", (_req, res) => {
      res.send("the app's own route");
    });
    server = app.listen(0, "127.0.0.1");
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    })
  );

  everyProtocolUnder(() => `${url}/rpc`);

  test("routes outside the mount point stay the app's", async () => {
    assert.equal(await (await fetch(`${url}/other`)).text(), "the app's own route");
  });
});

describe("Fastify plugin", () => {
  const app = Fastify();
  let url = "";
  before(async () => {
    await app.register(wirecallFastifyPlugin(handlerFor(demoRouter().router)) as never, {
      prefix: "/rpc",
    });
    app.get("/other", () => "the app's own route");
    url = await app.listen({ port: 0, host: "127.0.0.1" });
  });
  after(() => app.close());

  everyProtocolUnder(() => `${url}/rpc`);

  test("routes outside the prefix stay the app's", async () => {
    assert.equal(await (await fetch(`${url}/other`)).text(), "the app's own route");
  });
});

describe("Next.js route handlers", () => {
  const routes = createNextRouteHandlers(handlerFor(demoRouter().router, "/api/rpc"));

  test("POST serves Connect and GET serves REST under the route's path", async () => {
    const connect = await routes.POST(
      new Request("http://app.test/api/rpc/wirecall.demo.v1.DemoService/Greet", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"name":"next"}',
      }),
    );
    assert.deepEqual(await connect.json(), { greeting: "Hello, next!" });
    const rest = await routes.GET(new Request("http://app.test/api/rpc/v1/greet/Ada"));
    assert.deepEqual(await rest.json(), { greeting: "Hello, Ada!" });
  });

  test("a Connect GET and a server stream come back as the protocol says", async () => {
    const get = await routes.GET(
      new Request(
        "http://app.test/api/rpc/wirecall.demo.v1.DemoService/Greet?encoding=json&message=" +
          encodeURIComponent('{"name":"cached"}'),
      ),
    );
    assert.deepEqual(await get.json(), { greeting: "Hello, cached!" });
    const stream = await routes.GET(new Request("http://app.test/api/rpc/v1/countdown/2"));
    assert.equal(stream.headers.get("content-type"), "application/x-ndjson");
    assert.equal((await stream.text()).trim().split("\n").length, 2);
  });

  test("OPTIONS answers the CORS preflight", async () => {
    const res = await routes.OPTIONS(
      new Request("http://app.test/api/rpc/v1/greet/Ada", {
        method: "OPTIONS",
        headers: { origin: "http://app.test", "access-control-request-method": "GET" },
      }),
    );
    assert.equal(res.status, 204);
    assert.match(res.headers.get("access-control-allow-methods") ?? "", /GET/);
  });
});
