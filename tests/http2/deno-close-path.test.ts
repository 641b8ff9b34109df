// A Deno-hosted wirecall HTTP/2 server survives clients that end a busy
// connection: many calls then GOAWAY, many concurrent calls then GOAWAY,
// calls reset with RST_STREAM then GOAWAY, and a connection that just ends
// (FIN, or a TCP reset). Deno 2.9's node:http2 aborts the process in these
// cases once a connection has carried ~64 streams (docs/deno-http2-crash.md);
// the server's per-connection stream limit keeps every connection below it.
// Runs under Deno only (Node's node:http2 has no such defect); the client is
// Node's node:http2, run as a separate process.
import assert from "node:assert/strict";
import { type spawn, spawnSync } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { createClient } from "wirecall";
import { createHttp2Transport } from "wirecall/transports/http2";
import { TestService } from "../../protos/gen/grpc/testing/test_pb.ts";
import { spawnScript, waitForOutput } from "../interop/spawn-script.ts";
import { after, before, describe, test } from "../support/test.ts";

const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
const clientScript = fileURLToPath(new URL("./close-path-client.mjs", import.meta.url))
  .replace(/[/\\]dist[/\\]tests[/\\]/, "/tests/");
const nodeBinary = isDeno ? "node" : process.execPath;

function runClient(port: number, mode: string, calls: number, concurrency: number) {
  const r = spawnSync(nodeBinary, [
    clientScript,
    String(port),
    mode,
    String(calls),
    String(concurrency),
  ], {
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as { done: number; failed: number };
}

describe("a Deno-hosted server survives busy connections being closed", {
  skip: isDeno ? false : "Deno only",
}, () => {
  let server: ReturnType<typeof spawn>;
  let port = 0;
  let exited: string | undefined;
  let stderr = "";
  before(async () => {
    if (!isDeno) return;
    server = spawnScript(new URL("../interop/server.ts", import.meta.url).href, "server", [
      "--port",
      "0",
    ]);
    server.stderr!.on("data", (c: Uint8Array) => (stderr += new TextDecoder().decode(c)));
    server.once("exit", (code, signal) => (exited = `exit ${code} ${signal ?? ""}`));
    port = Number((await waitForOutput(server, /listening (\d+)/))[1]);
  });
  after(() => {
    server?.kill("SIGKILL");
  });

  /** The server process is alive a while after the close, and serves a fresh connection. */
  async function stillServes(): Promise<void> {
    // The abort came 1–2 s after the client's close.
    await new Promise((r) => setTimeout(r, 2_500));
    assert.equal(exited, undefined, `the server died: ${exited}\n${stderr.slice(-2000)}`);
    const transport = createHttp2Transport({ baseUrl: `http://127.0.0.1:${port}` });
    try {
      const client = createClient(TestService, transport);
      await client.emptyCall({}, { timeoutMs: 5_000 });
    } finally {
      await transport.close();
    }
  }

  const cases: Array<[string, string, number, number]> = [
    ["300 sequential calls, then GOAWAY", "goaway", 300, 1],
    ["128 concurrent calls (2000 in all), then GOAWAY", "goaway", 2000, 128],
    ["300 calls each reset with RST_STREAM(CANCEL), then GOAWAY", "rst", 300, 4],
    ["300 calls, then the connection ends without GOAWAY", "destroy", 300, 1],
    ["300 calls, then a TCP reset", "reset-socket", 300, 8],
  ];
  for (const [name, mode, calls, concurrency] of cases) {
    test(name, { skip: isDeno ? false : "Deno only" }, async () => {
      const r = runClient(port, mode, calls, concurrency);
      assert.ok(r.done + r.failed > 0, "no call ran");
      await stillServes();
    });
  }
});
