// Run by scripts/test-runtimes.mjs under Node: workerd (from npm) hosts the
// gRPC-Web handler, bundled with esbuild; Node and Deno clients call it, and
// the gRPC-Web client also runs inside workerd, calling out to a Node server.
import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import { Code, createBearerAuth, createClient, type Metadata } from "wirecall";
import { createGrpcWebHandler, createGrpcWebTransport } from "wirecall/transports/grpc-web";
import { createNodeFetch } from "wirecall/transports/grpc-web/node";
import { createConnectTransport } from "wirecall/transports/connect";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { collect, demoRouter, from, rejection } from "../support/demo-router.ts";
import { repoRoot } from "../support/repo-root.ts";
import { bundle } from "../grpc-web/bundle.ts";
import { type RunningServer, serveNode } from "../grpc-web/serve.ts";
import { asymmetricKey, epochSeconds, hmacKey, signJwt } from "../support/jwt-sign.ts";

async function freePort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function capnpConfig(upstream: string): string {
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "outbound", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = "2025-06-01",
  bindings = [(name = "UPSTREAM", text = ${JSON.stringify(upstream)})],
  globalOutbound = "outbound",
);
`;
}

async function waitUntilUp(url: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`workerd exited (${child.exitCode}):\n${log()}`);
    try {
      const res = await fetch(url, { method: "OPTIONS" });
      await res.body?.cancel();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`workerd did not come up at ${url}:\n${log()}`);
}

describe("gRPC-Web on workerd", () => {
  const rsa = asymmetricKey("RS256", "rsa");
  const ec = asymmetricKey("ES256", "ec");
  const dir = mkdtempSync(join(tmpdir(), "wirecall-workerd-"));
  let workerd: ChildProcess;
  let upstream: RunningServer;
  let url = "";
  let output = "";
  const fetch = createNodeFetch();
  const client = (format: "binary" | "text" = "binary") =>
    createClient(DemoService, createGrpcWebTransport({ baseUrl: url, fetch, format }));

  before(async () => {
    const { router } = demoRouter();
    const grpcWeb = createGrpcWebHandler(router);
    upstream = await serveNode((request) =>
      new URL(request.url).pathname === "/jwks.json"
        ? Promise.resolve(Response.json({ keys: [rsa.jwk, ec.jwk] }))
        : grpcWeb(request)
    );
    const worker = await bundle("tests/workerd/worker.ts", {
      platform: "neutral",
      conditions: ["workerd", "worker", "browser"],
    });
    writeFileSync(join(dir, "worker.js"), worker.code);
    writeFileSync(join(dir, "config.capnp"), capnpConfig(upstream.url));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    workerd = spawn(
      join(repoRoot, "node_modules", ".bin", "workerd"),
      ["serve", join(dir, "config.capnp"), "--socket-addr", `http=127.0.0.1:${port}`],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    workerd.stdout!.on("data", (d) => (output += d));
    workerd.stderr!.on("data", (d) => (output += d));
    await waitUntilUp(url, workerd, () => output);
  });

  after(async () => {
    workerd?.kill();
    await fetch.close();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a Node client's unary call is answered by the worker, with its headers", async () => {
    let header: Metadata | undefined;
    const res = await client().greet({ name: "node" }, { onHeader: (h) => (header = h) });
    assert.equal(res.greeting, "Hello from workerd, node!");
    assert.equal(header?.get("x-runtime"), "workerd");
  });

  test("a server stream from the worker arrives whole", async () => {
    assert.deepEqual((await collect(client().countdown({ from: 5 }))).map((m) => m.number), [
      5,
      4,
      3,
      2,
      1,
    ]);
  });

  test("the text format works against the worker", async () => {
    assert.equal(
      (await client("text").greet({ name: "text" })).greeting,
      "Hello from workerd, text!",
    );
  });

  test("an error from the worker keeps its code and details", async () => {
    const e = await rejection(client().greet({ name: "" }));
    assert.equal(e.code, Code.INVALID_ARGUMENT);
    assert.equal(e.findDetails(DurationSchema)[0].seconds, 4n);
  });

  test("the worker enforces the deadline it was sent", async () => {
    const e = await rejection(client().greet({ name: "wait" }, { timeoutMs: 200 }));
    assert.equal(e.code, Code.DEADLINE_EXCEEDED);
  });

  test("a Node client's client stream is read by the worker as it arrives", async () => {
    const res = await client().sum(from({ value: 30n }, { value: 12n }));
    assert.equal(res.total, 42n);
    assert.equal(res.count, 2);
  });

  test("a service the worker does not serve is UNIMPLEMENTED", async () => {
    const elsewhere = createGrpcWebTransport({ baseUrl: `${url}/nowhere`, fetch });
    const e = await rejection(createClient(DemoService, elsewhere).greet({ name: "x" }));
    assert.equal(e.code, Code.UNIMPLEMENTED);
  });

  test("the worker answers a CORS preflight from an allowed origin", async () => {
    const res = await fetch(`${url}/wirecall.demo.v1.DemoService/Greet`, {
      method: "OPTIONS",
      headers: { origin: "http://page.test", "access-control-request-method": "POST" },
    });
    await res.body?.cancel();
    assert.equal(res.status, 204);
    assert.equal(res.headers.get("access-control-allow-origin"), "http://page.test");
  });

  test("a Deno client's calls are answered by the worker", async () => {
    const { stdout } = await promisify(execFile)(
      join(repoRoot, "node_modules", ".bin", "deno"),
      ["run", "-A", "--no-check", join(repoRoot, "tests", "workerd", "deno-client.ts"), url],
      { cwd: repoRoot, env: { ...process.env, NO_COLOR: "1" } },
    );
    assert.deepEqual(JSON.parse(stdout), {
      unary: "Hello from workerd, deno!",
      serverStream: [4, 3, 2, 1],
      errorCode: Code.INVALID_ARGUMENT,
    });
  });

  test("the client inside workerd calls out: unary, server stream, text and errors work", async () => {
    const res = await fetch(`${url}/call-out`, { method: "GET" });
    const results = await res.json() as Record<
      string,
      { ok?: unknown; code?: number; message?: string }
    >;
    assert.deepEqual(results.unary, { ok: "Hello, edge!" });
    assert.deepEqual(results.serverStream, { ok: [3, 2, 1] });
    assert.deepEqual(results.text, { ok: "Hello, edge-text!" });
    assert.equal(results.error.code, Code.OUT_OF_RANGE);
  });

  test("inside workerd, client streaming fails at once with UNIMPLEMENTED and bidi is refused", async () => {
    const res = await fetch(`${url}/call-out`, { method: "GET" });
    const results = await res.json() as Record<string, { code?: number; message?: string }>;
    assert.equal(results.clientStream.code, Code.UNIMPLEMENTED);
    assert.match(results.clientStream.message ?? "", /cannot stream a request body/);
    assert.equal(results.bidi.code, Code.UNIMPLEMENTED);
    assert.match(results.bidi.message ?? "", /transports\/http2/);
  });

  test("the JWT verifier runs on workerd's WebCrypto: HS256, and RS256/ES256 from a fetched JWKS", async () => {
    const hmac = hmacKey("edge secret");
    const exp = epochSeconds(300);
    const res = await fetch(`${url}/verify-jwt`, {
      method: "POST",
      body: JSON.stringify({
        secret: "edge secret",
        jwksUrl: `${upstream.url}/jwks.json`,
        tokens: [
          signJwt(hmac, { sub: "hs", exp }),
          signJwt(rsa, { sub: "rs", exp }),
          signJwt(ec, { sub: "es", exp }),
          signJwt(ec, { sub: "late", exp: epochSeconds(-300) }),
          signJwt(hmacKey("another secret"), { sub: "forged", exp }),
        ],
      }),
    });
    const results = await res.json() as Array<{ ok?: string; code?: number; message?: string }>;
    assert.deepEqual(results.slice(0, 3), [{ ok: "hs" }, { ok: "rs" }, { ok: "es" }]);
    assert.equal(results[3].code, Code.UNAUTHENTICATED);
    assert.match(results[3].message ?? "", /^token expired at /);
    assert.deepEqual(results[4], {
      code: Code.UNAUTHENTICATED,
      message: "token signature does not verify",
    });
  });

  test("bearer auth end to end: a Node client's token is verified inside workerd against the JWKS", async () => {
    const transport = createGrpcWebTransport({ baseUrl: `${url}/secure`, fetch });
    const authed = createClient(DemoService, transport, {
      interceptors: [
        createBearerAuth({
          refresh: () =>
            Promise.resolve(signJwt(ec, { sub: "node", aud: "edge", exp: epochSeconds(300) })),
        }),
      ],
    });
    assert.equal((await authed.greet({ name: "x" })).greeting, "Hello from workerd, node!");
    const anonymous = await rejection(createClient(DemoService, transport).greet({ name: "x" }));
    assert.equal(anonymous.code, Code.UNAUTHENTICATED);
    assert.match(anonymous.rawMessage, /needs credentials/);
  });

  test("the worker answers Connect too: JSON and protobuf, unary GET, a server stream", async () => {
    for (const format of ["json", "proto"] as const) {
      const connect = createClient(
        DemoService,
        createConnectTransport({ baseUrl: url, fetch, useHttpGet: true }),
        { format },
      );
      assert.equal(
        (await connect.greet({ name: format })).greeting,
        `Hello from workerd, ${format}!`,
      );
      assert.deepEqual((await collect(connect.countdown({ from: 2 }))).map((m) => m.number), [
        2,
        1,
      ]);
    }
    const curl = await fetch(`${url}/wirecall.demo.v1.DemoService/Greet`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"name":"curl"}',
    });
    assert.deepEqual(await curl.json(), { greeting: "Hello from workerd, curl!" });
  });

  test("the worker answers REST too: GET and POST routes, NDJSON, Status JSON errors", async () => {
    const get = await fetch(`${url}/v1/greet/rest`, {});
    assert.deepEqual(await get.json(), { greeting: "Hello from workerd, rest!" });
    const stream = await fetch(`${url}/v1/countdown/2`, {});
    assert.deepEqual((await stream.text()).trim().split("\n").map((l) => JSON.parse(l)), [
      { result: { number: 2 } },
      { result: { number: 1 } },
    ]);
    const invalid = await fetch(`${url}/v1/greet`, { method: "POST", body: '{"name":""}' });
    assert.equal(invalid.status, 400);
    assert.equal((await invalid.json()).code, Code.INVALID_ARGUMENT);
  });
});
