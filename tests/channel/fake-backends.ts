// In-process backends for channel tests: one loopback router per address,
// each of which can be taken down (its transport then fails attempts with
// a chosen AttemptFailure kind) and counts the attempts it saw.
import {
  type AttemptFailureKind,
  type Clock,
  createRouter,
  type Endpoint,
  type HandlerContext,
  HealthRegistry,
  HealthService,
  type RpcError,
  type Transport,
} from "wirecall";
import { transportFailure } from "wirecall/protocol";
import { createLoopbackTransport } from "wirecall/transports/loopback";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";

/** What a backend's greet handler may do; it gets the backend and the handler context. */
export type GreetHandler = (
  backend: FakeBackend,
  name: string,
  ctx: HandlerContext,
) => unknown;

/** One in-process backend. */
export class FakeBackend {
  /** Attempts that reached the transport (whether or not the backend was up). */
  attempts = 0;
  /** Calls its handlers ran. */
  handled = 0;
  /** Down: attempts fail with this kind before reaching the handler. */
  down: AttemptFailureKind | undefined;
  /** The grpc-previous-rpc-attempts each handled call carried. */
  readonly previous: Array<string | undefined> = [];
  greet: GreetHandler | undefined;
  /** Replaces the countdown handler. */
  countdown: ((from: number, ctx: HandlerContext) => AsyncIterable<{ number: number }>) | undefined;
  /** How many request messages each sum call read. */
  readonly sumCounts: number[] = [];
  /** Makes sum fail after reading its request stream. */
  sumError: RpcError | undefined;
  readonly disconnectListeners = new Set<(e: RpcError | undefined) => void>();
  /** Its health service, when the backends serve one. */
  readonly health = new HealthRegistry();
  /** Makes health watches fail at once with this error. */
  healthWatchError: RpcError | undefined;

  readonly address: string;

  constructor(address: string) {
    this.address = address;
  }

  /** Drops the connection: connectivity listeners hear of it. */
  disconnect(error?: RpcError): void {
    for (const l of [...this.disconnectListeners]) l(error);
  }
}

/** Options of {@link fakeBackends}. */
export interface FakeBackendOptions {
  /** Give each transport `connectivity` (as HTTP/2 has) instead of being connectionless. */
  connectivity?: boolean;
  /** The clock of loopback latency. */
  clock?: Clock;
  /** Per-backend greet behaviour. */
  greet?: GreetHandler;
  /** Serve grpc.health.v1.Health from each backend's `health` registry. */
  health?: boolean;
}

/** Backends at `addresses` and the channel's transport factory over them. */
export function fakeBackends(addresses: string[], options: FakeBackendOptions = {}): {
  backends: Map<string, FakeBackend>;
  factory: (endpoint: Endpoint) => Transport;
  created: string[];
} {
  const backends = new Map(addresses.map((a) => [a, new FakeBackend(a)]));
  const created: string[] = [];
  const factory = (endpoint: Endpoint): Transport => {
    const backend = backends.get(endpoint.address);
    if (backend === undefined) throw new Error(`no fake backend at ${endpoint.address}`);
    created.push(endpoint.address);
    const router = createRouter({ clock: options.clock }).service(DemoService, {
      async greet(req, ctx) {
        backend.handled++;
        backend.previous.push(ctx.metadata.get("grpc-previous-rpc-attempts") as string | undefined);
        const handler = backend.greet ?? options.greet;
        if (handler) return (await handler(backend, req.name, ctx)) as { greeting: string };
        return { greeting: backend.address };
      },
      async *countdown(req, ctx) {
        backend.handled++;
        backend.previous.push(ctx.metadata.get("grpc-previous-rpc-attempts") as string | undefined);
        if (backend.countdown !== undefined) {
          yield* backend.countdown(req.from, ctx);
          return;
        }
        for (let n = req.from; n > 0; n--) yield { number: n };
      },
      async sum(reqs) {
        backend.handled++;
        let total = 0n;
        let count = 0;
        for await (const r of reqs) {
          total += r.value;
          count++;
        }
        backend.sumCounts.push(count);
        if (backend.sumError !== undefined) throw backend.sumError;
        return { total, count };
      },
    });
    if (options.health === true) {
      router.service(HealthService, {
        ...backend.health.impl,
        watch(req, ctx) {
          if (backend.healthWatchError !== undefined) throw backend.healthWatchError;
          return backend.health.impl.watch(req, ctx);
        },
      });
    }
    const inner = createLoopbackTransport(router, { clock: options.clock });
    const gate = () => {
      backend.attempts++;
      if (backend.down !== undefined) {
        throw transportFailure(backend.down, `${backend.address} is down (${backend.down})`);
      }
    };
    const transport: Transport = {
      async unary(req) {
        gate();
        return await inner.unary(req);
      },
      async stream(req) {
        gate();
        return await inner.stream(req);
      },
    };
    if (options.connectivity !== true) return transport;
    return {
      ...transport,
      connectivity: {
        connect: () =>
          backend.down === undefined
            ? Promise.resolve()
            : Promise.reject(transportFailure("refused", `connect to ${backend.address} refused`)),
        onDisconnect(listener) {
          backend.disconnectListeners.add(listener);
          return () => backend.disconnectListeners.delete(listener);
        },
      },
    };
  };
  return { backends, factory, created };
}
