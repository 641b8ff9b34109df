// Run by scripts/test-runtimes.mjs with `bun test`: the gRPC-Web handler
// under Bun.serve, called by the gRPC-Web client on Bun's own fetch.
import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import { Code, createClient, ManualClock, RpcError } from "wirecall";
import {
  createGrpcWebHandler,
  createGrpcWebTransport,
  type GrpcWebHandler,
} from "wirecall/transports/grpc-web";
import { createConnectHandler, createConnectTransport } from "wirecall/transports/connect";
import { createRestHandler } from "wirecall/transports/rest";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { collect, demoRouter, from, rejection } from "../support/demo-router.ts";

interface BunServer {
  port: number;
  stop(closeActiveConnections?: boolean): Promise<void>;
}
declare const Bun: {
  version: string;
  serve(options: { port: number; hostname: string; fetch: GrpcWebHandler }): BunServer;
};

const clock = new ManualClock();
let started: (() => void) | undefined;
const { router, observed } = demoRouter({
  clock,
  greet: (name, ctx) => {
    if (name === "") {
      throw new RpcError(Code.INVALID_ARGUMENT, "name is required", {
        details: [{ desc: DurationSchema, value: { seconds: 1n } }],
      });
    }
    if (name !== "wait") return { greeting: `Hello, ${name}!` };
    return new Promise((_, reject) => {
      ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason));
      started?.();
    });
  },
});

describe(`gRPC-Web under Bun.serve (Bun ${Bun.version})`, () => {
  let server: BunServer;
  const client = (format: "binary" | "text" = "binary") =>
    createClient(
      DemoService,
      createGrpcWebTransport({ baseUrl: `http://127.0.0.1:${server.port}`, format }),
    );

  before(() => {
    server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: createGrpcWebHandler(router) });
  });
  after(() => server.stop(true));

  test("a unary call is answered", async () => {
    assert.equal((await client().greet({ name: "Bun" })).greeting, "Hello, Bun!");
  });

  test("a server stream arrives message by message", async () => {
    assert.deepEqual((await collect(client().countdown({ from: 3 }))).map((m) => m.number), [
      3,
      2,
      1,
    ]);
  });

  test("a client stream is carried by Bun's streaming request body", async () => {
    const res = await client().sum(from({ value: 20n }, { value: 22n }));
    assert.equal(res.total, 42n);
  });

  test("the text format carries unary and server-streaming calls", async () => {
    assert.equal((await client("text").greet({ name: "Text" })).greeting, "Hello, Text!");
    assert.deepEqual((await collect(client("text").countdown({ from: 2 }))).map((m) => m.number), [
      2,
      1,
    ]);
  });

  test("an error keeps its code and details", async () => {
    const e = await rejection(client().greet({ name: "" }));
    assert.equal(e.code, Code.INVALID_ARGUMENT);
    assert.equal(e.findDetails(DurationSchema)[0].seconds, 1n);
  });

  test("the handler enforces the client's deadline", async () => {
    const running = new Promise<void>((r) => (started = r));
    const call = rejection(client().greet({ name: "wait" }, { timeoutMs: 90_000 }));
    await running;
    await clock.advance(90_000);
    assert.equal((await call).code, Code.DEADLINE_EXCEEDED);
  });

  test("a client cancel reaches the handler as CANCELLED", async () => {
    const running = new Promise<void>((r) => (started = r));
    const controller = new AbortController();
    const before = observed.aborts.length;
    const call = rejection(client().greet({ name: "wait" }, { signal: controller.signal }));
    await running;
    controller.abort();
    assert.equal((await call).code, Code.CANCELLED);
    while (observed.aborts.length === before) await new Promise((r) => setTimeout(r, 5));
    assert.equal((observed.aborts.at(-1) as RpcError).code, Code.CANCELLED);
  });

  test("bidi streaming is refused, pointing to the HTTP/2 transport", async () => {
    const e = await rejection(collect(client().chat(from({ text: "hi" }))));
    assert.equal(e.code, Code.UNIMPLEMENTED);
    assert.match(e.message, /http2/);
  });
});

describe(`gRPC-Web, Connect and REST from one handler under Bun.serve (Bun ${Bun.version})`, () => {
  let server: BunServer;
  let base = "";
  before(() => {
    const { router: r } = demoRouter();
    server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: createGrpcWebHandler(r, {
        protocols: [createConnectHandler(r), createRestHandler(r)],
      }),
    });
    base = `http://127.0.0.1:${server.port}`;
  });
  after(() => server.stop(true));

  test("gRPC-Web and Connect (JSON and protobuf, unary GET) share the routes", async () => {
    const web = createClient(DemoService, createGrpcWebTransport({ baseUrl: base }));
    assert.equal((await web.greet({ name: "web" })).greeting, "Hello, web!");
    for (const format of ["json", "proto"] as const) {
      const connect = createClient(
        DemoService,
        createConnectTransport({ baseUrl: base, useHttpGet: true }),
        { format },
      );
      assert.equal((await connect.greet({ name: format })).greeting, `Hello, ${format}!`);
      assert.deepEqual((await collect(connect.countdown({ from: 2 }))).map((m) => m.number), [
        2,
        1,
      ]);
      assert.equal((await connect.sum(from({ value: 1n }, { value: 2n }))).total, 3n);
    }
  });

  test("REST routes answer JSON and NDJSON", async () => {
    assert.deepEqual(await (await fetch(`${base}/v1/greet/bun`)).json(), {
      greeting: "Hello, bun!",
    });
    const stream = await fetch(`${base}/v1/countdown/2`);
    assert.equal((await stream.text()).trim().split("\n").length, 2);
    const missing = await fetch(`${base}/v1/countdown/-1`);
    assert.equal(missing.status, 400);
  });
});
