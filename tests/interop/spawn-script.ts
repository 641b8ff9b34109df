// Runs a script of this test tree in a child process under the runtime that
// runs the tests: Deno from source, Node from source (type stripping, with the
// wirecall-source condition) or Node on the built JavaScript in dist/.
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

/**
 * Spawns `name` (such as `"server"`), a sibling of `importMetaUrl` with the
 * same extension, with `args`.
 */
export function spawnScript(importMetaUrl: string, name: string, args: string[]): ChildProcess {
  const here = fileURLToPath(importMetaUrl);
  const ext = here.endsWith(".js") ? ".js" : ".ts";
  const script = here.replace(/[^/\\]+$/, `${name}${ext}`);
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
  if (deno !== undefined) {
    return spawn(deno.execPath(), ["run", "-A", script, ...args], { stdio: "pipe" });
  }
  const flags = ext === ".ts" ? ["--conditions=wirecall-source"] : [];
  return spawn(process.execPath, [...flags, script, ...args], { stdio: "pipe" });
}

const outputs = new WeakMap<ChildProcess, { text: string }>();

/** Everything the child printed on stdout so far. */
export function outputOf(child: ChildProcess): string {
  return outputs.get(child)?.text ?? "";
}

/** Resolves with the first match of `pattern` in what the child printed, now or later. */
export function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  let out = outputs.get(child);
  if (out === undefined) {
    const collected = { text: "" };
    outputs.set(child, collected);
    child.stdout!.on("data", (chunk: Uint8Array) => {
      collected.text += new TextDecoder().decode(chunk);
    });
    out = collected;
  }
  const seen = out;
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = pattern.exec(seen.text);
      if (m === null) return false;
      child.stdout!.off("data", onData);
      child.off("exit", onExit);
      resolve(m);
      return true;
    };
    const onData = () => setTimeout(check, 0);
    const onExit = (code: number | null) => {
      if (!check()) reject(new Error(`child exited (${code}) before printing ${pattern}`));
    };
    if (check()) return;
    if (child.exitCode !== null) return onExit(child.exitCode);
    child.stdout!.on("data", onData);
    child.once("exit", onExit);
  });
}

/** Resolves with the child's exit code. */
export function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}
