// The wirecall CLI against real servers: a wirecall server with reflection
// over TLS, the same server without reflection from local .proto files, and
// a @grpc/grpc-js server with @grpc/reflection.
import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { addReflection, Code, HealthRegistry, HealthService } from "wirecall";
import { createConnectHandler } from "wirecall/transports/connect";
import { createGrpcWebHandler } from "wirecall/transports/grpc-web";
import { createNodeRequestListener } from "wirecall/transports/grpc-web/node";
import { createHttp2Server, type Http2Server } from "wirecall/transports/http2";
import { runCli } from "../../cli/run.ts";
import { demoRouter } from "../support/demo-router.ts";
import { repoRoot } from "../support/repo-root.ts";
import { generateTestCertificates, type TestCertificates } from "../interop/tls-certs.ts";

async function cli(argv: string[], stdin = "") {
  let out = "";
  let err = "";
  const code = await runCli(argv, {
    out: (t) => (out += t),
    err: (t) => (err += t),
    readStdin: () => Promise.resolve(stdin),
  });
  return { code, out, err };
}

const demoProto = join(repoRoot, "protos", "wirecall", "demo", "v1", "demo.proto");
const protos = join(repoRoot, "protos");

describe("wirecall CLI → wirecall server over TLS", () => {
  let certs: TestCertificates;
  let server: Http2Server;
  let bare: Http2Server;
  let tls: string[];
  let host = "";
  let bareHost = "";

  before(async () => {
    certs = generateTestCertificates();
    const { router } = demoRouter({
      greet: (name, ctx) => {
        if (name === "") throw new Error("unreachable");
        return { greeting: `Hello, ${name}! (${ctx.metadata.get("x-user") ?? "anonymous"})` };
      },
    });
    addReflection(router);
    const health = new HealthRegistry({
      "": "SERVING",
      "wirecall.demo.v1.DemoService": "SERVING",
    });
    router.service(HealthService, health.impl);
    const web = createNodeRequestListener(
      createGrpcWebHandler(router, { protocols: [createConnectHandler(router)] }),
    );
    server = createHttp2Server(router, {
      tls: { cert: certs.cert, key: certs.key },
      grpcWeb: web,
    });
    await server.listen({ port: 0, host: "127.0.0.1" });
    host = `127.0.0.1:${server.port}`;
    // The same service without reflection: the CLI needs the .proto files.
    const plain = demoRouter().router;
    bare = createHttp2Server(plain, {
      tls: { cert: certs.cert, key: certs.key },
      grpcWeb: createNodeRequestListener(
        createGrpcWebHandler(plain, { protocols: [createConnectHandler(plain)] }),
      ),
    });
    await bare.listen({ port: 0, host: "127.0.0.1" });
    bareHost = `127.0.0.1:${bare.port}`;
    tls = ["--cacert", certs.caPath, "--servername", "localhost"];
  });
  after(async () => {
    await server.close({ graceMs: 0 });
    await bare.close({ graceMs: 0 });
    rmSync(certs.dir, { recursive: true, force: true });
  });

  test("list prints the services reflection reports", async () => {
    const r = await cli(["list", host, ...tls]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.out.trim().split("\n"), [
      "grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection",
      "wirecall.demo.v1.DemoService",
    ]);
  });

  test("list SERVICE prints its methods", async () => {
    const r = await cli(["list", host, "wirecall.demo.v1.DemoService", ...tls]);
    assert.equal(
      r.out,
      [
        "wirecall.demo.v1.DemoService.Greet",
        "wirecall.demo.v1.DemoService.Countdown",
        "wirecall.demo.v1.DemoService.Sum",
        "wirecall.demo.v1.DemoService.Chat",
        "",
      ].join("\n"),
    );
  });

  test("describe prints a service and a message in .proto syntax", async () => {
    const s = await cli(["describe", host, "wirecall.demo.v1.DemoService", ...tls]);
    assert.match(s.out, /^wirecall\.demo\.v1\.DemoService is a service:\nservice DemoService \{/);
    assert.match(
      s.out,
      /rpc Countdown \( \.wirecall\.demo\.v1\.CountdownRequest \) returns \( stream \.wirecall\.demo\.v1\.CountdownResponse \);/,
    );
    const m = await cli(["describe", host, "wirecall.demo.v1.SumResponse", ...tls]);
    assert.equal(
      m.out,
      "wirecall.demo.v1.SumResponse is a message:\nmessage SumResponse {\n  int64 total = 1;\n  int32 count = 2;\n}\n",
    );
  });

  test("call prints the response JSON and sends -H metadata", async () => {
    const r = await cli([
      "call",
      host,
      "wirecall.demo.v1.DemoService/Greet",
      "-d",
      '{"name":"Ada"}',
      "-H",
      "x-user: ada",
      ...tls,
    ]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out), { greeting: "Hello, Ada! (ada)" });
  });

  for (const protocol of ["grpc", "grpc-web", "connect"]) {
    test(`call --protocol ${protocol} streams: a server stream prints each message`, async () => {
      const r = await cli([
        "call",
        host,
        "wirecall.demo.v1.DemoService.Countdown",
        "-d",
        '{"from":2}',
        "--protocol",
        protocol,
        ...(protocol === "grpc" ? tls : ["--cacert", certs.caPath]),
      ].map((a) => protocol !== "grpc" && a === host ? `https://localhost:${server.port}` : a));
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(r.out.trim().split("\n}\n").length, 2);
      assert.match(r.out, /"number": 2[\s\S]*"number": 1/);
    });
  }

  test("a client stream reads NDJSON from stdin; -v shows headers, trailers and counts", async () => {
    const r = await cli(
      ["call", host, "wirecall.demo.v1.DemoService/Sum", "-v", ...tls],
      '{"value":2}\n{"value":"40"}\n',
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Response headers received:/);
    assert.match(r.out, /"total": "42"/);
    assert.match(r.out, /Sent 2 requests and received 1 response/);
  });

  test("a failed call prints the status as grpcurl does and exits with 64 + code", async () => {
    const r = await cli([
      "call",
      host,
      "wirecall.demo.v1.DemoService/Countdown",
      "-d",
      '{"from":-1}',
      ...tls,
    ]);
    assert.equal(r.code, 64 + Code.OUT_OF_RANGE);
    assert.equal(r.err, "ERROR:\n  Code: OutOfRange\n  Message: from must be positive\n");
  });

  test("health reports SERVING for a service and exits 0", async () => {
    const r = await cli(["health", host, "wirecall.demo.v1.DemoService", ...tls]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out), { status: "SERVING" });
  });

  test("without reflection, --proto and -I compile the schema locally (gRPC and Connect)", async () => {
    const noReflection = await cli(["list", bareHost, ...tls]);
    assert.equal(noReflection.code, 64 + Code.UNIMPLEMENTED);
    for (const protocol of ["grpc", "connect"]) {
      const r = await cli([
        "call",
        protocol === "grpc" ? bareHost : `https://localhost:${bare.port}`,
        "wirecall.demo.v1.DemoService/Greet",
        "-d",
        '{"name":"Local"}',
        "--proto",
        demoProto,
        "-I",
        protos,
        "--protocol",
        protocol,
        ...(protocol === "grpc" ? tls : ["--cacert", certs.caPath]),
      ]);
      assert.equal(r.code, 0, `${protocol}: ${r.err}`);
      assert.deepEqual(JSON.parse(r.out), { greeting: "Hello, Local!" });
    }
    const listed = await cli(["list", bareHost, "--proto", demoProto, "-I", protos, ...tls]);
    assert.equal(listed.out, "wirecall.demo.v1.DemoService\n");
  });

  test("a broken .proto is a file:line:col error and exit code 1", async () => {
    const r = await cli(["list", bareHost, "--proto", "nope.proto", "-I", protos, ...tls]);
    assert.equal(r.code, 1);
    assert.match(r.err, /nope\.proto/);
  });

  test("a certificate the CA did not sign is refused (TLS is verified)", async () => {
    const r = await cli(["list", host, "--servername", "localhost"]);
    assert.equal(r.code, 64 + Code.UNAVAILABLE, r.err);
  });

  test("usage errors exit 2 with the usage text", async () => {
    const r = await cli(["call", host, "--protocol", "smtp"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--protocol is grpc, grpc-web or connect/);
  });
});

describe("wirecall CLI → @grpc/grpc-js server with @grpc/reflection", () => {
  let server: grpc.Server;
  let certs: TestCertificates;
  let port = 0;
  // grpc-js's TLS server fails its handshake under Deno (see tests/interop), so Deno runs cleartext.
  const secure = !("Deno" in globalThis);

  before(async () => {
    certs = generateTestCertificates();
    const definition = protoLoader.loadSync("wirecall/demo/v1/demo.proto", {
      includeDirs: [protos],
    });
    const pkg = grpc.loadPackageDefinition(definition) as unknown as {
      wirecall: { demo: { v1: { DemoService: { service: grpc.ServiceDefinition } } } };
    };
    server = new grpc.Server();
    server.addService(pkg.wirecall.demo.v1.DemoService.service, {
      greet: (
        call: grpc.ServerUnaryCall<{ name: string }, unknown>,
        cb: grpc.sendUnaryData<unknown>,
      ) => cb(null, { greeting: `Hello from grpc-js, ${call.request.name}!` }),
    });
    new ReflectionService(definition).addToServer(server);
    const creds = secure
      ? grpc.ServerCredentials.createSsl(null, [{
        cert_chain: Buffer.from(certs.cert),
        private_key: Buffer.from(certs.key),
      }])
      : grpc.ServerCredentials.createInsecure();
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", creds, (e, p) => (e ? reject(e) : resolve(p)))
    );
  });
  after(() => {
    server.forceShutdown();
    rmSync(certs.dir, { recursive: true, force: true });
  });

  const flags = () =>
    secure ? ["--cacert", certs.caPath, "--servername", "localhost"] : ["--plaintext"];

  test(`list, describe and call go through grpc-js's reflection (${secure ? "TLS" : "cleartext"})`, async () => {
    const host = `127.0.0.1:${port}`;
    const listed = await cli(["list", host, ...flags()]);
    assert.equal(listed.code, 0, listed.err);
    assert.ok(listed.out.split("\n").includes("wirecall.demo.v1.DemoService"), listed.out);
    const described = await cli(["describe", host, "wirecall.demo.v1.GreetRequest", ...flags()]);
    assert.equal(described.code, 0, described.err);
    assert.match(described.out, /message GreetRequest \{\n {2}string name = 1;\n\}/);
    const called = await cli([
      "call",
      host,
      "wirecall.demo.v1.DemoService/Greet",
      "-d",
      '{"name":"Ada"}',
      ...flags(),
    ]);
    assert.equal(called.code, 0, called.err);
    assert.deepEqual(JSON.parse(called.out), { greeting: "Hello from grpc-js, Ada!" });
    const missing = await cli([
      "call",
      host,
      "wirecall.demo.v1.DemoService/Countdown",
      ...flags(),
    ]);
    assert.equal(missing.code, 64 + Code.UNIMPLEMENTED, missing.err);
  });
});
