// unix: targets: a channel whose endpoint is a Unix domain socket, over the
// http2 transport's socketPath (a sidecar or a local daemon).
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, createChannel, createClient, createRouter, endpointUrl, RpcError } from "wirecall";
import { createHttp2Server, createHttp2Transport } from "wirecall/transports/http2";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";

describe("unix: targets", () => {
  test("a channel calls a server on a Unix domain socket", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wirecall-unix-"));
    const path = join(dir, "grpc.sock");
    const server = createHttp2Server(
      createRouter().service(DemoService, { greet: (r) => ({ greeting: `unix ${r.name}` }) }),
    );
    await new Promise<void>((resolve) => server.nodeServer.listen(path, resolve));
    const channel = createChannel({
      target: `unix://${path}`,
      transport: (ep) => createHttp2Transport({ baseUrl: endpointUrl(ep), socketPath: ep.path }),
    });
    try {
      const { greeting } = await createClient(DemoService, channel).greet({ name: "Ada" });
      assert.equal(greeting, "unix Ada");
      assert.deepEqual(channel.endpointStates(), [{ address: `unix:${path}`, state: "ready" }]);
    } finally {
      await channel.close();
      await server.close({ graceMs: 0 });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("TLS over a Unix socket is refused with INVALID_ARGUMENT naming socketPath", () => {
    assert.throws(
      () => createHttp2Transport({ baseUrl: "https://localhost", socketPath: "/run/x.sock" }),
      (e: unknown) =>
        e instanceof RpcError && e.code === Code.INVALID_ARGUMENT && /socketPath/.test(e.message),
    );
  });
});
