// The http2 client says why an attempt failed beyond the connection causes
// of connection-causes.test.ts (the AttemptFailure kinds a channel decides
// transparent retries by), and lets a channel see its connection.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import * as http2 from "node:http2";
import { attemptFailureOf, Code, createClient, type RpcError } from "wirecall";
import { createHttp2Server, createHttp2Transport } from "wirecall/transports/http2";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { demoRouter, rejection } from "../support/demo-router.ts";
import { resetStream } from "../../transports/http2/bun-http2-workarounds.ts";

type Handler = (stream: http2.ServerHttp2Stream, session: http2.ServerHttp2Session) => void;

/** A raw node:http2 server that answers every stream with `handle`. */
async function rawServer(handle: Handler): Promise<{ url: string; close(): Promise<void> }> {
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (s) => {
    sessions.add(s);
    s.on("error", () => {});
  });
  server.on("stream", (stream) => {
    stream.on("error", () => {});
    handle(stream, stream.session as http2.ServerHttp2Session);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function greetError(url: string, options: object = {}): Promise<RpcError> {
  const transport = createHttp2Transport({ baseUrl: url, ...options });
  try {
    return await rejection(createClient(DemoService, transport).greet({ name: "Ada" }));
  } finally {
    await transport.close();
  }
}

describe("http2 client: why an attempt failed", () => {
  test("REFUSED_STREAM past the transparent retries is UNAVAILABLE, unprocessed", async () => {
    const server = await rawServer((stream) =>
      resetStream(stream, http2.constants.NGHTTP2_REFUSED_STREAM)
    );
    try {
      const e = await greetError(server.url, { maxTransparentRetries: 1 });
      assert.equal(e.code, Code.UNAVAILABLE);
      assert.equal(attemptFailureOf(e), "unprocessed");
    } finally {
      await server.close();
    }
  });

  test("a stream reset after the server answered is reset, coded from the RST_STREAM code", async () => {
    const server = await rawServer((stream) => {
      stream.respond({ ":status": 200, "content-type": "application/grpc" });
      resetStream(stream, http2.constants.NGHTTP2_INTERNAL_ERROR);
    });
    try {
      const e = await greetError(server.url);
      assert.equal(e.code, Code.INTERNAL);
      assert.equal(attemptFailureOf(e), "reset");
    } finally {
      await server.close();
    }
  });
});

describe("http2 client: connectivity for a channel", () => {
  test("connect() resolves once connected and rejects, refused, when nothing listens", async () => {
    const { router } = demoRouter();
    const server = createHttp2Server(router);
    await server.listen({ host: "127.0.0.1", port: 0 });
    const up = createHttp2Transport({ baseUrl: server.url! });
    const down = createHttp2Transport({ baseUrl: "http://127.0.0.1:1" });
    try {
      await up.connectivity!.connect();
      await up.connectivity!.connect();
      const e = await rejection(down.connectivity!.connect());
      assert.equal(attemptFailureOf(e), "refused");
      // The transport's own backoff does not hold a connect() back.
      const again = await rejection(down.connectivity!.connect());
      assert.equal(attemptFailureOf(again), "refused");
      assert.doesNotMatch(again.rawMessage, /next attempt in/);
    } finally {
      await up.close();
      await down.close();
      await server.close({ graceMs: 0 });
    }
  });

  test("onDisconnect hears of a lost connection with its error, of a GOAWAY without one", async () => {
    const server = await rawServer(() => {});
    const transport = createHttp2Transport({ baseUrl: server.url });
    try {
      const heard: Array<RpcError | undefined> = [];
      transport.connectivity!.onDisconnect((e) => heard.push(e));
      await transport.connectivity!.connect();
      await server.close();
      for (let i = 0; i < 200 && heard.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(heard.length, 1);
    } finally {
      await transport.close();
    }
    const { router } = demoRouter();
    const graceful = createHttp2Server(router);
    await graceful.listen({ host: "127.0.0.1", port: 0 });
    const t2 = createHttp2Transport({ baseUrl: graceful.url! });
    try {
      const heard: Array<RpcError | undefined> = [];
      t2.connectivity!.onDisconnect((e) => heard.push(e));
      await t2.connectivity!.connect();
      await graceful.close({ graceMs: 100 });
      for (let i = 0; i < 200 && heard.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.deepEqual(heard, [undefined]);
    } finally {
      await t2.close();
    }
  });
});
