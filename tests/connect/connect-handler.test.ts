// The Connect protocol on the wire, from the server side: what curl and any
// HTTP client see when they call the fetch handler directly.
import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import { Code, RpcError } from "wirecall";
import { decodeEnvelopes, encodeEnvelope } from "wirecall/protocol";
import { createConnectHandler, decodeEndStream } from "wirecall/transports/connect";
import { createGrpcWebHandler } from "wirecall/transports/grpc-web";
import {
  CountdownResponseSchema,
  GreetRequestSchema,
  GreetResponseSchema,
  SumRequestSchema,
  SumResponseSchema,
} from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { demoRouter } from "../support/demo-router.ts";
import { type RunningServer, serve } from "../grpc-web/serve.ts";

const greetPath = "/wirecall.demo.v1.DemoService/Greet";
const utf8 = new TextEncoder();

async function envelopes(res: Response) {
  const out = [];
  for await (const e of decodeEnvelopes(res.body!)) out.push(e);
  return out;
}

describe("Connect handler: the protocol on the wire", () => {
  let server: RunningServer;
  const { router, observed } = demoRouter({
    greet: (name, ctx) => {
      if (name === "") {
        throw new RpcError(Code.INVALID_ARGUMENT, "name is required", {
          details: [{ desc: DurationSchema, value: { seconds: 3n } }],
        });
      }
      if (name === "missing") throw new RpcError(Code.NOT_FOUND, "no such person");
      ctx.responseHeader.set("x-greeter", "wirecall");
      ctx.responseTrailer.set("x-served", "yes");
      return { greeting: `Hello, ${name}!` + (name === "long" ? "!".repeat(4000) : "") };
    },
  });
  const post = (path: string, body: BodyInit | Uint8Array, headers: Record<string, string>) =>
    fetch(server.url + path, { method: "POST", body: body as BodyInit, headers });

  before(async () => {
    server = await serve(
      createGrpcWebHandler(router, { protocols: [createConnectHandler(router)] }),
    );
  });
  after(() => server.close());

  test("a unary POST with application/json is answered with JSON (curl works)", async () => {
    const res = await post(greetPath, '{"name":"Ada"}', { "content-type": "application/json" });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.deepEqual(await res.json(), { greeting: "Hello, Ada!" });
  });

  test("response headers are headers and trailers are trailer- headers", async () => {
    const res = await post(greetPath, '{"name":"Ada"}', { "content-type": "application/json" });
    await res.body?.cancel();
    assert.equal(res.headers.get("x-greeter"), "wirecall");
    assert.equal(res.headers.get("trailer-x-served"), "yes");
  });

  test("a unary POST with application/proto is answered with the binary message", async () => {
    const body = toBinary(GreetRequestSchema, {
      $typeName: "wirecall.demo.v1.GreetRequest",
      name: "Bin",
    });
    const res = await post(greetPath, body, { "content-type": "application/proto" });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/proto");
    const msg = fromBinary(GreetResponseSchema, new Uint8Array(await res.arrayBuffer()));
    assert.equal(msg.greeting, "Hello, Bin!");
  });

  test("request metadata reaches the handler without the protocol's headers", async () => {
    const res = await post(greetPath, '{"name":"Md"}', {
      "content-type": "application/json",
      "connect-protocol-version": "1",
      "connect-timeout-ms": "5000",
      "x-user": "ada",
    });
    await res.body?.cancel();
    const md = observed.contexts.at(-1)!.metadata;
    assert.equal(md.get("x-user"), "ada");
    assert.equal(md.has("connect-timeout-ms"), false);
    assert.equal(md.has("connect-protocol-version"), false);
  });

  test("connect-timeout-ms becomes the handler's deadline", async () => {
    const res = await post(greetPath, '{"name":"T"}', {
      "content-type": "application/json",
      "connect-timeout-ms": "5000",
    });
    await res.body?.cancel();
    const remaining = observed.contexts.at(-1)!.timeRemaining();
    assert.ok(remaining !== undefined && remaining > 0 && remaining <= 5000, String(remaining));
  });

  test("a malformed connect-timeout-ms is 400 invalid_argument", async () => {
    const res = await post(greetPath, '{"name":"T"}', {
      "content-type": "application/json",
      "connect-timeout-ms": "12345678901",
    });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.code, "invalid_argument");
    assert.match(body.message, /connect-timeout-ms/);
  });

  test("an error is Connect error JSON with the mapped HTTP status and details", async () => {
    const res = await post(greetPath, '{"name":""}', { "content-type": "application/json" });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get("content-type"), "application/json");
    const body = await res.json();
    assert.equal(body.code, "invalid_argument");
    assert.equal(body.message, "name is required");
    assert.equal(body.details[0].type, "google.protobuf.Duration");
    const value = Uint8Array.from(atob(body.details[0].value), (c) => c.charCodeAt(0));
    assert.equal(fromBinary(DurationSchema, value).seconds, 3n);
    assert.ok(!body.details[0].value.endsWith("="), "base64 is unpadded");
  });

  test("NOT_FOUND is HTTP 404 with code not_found", async () => {
    const res = await post(greetPath, '{"name":"missing"}', { "content-type": "application/json" });
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { code: "not_found", message: "no such person" });
  });

  test("a NO_SIDE_EFFECTS method answers GET with a JSON message in the query", async () => {
    const q = `?connect=v1&encoding=json&message=${encodeURIComponent('{"name":"Get"}')}`;
    const res = await fetch(server.url + greetPath + q);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { greeting: "Hello, Get!" });
  });

  test("a GET with a base64 protobuf message is answered in protobuf", async () => {
    const bytes = toBinary(GreetRequestSchema, {
      $typeName: "wirecall.demo.v1.GreetRequest",
      name: "B64",
    });
    const b64 = btoa(String.fromCharCode(...bytes)).replace(/=+$/, "").replace(/\+/g, "-")
      .replace(/\//g, "_");
    const res = await fetch(`${server.url}${greetPath}?encoding=proto&base64=1&message=${b64}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/proto");
    const msg = fromBinary(GreetResponseSchema, new Uint8Array(await res.arrayBuffer()));
    assert.equal(msg.greeting, "Hello, B64!");
  });

  test("GET on a method with side effects is 405 with Allow: POST", async () => {
    const res = await fetch(
      `${server.url}/wirecall.demo.v1.DemoService/Countdown?encoding=json&message=%7B%7D`,
    );
    await res.body?.cancel();
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "POST");
  });

  test("a gzip request body is read and a large response is gzipped when accepted", async () => {
    const packed = new Uint8Array(
      await new Response(
        new Blob(['{"name":"long"}']).stream().pipeThrough(new CompressionStream("gzip")),
      ).arrayBuffer(),
    );
    const res = await fetch(server.url + greetPath, {
      method: "POST",
      body: packed,
      headers: {
        "content-type": "application/json",
        "content-encoding": "gzip",
        "accept-encoding": "gzip",
      },
    });
    assert.equal(res.status, 200);
    // fetch decodes Content-Encoding itself; the greeting arriving whole is the proof.
    const body = await res.json();
    assert.ok(body.greeting.startsWith("Hello, long!!!"));
    assert.equal(body.greeting.length, "Hello, long!".length + 4000);
  });

  test("an unsupported content-encoding is unimplemented", async () => {
    const res = await post(greetPath, "xx", {
      "content-type": "application/json",
      "content-encoding": "br",
    });
    assert.equal(res.status, 501);
    assert.equal((await res.json()).code, "unimplemented");
  });

  test("an unknown method is 404 unimplemented", async () => {
    const res = await post("/wirecall.demo.v1.DemoService/Nope", "{}", {
      "content-type": "application/json",
    });
    assert.equal(res.status, 404);
    assert.equal((await res.json()).code, "unimplemented");
  });

  test("a streaming content type on a unary method is 415", async () => {
    const res = await post(greetPath, encodeEnvelope(0, utf8.encode("{}")), {
      "content-type": "application/connect+json",
    });
    await res.body?.cancel();
    assert.equal(res.status, 415);
  });

  test("a server stream is envelopes and an end-of-stream message with the trailers", async () => {
    const res = await post(
      "/wirecall.demo.v1.DemoService/Countdown",
      encodeEnvelope(0, utf8.encode('{"from":2}')),
      { "content-type": "application/connect+json" },
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/connect+json");
    const frames = await envelopes(res);
    assert.deepEqual(frames.map((f) => f.flags), [0, 0, 2]);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(frames[0].data)), { number: 2 });
    assert.deepEqual(JSON.parse(new TextDecoder().decode(frames[2].data)), {});
  });

  test("a failing stream is HTTP 200 with the error in the end-of-stream message", async () => {
    const res = await post(
      "/wirecall.demo.v1.DemoService/Countdown",
      encodeEnvelope(0, utf8.encode('{"from":-1}')),
      { "content-type": "application/connect+json" },
    );
    assert.equal(res.status, 200);
    const frames = await envelopes(res);
    assert.equal(frames.length, 1);
    const end = decodeEndStream(frames[0].data);
    assert.equal(end.error?.code, Code.OUT_OF_RANGE);
    assert.equal(end.error?.rawMessage, "from must be positive");
  });

  test("a client stream in protobuf envelopes is summed", async () => {
    const m = (value: bigint) =>
      encodeEnvelope(
        0,
        toBinary(SumRequestSchema, { $typeName: "wirecall.demo.v1.SumRequest", value }),
      );
    const body = new Uint8Array([...m(2n), ...m(5n)]);
    const res = await post("/wirecall.demo.v1.DemoService/Sum", body, {
      "content-type": "application/connect+proto",
    });
    const frames = await envelopes(res);
    assert.deepEqual(frames.map((f) => f.flags), [0, 2]);
    const sum = fromBinary(SumResponseSchema, frames[0].data);
    assert.equal(sum.total, 7n);
    assert.equal(sum.count, 2);
    assert.equal(fromBinary(CountdownResponseSchema, new Uint8Array()).number, 0);
  });

  test("gRPC-Web is still answered on the same routes", async () => {
    const body = encodeEnvelope(
      0,
      toBinary(GreetRequestSchema, { $typeName: "wirecall.demo.v1.GreetRequest", name: "Web" }),
    );
    const res = await post(greetPath, body, { "content-type": "application/grpc-web+proto" });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/grpc-web+proto");
    const frames = await envelopes(res);
    assert.equal(fromBinary(GreetResponseSchema, frames[0].data).greeting, "Hello, Web!");
  });
});

describe("Connect handler: bad input", () => {
  let server: RunningServer;
  const { router } = demoRouter();
  before(async () => {
    server = await serve(createConnectHandler(router, { maxReceiveMessageBytes: 1024 }));
  });
  after(() => server.close());

  test("a unary body over the limit is 429 resource_exhausted, before it is read", async () => {
    const res = await fetch(server.url + greetPath, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "x".repeat(5000) }),
    });
    assert.equal(res.status, 429);
    const body = await res.json();
    assert.equal(body.code, "resource_exhausted");
    assert.match(body.message, /exceeds the limit of 1024 bytes/);
  });

  test("an envelope announcing more than the limit ends the stream with resource_exhausted", async () => {
    const header = new Uint8Array([0, 0x7f, 0xff, 0xff, 0xff]);
    const res = await fetch(server.url + "/wirecall.demo.v1.DemoService/Countdown", {
      method: "POST",
      headers: { "content-type": "application/connect+json" },
      body: header,
    });
    assert.equal(res.status, 200);
    const frames = await envelopes(res);
    const end = decodeEndStream(frames.at(-1)!.data);
    assert.equal(end.error?.code, Code.RESOURCE_EXHAUSTED);
  });

  test("a request envelope with the end-of-stream flag is invalid_argument", async () => {
    const res = await fetch(server.url + "/wirecall.demo.v1.DemoService/Countdown", {
      method: "POST",
      headers: { "content-type": "application/connect+json" },
      body: encodeEnvelope(2, utf8.encode("{}")) as BodyInit,
    });
    const end = decodeEndStream((await envelopes(res)).at(-1)!.data);
    assert.equal(end.error?.code, Code.INVALID_ARGUMENT);
  });

  test("a truncated envelope fails the call, and the next call is served", async () => {
    const res = await fetch(server.url + "/wirecall.demo.v1.DemoService/Countdown", {
      method: "POST",
      headers: { "content-type": "application/connect+json" },
      body: new Uint8Array([0, 0, 0, 0, 9, 1, 2]),
    });
    const end = decodeEndStream((await envelopes(res)).at(-1)!.data);
    assert.ok(end.error !== undefined);
    const next = await fetch(server.url + greetPath, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"name":"after"}',
    });
    assert.deepEqual(await next.json(), { greeting: "Hello, after!" });
  });
});

describe("Connect handler mounted alone", () => {
  let server: RunningServer;
  const { router } = demoRouter();
  before(async () => {
    server = await serve(createConnectHandler(router, { pathPrefix: "/rpc" }));
  });
  after(() => server.close());

  test("it serves under its path prefix", async () => {
    const res = await fetch(`${server.url}/rpc${greetPath}`, {
      method: "POST",
      body: '{"name":"Prefix"}',
      headers: { "content-type": "application/json" },
    });
    assert.deepEqual(await res.json(), { greeting: "Hello, Prefix!" });
  });

  test("a request of no protocol it knows is 415", async () => {
    const res = await fetch(`${server.url}/rpc${greetPath}`, {
      method: "POST",
      body: "x",
      headers: { "content-type": "text/plain" },
    });
    await res.body?.cancel();
    assert.equal(res.status, 415);
  });

  test("requireProtocolVersion refuses a request without connect-protocol-version", async () => {
    const strict = createConnectHandler(router, { requireProtocolVersion: true });
    const res = await strict(
      new Request(`http://x${greetPath}`, {
        method: "POST",
        body: "{}",
        headers: { "content-type": "application/json" },
      }),
    );
    assert.equal(res.status, 400);
    assert.match((await res.json()).message, /connect-protocol-version/);
  });
});
