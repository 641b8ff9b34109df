import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import { Code, createClient, ManualClock, Metadata, RpcError } from "wirecall";
import { encodeEnvelope } from "wirecall/protocol";
import {
  createGrpcWebHandler,
  createGrpcWebTransport,
  type GrpcWebHandlerOptions,
  GrpcWebTextDecoder,
  type GrpcWebTransportOptions,
} from "wirecall/transports/grpc-web";
import { DemoService, GreetRequestSchema } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { collect, demoRouter, from, rejection } from "../support/demo-router.ts";
import { fetchThrough, splitFrames } from "./in-memory.ts";
import { create, toBinary } from "@bufbuild/protobuf";

type Setup = Parameters<typeof demoRouter>[0] & {
  handler?: GrpcWebHandlerOptions;
  client?: Partial<GrpcWebTransportOptions>;
};

function setup(options: Setup = {}) {
  const { handler: handlerOptions, client: clientOptions, ...routerOptions } = options;
  const { router, observed } = demoRouter(routerOptions);
  const handler = createGrpcWebHandler(router, handlerOptions);
  const transport = createGrpcWebTransport({
    baseUrl: "http://wirecall.test",
    fetch: fetchThrough(handler),
    ...clientOptions,
  });
  return { handler, observed, client: createClient(DemoService, transport) };
}

function greetBody(name: string): Uint8Array<ArrayBuffer> {
  return encodeEnvelope(
    0,
    toBinary(GreetRequestSchema, create(GreetRequestSchema, { name })),
  ) as Uint8Array<ArrayBuffer>;
}

function post(path: string, headers: Record<string, string>, body?: BodyInit): Request {
  return new Request(`http://wirecall.test${path}`, { method: "POST", headers, body });
}

describe("gRPC-Web client and handler", () => {
  test("a unary call returns the response, its headers and its trailers", async () => {
    const { client } = setup({
      greet: (name, ctx) => {
        ctx.responseHeader.set("x-greeter", "wirecall");
        ctx.responseTrailer.set("x-done", "yes");
        return { greeting: `Hi ${name}` };
      },
    });
    let header: Metadata | undefined;
    let trailer: Metadata | undefined;
    const res = await client.greet({ name: "Ada" }, {
      onHeader: (h) => (header = h),
      onTrailer: (t) => (trailer = t),
    });
    assert.equal(res.greeting, "Hi Ada");
    assert.equal(header?.get("x-greeter"), "wirecall");
    assert.equal(trailer?.get("x-done"), "yes");
  });

  test("request metadata reaches the handler, binary values included", async () => {
    const { client, observed } = setup();
    await client.greet({ name: "Ada" }, {
      metadata: { "x-user": "ada", "trace-bin": new Uint8Array([0, 1, 255]) },
    });
    const md = observed.contexts[0].metadata;
    assert.equal(md.get("x-user"), "ada");
    assert.deepEqual(md.get("trace-bin"), new Uint8Array([0, 1, 255]));
    assert.equal(observed.contexts[0].peer.protocol, "grpc-web");
  });

  test("a server stream yields every message in order", async () => {
    const { client } = setup();
    const numbers = (await collect(client.countdown({ from: 4 }))).map((m) => m.number);
    assert.deepEqual(numbers, [4, 3, 2, 1]);
  });

  test("an empty server stream ends cleanly", async () => {
    const { client } = setup();
    assert.deepEqual(await collect(client.countdown({ from: 0 })), []);
  });

  test("a client stream is sent as a streaming request body", async () => {
    const { client } = setup();
    const res = await client.sum(from({ value: 1n }, { value: 2n }, { value: 39n }));
    assert.equal(res.total, 42n);
    assert.equal(res.count, 3);
  });

  test("client streaming fails at once with UNIMPLEMENTED where fetch cannot stream a request", async () => {
    const { client, observed } = setup({ client: { requestStreaming: false } });
    const e = await rejection(client.sum(from({ value: 1n })));
    assert.equal(e.code, Code.UNIMPLEMENTED);
    assert.match(e.message, /cannot stream a request body/);
    assert.equal(observed.contexts.length, 0);
  });

  test("bidi streaming is refused with an error pointing to the HTTP/2 transport", async () => {
    const { client } = setup();
    const e = await rejection(collect(client.chat(from({ text: "hi" }))));
    assert.equal(e.code, Code.UNIMPLEMENTED);
    assert.match(e.message, /wirecall\/transports\/http2/);
  });

  test("the text format carries unary calls and server streams", async () => {
    const { client } = setup({ client: { format: "text" } });
    assert.equal((await client.greet({ name: "Bo" })).greeting, "Hello, Bo!");
    assert.deepEqual((await collect(client.countdown({ from: 3 }))).map((m) => m.number), [
      3,
      2,
      1,
    ]);
    assert.equal((await client.sum(from({ value: 5n }, { value: 6n }))).total, 11n);
  });

  test("the text format answers base64 frames with the grpc-web-text content type", async () => {
    const { handler } = setup();
    const text = btoa(String.fromCharCode(...greetBody("Cy")));
    const res = await handler(post("/wirecall.demo.v1.DemoService/Greet", {
      "content-type": "application/grpc-web-text",
    }, text));
    assert.equal(res.headers.get("content-type"), "application/grpc-web-text");
    const text64 = new Uint8Array(await res.arrayBuffer());
    assert.match(new TextDecoder().decode(text64), /^[A-Za-z0-9+/=]+$/);
    const decoder = new GrpcWebTextDecoder();
    const body = decoder.push(text64);
    decoder.end();
    const frames = splitFrames(body);
    assert.deepEqual(frames.map(([flags]) => flags), [0, 0x80]);
    assert.equal(new TextDecoder().decode(frames[1][1]), "grpc-status: 0\r\n");
  });

  test("an error with details arrives as a trailers-only response", async () => {
    const { client, handler } = setup({
      greet: () => {
        throw new RpcError(Code.FAILED_PRECONDITION, "not ready: 100%", {
          details: [{ desc: DurationSchema, value: { seconds: 7n } }],
          metadata: new Metadata({ "x-why": "warming up" }),
        });
      },
    });
    const e = await rejection(client.greet({ name: "x" }));
    assert.equal(e.code, Code.FAILED_PRECONDITION);
    assert.equal(e.rawMessage, "not ready: 100%");
    assert.equal(e.findDetails(DurationSchema)[0].seconds, 7n);
    assert.equal(e.metadata.get("x-why"), "warming up");

    const raw = await handler(post("/wirecall.demo.v1.DemoService/Greet", {
      "content-type": "application/grpc-web+proto",
    }, greetBody("x")));
    assert.equal(raw.status, 200);
    assert.equal(raw.headers.get("grpc-status"), String(Code.FAILED_PRECONDITION));
    assert.equal(raw.headers.get("grpc-message"), "not ready: 100%25");
    assert.ok(raw.headers.get("grpc-status-details-bin"));
    assert.equal((await raw.arrayBuffer()).byteLength, 0);
  });

  test("an error after messages arrives in the trailer frame", async () => {
    const { client } = setup();
    const seen: number[] = [];
    const e = await rejection((async () => {
      for await (const m of client.countdown({ from: -1 })) seen.push(m.number);
    })());
    assert.equal(e.code, Code.OUT_OF_RANGE);
    assert.deepEqual(seen, []);
  });

  test("an unknown method is UNIMPLEMENTED", async () => {
    const { handler } = setup();
    const res = await handler(post("/wirecall.demo.v1.DemoService/Nope", {
      "content-type": "application/grpc-web+proto",
    }, greetBody("x")));
    assert.equal(res.headers.get("grpc-status"), String(Code.UNIMPLEMENTED));
  });

  test("the deadline is sent as grpc-timeout and enforced by the handler", async () => {
    const clock = new ManualClock();
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const { client, observed } = setup({
      clock,
      greet: (_name, ctx) =>
        new Promise((_, reject) => {
          ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason));
          started();
        }),
    });
    const call = rejection(client.greet({ name: "slow" }, { timeoutMs: 60_000 }));
    await running;
    assert.equal(observed.contexts[0].timeRemaining(), 60_000);
    await clock.advance(60_000);
    const e = await call;
    assert.equal(e.code, Code.DEADLINE_EXCEEDED);
    assert.equal((observed.aborts[0] as RpcError).code, Code.DEADLINE_EXCEEDED);
  });

  test("a malformed grpc-timeout is refused with INTERNAL", async () => {
    const { handler } = setup();
    const res = await handler(post("/wirecall.demo.v1.DemoService/Greet", {
      "content-type": "application/grpc-web+proto",
      "grpc-timeout": "123456789S",
    }, greetBody("x")));
    assert.equal(res.headers.get("grpc-status"), String(Code.INTERNAL));
    assert.match(res.headers.get("grpc-message") ?? "", /grpc-timeout/);
  });

  test("cancelling a server stream cancels the handler", async () => {
    const { client, observed } = setup();
    const controller = new AbortController();
    const seen: number[] = [];
    const e = await rejection((async () => {
      for await (const m of client.countdown({ from: 1_000_000 }, { signal: controller.signal })) {
        seen.push(m.number);
        if (seen.length === 2) controller.abort();
      }
    })());
    assert.equal(e.code, Code.CANCELLED);
    assert.deepEqual(seen, [1_000_000, 999_999]);
    await new Promise((r) => setTimeout(r, 0));
    assert.equal((observed.aborts[0] as RpcError).code, Code.CANCELLED);
  });

  test("a request message over the handler's limit is RESOURCE_EXHAUSTED", async () => {
    const { client } = setup({ handler: { maxReceiveMessageBytes: 16 } });
    const e = await rejection(client.greet({ name: "x".repeat(64) }));
    assert.equal(e.code, Code.RESOURCE_EXHAUSTED);
  });

  test("a gzip request that inflates past the handler's limit is RESOURCE_EXHAUSTED", async () => {
    const { client, observed } = setup({
      client: { sendCompression: "gzip" },
      handler: { maxReceiveMessageBytes: 1024 },
    });
    const e = await rejection(client.greet({ name: "z".repeat(100_000) }));
    assert.equal(e.code, Code.RESOURCE_EXHAUSTED);
    assert.equal(observed.contexts.length, 0, "the handler never ran");
  });

  test("a response message over the client's limit is RESOURCE_EXHAUSTED", async () => {
    const { client } = setup({ client: { maxReceiveMessageBytes: 16 } });
    const e = await rejection(client.greet({ name: "x".repeat(64) }));
    assert.equal(e.code, Code.RESOURCE_EXHAUSTED);
  });

  test("gzip compresses requests and responses both ways", async () => {
    const { client, handler } = setup({
      client: { sendCompression: "gzip" },
      handler: { compressMinBytes: 0 },
    });
    const name = "z".repeat(5000);
    assert.equal((await client.greet({ name })).greeting, `Hello, ${name}!`);
    const res = await handler(post("/wirecall.demo.v1.DemoService/Greet", {
      "content-type": "application/grpc-web+proto",
      "grpc-accept-encoding": "gzip",
    }, greetBody(name)));
    assert.equal(res.headers.get("grpc-encoding"), "gzip");
    const frames = splitFrames(new Uint8Array(await res.arrayBuffer()));
    assert.equal(frames[0][0], 1, "the message frame is flagged compressed");
    assert.ok(frames[0][1].byteLength < 200);
  });

  test("an unsupported grpc-encoding is UNIMPLEMENTED, naming the accepted ones", async () => {
    const { handler } = setup();
    const res = await handler(post("/wirecall.demo.v1.DemoService/Greet", {
      "content-type": "application/grpc-web+proto",
      "grpc-encoding": "br",
    }, greetBody("x")));
    assert.equal(res.headers.get("grpc-status"), String(Code.UNIMPLEMENTED));
    assert.equal(res.headers.get("grpc-accept-encoding"), "gzip,identity");
  });

  test("a request that is not gRPC-Web is answered 415", async () => {
    const { handler } = setup();
    const res = await handler(post("/wirecall.demo.v1.DemoService/Greet", {
      "content-type": "application/grpc",
    }, greetBody("x")));
    assert.equal(res.status, 415);
  });

  test("a GET is answered 405", async () => {
    const { handler } = setup();
    const res = await handler(
      new Request("http://wirecall.test/wirecall.demo.v1.DemoService/Greet"),
    );
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "POST, OPTIONS");
  });

  test("an HTTP error without grpc-status maps to a gRPC code", async () => {
    const transport = createGrpcWebTransport({
      baseUrl: "http://wirecall.test",
      fetch: () => Promise.resolve(new Response("busy", { status: 503 })),
    });
    const e = await rejection(createClient(DemoService, transport).greet({ name: "x" }));
    assert.equal(e.code, Code.UNAVAILABLE);
  });

  test("a response body that ends without a trailer frame is INTERNAL", async () => {
    const transport = createGrpcWebTransport({
      baseUrl: "http://wirecall.test",
      fetch: () =>
        Promise.resolve(
          new Response(encodeEnvelope(0, new Uint8Array(0)) as Uint8Array<ArrayBuffer>, {
            headers: { "content-type": "application/grpc-web+proto" },
          }),
        ),
    });
    const e = await rejection(createClient(DemoService, transport).greet({ name: "x" }));
    assert.equal(e.code, Code.INTERNAL);
  });

  test("a network failure is UNAVAILABLE", async () => {
    const transport = createGrpcWebTransport({
      baseUrl: "http://wirecall.test",
      fetch: () => Promise.reject(new TypeError("fetch failed")),
    });
    const e = await rejection(createClient(DemoService, transport).greet({ name: "x" }));
    assert.equal(e.code, Code.UNAVAILABLE);
  });

  test("a bad client option is INVALID_ARGUMENT naming it", () => {
    assert.throws(
      () => createGrpcWebTransport({ baseUrl: "http://x.test", format: "base64" as "text" }),
      (e) =>
        e instanceof RpcError && e.code === Code.INVALID_ARGUMENT && /"format"/.test(e.message),
    );
  });

  test("a bad handler option is INVALID_ARGUMENT naming it", () => {
    const { router } = demoRouter();
    assert.throws(
      () => createGrpcWebHandler(router, { cors: { allowedOrigins: 5 as unknown as "*" } }),
      (e) =>
        e instanceof RpcError && e.code === Code.INVALID_ARGUMENT &&
        /cors\.allowedOrigins/.test(e.message),
    );
  });
});

describe("gRPC-Web CORS", () => {
  const cors = {
    allowedOrigins: ["https://app.example"],
    exposeHeaders: ["x-greeter"],
    allowHeaders: ["x-user"],
  };

  test("a preflight from an allowed origin is answered 204 with the allowed headers", async () => {
    const { handler } = setup({ handler: { cors } });
    const res = await handler(
      new Request("http://wirecall.test/wirecall.demo.v1.DemoService/Greet", {
        method: "OPTIONS",
        headers: {
          origin: "https://app.example",
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type,x-grpc-web,x-user",
        },
      }),
    );
    assert.equal(res.status, 204);
    assert.equal(res.headers.get("access-control-allow-origin"), "https://app.example");
    assert.match(res.headers.get("access-control-allow-methods") ?? "", /POST/);
    const allowed = (res.headers.get("access-control-allow-headers") ?? "").split(", ");
    for (const h of ["content-type", "x-grpc-web", "grpc-timeout", "x-user"]) {
      assert.ok(allowed.includes(h), h);
    }
  });

  test("a preflight from an origin not on the list is refused with 403", async () => {
    const { handler } = setup({ handler: { cors } });
    const res = await handler(
      new Request("http://wirecall.test/wirecall.demo.v1.DemoService/Greet", {
        method: "OPTIONS",
        headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
      }),
    );
    assert.equal(res.status, 403);
    assert.equal(res.headers.get("access-control-allow-origin"), null);
  });

  test("a call from an allowed origin exposes the status headers and declared metadata", async () => {
    const { handler } = setup({ handler: { cors } });
    const res = await handler(post("/wirecall.demo.v1.DemoService/Greet", {
      "content-type": "application/grpc-web+proto",
      origin: "https://app.example",
    }, greetBody("x")));
    assert.equal(res.headers.get("access-control-allow-origin"), "https://app.example");
    const exposed = (res.headers.get("access-control-expose-headers") ?? "").split(", ");
    for (const h of ["grpc-status", "grpc-message", "grpc-status-details-bin", "x-greeter"]) {
      assert.ok(exposed.includes(h), h);
    }
  });

  test("a call from an origin not on the list is refused with 403 before the handler runs", async () => {
    const { handler, observed } = setup({ handler: { cors } });
    const res = await handler(post("/wirecall.demo.v1.DemoService/Greet", {
      "content-type": "application/grpc-web+proto",
      origin: "https://evil.example",
    }, greetBody("x")));
    assert.equal(res.status, 403);
    assert.equal(observed.contexts.length, 0);
  });
});
