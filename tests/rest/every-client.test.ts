// The README's "One service, every client": every snippet of that section,
// run against examples/every-client/server.ts.
import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { createClient } from "wirecall";
import { createConnectTransport } from "wirecall/transports/connect";
import { createGrpcWebTransport } from "wirecall/transports/grpc-web";
import { createHttp2Transport, type Http2Server } from "wirecall/transports/http2";
import { runCli } from "../../cli/run.ts";
import { startEveryClientServer } from "../../examples/every-client/server.ts";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { collect } from "../support/demo-router.ts";
import { repoRoot } from "../support/repo-root.ts";

describe("README: one service, every client", () => {
  let server: Http2Server;
  let base = "";
  before(async () => {
    ({ server } = await startEveryClientServer());
    base = server.url!;
  });
  after(() => server.close({ graceMs: 0 }));

  test("a gRPC client, a gRPC-Web client and a Connect client get the same answer", async () => {
    const http2 = createHttp2Transport({ baseUrl: base });
    try {
      for (
        const transport of [
          http2,
          createGrpcWebTransport({ baseUrl: base }),
          createConnectTransport({ baseUrl: base }),
        ]
      ) {
        const client = createClient(DemoService, transport);
        assert.deepEqual({ ...(await client.greet({ name: "Ada" })) }, {
          $typeName: "wirecall.demo.v1.GreetResponse",
          greeting: "Hello, Ada!",
        });
      }
    } finally {
      await http2.close();
    }
  });

  test("curl with JSON, and the REST routes", async () => {
    const curl = await fetch(`${base}/wirecall.demo.v1.DemoService/Greet`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"name":"Ada"}',
    });
    assert.deepEqual(await curl.json(), { greeting: "Hello, Ada!" });
    assert.deepEqual(await (await fetch(`${base}/v1/greet/Ada`)).json(), {
      greeting: "Hello, Ada!",
    });
    const lines = (await (await fetch(`${base}/v1/countdown/3`)).text()).trim().split("\n");
    assert.deepEqual(lines[0], '{"result":{"number":3}}');
    assert.equal(lines.length, 3);
  });

  test("the CLI lists and calls it, by reflection and from the local .proto", async () => {
    const host = `127.0.0.1:${server.port}`;
    const run = async (argv: string[]) => {
      let out = "";
      const code = await runCli(argv, {
        out: (t) => (out += t),
        err: (t) => (out += t),
        readStdin: () => Promise.resolve(""),
      });
      return { code, out };
    };
    const listed = await run(["list", host, "--plaintext"]);
    assert.equal(listed.code, 0, listed.out);
    assert.match(listed.out, /^wirecall\.demo\.v1\.DemoService$/m);
    const called = await run([
      "call",
      host,
      "wirecall.demo.v1.DemoService/Greet",
      "-d",
      '{"name":"Ada"}',
      "--plaintext",
    ]);
    assert.deepEqual(JSON.parse(called.out), { greeting: "Hello, Ada!" });
    const local = await run([
      "call",
      host,
      "wirecall.demo.v1.DemoService/Greet",
      "-d",
      '{"name":"Ada"}',
      "--plaintext",
      "--protocol",
      "connect",
      "--proto",
      join(repoRoot, "protos/wirecall/demo/v1/demo.proto"),
      "-I",
      join(repoRoot, "protos"),
    ]);
    assert.deepEqual(JSON.parse(local.out), { greeting: "Hello, Ada!" });
  });

  test("a server stream over Connect from the browser's client", async () => {
    const client = createClient(DemoService, createConnectTransport({ baseUrl: base }));
    assert.deepEqual((await collect(client.countdown({ from: 2 }))).map((m) => m.number), [2, 1]);
  });
});
