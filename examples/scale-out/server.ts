/**
 * Many server processes on one port (Node): a DemoService server run by N
 * workers, with Node's `cluster` module (the primary accepts and hands
 * connections round-robin to the workers) or with `reusePort` (each process
 * binds the port itself with SO_REUSEPORT and the kernel spreads
 * connections; Node 22.12 or later on Linux). SIGTERM to the primary drains
 * every worker: they report NOT_SERVING to health checks, send GOAWAY, let
 * running calls finish and exit.
 *
 *   node --conditions=wirecall-source examples/scale-out/server.ts \
 *     [--workers N] [--mode cluster|reuseport] [--port P]
 *
 * Prints `listening <port>` once every worker accepts calls. Greet answers
 * with the worker's process id; a name `slow:<ms>` answers after that long.
 * BenchService.Unary echoes its request: bench/scale-out.ts drives it with
 * h2load for a throughput-per-worker figure.
 */
import cluster from "node:cluster";
import { fork } from "node:child_process";
import { availableParallelism } from "node:os";
import process from "node:process";
import { createRouter, HealthRegistry, HealthService } from "wirecall";
import { createHttp2Server } from "wirecall/transports/http2";
import { BenchService } from "../../protos/gen/wirecall/bench/v1/bench_pb.ts";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const workers = Number(flag("workers") ?? availableParallelism());
const mode = flag("mode") ?? "cluster";

/** Runs one worker's server; resolves with its port once it listens. */
async function serve(port: number, reusePort: boolean): Promise<number> {
  const health = new HealthRegistry();
  const router = createRouter()
    .service(HealthService, health.impl)
    .service(BenchService, { unary: (req) => req })
    .service(DemoService, {
      async greet(req) {
        if (req.name.startsWith("slow:")) {
          await new Promise((r) => setTimeout(r, Number(req.name.slice(5))));
        }
        return { greeting: String(process.pid) };
      },
    });
  const server = createHttp2Server(router);
  const bound = await server.listen({ host: "127.0.0.1", port, reusePort });
  process.on("SIGTERM", () => {
    health.setStatus("", "NOT_SERVING");
    server.close({ graceMs: 10_000 }).then(() => process.exit(0));
  });
  return bound.port;
}

/** Waits for a worker's "listening" message and returns the port it reports. */
function listened(worker: { once(e: "message", l: (m: unknown) => void): unknown }) {
  return new Promise<number>((resolve) =>
    worker.once("message", (m) => resolve((m as { port: number }).port))
  );
}

if (process.argv.includes("--worker")) {
  // A reusePort worker, forked by the primary below.
  const port = await serve(Number(flag("port")), true);
  process.send!({ port });
} else if (mode === "cluster" && cluster.isWorker) {
  const port = await serve(Number(flag("port") ?? 0), false);
  process.send!({ port });
} else {
  // The primary: start the workers, then say where they listen.
  const children: Array<{ kill(signal: NodeJS.Signals): unknown; exited: Promise<unknown> }> = [];
  let port = Number(flag("port") ?? 0);
  if (mode === "cluster") {
    for (let i = 0; i < workers; i++) {
      const w = cluster.fork();
      children.push({
        kill: (s) => w.process.kill(s),
        exited: new Promise((r) => w.once("exit", r)),
      });
      // Workers asking for port 0 share one ephemeral port through the primary.
      port = await listened(w);
    }
  } else {
    for (let i = 0; i < workers; i++) {
      const script = process.argv[1];
      const child = fork(script, ["--worker", "--port", String(port)], {
        execArgv: process.execArgv,
      });
      children.push({
        kill: (s) => child.kill(s),
        exited: new Promise((r) => child.once("exit", r)),
      });
      // The first binds a free port; the others join it.
      port = await listened(child);
    }
  }
  console.log(`listening ${port}`);
  process.on("SIGTERM", async () => {
    for (const c of children) c.kill("SIGTERM");
    await Promise.all(children.map((c) => c.exited));
    process.exit(0);
  });
}
