// Starts and stops backend-server.ts processes for channel tests.
//
// Under Deno the backends run on Node 26 (from source) when it is installed:
// a Deno-hosted node:http2 server can abort in nghttp2 ("free(): invalid
// pointer") when many client connections close at once, and these tests are
// about the client's channel, not the server's runtime.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { exitCode, spawnScript, waitForOutput } from "../interop/spawn-script.ts";
import { repoRoot } from "../support/repo-root.ts";

const node26 = join(repoRoot, ".tools", "node26", "node_modules", "node", "bin", "node");

function spawnBackend(args: string[]): ChildProcess {
  const here = fileURLToPath(import.meta.url);
  if ("Deno" in globalThis && here.endsWith(".ts") && existsSync(node26)) {
    const script = here.replace(/[^/\\]+$/, "backend-server.ts");
    return spawn(node26, ["--conditions=wirecall-source", script, ...args], { stdio: "pipe" });
  }
  return spawnScript(import.meta.url, "backend-server", args);
}

/** Starts a backend process and resolves with it and its port. */
export async function startBackend(
  args: string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawnBackend(["--port", "0", ...args]);
  child.stderr!.on("data", (c: Uint8Array) => {
    if (process.env.WIRECALL_BACKEND_STDERR) process.stderr.write(c);
  });
  const m = await waitForOutput(child, /listening (\d+)/);
  return { child, port: Number(m[1]) };
}

/** Kills a backend (unless it is gone already) and waits for it to exit. */
export async function stopBackend(
  child: ChildProcess,
  signal: "SIGKILL" | "SIGTERM" = "SIGKILL",
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = exitCode(child);
  child.kill(signal);
  await exited;
}
