// Keepalive against a load balancer's idle timeout: haproxy (TCP mode, as an
// L4 load balancer) closes connections idle for 1 s. Without keepalive the
// next call needs a new connection (and gets it: no call fails); with
// keepalive pings more often than the idle timeout, one connection lasts —
// when the server permits them: by default it polices PINGs as grpc-go does
// and ends a connection that pings every 300 ms with GOAWAY(too_many_pings).
import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { createClient } from "wirecall";
import { createHttp2Transport, type Http2TransportOptions } from "wirecall/transports/http2";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { outputOf } from "../interop/spawn-script.ts";
import {
  type ServerProcess,
  startServerProcess,
  stopServerProcess,
} from "../support/server-process.ts";
import { type Proxy, startHaproxy } from "./proxy-process.ts";

describe("keepalive and a load balancer's idle timeout", () => {
  let backend: ServerProcess;
  let lb: Proxy;
  before(async () => {
    backend = await startServerProcess("channel/backend-server", [
      "--port",
      "0",
      "--log_sessions",
      "--permit_keepalive_ms",
      "100",
    ]);
    lb = await startHaproxy([backend.port], { tcp: true, clientIdleSeconds: 1 });
  });
  after(async () => {
    await lb?.stop();
    if (backend) await stopServerProcess(backend.child);
  });

  const sessions = () => outputOf(backend.child).split("\n").filter((l) => l === "session").length;

  async function twoCallsApart(options: Partial<Http2TransportOptions>): Promise<number> {
    await new Promise((r) => setTimeout(r, 500));
    const before = sessions();
    const transport = createHttp2Transport({ baseUrl: `http://127.0.0.1:${lb.port}`, ...options });
    const client = createClient(DemoService, transport);
    try {
      assert.equal((await client.greet({ name: "x" })).greeting, String(backend.port));
      await new Promise((r) => setTimeout(r, 2_500));
      assert.equal((await client.greet({ name: "x" })).greeting, String(backend.port));
    } finally {
      await transport.close();
    }
    // The backend's "session" lines come through a pipe: give them time to arrive.
    await new Promise((r) => setTimeout(r, 500));
    return sessions() - before;
  }

  test("without keepalive the idle connection is cut, and the next call reconnects", async () => {
    assert.equal(await twoCallsApart({}), 2);
  });

  test("keepalive pings more often than the idle timeout keep one connection", async () => {
    assert.equal(
      await twoCallsApart({ keepalive: { intervalMs: 300, withoutCalls: true } }),
      1,
    );
  });
});
