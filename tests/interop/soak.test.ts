// The interop client's targeting and soak flags: --server_uri with a gRPC
// target, --service_config_json, and rpc_soak / channel_soak with grpc-go's
// soak flags, printing PASS/FAIL per case.
import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import type { Http2Server } from "wirecall/transports/http2";
import { startInteropServer } from "./interop-server.ts";
import { exitCode, outputOf, spawnScript, waitForOutput } from "./spawn-script.ts";

async function runClient(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawnScript(import.meta.url, "client", args);
  let err = "";
  child.stderr!.on("data", (c: Uint8Array) => (err += new TextDecoder().decode(c)));
  // Matches at once: it starts collecting what the child prints, for outputOf.
  await waitForOutput(child, /$/);
  const code = await exitCode(child);
  return { code, out: outputOf(child) + err };
}

describe("interop client: --server_uri, --service_config_json and the soak cases", () => {
  let servers: Http2Server[] = [];
  let target = "";
  before(async () => {
    servers = [await startInteropServer(), await startInteropServer()];
    target = `ipv4:${servers.map((s) => `127.0.0.1:${new URL(s.url!).port}`).join(",")}`;
  });
  after(async () => {
    for (const s of servers) await s.close({ graceMs: 0 });
  });

  test("rpc_soak and channel_soak pass over an ipv4: target with round_robin", async () => {
    const { code, out } = await runClient([
      "--server_uri",
      target,
      "--service_config_json",
      JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
      "--test_case",
      "rpc_soak,channel_soak,large_unary",
      "--soak_iterations",
      "6",
      "--soak_per_iteration_max_acceptable_latency_ms",
      "5000",
      "--soak_overall_timeout_seconds",
      "50",
    ]);
    assert.match(out, /^PASS rpc_soak$/m, out);
    assert.match(out, /^PASS channel_soak$/m, out);
    assert.match(out, /^PASS large_unary$/m, out);
    assert.match(out, /rpc_soak: 6 iterations, 0 failed/);
    assert.match(out, /^3 passed, 0 failed$/m);
    assert.equal(code, 0);
  });

  test("a soak whose iterations are too slow fails, saying so", async () => {
    const { code, out } = await runClient([
      "--server_uri",
      target,
      "--test_case",
      "rpc_soak",
      "--soak_iterations",
      "3",
      "--soak_max_failures",
      "1",
      "--soak_per_iteration_max_acceptable_latency_ms",
      "0",
    ]);
    assert.match(
      out,
      /^FAIL rpc_soak: 3 iterations failed, more than the 1 allowed .*first: iteration 0: [\d.]+ ms, over 0 ms$/m,
      out,
    );
    assert.equal(code, 1);
  });

  test("a bad --server_uri or --service_config_json is refused with exit status 2", async () => {
    const bad = await runClient(["--server_uri", "ipv4:300.1.1.1:1", "--test_case", "empty_unary"]);
    assert.equal(bad.code, 2);
    assert.match(bad.out, /not an ipv4 address/);
    const config = await runClient([
      "--server_uri",
      target,
      "--service_config_json",
      '{"methodConfig": [{"name": [{}], "timeout": "soon"}]}',
    ]);
    assert.equal(config.code, 2);
    assert.match(config.out, /"methodConfig\.0\.timeout": expected a protobuf JSON duration/);
  });
});
