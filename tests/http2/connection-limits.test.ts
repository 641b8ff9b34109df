// Per-connection limits of the HTTP/2 server: a connection that has carried
// maxStreamsPerConnection streams is closed gracefully by the server, and the
// client's calls carry on over new connections, none lost.
import assert from "node:assert/strict";
import { createClient } from "wirecall";
import { createHttp2Server, createHttp2Transport } from "wirecall/transports/http2";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { demoRouter } from "../support/demo-router.ts";
import { describe, test } from "../support/test.ts";

describe("http2 server connection limits", () => {
  test("after maxStreamsPerConnection streams the server moves the client to a new connection, no call lost", async () => {
    const server = createHttp2Server(demoRouter().router, { maxStreamsPerConnection: 5 });
    let sessions = 0;
    server.nodeServer.on("session", () => sessions++);
    await server.listen({ port: 0 });
    const transport = createHttp2Transport({ baseUrl: server.url! });
    try {
      const client = createClient(DemoService, transport);
      for (let i = 0; i < 20; i++) {
        const r = await client.greet({ name: `n${i}` }, { timeoutMs: 5_000 });
        assert.equal(r.greeting, `Hello, n${i}!`);
      }
      assert.ok(sessions >= 4, `${sessions} connections for 20 calls at 5 streams each`);
      // Concurrent calls in flight when the limit is reached still complete.
      const results = await Promise.all(
        Array.from({ length: 32 }, (_, i) => client.greet({ name: `c${i}` }, { timeoutMs: 5_000 })),
      );
      assert.deepEqual(results.map((r) => r.greeting), results.map((_, i) => `Hello, c${i}!`));
    } finally {
      await transport.close();
      await server.close({ graceMs: 100 });
    }
  });

  test("the client moves to a new connection after its maxStreamsPerConnection calls, none lost", async () => {
    const server = createHttp2Server(demoRouter().router);
    let sessions = 0;
    server.nodeServer.on("session", () => sessions++);
    await server.listen({ port: 0 });
    const transport = createHttp2Transport({ baseUrl: server.url!, maxStreamsPerConnection: 5 });
    try {
      const client = createClient(DemoService, transport);
      for (let i = 0; i < 20; i++) {
        assert.equal(
          (await client.greet({ name: `n${i}` }, { timeoutMs: 5_000 })).greeting,
          `Hello, n${i}!`,
        );
      }
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => client.greet({ name: `c${i}` }, { timeoutMs: 5_000 })),
      );
      assert.equal(results.length, 12);
      assert.ok(sessions >= 4, `${sessions} connections for 32 calls at 5 calls each`);
    } finally {
      await transport.close();
      await server.close({ graceMs: 100 });
    }
  });
});
