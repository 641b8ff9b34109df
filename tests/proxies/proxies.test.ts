// wirecall behind real proxies from Debian: nginx (grpc_pass) and haproxy
// (HTTP/2 on both sides). The gRPC interop cases pass through each, and a
// backend killed with SIGKILL under load costs no idempotent call: the proxy
// answers the calls it had in flight with an error the client's retry
// policy (UNAVAILABLE) retries, and stops sending to the dead backend.
import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { type Channel, createChannel, createClient, endpointUrl } from "wirecall";
import { createHttp2Transport } from "wirecall/transports/http2";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { allCases, runCases } from "../interop/cases.ts";
import { wirecallStubs } from "../interop/interop-client.ts";
import {
  type ServerProcess,
  startServerProcess,
  stopServerProcess,
} from "../support/server-process.ts";
import { type Proxy, startHaproxy, startNginx } from "./proxy-process.ts";

const retryGreet = {
  methodConfig: [{
    name: [{ service: "wirecall.demo.v1.DemoService", method: "Greet" }],
    retryPolicy: {
      maxAttempts: 5,
      initialBackoff: "0.05s",
      maxBackoff: "0.5s",
      backoffMultiplier: 2,
      // A proxy answers calls its dead backend had not begun with 502/503
      // (UNAVAILABLE), and cuts those whose response headers it had already
      // forwarded (RST_STREAM or an end without trailers: INTERNAL). Greet is
      // idempotent, so its policy retries both.
      retryableStatusCodes: ["UNAVAILABLE", "INTERNAL"],
    },
  }],
};

const proxies = { nginx: startNginx, haproxy: startHaproxy };

for (const [name, start] of Object.entries(proxies)) {
  describe(`behind ${name}`, () => {
    let interop: ServerProcess;
    let backends: ServerProcess[] = [];
    let interopProxy: Proxy;
    let backendProxy: Proxy;

    before(async () => {
      [interop, ...backends] = await Promise.all([
        startServerProcess("interop/server", ["--port", "0"]),
        startServerProcess("channel/backend-server", ["--port", "0"]),
        startServerProcess("channel/backend-server", ["--port", "0"]),
        startServerProcess("channel/backend-server", ["--port", "0"]),
      ]);
      interopProxy = await start([interop.port]);
      backendProxy = await start(backends.map((b) => b.port));
    });

    after(async () => {
      await interopProxy?.stop();
      await backendProxy?.stop();
      await Promise.all([interop, ...backends].map((s) => s && stopServerProcess(s.child)));
    });

    test(`the interop cases pass through ${name}`, async () => {
      const stubs = wirecallStubs({ host: "127.0.0.1", port: interopProxy.port });
      try {
        const results = await runCases(stubs, allCases);
        const failed = results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.reason}`);
        assert.deepEqual(failed, [], interopProxy.log());
        assert.equal(results.length, 18);
      } finally {
        await stubs.plain.close();
        await stubs.gzip.close();
      }
    });

    test(`a backend killed under load behind ${name} costs no idempotent call`, async () => {
      const channel: Channel = createChannel({
        target: `127.0.0.1:${backendProxy.port}`,
        transport: (ep) => createHttp2Transport({ baseUrl: endpointUrl(ep) }),
        serviceConfig: retryGreet,
      });
      const client = createClient(DemoService, channel);
      const answeredBy = new Map<string, number>();
      const errors: string[] = [];
      let stop = false;
      let calls = 0;
      const loop = async () => {
        while (!stop) {
          try {
            const { greeting } = await client.greet({ name: "slow:20" }, { timeoutMs: 20_000 });
            answeredBy.set(greeting, (answeredBy.get(greeting) ?? 0) + 1);
            calls++;
          } catch (e) {
            errors.push(String(e));
          }
        }
      };
      try {
        const loops = Array.from({ length: 8 }, loop);
        for (let i = 0; i < 1000 && answeredBy.size < 3; i++) {
          await new Promise((r) => setTimeout(r, 10));
        }
        assert.equal(answeredBy.size, 3, "every backend answered through the proxy");
        const victim = backends[1];
        await stopServerProcess(victim.child);
        const before = calls;
        await new Promise((r) => setTimeout(r, 1_500));
        stop = true;
        await Promise.all(loops);
        assert.deepEqual(errors, [], backendProxy.log());
        assert.ok(calls - before > 20, `calls went on after the kill: ${calls - before}`);
        const after = new Set<string>();
        for (let i = 0; i < 9; i++) after.add((await client.greet({ name: "x" })).greeting);
        assert.ok(!after.has(String(victim.port)), "nothing answers from the dead backend");
      } finally {
        stop = true;
        await channel.close();
      }
    });
  });
}
