import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import {
  Code as ConnectCode,
  ConnectError,
  createClient as createConnectClient,
} from "@connectrpc/connect";
import { createGrpcWebTransport as createConnectWebTransport } from "@connectrpc/connect-web";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Code, createClient, type Metadata, RpcError } from "wirecall";
import { createGrpcWebHandler, createGrpcWebTransport } from "wirecall/transports/grpc-web";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { collect, demoRouter, from, rejection } from "../support/demo-router.ts";
import { type RunningServer, serve } from "./serve.ts";

describe("gRPC-Web interop: @connectrpc/connect-web calls the wirecall handler", () => {
  let server: RunningServer;
  const { router } = demoRouter({
    greet: (name, ctx) => {
      if (name === "") {
        throw new RpcError(Code.INVALID_ARGUMENT, "name is required", {
          details: [{ desc: DurationSchema, value: { seconds: 3n } }],
        });
      }
      ctx.responseHeader.set("x-greeter", "wirecall");
      ctx.responseTrailer.set("x-served", "yes");
      return { greeting: `Hello, ${name}!` };
    },
  });
  const connectClient = (useBinaryFormat: boolean) =>
    createConnectClient(
      DemoService,
      createConnectWebTransport({ baseUrl: server.url, useBinaryFormat }),
    );

  before(async () => {
    server = await serve(createGrpcWebHandler(router));
  });
  after(() => server.close());

  test("a unary call in protobuf gets the response, a header and a trailer", async () => {
    let header: Headers | undefined;
    let trailer: Headers | undefined;
    const res = await connectClient(true).greet({ name: "Ada" }, {
      onHeader: (h) => (header = h),
      onTrailer: (t) => (trailer = t),
    });
    assert.equal(res.greeting, "Hello, Ada!");
    assert.equal(header?.get("x-greeter"), "wirecall");
    assert.equal(trailer?.get("x-served"), "yes");
  });

  test("a unary call in JSON (application/grpc-web+json) is served", async () => {
    assert.equal((await connectClient(false).greet({ name: "Json" })).greeting, "Hello, Json!");
  });

  test("a server stream arrives whole", async () => {
    const numbers: number[] = [];
    for await (const m of connectClient(true).countdown({ from: 3 })) numbers.push(m.number);
    assert.deepEqual(numbers, [3, 2, 1]);
  });

  test("an error keeps its code, message and details", async () => {
    try {
      await connectClient(true).greet({ name: "" });
      assert.fail("expected an error");
    } catch (e) {
      assert.ok(e instanceof ConnectError);
      assert.equal(e.code, ConnectCode.InvalidArgument);
      assert.equal(e.rawMessage, "name is required");
      assert.equal(e.findDetails(DurationSchema)[0].seconds, 3n);
    }
  });

  test("an unknown method is Unimplemented", async () => {
    const transport = createConnectWebTransport({
      baseUrl: `${server.url}/nowhere`,
      useBinaryFormat: true,
    });
    await assert.rejects(
      createConnectClient(DemoService, transport).greet({ name: "x" }),
      (e) => e instanceof ConnectError && e.code === ConnectCode.Unimplemented,
    );
  });
});

describe("gRPC-Web interop: the wirecall client calls a @connectrpc/connect-node server", () => {
  const httpServer = createServer(connectNodeAdapter({
    routes: (r) =>
      r.service(DemoService, {
        greet(req, ctx) {
          if (req.name === "") {
            throw new ConnectError("name is required", ConnectCode.InvalidArgument, undefined, [
              { desc: DurationSchema, value: { seconds: 9n } },
            ]);
          }
          ctx.responseHeader.set("x-greeter", "connect");
          ctx.responseTrailer.set("x-served", "yes");
          return {
            greeting: `Hello, ${req.name}! (${ctx.requestHeader.get("x-user") ?? "anonymous"})`,
          };
        },
        async *countdown(req) {
          for (let n = req.from; n > 0; n--) yield { number: n };
        },
        async sum(reqs) {
          let total = 0n;
          let count = 0;
          for await (const r of reqs) {
            total += r.value;
            count++;
          }
          return { total, count };
        },
      }),
  }));
  let baseUrl = "";
  const client = (format: "binary" | "text" = "binary") =>
    createClient(DemoService, createGrpcWebTransport({ baseUrl, format }));

  before(async () => {
    await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  });
  after(() =>
    new Promise<void>((resolve) => {
      httpServer.closeAllConnections();
      httpServer.close(() => resolve());
    })
  );

  test("a unary call carries metadata both ways", async () => {
    let header: Metadata | undefined;
    let trailer: Metadata | undefined;
    const res = await client().greet({ name: "Ada" }, {
      metadata: { "x-user": "ada" },
      onHeader: (h) => (header = h),
      onTrailer: (t) => (trailer = t),
    });
    assert.equal(res.greeting, "Hello, Ada! (ada)");
    assert.equal(header?.get("x-greeter"), "connect");
    assert.equal(trailer?.get("x-served"), "yes");
  });

  test("a server stream arrives whole", async () => {
    assert.deepEqual((await collect(client().countdown({ from: 4 }))).map((m) => m.number), [
      4,
      3,
      2,
      1,
    ]);
  });

  test("a client stream is summed by the Connect server", async () => {
    const res = await client().sum(from({ value: 2n }, { value: 3n }, { value: 5n }));
    assert.equal(res.total, 10n);
    assert.equal(res.count, 3);
  });

  test("an error keeps its code, message and details", async () => {
    const e = await rejection(client().greet({ name: "" }));
    assert.equal(e.code, Code.INVALID_ARGUMENT);
    assert.equal(e.rawMessage, "name is required");
    assert.equal(e.findDetails(DurationSchema)[0].seconds, 9n);
  });

  test("a path the Connect server does not serve is UNIMPLEMENTED", async () => {
    const transport = createGrpcWebTransport({ baseUrl: `${baseUrl}/nowhere` });
    const e = await rejection(createClient(DemoService, transport).greet({ name: "x" }));
    assert.equal(e.code, Code.UNIMPLEMENTED);
  });
});
