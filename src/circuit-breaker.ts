import * as z from "zod/mini";
import { watchClientCall } from "./call-outcome.ts";
import { type Clock, systemClock } from "./clock.ts";
import { Code, codeName } from "./code.ts";
import { packErrorDetails } from "./error-details.ts";
import type { ClientInterceptor } from "./interceptor.ts";
import type { MethodInfo } from "./method.ts";
import { clockOption, functionOption, parseOptions } from "./options.ts";
import { RpcError } from "./rpc-error.ts";

/** The state of a circuit: `closed` lets calls through, `open` fails them at once, `half_open` lets probes through. */
export type CircuitState = "closed" | "open" | "half_open";

/** A change of a circuit's state, as `onStateChange` gets it. */
export interface CircuitStateChange {
  /** Which circuit: `"*"` for a breaker shared by all methods, else the service or method path. */
  key: string;
  /** The state before. */
  from: CircuitState;
  /** The state now. */
  to: CircuitState;
  /** The failure that opened the circuit, when it opened. */
  cause?: RpcError;
}

/** Options of {@link createCircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Failures within `windowMs` that open the circuit (default 5). */
  failureThreshold?: number;
  /** The sliding window failures are counted in, in ms (default 10 000). */
  windowMs?: number;
  /**
   * Open only when failures are also at least this share of the calls that
   * ended in the window, 0–1 (default: the count alone decides).
   */
  failureRatio?: number;
  /** How long an open circuit fails calls before letting a probe through, in ms (default 30 000). */
  openMs?: number;
  /** Probes let through at once while half-open (default 1); the others fail fast. */
  halfOpenProbes?: number;
  /**
   * The codes that count as failures of the server (default `UNAVAILABLE`,
   * `DEADLINE_EXCEEDED`, `INTERNAL`, `UNKNOWN`, `DATA_LOSS`). Other codes
   * are answers, so they count as successes; a call the caller cancelled
   * counts as neither.
   */
  failureCodes?: Code[];
  /** One circuit for the whole client (default), one per service, or one per method. */
  scope?: "client" | "service" | "method";
  /** The clock windows and open periods are measured on (default: the system clock). */
  clock?: Clock;
  /** Called on every state change. */
  onStateChange?: (change: CircuitStateChange) => void;
}

/** Built when used, so bundles that never call the factory drop it. */
const optionsSchema = () =>
  z.strictObject({
    failureThreshold: z.optional(z.number().check(z.int(), z.positive())),
    windowMs: z.optional(z.number().check(z.positive())),
    failureRatio: z.optional(z.number().check(z.gte(0), z.lte(1))),
    openMs: z.optional(z.number().check(z.nonnegative())),
    halfOpenProbes: z.optional(z.number().check(z.int(), z.positive())),
    failureCodes: z.optional(z.array(z.number().check(z.int(), z.gte(1), z.lte(16)))),
    scope: z.optional(z.enum(["client", "service", "method"])),
    clock: z.optional(clockOption),
    onStateChange: z.optional(functionOption),
  });

/** A circuit breaker: its interceptor, and a view of its circuits. */
export interface CircuitBreaker {
  /** The client interceptor; put it before (outside) any retry. */
  readonly interceptor: ClientInterceptor;
  /** The state of a circuit now: by method path (or `"*"`/service name for wider scopes). */
  state(key?: string): CircuitState;
  /** Closes every circuit and forgets their failures. */
  reset(): void;
}

const BUCKETS = 10;

class Circuit {
  state: CircuitState = "closed";
  openedAt = 0;
  probes = 0;
  lastFailure: RpcError | undefined;
  /** Calls and failures per bucket of the window, as a ring. */
  readonly calls = new Array<number>(BUCKETS).fill(0);
  readonly failures = new Array<number>(BUCKETS).fill(0);
  bucketStart = -Infinity;
  bucketIndex = 0;

  readonly key: string;

  constructor(key: string) {
    this.key = key;
  }

  /** Moves the ring forward to `now`, zeroing buckets that fell out of the window. */
  advance(now: number, bucketMs: number): void {
    if (now - this.bucketStart < bucketMs) return;
    const steps = Math.min(BUCKETS, Math.floor((now - this.bucketStart) / bucketMs));
    for (let i = 0; i < steps; i++) {
      this.bucketIndex = (this.bucketIndex + 1) % BUCKETS;
      this.calls[this.bucketIndex] = 0;
      this.failures[this.bucketIndex] = 0;
    }
    this.bucketStart = steps === BUCKETS
      ? now - (now % bucketMs)
      : this.bucketStart + steps * bucketMs;
  }

  clearWindow(): void {
    this.calls.fill(0);
    this.failures.fill(0);
  }

  totals(): { calls: number; failures: number } {
    let calls = 0;
    let failures = 0;
    for (let i = 0; i < BUCKETS; i++) {
      calls += this.calls[i];
      failures += this.failures[i];
    }
    return { calls, failures };
  }
}

/**
 * Creates a circuit breaker for clients. While a circuit is closed, calls
 * go through and their failures are counted in a sliding window; at
 * `failureThreshold` failures (and `failureRatio`, when set) it opens, and
 * every call fails at once with `UNAVAILABLE` naming the breaker, the
 * failures and when the next probe goes. After `openMs` it is half-open: up
 * to `halfOpenProbes` calls go through as probes; a probe that succeeds
 * closes it, one that fails opens it again. A refusal also carries
 * `google.rpc.ErrorInfo` (reason `CIRCUIT_OPEN`) and `google.rpc.RetryInfo`
 * (the time until the next probe). All time is read from `clock`.
 *
 * @example
 * ```ts
 * import { createCircuitBreaker, createClient } from "wirecall";
 * import { createHttp2Transport } from "wirecall/transports/http2";
 * import { DemoService } from "./protos/gen/wirecall/demo/v1/demo_pb.ts";
 * const breaker = createCircuitBreaker({ failureThreshold: 5, windowMs: 10_000, openMs: 30_000 });
 * const client = createClient(DemoService, createHttp2Transport({ baseUrl: "http://127.0.0.1:50051" }), {
 *   interceptors: [breaker.interceptor],
 * });
 * breaker.state(); // "closed"
 * ```
 */
export function createCircuitBreaker(options?: CircuitBreakerOptions): CircuitBreaker {
  const opts = parseOptions("circuit breaker", optionsSchema(), options) as CircuitBreakerOptions;
  const threshold = opts.failureThreshold ?? 5;
  const windowMs = opts.windowMs ?? 10_000;
  const bucketMs = windowMs / BUCKETS;
  const ratio = opts.failureRatio ?? 0;
  const openMs = opts.openMs ?? 30_000;
  const maxProbes = opts.halfOpenProbes ?? 1;
  const failureCodes = new Set<number>(
    opts.failureCodes ??
      [Code.UNAVAILABLE, Code.DEADLINE_EXCEEDED, Code.INTERNAL, Code.UNKNOWN, Code.DATA_LOSS],
  );
  const scope = opts.scope ?? "client";
  const clock = opts.clock ?? systemClock;
  const circuits = new Map<string, Circuit>();

  const keyOf = (m: MethodInfo) =>
    scope === "client" ? "*" : scope === "service" ? m.serviceName : m.path;
  const circuitFor = (key: string) => {
    let c = circuits.get(key);
    if (c === undefined) circuits.set(key, c = new Circuit(key));
    return c;
  };
  const move = (c: Circuit, to: CircuitState, cause?: RpcError) => {
    const from = c.state;
    if (from === to) return;
    c.state = to;
    opts.onStateChange?.({ key: c.key, from, to, cause });
  };
  /** Open circuits whose time is up become half-open, read lazily from the clock. */
  const current = (c: Circuit) => {
    if (c.state === "open" && clock.now() - c.openedAt >= openMs) {
      c.probes = 0;
      move(c, "half_open");
    }
    return c.state;
  };
  const open = (c: Circuit, cause: RpcError) => {
    c.openedAt = clock.now();
    c.lastFailure = cause;
    c.probes = 0;
    move(c, "open", cause);
  };
  const refusal = (c: Circuit, method: MethodInfo) => {
    const last = c.lastFailure;
    const waited = clock.now() - c.openedAt;
    const next = c.state === "open"
      ? `the next probe goes in ${Math.max(0, Math.ceil(openMs - waited))} ms`
      : `a probe is already in flight`;
    const scopeText = c.key === "*" ? "this client" : c.key;
    // Machine-readable too: why (ErrorInfo) and when to try again (RetryInfo).
    const retryMs = c.state === "open" ? Math.max(0, Math.ceil(openMs - waited)) : 0;
    return new RpcError(
      Code.UNAVAILABLE,
      `circuit breaker open for ${scopeText}: ${method.path} not sent after ${threshold} ` +
        `failures within ${windowMs} ms` +
        (last ? ` (last: ${codeName(last.code)} ${JSON.stringify(last.rawMessage)})` : "") +
        `; ${next}`,
      {
        details: packErrorDetails({
          errorInfo: {
            reason: "CIRCUIT_OPEN",
            domain: "wirecall",
            metadata: { circuit: c.key, state: c.state },
          },
          retryInfo: {
            retryDelay: {
              seconds: BigInt(Math.floor(retryMs / 1000)),
              nanos: (retryMs % 1000) * 1_000_000,
            },
          },
        }),
      },
    );
  };

  const interceptor: ClientInterceptor = (next) => (req) => {
    const c = circuitFor(keyOf(req.method));
    const state = current(c);
    let probe = false;
    if (state === "open") return Promise.reject(refusal(c, req.method));
    if (state === "half_open") {
      if (c.probes >= maxProbes) return Promise.reject(refusal(c, req.method));
      c.probes++;
      probe = true;
    }
    return watchClientCall(next, req, (error) => {
      const failed = error !== undefined && failureCodes.has(error.code);
      // A call the caller cancelled says nothing about the server.
      const cancelled = error !== undefined && !failed && error.code === Code.CANCELLED;
      if (probe) {
        c.probes--;
        if (c.state !== "half_open" || cancelled) return;
        if (failed) open(c, error);
        else {
          c.clearWindow();
          move(c, "closed");
        }
        return;
      }
      if (c.state !== "closed" || cancelled) return;
      const now = clock.now();
      c.advance(now, bucketMs);
      c.calls[c.bucketIndex]++;
      if (!failed) return;
      c.failures[c.bucketIndex]++;
      c.lastFailure = error;
      const { calls, failures } = c.totals();
      if (failures >= threshold && failures >= ratio * calls) open(c, error);
    });
  };

  return {
    interceptor,
    state: (key = "*") => {
      const c = circuits.get(key);
      return c === undefined ? "closed" : current(c);
    },
    reset: () => {
      for (const c of circuits.values()) {
        c.clearWindow();
        c.probes = 0;
        move(c, "closed");
      }
    },
  };
}
