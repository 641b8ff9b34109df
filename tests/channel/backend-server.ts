// A backend for channel tests in its own process: DemoService and the health
// service over native gRPC, with gRPC-Web on the same port, on 127.0.0.1.
//
//   deno run -A tests/channel/backend-server.ts --port 0 [--slow_every N --slow_ms M]
//
// Greet answers "<port>"; a name "invalid" fails with INVALID_ARGUMENT; a name
// "slow:<ms>" answers after that many ms. With --slow_every N, one Greet in N
// (the Nth, 2Nth, …) also waits --slow_ms: injected slow replies; with
// --slow_seed S as well, each Greet is slow with probability 1/N instead,
// drawn from a generator seeded with S (backends given different seeds are
// not slow in lockstep, as their Nth calls are under round_robin). Countdown
// sends one number every 10 ms and prints "countdown <port>" when it starts.
// With --log_sessions it prints "session" for every HTTP/2 connection. With
// --permit_keepalive_ms M the server lets clients PING every M ms, calls
// running or not (grpc-go's EnforcementPolicy{MinTime, PermitWithoutStream});
// by default it polices PINGs as grpc-go does (at most one per 5 min).
// Prints "listening <port>" once it accepts calls; SIGTERM drains and exits.
import process from "node:process";
import { Code, createRouter, HealthRegistry, HealthService, RpcError } from "wirecall";
import { createHttp2Server } from "wirecall/transports/http2";
import { createGrpcWebHandler } from "wirecall/transports/grpc-web";
import { createNodeRequestListener } from "wirecall/transports/grpc-web/node";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { commandLine, parseFlags } from "../interop/cli-args.ts";

const flags = parseFlags(commandLine());
const slowEvery = Number(flags.slow_every ?? 0);
const slowMs = Number(flags.slow_ms ?? 0);
let port = 0;
let greets = 0;

/** A small seeded generator (xorshift32): the same seed, the same draws. */
function seeded(seed: number): () => number {
  let x = (seed | 0) || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}
const draw = flags.slow_seed === undefined ? undefined : seeded(Number(flags.slow_seed) * 7919);
const slowNow = () =>
  slowEvery > 0 && (draw === undefined ? greets % slowEvery === 0 : draw() < 1 / slowEvery);

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

const health = new HealthRegistry({ "": "SERVING", "wirecall.demo.v1.DemoService": "SERVING" });
const router = createRouter()
  .service(HealthService, health.impl)
  .service(DemoService, {
    async greet(req, ctx) {
      greets++;
      if (req.name === "invalid") throw new RpcError(Code.INVALID_ARGUMENT, "invalid name");
      if (req.name.startsWith("slow:")) await sleep(Number(req.name.slice(5)), ctx.signal);
      if (slowNow()) await sleep(slowMs, ctx.signal);
      return { greeting: String(port) };
    },
    async *countdown(req, ctx) {
      console.log(`countdown ${port}`);
      for (let n = req.from; n > 0; n--) {
        await sleep(10, ctx.signal);
        yield { number: n };
      }
    },
  });
const server = createHttp2Server(router, {
  grpcWeb: createNodeRequestListener(createGrpcWebHandler(router)),
  ...(flags.permit_keepalive_ms === undefined ? {} : {
    keepalive: { minPingIntervalMs: Number(flags.permit_keepalive_ms), permitWithoutCalls: true },
  }),
});
if (flags.log_sessions !== undefined) server.nodeServer.on("session", () => console.log("session"));
({ port } = await server.listen({ host: "127.0.0.1", port: Number(flags.port ?? 0) }));
console.log(`listening ${port}`);
process.on("SIGTERM", () => {
  health.setStatus("", "NOT_SERVING");
  server.close({ graceMs: 5_000 }).then(() => process.exit(0));
});
