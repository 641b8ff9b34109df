// Three backend processes on 127.0.0.1 behind one ipv4: target with
// round_robin and a retry policy; one is killed with SIGKILL under load.
// Every idempotent call (Greet, with a retry policy) succeeds; calls without
// a policy that were running on the killed backend fail fast with
// UNAVAILABLE; a non-retryable code fails at once, unretried. Over native
// gRPC (HTTP/2) and over gRPC-Web (fetch), the same test.
import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import {
  type Channel,
  Code,
  createChannel,
  createClient,
  endpointUrl,
  type RpcError,
  type Transport,
} from "wirecall";
import type { Endpoint } from "wirecall";
import { createHttp2Transport } from "wirecall/transports/http2";
import { createGrpcWebTransport } from "wirecall/transports/grpc-web";
import { createNodeFetch } from "wirecall/transports/grpc-web/node";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { outputOf, waitForOutput } from "../interop/spawn-script.ts";
import { startBackend, stopBackend } from "./backend-process.ts";

const serviceConfig = {
  loadBalancingConfig: [{ round_robin: {} }],
  methodConfig: [{
    name: [{ service: "wirecall.demo.v1.DemoService", method: "Greet" }],
    retryPolicy: {
      maxAttempts: 5,
      initialBackoff: "0.05s",
      maxBackoff: "0.5s",
      backoffMultiplier: 2,
      retryableStatusCodes: ["UNAVAILABLE"],
    },
  }],
};

const factories: Record<string, (ep: Endpoint) => Transport> = {
  "native gRPC (HTTP/2)": (ep) => createHttp2Transport({ baseUrl: endpointUrl(ep) }),
  // Deno's own fetch: undici on Deno does not notice a peer that died.
  "gRPC-Web (fetch)": (ep) =>
    createGrpcWebTransport({
      baseUrl: endpointUrl(ep),
      fetch: "Deno" in globalThis ? undefined : createNodeFetch(),
    }),
};

for (const [name, factory] of Object.entries(factories)) {
  describe(`a backend killed under load, over ${name}`, () => {
    let backends: Array<{ child: ChildProcess; port: number }> = [];
    let channel: Channel;

    before(async () => {
      backends = await Promise.all([startBackend(), startBackend(), startBackend()]);
      channel = createChannel({
        target: `ipv4:${backends.map((b) => `127.0.0.1:${b.port}`).join(",")}`,
        transport: factory,
        serviceConfig,
        // Long enough that the killed backend is still out when the test looks.
        connectBackoff: { initialMs: 5_000 },
      });
    });

    after(async () => {
      await channel?.close();
      await Promise.all(backends.map((b) => stopBackend(b.child)));
    });

    test("every idempotent call succeeds; the others fail fast with the right code", async () => {
      const client = createClient(DemoService, channel);
      const victim = backends[1];
      const answeredBy = new Map<string, number>();
      const greetErrors: unknown[] = [];
      const countdownErrors: Array<{ code: Code; afterKillMs: number }> = [];
      let greets = 0;
      let countdowns = 0;
      let killedAt = 0;
      let stop = false;

      const greetLoop = async () => {
        while (!stop) {
          try {
            const { greeting } = await client.greet({ name: "slow:20" }, { timeoutMs: 10_000 });
            answeredBy.set(greeting, (answeredBy.get(greeting) ?? 0) + 1);
            greets++;
          } catch (e) {
            greetErrors.push(e);
          }
        }
      };
      const countdownLoop = async () => {
        while (!stop) {
          try {
            for await (const _ of client.countdown({ from: 30 }, { timeoutMs: 10_000 })) {
              // read it all
            }
            countdowns++;
          } catch (e) {
            countdownErrors.push({
              code: (e as RpcError).code,
              afterKillMs: killedAt === 0 ? -1 : performance.now() - killedAt,
            });
          }
        }
      };
      const loops = [
        ...Array.from({ length: 8 }, greetLoop),
        ...Array.from({ length: 3 }, countdownLoop),
      ];
      // Kill the victim once all three answered, while one of its countdowns is running.
      for (let i = 0; i < 500 && answeredBy.size < 3; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      // The next countdown the victim starts (one more "countdown" line than now).
      const next = outputOf(victim.child).split("countdown ").length;
      await waitForOutput(victim.child, new RegExp(`(?:countdown \\d+[^]*){${next}}`));
      await new Promise((r) => setTimeout(r, 50));
      killedAt = performance.now();
      await stopBackend(victim.child);
      await new Promise((r) => setTimeout(r, 1_000));
      // A non-retryable code fails at once, with one attempt.
      const invalid = await client.greet({ name: "invalid" }).then(
        () => assert.fail("expected INVALID_ARGUMENT"),
        (e: RpcError) => e,
      );
      stop = true;
      await Promise.all(loops);

      assert.deepEqual(greetErrors.map((e) => String(e)), [], "no idempotent call failed");
      assert.ok(greets > 50, `enough load: ${greets} greets`);
      assert.equal(answeredBy.size, 3, "all three backends answered before the kill");
      assert.ok(countdowns > 0);
      assert.ok(countdownErrors.length >= 1, "the countdown running on the victim failed");
      for (const e of countdownErrors) {
        assert.equal(e.code, Code.UNAVAILABLE);
        assert.ok(e.afterKillMs >= 0 && e.afterKillMs < 2_000, `failed fast: ${e.afterKillMs} ms`);
      }
      assert.equal(invalid.code, Code.INVALID_ARGUMENT);
      assert.equal(invalid.metadata.get("grpc-previous-rpc-attempts"), undefined);
      const victimState = channel.endpointStates().find((e) =>
        e.address === `127.0.0.1:${victim.port}`
      );
      assert.equal(victimState?.state, "transient_failure");
      // After the kill, only the two survivors answer.
      const after = new Set<string>();
      for (let i = 0; i < 6; i++) after.add((await client.greet({ name: "x" })).greeting);
      assert.deepEqual(
        [...after].sort(),
        [backends[0], backends[2]].map((b) => String(b.port)).sort(),
      );
    });
  });
}
