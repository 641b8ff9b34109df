// Many server processes on one port (examples/scale-out/server.ts): Node's
// cluster module and SO_REUSEPORT both spread connections over every
// worker, and SIGTERM drains them (running calls finish) before they exit.
// The server runs on Node (node:cluster is Node's); under Deno on Node 26.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { createClient, type RpcError } from "wirecall";
import { createHttp2Transport } from "wirecall/transports/http2";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { exitCode, waitForOutput } from "../interop/spawn-script.ts";
import { repoRoot } from "../support/repo-root.ts";

const fromSource = fileURLToPath(import.meta.url).endsWith(".ts");
const node26 = join(repoRoot, ".tools", "node26", "node_modules", "node", "bin", "node");
const isNode = !("Deno" in globalThis) && !("Bun" in globalThis);
const node = isNode ? process.execPath : node26;
const [major, minor] = (isNode ? process.versions.node : "26.0.0").split(".").map(Number);
const hasReusePort = process.platform === "linux" && (major > 22 || (major === 22 && minor >= 12));

function startScaleOut(args: string[]): { child: ChildProcess; port: Promise<number> } {
  const script = fromSource
    ? [`--conditions=wirecall-source`, join(repoRoot, "examples", "scale-out", "server.ts")]
    : [join(repoRoot, "dist", "examples", "scale-out", "server.js")];
  const child = spawn(node, [...script, ...args], { stdio: "pipe" });
  child.stderr!.on("data", () => {});
  return { child, port: waitForOutput(child, /listening (\d+)/).then((m) => Number(m[1])) };
}

/** The pids answering `n` calls, each on its own connection. */
async function pidsOverConnections(port: number, n: number): Promise<Set<string>> {
  const pids = new Set<string>();
  for (let i = 0; i < n; i++) {
    const transport = createHttp2Transport({ baseUrl: `http://127.0.0.1:${port}` });
    try {
      pids.add((await createClient(DemoService, transport).greet({ name: "x" })).greeting);
    } finally {
      await transport.close();
    }
  }
  return pids;
}

/**
 * Sends SIGTERM and resolves with the exit code. Deno's child_process reports
 * a child that handled SIGTERM and exited 0 as killed by the signal (code
 * null): there the code cannot be read, and 0 stands for it.
 */
async function stop(child: ChildProcess): Promise<number | null> {
  const code = () =>
    child.exitCode ?? ("Deno" in globalThis && child.signalCode === "SIGTERM" ? 0 : null);
  if (child.exitCode !== null || child.signalCode !== null) return code();
  const exited = exitCode(child);
  child.kill("SIGTERM");
  await exited;
  return code();
}

const skip = !existsSync(node) ? "Node 26 is not installed (npm install)" : false;

describe("many server processes on one port", () => {
  test("cluster workers share the port: connections reach every worker", { skip }, async () => {
    const { child, port } = startScaleOut(["--workers", "2", "--mode", "cluster"]);
    try {
      const pids = await pidsOverConnections(await port, 8);
      assert.equal(pids.size, 2, `answered by ${[...pids].join(", ")}`);
    } finally {
      assert.equal(await stop(child), 0);
    }
  });

  test(
    "reusePort processes each bind the port: the kernel spreads connections",
    { skip: skip || (!hasReusePort && "reusePort needs Node 22.12 or later on Linux") },
    async () => {
      const { child, port } = startScaleOut(["--workers", "2", "--mode", "reuseport"]);
      try {
        const pids = await pidsOverConnections(await port, 24);
        assert.equal(pids.size, 2, `answered by ${[...pids].join(", ")}`);
      } finally {
        assert.equal(await stop(child), 0);
      }
    },
  );

  test("SIGTERM drains: a running call finishes, new connections are refused, then exit 0", {
    skip,
  }, async () => {
    const { child, port } = startScaleOut(["--workers", "2", "--mode", "cluster"]);
    const p = await port;
    const transport = createHttp2Transport({ baseUrl: `http://127.0.0.1:${p}` });
    try {
      const client = createClient(DemoService, transport);
      await client.greet({ name: "x" });
      const running = client.greet({ name: "slow:800" });
      await new Promise((r) => setTimeout(r, 200));
      const exited = stop(child);
      const answer = await running;
      assert.match(answer.greeting, /^\d+$/, "the running call finished");
      assert.equal(await exited, 0);
      const after = createHttp2Transport({ baseUrl: `http://127.0.0.1:${p}` });
      const e = await createClient(DemoService, after).greet({ name: "x" }).catch((e) => e);
      await after.close();
      assert.equal((e as RpcError).code, 14, "nothing listens after the drain");
    } finally {
      await transport.close();
      await stop(child);
    }
  });
});
