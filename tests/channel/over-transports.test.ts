// The channel's retry and balancing behaviour over real transports: native
// gRPC (HTTP/2) and gRPC-Web (fetch), each against in-process wirecall
// servers on 127.0.0.1. The same scenarios as retry.test.ts and
// balancing.test.ts (which run on the loopback with a manual clock), here on
// the real clock with short backoffs and only lower bounds on time.
import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import {
  type Channel,
  type ChannelOptions,
  Code,
  createChannel,
  createClient,
  createRouter,
  type Endpoint,
  endpointUrl,
  type HandlerContext,
  HealthRegistry,
  HealthService,
  Metadata,
  RpcError,
  type ServiceConfigJson,
  type Transport,
} from "wirecall";
import { createHttp2Server, type Http2Server } from "wirecall/transports/http2";
import { createGrpcWebHandler, createGrpcWebTransport } from "wirecall/transports/grpc-web";
import { createNodeFetch } from "wirecall/transports/grpc-web/node";
import { createHttp2Transport } from "wirecall/transports/http2";
import { RetryInfoSchema } from "../../src/gen/google/rpc/error_details_pb.ts";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { collect, rejection } from "../support/demo-router.ts";
import { createNodeRequestListener } from "wirecall/transports/grpc-web/node";

/** One in-process server whose greet behaviour each test scripts. */
interface Backend {
  server: Http2Server;
  address: string;
  health: HealthRegistry;
  handled: number;
  previous: Array<string | undefined>;
  greet?: (b: Backend, ctx: HandlerContext) => unknown;
  countdown?: (b: Backend, ctx: HandlerContext) => AsyncIterable<{ number: number }>;
}

async function startBackend(): Promise<Backend> {
  const health = new HealthRegistry({ "": "SERVING", "wirecall.demo.v1.DemoService": "SERVING" });
  const b = { health, handled: 0, previous: [] } as unknown as Backend;
  const router = createRouter()
    .service(HealthService, health.impl)
    .service(DemoService, {
      async greet(_req, ctx) {
        b.handled++;
        b.previous.push(ctx.metadata.get("grpc-previous-rpc-attempts") as string | undefined);
        if (b.greet !== undefined) return (await b.greet(b, ctx)) as { greeting: string };
        return { greeting: b.address };
      },
      async *countdown(req, ctx) {
        b.handled++;
        if (b.countdown !== undefined) {
          yield* b.countdown(b, ctx);
          return;
        }
        for (let n = req.from; n > 0; n--) yield { number: n };
      },
    });
  b.server = createHttp2Server(router, {
    grpcWeb: createNodeRequestListener(createGrpcWebHandler(router)),
  });
  const { port } = await b.server.listen({ host: "127.0.0.1", port: 0 });
  b.address = `127.0.0.1:${port}`;
  return b;
}

/** A free port: one a server had and let go. */
async function freePort(): Promise<number> {
  const s = createHttp2Server(createRouter());
  const { port } = await s.listen({ host: "127.0.0.1", port: 0 });
  await s.close({ graceMs: 0 });
  return port;
}

const isDeno = "Deno" in globalThis;
const transports: Record<string, (ep: Endpoint) => Transport> = {
  "native gRPC (HTTP/2)": (ep) => createHttp2Transport({ baseUrl: endpointUrl(ep) }),
  // Deno's own fetch there: undici on Deno does not notice a peer that died.
  "gRPC-Web (fetch)": (ep) =>
    createGrpcWebTransport({
      baseUrl: endpointUrl(ep),
      fetch: isDeno ? undefined : createNodeFetch(),
    }),
};

function retryPolicy(maxAttempts = 4): ServiceConfigJson["methodConfig"] {
  return [{
    name: [{ service: "wirecall.demo.v1.DemoService" }],
    retryPolicy: {
      maxAttempts,
      initialBackoff: "0.01s",
      maxBackoff: "0.05s",
      backoffMultiplier: 2,
      retryableStatusCodes: ["UNAVAILABLE"],
    },
  }];
}

for (const [name, factory] of Object.entries(transports)) {
  describe(`channel over ${name}`, () => {
    let backends: Backend[] = [];
    const channels: Channel[] = [];

    before(async () => {
      backends = await Promise.all([startBackend(), startBackend(), startBackend()]);
    });
    after(async () => {
      for (const c of channels) await c.close();
      for (const b of backends) await b.server.close({ graceMs: 0 });
    });

    /** A channel over `targets` (default: every backend); reset every backend's script. */
    function channel(
      serviceConfig: ServiceConfigJson,
      targets = backends.map((b) => b.address),
      options: Partial<ChannelOptions> = {},
    ) {
      for (const b of backends) {
        b.handled = 0;
        b.previous.length = 0;
        b.greet = b.countdown = undefined;
        b.health.setStatus("wirecall.demo.v1.DemoService", "SERVING");
      }
      const c = createChannel({
        target: `ipv4:${targets.join(",")}`,
        transport: factory,
        serviceConfig,
        ...options,
      });
      channels.push(c);
      return { c, client: createClient(DemoService, c) };
    }

    test("round_robin spreads calls evenly over three servers", async () => {
      const { c, client } = channel({ loadBalancingConfig: [{ round_robin: {} }] });
      // Calls go only to ready endpoints: count once all three are connected.
      c.getState(true);
      const allReady = () =>
        c.endpointStates().length === 3 && c.endpointStates().every((e) => e.state === "ready");
      for (let i = 0; i < 500 && !allReady(); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      const seen = new Map<string, number>();
      for (let i = 0; i < 30; i++) {
        const { greeting } = await client.greet({ name: "x" });
        seen.set(greeting, (seen.get(greeting) ?? 0) + 1);
      }
      assert.deepEqual([...seen.values()], [10, 10, 10]);
    });

    test("a retryable code is retried until it succeeds; both sides see the attempt count", async () => {
      const { client } = channel({ methodConfig: retryPolicy() }, [backends[0].address]);
      let n = 0;
      backends[0].greet = (b) => {
        if (n++ < 2) throw new RpcError(Code.UNAVAILABLE, "busy");
        return { greeting: b.address };
      };
      let trailer: Metadata | undefined;
      const res = await client.greet({ name: "x" }, { onTrailer: (t) => (trailer = t) });
      assert.equal(res.greeting, backends[0].address);
      assert.deepEqual(backends[0].previous, [undefined, "1", "2"]);
      assert.equal(trailer?.get("grpc-previous-rpc-attempts"), "2");
    });

    test("a non-retryable code fails at once, with one attempt", async () => {
      const { client } = channel({ methodConfig: retryPolicy() }, [backends[0].address]);
      backends[0].greet = () => {
        throw new RpcError(Code.INVALID_ARGUMENT, "bad");
      };
      const e = await rejection(client.greet({ name: "x" }));
      assert.equal(e.code, Code.INVALID_ARGUMENT);
      assert.equal(backends[0].handled, 1);
    });

    test("server pushback sets the delay before the next attempt", async () => {
      const { client } = channel({ methodConfig: retryPolicy() }, [backends[0].address]);
      let n = 0;
      backends[0].greet = (b) => {
        if (n++ === 0) {
          throw new RpcError(Code.UNAVAILABLE, "later", {
            metadata: new Metadata({ "grpc-retry-pushback-ms": "300" }),
          });
        }
        return { greeting: b.address };
      };
      const t0 = performance.now();
      await client.greet({ name: "x" });
      assert.ok(performance.now() - t0 >= 290, "waited for the pushback, not the 10 ms backoff");
    });

    test("a negative pushback stops the retries", async () => {
      const { client } = channel({ methodConfig: retryPolicy() }, [backends[0].address]);
      backends[0].greet = () => {
        throw new RpcError(Code.UNAVAILABLE, "no", {
          metadata: new Metadata({ "grpc-retry-pushback-ms": "-1" }),
        });
      };
      const e = await rejection(client.greet({ name: "x" }));
      assert.equal(e.rawMessage, "no");
      assert.equal(backends[0].handled, 1);
    });

    test("google.rpc.RetryInfo sets the delay like a pushback", async () => {
      const { client } = channel({ methodConfig: retryPolicy() }, [backends[0].address]);
      let n = 0;
      backends[0].greet = (b) => {
        if (n++ === 0) {
          throw new RpcError(Code.UNAVAILABLE, "later", {
            details: [{ desc: RetryInfoSchema, value: { retryDelay: { nanos: 300_000_000 } } }],
          });
        }
        return { greeting: b.address };
      };
      const t0 = performance.now();
      await client.greet({ name: "x" });
      assert.ok(performance.now() - t0 >= 290);
    });

    test("retry throttling stops retries once half the tokens are gone", async () => {
      const { client } = channel(
        { methodConfig: retryPolicy(3), retryThrottling: { maxTokens: 3, tokenRatio: 0.5 } },
        [backends[0].address],
      );
      backends[0].greet = () => {
        throw new RpcError(Code.UNAVAILABLE, "down");
      };
      // 3 tokens: the first failure leaves 2 (> 1.5, retried), the second 1: no more.
      await rejection(client.greet({ name: "x" }));
      assert.equal(backends[0].handled, 2);
      await rejection(client.greet({ name: "x" }));
      assert.equal(backends[0].handled, 3, "throttled: one attempt");
    });

    test("a streamed response that delivered a message is committed, not retried", async () => {
      const { client } = channel({ methodConfig: retryPolicy() }, [backends[0].address]);
      backends[0].countdown = async function* () {
        yield { number: 1 };
        throw new RpcError(Code.UNAVAILABLE, "mid-stream");
      };
      const e = await rejection(collect(client.countdown({ from: 2 })));
      assert.equal(e.rawMessage, "mid-stream");
      assert.equal(backends[0].handled, 1);
    });

    test("a hedge outruns a slow server", async () => {
      const { client } = channel(
        {
          loadBalancingConfig: [{ round_robin: {} }],
          methodConfig: [{
            name: [{ service: "wirecall.demo.v1.DemoService" }],
            hedgingPolicy: { maxAttempts: 2, hedgingDelay: "0.05s", nonFatalStatusCodes: [] },
          }],
        },
        undefined,
        { random: () => 0 },
      );
      const slow = backends[0];
      slow.greet = (b, ctx) =>
        new Promise((resolve, reject) => {
          const t = setTimeout(() => resolve({ greeting: b.address }), 5_000);
          ctx.signal.addEventListener("abort", () => {
            clearTimeout(t);
            reject(ctx.signal.reason);
          });
        });
      const t0 = performance.now();
      const { greeting } = await client.greet({ name: "x" });
      const took = performance.now() - t0;
      assert.notEqual(greeting, slow.address);
      assert.ok(took >= 45 && took < 4_000, `answered by the hedge after ${took} ms`);
    });

    test("an endpoint with nothing listening is skipped without a failed call", async () => {
      const dead = `127.0.0.1:${await freePort()}`;
      const { client } = channel(
        { loadBalancingConfig: [{ round_robin: {} }] },
        [dead, backends[0].address],
      );
      for (let i = 0; i < 6; i++) {
        assert.equal((await client.greet({ name: "x" })).greeting, backends[0].address);
      }
    });

    test("health checking keeps calls off an endpoint that reports NOT_SERVING", async () => {
      const { c, client } = channel({
        loadBalancingConfig: [{ round_robin: {} }],
        healthCheckConfig: { serviceName: "wirecall.demo.v1.DemoService" },
      }, [backends[0].address, backends[1].address]);
      backends[1].health.setStatus("wirecall.demo.v1.DemoService", "NOT_SERVING");
      c.getState(true);
      for (let i = 0; i < 500 && c.endpointStates()[1]?.state !== "transient_failure"; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) seen.add((await client.greet({ name: "x" })).greeting);
      assert.deepEqual([...seen], [backends[0].address]);
    });

    test("waitForReady waits for a server that comes up within the deadline", async () => {
      const port = await freePort();
      const { client } = channel(
        { methodConfig: [{ name: [{}], waitForReady: true }] },
        [`127.0.0.1:${port}`],
        { connectBackoff: { initialMs: 50, maxMs: 100 } },
      );
      const call = client.greet({ name: "x" }, { timeoutMs: 20_000 });
      await new Promise((r) => setTimeout(r, 300));
      const late = await startBackendOn(port);
      try {
        assert.equal((await call).greeting, "late");
      } finally {
        await late.close({ graceMs: 0 });
      }
    });
  });
}

async function startBackendOn(port: number): Promise<Http2Server> {
  const router = createRouter().service(DemoService, { greet: () => ({ greeting: "late" }) });
  const server = createHttp2Server(router, {
    grpcWeb: createNodeRequestListener(createGrpcWebHandler(router)),
  });
  await server.listen({ host: "127.0.0.1", port });
  return server;
}
