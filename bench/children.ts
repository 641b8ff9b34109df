/**
 * The parent's handles on its server and client child processes: each one
 * a `fork` of `server-process.ts` / `client-process.ts` under the same Node
 * and flags as the parent, spoken to over IPC.
 *
 * @module
 */
import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import process from "node:process";
import type {
  ClientMeasurement,
  FromClient,
  FromServer,
  ToClient,
  ToServer,
} from "./child-messages.ts";
import type { Runtime } from "./pairings.ts";
import type { ResourceUse } from "./resource-meter.ts";
import type { Scenario } from "./scenarios.ts";

const here = new URL(".", import.meta.url).pathname;
let nextId = 1;

/**
 * `BENCH_CPU_PROF=server:wirecall` (a role and a peer, comma-separated for
 * more) runs those children with `--cpu-prof` into bench/results/tmp/profiles.
 */
function profileFlags(role: string, peer: string): string[] {
  const wanted = (process.env.BENCH_CPU_PROF ?? "").split(",");
  if (!wanted.includes(`${role}:${peer}`)) return [];
  return [
    "--cpu-prof",
    `--cpu-prof-dir=${here}results/tmp/profiles`,
    `--cpu-prof-name=${role}-${peer}-${Date.now()}.cpuprofile`,
  ];
}

/** The Deno executable itself (npm's `deno` package puts it beside its launcher). */
export function denoExecutable(): string | undefined {
  const root = new URL("../", import.meta.url).pathname;
  const candidates = [
    `${root}node_modules/deno/deno`,
    `${root}node_modules/@deno/linux-x64-glibc/deno`,
  ];
  return candidates.find((c) => existsSync(c));
}

function forkChild(file: string, args: string[], role: string, runtime: Runtime): ChildProcess {
  if (runtime === "deno") {
    const deno = denoExecutable();
    if (deno === undefined) throw new Error("the Deno executable is not installed");
    // Deno speaks node's IPC channel to a parent that forked it.
    return fork(here + file, args, {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      execPath: deno,
      execArgv: ["run", "-A", "--no-check", "--quiet"],
    });
  }
  return fork(here + file, args, {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    execArgv: [...process.execArgv, ...profileFlags(role, args[0])],
  });
}

function once<T>(
  child: ChildProcess,
  match: (m: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`${what}: no answer in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (m: T) => {
      if (match(m)) finish(undefined, m);
    };
    const onExit = (code: number | null) => finish(new Error(`${what}: child exited (${code})`));
    const finish = (e: Error | undefined, m?: T) => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      if (e) reject(e);
      else resolve(m!);
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}

/** A server child process. */
export class ServerChild {
  readonly #child: ChildProcess;
  /** Its port once started. */
  port = 0;
  /** The runtime it runs under. */
  readonly runtime: Runtime;

  private constructor(child: ChildProcess, runtime: Runtime) {
    this.#child = child;
    this.runtime = runtime;
  }

  /** The child's process id. */
  get pid(): number {
    return this.#child.pid!;
  }

  /** True once the child has exited. */
  get dead(): boolean {
    return this.#child.exitCode !== null || this.#child.signalCode !== null;
  }

  /** Starts `peers/<peer>-server.ts` in a child under `runtime` and waits for its port. */
  static async start(
    peer: string,
    tuned: boolean,
    runtime: Runtime = "node",
  ): Promise<ServerChild> {
    const s = new ServerChild(
      forkChild("server-process.ts", [peer, tuned ? "1" : "0"], "server", runtime),
      runtime,
    );
    const m = await once<FromServer>(
      s.#child,
      (m) => m.type !== "snapshot",
      30_000,
      `${peer} server`,
    );
    if (m.type === "error") throw new Error(`${peer} server failed to start: ${m.message}`);
    s.port = (m as { port: number }).port;
    return s;
  }

  /** Usage since the previous snapshot. */
  async snapshot(): Promise<ResourceUse> {
    const id = nextId++;
    const answer = once<FromServer>(
      this.#child,
      (m) => m.type === "snapshot" && m.id === id,
      10_000,
      "server snapshot",
    );
    this.#child.send({ type: "snapshot", id } satisfies ToServer);
    return ((await answer) as { use: ResourceUse }).use;
  }

  /** Stops the child. */
  async close(): Promise<void> {
    if (this.dead) return;
    const exited = new Promise((resolve) => this.#child.once("exit", resolve));
    this.#child.send({ type: "close" } satisfies ToServer);
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** A client child process. */
export class ClientChild {
  readonly #child: ChildProcess;

  private constructor(child: ChildProcess) {
    this.#child = child;
  }

  /** Starts `peers/<peer>-client.ts` in a child. */
  static async start(peer: string): Promise<ClientChild> {
    const c = new ClientChild(forkChild("client-process.ts", [peer], "client", "node"));
    await once<FromClient>(c.#child, (m) => m.type === "ready", 30_000, `${peer} client`);
    return c;
  }

  /** True once the child has exited. */
  get dead(): boolean {
    return this.#child.exitCode !== null || this.#child.signalCode !== null;
  }

  /**
   * Runs one scenario against `port`: `onWarm` runs after the warm-up and
   * before the window (to snapshot the server), and the measurement returns.
   */
  async run(
    scenario: Scenario,
    port: number,
    tunedWindows: boolean,
    timing: { warmupMs: number; windowMs: number; timeoutMs: number },
    onWarm: () => Promise<void>,
  ): Promise<ClientMeasurement> {
    const id = nextId++;
    const child = this.#child;
    const forId = (m: FromClient) => "id" in m && m.id === id;
    const warm = once<FromClient>(child, forId, timing.timeoutMs, `${scenario.id} warm-up`);
    child.send({ type: "run", id, scenario, port, tunedWindows, ...timing } satisfies ToClient);
    const w = await warm;
    if (w.type === "error") throw new Error(w.message);
    await onWarm();
    const done = once<FromClient>(child, forId, timing.timeoutMs, `${scenario.id} measurement`);
    child.send({ type: "go", id } satisfies ToClient);
    const r = await done;
    if (r.type === "error") throw new Error(r.message);
    return (r as { measurement: ClientMeasurement }).measurement;
  }

  /** Stops the child. */
  close(): void {
    if (this.dead) return;
    this.#child.send({ type: "close" } satisfies ToClient);
    setTimeout(() => this.#child.kill("SIGKILL"), 5000).unref();
  }

  /** Kills the child at once (after a timeout or failure). */
  kill(): void {
    this.#child.kill("SIGKILL");
  }
}
