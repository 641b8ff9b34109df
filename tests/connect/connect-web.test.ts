// @connectrpc/connect-web (the browser client, on fetch) calls the wirecall
// fetch handler over the Connect protocol: JSON and binary, POST and GET.
import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import {
  Code as ConnectCode,
  ConnectError,
  createClient as createConnectClient,
} from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { Code, RpcError } from "wirecall";
import { createConnectHandler } from "wirecall/transports/connect";
import { createGrpcWebHandler } from "wirecall/transports/grpc-web";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { demoRouter } from "../support/demo-router.ts";
import { type RunningServer, serve } from "../grpc-web/serve.ts";

describe("Connect interop: @connectrpc/connect-web calls the wirecall fetch handler", () => {
  let server: RunningServer;
  const methods: string[] = [];
  const { router } = demoRouter({
    greet: (name, ctx) => {
      if (name === "") {
        throw new RpcError(Code.INVALID_ARGUMENT, "name is required", {
          details: [{ desc: DurationSchema, value: { seconds: 3n } }],
        });
      }
      ctx.responseHeader.set("x-greeter", "wirecall");
      ctx.responseTrailer.set("x-served", "yes");
      return { greeting: `Hello, ${name}! (${ctx.metadata.get("x-user") ?? "anonymous"})` };
    },
  });
  const handler = createGrpcWebHandler(router, { protocols: [createConnectHandler(router)] });
  const client = (useBinaryFormat: boolean, useHttpGet = false) =>
    createConnectClient(
      DemoService,
      createConnectTransport({ baseUrl: server.url, useBinaryFormat, useHttpGet }),
    );

  before(async () => {
    server = await serve((req, info) => {
      methods.push(req.method);
      return handler(req, info);
    });
  });
  after(() => server.close());

  for (const binary of [false, true]) {
    const format = binary ? "protobuf" : "JSON";

    test(`a unary call in ${format} carries metadata, a header and a trailer`, async () => {
      let header: Headers | undefined;
      let trailer: Headers | undefined;
      const res = await client(binary).greet({ name: "Ada" }, {
        headers: { "x-user": "ada" },
        onHeader: (h) => (header = h),
        onTrailer: (t) => (trailer = t),
      });
      assert.equal(res.greeting, "Hello, Ada! (ada)");
      assert.equal(header?.get("x-greeter"), "wirecall");
      assert.equal(trailer?.get("x-served"), "yes");
    });

    test(`a unary call with useHttpGet in ${format} is a GET`, async () => {
      methods.length = 0;
      const res = await client(binary, true).greet({ name: "Get" });
      assert.equal(res.greeting, "Hello, Get! (anonymous)");
      assert.deepEqual(methods, ["GET"]);
    });

    test(`a server stream in ${format} arrives whole`, async () => {
      const numbers: number[] = [];
      for await (const m of client(binary).countdown({ from: 3 })) numbers.push(m.number);
      assert.deepEqual(numbers, [3, 2, 1]);
    });

    test(`an error in ${format} keeps its code, message and details`, async () => {
      try {
        await client(binary).greet({ name: "" });
        assert.fail("expected an error");
      } catch (e) {
        assert.ok(e instanceof ConnectError);
        assert.equal(e.code, ConnectCode.InvalidArgument);
        assert.equal(e.rawMessage, "name is required");
        assert.equal(e.findDetails(DurationSchema)[0].seconds, 3n);
      }
    });

    test(`a stream error in ${format} arrives in the end-of-stream message`, async () => {
      await assert.rejects(
        (async () => {
          for await (const _ of client(binary).countdown({ from: -1 })) { /* none */ }
        })(),
        (e) => e instanceof ConnectError && e.code === ConnectCode.OutOfRange,
      );
    });
  }

  test("a deadline travels as connect-timeout-ms and expires as DeadlineExceeded", async () => {
    const slow = demoRouter({
      greet: (_n, ctx) =>
        new Promise((_, reject) =>
          ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason))
        ),
    }).router;
    const s = await serve(createConnectHandler(slow));
    try {
      const c = createConnectClient(DemoService, createConnectTransport({ baseUrl: s.url }));
      await assert.rejects(
        c.greet({ name: "slow" }, { timeoutMs: 100 }),
        (e) => e instanceof ConnectError && e.code === ConnectCode.DeadlineExceeded,
      );
    } finally {
      await s.close();
    }
  });
});
