import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import * as http2 from "node:http2";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code, codeName, createClient, gzip, type RpcError } from "wirecall";
import { decodeEnvelopes, encodeEnvelope } from "wirecall/protocol";
import { createHttp2Server, createHttp2Transport } from "wirecall/transports/http2";
import {
  DemoService,
  GreetRequestSchema,
  GreetResponseSchema,
} from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { demoRouter, rejection } from "../support/demo-router.ts";
import { resetStream } from "../../transports/http2/bun-http2-workarounds.ts";

type StreamHandler = (
  stream: http2.ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
  body: Uint8Array,
) => void;

/** A raw node:http2 server whose answers each test scripts by hand. */
async function withRawServer(
  handle: StreamHandler,
  run: (url: string, sessions: () => number) => Promise<void>,
): Promise<void> {
  const server = http2.createServer();
  let sessions = 0;
  server.on("session", () => sessions++);
  server.on("stream", (stream, headers) => {
    const chunks: Uint8Array[] = [];
    stream.on("error", () => {});
    stream.on("data", (c: Uint8Array) => chunks.push(c));
    stream.on("end", () => handle(stream, headers, concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  try {
    await run(`http://127.0.0.1:${port}`, () => sessions);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

async function* once(chunk: Uint8Array): AsyncGenerator<Uint8Array> {
  yield chunk;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** Answers a Greet call properly: headers, one message, trailers. */
function answerGreet(stream: http2.ServerHttp2Stream, greeting: string): void {
  stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
  stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
  const body = toBinary(GreetResponseSchema, {
    $typeName: "wirecall.demo.v1.GreetResponse",
    greeting,
  });
  stream.end(encodeEnvelope(0, body));
}

async function greetVia(url: string, options: object = {}): Promise<string> {
  const transport = createHttp2Transport({ baseUrl: url, ...options });
  try {
    return (await createClient(DemoService, transport).greet({ name: "Ada" })).greeting;
  } finally {
    await transport.close();
  }
}

async function greetError(url: string, options: object = {}): Promise<RpcError> {
  const transport = createHttp2Transport({ baseUrl: url, ...options });
  try {
    return await rejection(createClient(DemoService, transport).greet({ name: "Ada" }));
  } finally {
    await transport.close();
  }
}

const { NGHTTP2_REFUSED_STREAM, NGHTTP2_CANCEL, NGHTTP2_ENHANCE_YOUR_CALM } = http2.constants;
const { NGHTTP2_INADEQUATE_SECURITY, NGHTTP2_INTERNAL_ERROR } = http2.constants;

describe("http2 client transport", () => {
  test("sends POST, the method path, application/grpc+proto, te: trailers and grpc-timeout", async () => {
    let seen: http2.IncomingHttpHeaders = {};
    await withRawServer((stream, headers) => {
      seen = headers;
      answerGreet(stream, "ok");
    }, async (url) => {
      const transport = createHttp2Transport({ baseUrl: url });
      await createClient(DemoService, transport).greet({ name: "Ada" }, { timeoutMs: 5_000 });
      await transport.close();
    });
    assert.equal(seen[":method"], "POST");
    assert.equal(seen[":path"], "/wirecall.demo.v1.DemoService/Greet");
    assert.equal(seen["content-type"], "application/grpc+proto");
    assert.equal(seen.te, "trailers");
    assert.match(String(seen["grpc-timeout"]), /^\d{1,8}[HMSmun]$/);
  });

  test("shares one connection among many concurrent calls", async () => {
    await withRawServer((stream) => answerGreet(stream, "ok"), async (url, sessions) => {
      const transport = createHttp2Transport({ baseUrl: url });
      const client = createClient(DemoService, transport);
      const all = await Promise.all(Array.from({ length: 20 }, () => client.greet({ name: "x" })));
      assert.equal(all.length, 20);
      assert.equal(sessions(), 1);
      await transport.close();
    });
  });

  test("retries a call the server refused (REFUSED_STREAM) transparently", async () => {
    let attempts = 0;
    await withRawServer((stream) => {
      if (++attempts === 1) resetStream(stream, NGHTTP2_REFUSED_STREAM);
      else answerGreet(stream, "second try");
    }, async (url) => {
      assert.equal(await greetVia(url), "second try");
    });
    assert.equal(attempts, 2);
  });

  test("moves a call to a new connection when the first one is going away (GOAWAY)", async () => {
    const server = http2.createServer();
    const sessions: http2.ServerHttp2Session[] = [];
    server.on("session", (session) => {
      // The first connection goes away at once, having processed no stream.
      if (sessions.push(session) === 1) session.goaway(http2.constants.NGHTTP2_NO_ERROR, 0);
    });
    server.on("stream", (stream) => {
      stream.on("error", () => {});
      stream.resume();
      stream.on("end", () => answerGreet(stream, "second connection"));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    try {
      assert.equal(await greetVia(`http://127.0.0.1:${port}`), "second connection");
      assert.equal(sessions.length, 2);
    } finally {
      // Node 20 keeps a server session that sent GOAWAY open: drop it.
      for (const session of sessions) session.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  const resets: Array<[string, number, Code]> = [
    ["REFUSED_STREAM (retries spent)", NGHTTP2_REFUSED_STREAM, Code.UNAVAILABLE],
    ["CANCEL", NGHTTP2_CANCEL, Code.CANCELLED],
    ["ENHANCE_YOUR_CALM", NGHTTP2_ENHANCE_YOUR_CALM, Code.RESOURCE_EXHAUSTED],
    ["INADEQUATE_SECURITY", NGHTTP2_INADEQUATE_SECURITY, Code.PERMISSION_DENIED],
    ["INTERNAL_ERROR", NGHTTP2_INTERNAL_ERROR, Code.INTERNAL],
  ];
  for (const [name, rst, code] of resets) {
    test(`maps a RST_STREAM ${name} from the server to ${codeName(code)}`, async () => {
      await withRawServer((stream) => resetStream(stream, rst), async (url) => {
        assert.equal((await greetError(url)).code, code);
      });
    });
  }

  const statuses: Array<[number, Code]> = [[503, Code.UNAVAILABLE], [404, Code.UNIMPLEMENTED], [
    401,
    Code.UNAUTHENTICATED,
  ]];
  for (const [status, code] of statuses) {
    test(`maps HTTP ${status} without grpc-status to ${codeName(code)}`, async () => {
      await withRawServer((stream) => {
        stream.respond({ ":status": status, "content-type": "text/plain" });
        stream.end("nope");
      }, async (url) => {
        assert.equal((await greetError(url)).code, code);
      });
    });
  }

  test("fails a 200 answer that is not application/grpc with UNKNOWN", async () => {
    await withRawServer((stream) => {
      stream.respond({ ":status": 200, "content-type": "text/html" });
      stream.end("<html>");
    }, async (url) => {
      assert.equal((await greetError(url)).code, Code.UNKNOWN);
    });
  });

  test("reads the status of a trailers-only answer", async () => {
    await withRawServer((stream) => {
      stream.respond({
        ":status": 200,
        "content-type": "application/grpc",
        "grpc-status": String(Code.NOT_FOUND),
        "grpc-message": "no%20such%20user",
      }, { endStream: true });
    }, async (url) => {
      const e = await greetError(url);
      assert.equal(e.code, Code.NOT_FOUND);
      assert.equal(e.rawMessage, "no such user");
    });
  });

  test("fails a stream that ends without grpc-status with INTERNAL", async () => {
    await withRawServer((stream) => {
      stream.respond({ ":status": 200, "content-type": "application/grpc" });
      stream.end();
    }, async (url) => {
      assert.equal((await greetError(url)).code, Code.INTERNAL);
    });
  });

  test("gzips request messages when sendCompression is gzip", async () => {
    let encoding: unknown;
    let name = "";
    await withRawServer(async (stream, headers, body) => {
      encoding = headers["grpc-encoding"];
      for await (const frame of decodeEnvelopes(once(body))) {
        assert.equal(frame.flags, 1);
        name = fromBinary(GreetRequestSchema, await gzip.decompress(frame.data, 1 << 20)).name;
      }
      answerGreet(stream, "ok");
    }, async (url) => {
      assert.equal(await greetVia(url, { sendCompression: "gzip" }), "ok");
    });
    assert.equal(encoding, "gzip");
    assert.equal(name, "Ada");
  });

  test("decompresses gzip responses", async () => {
    await withRawServer(async (stream) => {
      const body = toBinary(GreetResponseSchema, {
        $typeName: "wirecall.demo.v1.GreetResponse",
        greeting: "packed",
      });
      stream.respond({
        ":status": 200,
        "content-type": "application/grpc",
        "grpc-encoding": "gzip",
      }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end(encodeEnvelope(1, await gzip.compress(body)));
    }, async (url) => {
      assert.equal(await greetVia(url), "packed");
    });
  });

  test("fails a response over the receive limit with RESOURCE_EXHAUSTED", async () => {
    await withRawServer((stream) => answerGreet(stream, "z".repeat(1000)), async (url) => {
      const e = await greetError(url, { maxReceiveMessageBytes: 100 });
      assert.equal(e.code, Code.RESOURCE_EXHAUSTED);
    });
  });

  test("fails with UNAVAILABLE when nothing listens", async () => {
    const e = await greetError("http://127.0.0.1:1");
    assert.equal(e.code, Code.UNAVAILABLE);
  });

  test("reconnects after the server went away and came back on the same port", async () => {
    const { router } = demoRouter();
    const first = createHttp2Server(router);
    const { port } = await first.listen({ port: 0 });
    const transport = createHttp2Transport({ baseUrl: first.url! });
    const client = createClient(DemoService, transport);
    assert.equal((await client.greet({ name: "one" })).greeting, "Hello, one!");
    await first.close({ graceMs: 100 });
    const second = createHttp2Server(router);
    await second.listen({ port });
    try {
      assert.equal((await client.greet({ name: "two" })).greeting, "Hello, two!");
    } finally {
      await transport.close();
      await second.close({ graceMs: 100 });
    }
  });

  test("sends keepalive PINGs while a call runs", async () => {
    let pinged!: () => void;
    const sawPing = new Promise<void>((resolve) => (pinged = resolve));
    const server = http2.createServer();
    server.on("session", (session) => session.on("ping", () => pinged()));
    server.on("stream", async (stream) => {
      stream.on("error", () => {});
      stream.resume();
      await sawPing;
      answerGreet(stream, "after ping");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    try {
      const greeting = await greetVia(`http://127.0.0.1:${port}`, {
        keepalive: { intervalMs: 10, timeoutMs: 5_000 },
      });
      assert.equal(greeting, "after ping");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test("queues calls beyond the server's concurrent-stream limit instead of failing them", async () => {
    const { router } = demoRouter();
    const server = createHttp2Server(router, { maxConcurrentStreams: 1 });
    await server.listen({ port: 0 });
    const transport = createHttp2Transport({ baseUrl: server.url! });
    try {
      const client = createClient(DemoService, transport);
      const all = await Promise.all(
        Array.from({ length: 5 }, (_, i) => client.greet({ name: String(i) })),
      );
      assert.deepEqual(all.map((r) => r.greeting), [0, 1, 2, 3, 4].map((i) => `Hello, ${i}!`));
    } finally {
      await transport.close();
      await server.close({ graceMs: 100 });
    }
  });

  test("closes its connection once idle for idleTimeoutMs", async () => {
    let closed!: () => void;
    const sessionClosed = new Promise<void>((resolve) => (closed = resolve));
    const server = http2.createServer();
    server.on("session", (session) => session.on("close", () => closed()));
    server.on("stream", (stream) => {
      stream.on("error", () => {});
      stream.resume();
      stream.on("end", () => answerGreet(stream, "ok"));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const transport = createHttp2Transport({
      baseUrl: `http://127.0.0.1:${port}`,
      idleTimeoutMs: 20,
    });
    try {
      assert.equal(
        (await createClient(DemoService, transport).greet({ name: "x" })).greeting,
        "ok",
      );
      await sessionClosed; // resolves only if the idle client closed the connection
    } finally {
      await transport.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test("rejects a bad option with INVALID_ARGUMENT naming it", () => {
    assert.throws(
      () => createHttp2Transport({ baseUrl: "127.0.0.1:50051" }),
      (e: RpcError) => e.code === Code.INVALID_ARGUMENT && /baseUrl/.test(e.message),
    );
  });
});
