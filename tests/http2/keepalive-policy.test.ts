// The server's keepalive policing and connection limits, against clients
// that abuse them: PINGs too often (GOAWAY ENHANCE_YOUR_CALM "too_many_pings",
// as grpc-go's EnforcementPolicy), connections idle or old past their limits
// (GOAWAY, running calls finish), header blocks over the limit, and
// connections that never send a preface (closed; others served meanwhile).
import assert from "node:assert/strict";
import * as http2 from "node:http2";
import * as net from "node:net";
import { createClient } from "wirecall";
import { createHttp2Server, createHttp2Transport } from "wirecall/transports/http2";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { demoRouter } from "../support/demo-router.ts";
import { describe, test } from "../support/test.ts";
import { frame, FrameType, PREFACE, RawH2Connection, settings } from "../hostile/h2-wire.ts";

type Options = Parameters<typeof createHttp2Server>[1];

async function withServer(options: Options, run: (url: string, port: number) => Promise<void>) {
  const server = createHttp2Server(demoRouter().router, options);
  const { port } = await server.listen({ port: 0 });
  try {
    await run(server.url!, port);
  } finally {
    await server.close({ graceMs: 100 });
  }
}

async function greet(url: string): Promise<string> {
  const transport = createHttp2Transport({ baseUrl: url });
  try {
    return (await createClient(DemoService, transport).greet({ name: "Ada" }, { timeoutMs: 5_000 }))
      .greeting;
  } finally {
    await transport.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("http2 server keepalive policing and limits", () => {
  test("PINGs faster than minPingIntervalMs end the connection with GOAWAY(ENHANCE_YOUR_CALM, too_many_pings)", async () => {
    await withServer(
      { keepalive: { minPingIntervalMs: 10_000, permitWithoutCalls: true } },
      async (url, port) => {
        const c = new RawH2Connection(port);
        await c.connected;
        await c.write(new Uint8Array([...PREFACE, ...settings()]));
        for (let i = 0; i < 5 && !c.socket.destroyed; i++) {
          await c.write(frame(FrameType.PING, 0, 0, new Uint8Array(8)));
          await sleep(20);
        }
        const goaway = await c.waitFor((f) => f.type === FrameType.GOAWAY, 3_000);
        assert.ok(goaway !== undefined, "no GOAWAY");
        assert.equal(c.goawayCode(), 0xb);
        assert.equal(new TextDecoder().decode(goaway.payload.subarray(8)), "too_many_pings");
        await Promise.race([c.closed, sleep(3_000)]);
        assert.ok(c.socket.destroyed, "the connection stayed open");
        assert.equal(await greet(url), "Hello, Ada!");
      },
    );
  });

  test("PINGs at the allowed pace are answered and the connection stays", async () => {
    await withServer(
      { keepalive: { minPingIntervalMs: 50, permitWithoutCalls: true } },
      async (_url, port) => {
        const c = new RawH2Connection(port);
        await c.connected;
        await c.write(new Uint8Array([...PREFACE, ...settings()]));
        for (let i = 0; i < 4; i++) {
          await c.write(frame(FrameType.PING, 0, 0, new Uint8Array(8)));
          await sleep(120);
        }
        const acks = c.frames.filter((f) => f.type === FrameType.PING && (f.flags & 1) === 1);
        assert.equal(acks.length, 4);
        assert.equal(c.goawayCode(), undefined);
        c.destroy();
      },
    );
  });

  test("PINGs with no call running are strikes unless permitWithoutCalls", async () => {
    await withServer({ keepalive: { minPingIntervalMs: 1 } }, async (_url, port) => {
      const c = new RawH2Connection(port);
      await c.connected;
      await c.write(new Uint8Array([...PREFACE, ...settings()]));
      for (let i = 0; i < 4 && !c.socket.destroyed; i++) {
        await c.write(frame(FrameType.PING, 0, 0, new Uint8Array(8)));
        await sleep(20);
      }
      await c.waitFor((f) => f.type === FrameType.GOAWAY, 3_000);
      assert.equal(c.goawayCode(), 0xb);
    });
  });

  test("a connection idle past maxConnectionIdleMs gets GOAWAY; the client's next call uses a new one", async () => {
    await withServer({ keepalive: { maxConnectionIdleMs: 200 } }, async (url) => {
      const session = http2.connect(url);
      session.on("error", () => {});
      const goaway = new Promise<number>((r) => session.once("goaway", (code) => r(code)));
      const got = await Promise.race([goaway, sleep(3_000).then(() => -1)]);
      assert.equal(got, 0);
      session.destroy();
      assert.equal(await greet(url), "Hello, Ada!");
    });
  });

  test("maxConnectionAgeMs sends GOAWAY while a call runs; the call finishes within the grace", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { router } = demoRouter({
      greet: async (name) => (await gate, { greeting: `late ${name}` }),
    });
    const server = createHttp2Server(router, {
      keepalive: { maxConnectionAgeMs: 200, maxConnectionAgeGraceMs: 5_000 },
    });
    await server.listen({ port: 0 });
    const transport = createHttp2Transport({ baseUrl: server.url! });
    let goaways = 0;
    server.nodeServer.on("session", (s: http2.ServerHttp2Session) => {
      const close = s.close.bind(s);
      s.close = ((cb?: () => void) => (goaways++, close(cb))) as typeof s.close;
    });
    try {
      const call = createClient(DemoService, transport).greet({ name: "x" }, { timeoutMs: 10_000 });
      await sleep(500);
      release();
      assert.equal((await call).greeting, "late x");
      assert.ok(goaways >= 1, "the server never aged the connection");
    } finally {
      await transport.close();
      await server.close({ graceMs: 100 });
    }
  });

  test("a header block over maxHeaderListBytes is refused, the server serves on", async () => {
    await withServer({ maxHeaderListBytes: 8 * 1024 }, async (url) => {
      const transport = createHttp2Transport({ baseUrl: url });
      try {
        const e = await createClient(DemoService, transport)
          .greet({ name: "x" }, { metadata: { "x-big": "v".repeat(20_000) }, timeoutMs: 5_000 })
          .then(() => undefined, (err) => err);
        assert.ok(e !== undefined, "a 20 KB header block was accepted");
      } finally {
        await transport.close();
      }
      assert.equal(await greet(url), "Hello, Ada!");
    });
  });

  for (const grpcWeb of [false, true]) {
    test(`connections that never send a byte are closed after handshakeTimeoutMs; others are served meanwhile${grpcWeb ? " (shared gRPC-Web port)" : ""}`, async () => {
      const options: Options = { handshakeTimeoutMs: 300 };
      if (grpcWeb) options.grpcWeb = () => false;
      await withServer(options, async (url, port) => {
        const idle = Array.from({ length: 20 }, () => net.connect(port, "127.0.0.1"));
        let ended = 0;
        for (const s of idle) {
          s.on("error", () => {});
          s.on("close", () => ended++);
          s.resume();
        }
        assert.equal(await greet(url), "Hello, Ada!");
        await sleep(1_000);
        assert.equal(ended, idle.length, `${idle.length - ended} idle connections still open`);
        for (const s of idle) s.destroy();
      });
    });
  }
});
