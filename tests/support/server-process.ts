// Starts server scripts of this test tree (tests/channel/backend-server.ts,
// tests/interop/server.ts) in their own processes, and stops them.
//
// Under Deno the servers run on Node 26 (from source) when it is installed:
// a Deno-hosted node:http2 server can abort in nghttp2 ("free(): invalid
// pointer") when many client connections close at once, and the tests that
// use these are about clients, proxies and channels, not the server's runtime.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { exitCode, spawnScript, waitForOutput } from "../interop/spawn-script.ts";
import { repoRoot } from "./repo-root.ts";

const node26 = join(repoRoot, ".tools", "node26", "node_modules", "node", "bin", "node");

/** A running server process and the port it printed. */
export interface ServerProcess {
  child: ChildProcess;
  port: number;
}

/**
 * Starts `script` (a path below tests/, such as `"channel/backend-server"`)
 * with `args` and resolves once it prints `listening <port>`.
 */
export async function startServerProcess(
  script: string,
  args: string[] = [],
): Promise<ServerProcess> {
  const here = new URL(import.meta.url);
  const fromSource = here.pathname.endsWith(".ts");
  let child: ChildProcess;
  if ("Deno" in globalThis && fromSource && existsSync(node26)) {
    const path = join(repoRoot, "tests", `${script}.ts`);
    child = spawn(node26, ["--conditions=wirecall-source", path, ...args], { stdio: "pipe" });
  } else {
    child = spawnScript(
      new URL(`../${script}.${fromSource ? "ts" : "js"}`, here).href,
      script.split("/").pop()!,
      args,
    );
  }
  child.stderr!.on("data", (c: Uint8Array) => {
    if (process.env.WIRECALL_SERVER_STDERR) process.stderr.write(c);
  });
  const m = await waitForOutput(child, /listening (\d+)/);
  return { child, port: Number(m[1]) };
}

/** Stops a server process (unless it is gone already) and waits for it to exit. */
export async function stopServerProcess(
  child: ChildProcess,
  signal: "SIGKILL" | "SIGTERM" = "SIGKILL",
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = exitCode(child);
  child.kill(signal);
  await exited;
}
