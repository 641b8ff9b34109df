import { describe, test } from "./support/test.ts";
import assert from "node:assert/strict";
import {
  Code as ConnectCode,
  ConnectError,
  createClient as createConnectClient,
} from "@connectrpc/connect";
import { Code, RpcError } from "wirecall";
import { toConnectTransport } from "wirecall/connect";
import { createLoopbackTransport } from "wirecall/transports/loopback";
import { DemoService } from "../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { collect, demoRouter, from } from "./support/demo-router.ts";

describe("the Connect bridge", () => {
  test("Connect's createClient calls every kind through a wirecall transport", async () => {
    const { router } = demoRouter();
    const client = createConnectClient(
      DemoService,
      toConnectTransport(createLoopbackTransport(router)),
    );
    assert.equal((await client.greet({ name: "Connect" })).greeting, "Hello, Connect!");
    assert.deepEqual((await collect(client.countdown({ from: 2 }))).map((r) => r.number), [2, 1]);
    assert.equal((await client.sum(from({ value: 3n }, { value: 4n }))).total, 7n);
    assert.deepEqual((await collect(client.chat(from({ text: "hi" })))).map((m) => m.text), [
      "echo: hi",
    ]);
  });

  test("headers go through and errors arrive as ConnectError with the same code", async () => {
    const { router } = demoRouter({
      greet: (_n, ctx) => {
        throw new RpcError(Code.PERMISSION_DENIED, `no for ${ctx.metadata.get("x-user")}`);
      },
    });
    const client = createConnectClient(
      DemoService,
      toConnectTransport(createLoopbackTransport(router)),
    );
    try {
      await client.greet({}, { headers: { "x-user": "mallory" } });
      assert.fail("expected an error");
    } catch (e) {
      assert.ok(e instanceof ConnectError);
      assert.equal(e.code, ConnectCode.PermissionDenied);
      assert.equal(e.rawMessage, "no for mallory");
    }
  });
});
