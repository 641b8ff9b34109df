import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { createServer as createH2cServer } from "node:http2";
import type { AddressInfo } from "node:net";
import { Code, createClient, ManualClock, type Metadata, type RpcError } from "wirecall";
import {
  createGrpcWebHandler,
  createGrpcWebTransport,
  type FetchFunction,
} from "wirecall/transports/grpc-web";
import { createNodeFetch, createNodeRequestListener } from "wirecall/transports/grpc-web/node";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { collect, demoRouter, from, rejection } from "../support/demo-router.ts";
import { type RunningServer, serve } from "./serve.ts";
import { greetOverH2c } from "./h2c-greet.ts";

const clock = new ManualClock();
let hold: { started: () => void; running: Promise<void> } | undefined;
const { router, observed } = demoRouter({
  clock,
  greet: (name, ctx) => {
    if (name !== "wait") {
      ctx.responseHeader.set("x-greeter", "wirecall");
      return { greeting: `Hello, ${name}!` };
    }
    return new Promise((_, reject) => {
      ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason));
      hold?.started();
    });
  },
});
const handler = createGrpcWebHandler(router, { cors: { allowedOrigins: ["http://page.test"] } });
const isDeno = "Deno" in globalThis;

describe("gRPC-Web over the runtime's HTTP server", () => {
  let server: RunningServer;
  let fetch: FetchFunction & { close?: () => Promise<void> };
  const client = (format: "binary" | "text" = "binary") =>
    createClient(DemoService, createGrpcWebTransport({ baseUrl: server.url, fetch, format }));

  before(async () => {
    server = await serve(handler);
    // Node gets the pooled undici dispatcher; Deno its own fetch.
    fetch = isDeno ? (url, init) => globalThis.fetch(url, init) : createNodeFetch();
  });
  after(async () => {
    await fetch.close?.();
    await server.close();
  });

  test("a unary call is answered with its headers", async () => {
    let header: Metadata | undefined;
    const res = await client().greet({ name: "Ada" }, { onHeader: (h) => (header = h) });
    assert.equal(res.greeting, "Hello, Ada!");
    assert.equal(header?.get("x-greeter"), "wirecall");
  });

  test("a server stream arrives message by message", async () => {
    assert.deepEqual((await collect(client().countdown({ from: 5 }))).map((m) => m.number), [
      5,
      4,
      3,
      2,
      1,
    ]);
  });

  test("a client stream is carried by a streaming request body", async () => {
    const res = await client().sum(from({ value: 40n }, { value: 2n }));
    assert.equal(res.total, 42n);
  });

  test("the text format works over the network", async () => {
    assert.equal((await client("text").greet({ name: "Bo" })).greeting, "Hello, Bo!");
    assert.deepEqual((await collect(client("text").countdown({ from: 2 }))).map((m) => m.number), [
      2,
      1,
    ]);
  });

  test("a handler error reaches the client with its code", async () => {
    const e = await rejection(collect(client().countdown({ from: -1 })));
    assert.equal(e.code, Code.OUT_OF_RANGE);
  });

  test("the server enforces the deadline the client sent", async () => {
    let started!: () => void;
    hold = { started: () => started(), running: new Promise((r) => (started = r)) };
    const call = rejection(client().greet({ name: "wait" }, { timeoutMs: 120_000 }));
    await hold.running;
    await clock.advance(120_000);
    assert.equal((await call).code, Code.DEADLINE_EXCEEDED);
  });

  test("a client cancel reaches the handler as CANCELLED", async () => {
    let started!: () => void;
    hold = { started: () => started(), running: new Promise((r) => (started = r)) };
    const controller = new AbortController();
    const before = observed.aborts.length;
    const call = rejection(client().greet({ name: "wait" }, { signal: controller.signal }));
    await hold.running;
    controller.abort();
    assert.equal((await call).code, Code.CANCELLED);
    while (observed.aborts.length === before) await new Promise((r) => setTimeout(r, 5));
    assert.equal((observed.aborts.at(-1) as RpcError).code, Code.CANCELLED);
  });

  test("a preflight from an allowed origin is answered over the network", async () => {
    const res = await globalThis.fetch(`${server.url}/wirecall.demo.v1.DemoService/Greet`, {
      method: "OPTIONS",
      headers: { origin: "http://page.test", "access-control-request-method": "POST" },
    });
    await res.body?.cancel();
    assert.equal(res.status, 204);
    assert.equal(res.headers.get("access-control-allow-origin"), "http://page.test");
  });
});

describe("gRPC-Web over node:http2", () => {
  test("the Node adapter serves gRPC-Web on an HTTP/2 (h2c) server", async () => {
    const server = createH2cServer(createNodeRequestListener(handler));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const { headers, frames } = await greetOverH2c(`http://127.0.0.1:${port}`, "h2");
      assert.equal(headers[":status"], 200);
      assert.equal(headers["content-type"], "application/grpc-web+proto");
      assert.deepEqual(frames.map(([flags]) => flags), [0, 0x80]);
      assert.equal(new TextDecoder().decode(frames[1][1]), "grpc-status: 0\r\n");
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
