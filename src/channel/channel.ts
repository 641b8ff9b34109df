import * as z from "zod/mini";
import { attemptFailureOf, mayHaveBeenProcessed } from "../attempt-failure.ts";
import { type Clock, systemClock } from "../clock.ts";
import { Code } from "../code.ts";
import {
  byteLimitOption,
  clockOption,
  durationOption,
  functionOption,
  parseOptions,
} from "../options.ts";
import { RpcError } from "../rpc-error.ts";
import { readSingleMessage, singleMessageStream } from "../single-message.ts";
import type {
  StreamTransportRequest,
  StreamTransportResponse,
  Transport,
  UnaryTransportRequest,
  UnaryTransportResponse,
} from "../transport.ts";
import type { BackoffOptions } from "./backoff.ts";
import { type Balancer, type BalancerHelper, type Picker, queuePicker } from "./balancer.ts";
import type { ConnectivityState } from "./connectivity-state.ts";
import { type DnsLookup, runtimeDnsLookup } from "./dns-lookup.ts";
import { PickFirstBalancer } from "./pick-first.ts";
import { type Resolver, startResolver } from "./resolver.ts";
import { BufferBudget } from "./replay-buffer.ts";
import { type CallContext, RetryingCall } from "./retrying-call.ts";
import { RetryThrottle } from "./retry-throttle.ts";
import { RoundRobinBalancer } from "./round-robin.ts";
import {
  type MethodConfig,
  parseServiceConfig,
  type ServiceConfig,
  type ServiceConfigJson,
} from "./service-config.ts";
import { Subchannel } from "./subchannel.ts";
import { type Endpoint, type ParsedTarget, parseTarget } from "./target.ts";

/** Options of {@link createChannel}. */
export interface ChannelOptions {
  /**
   * The gRPC target: `dns:///host:port`, `ipv4:a:p,b:p`, `ipv6:[a]:p,…`,
   * `unix:/path`, `host:port`, or an `http(s)://` URL (one endpoint).
   */
  target: string;
  /**
   * Makes the transport of one endpoint, such as
   * `(ep) => createHttp2Transport({ baseUrl: endpointUrl(ep) })`.
   */
  transport: (endpoint: Endpoint) => Transport;
  /** A service config in gRPC's JSON form (a string or the parsed object). */
  serviceConfig?: string | ServiceConfigJson;
  /** The clock of backoff, hedging, DNS refresh and the service config's timeouts. */
  clock?: Clock;
  /** Looks DNS names up (default: the runtime's `node:dns`, where there is one). */
  dnsLookup?: DnsLookup;
  /** Re-resolve `dns:` targets this often, in ms (default 30 s; 0 only on failures). */
  dnsRefreshIntervalMs?: number;
  /** At most one re-resolution per this many ms after failures (default 30 s). */
  dnsMinIntervalMs?: number;
  /** Backoff between failed connection attempts to an endpoint (gRPC's defaults: 1 s × 1.6 up to 120 s, ±20 %). */
  connectBackoff?: BackoffOptions;
  /** Retry and hedging policies apply (default true); `false` turns them off (gRFC A6's "disabling retries"). */
  retries?: boolean;
  /** A policy's maxAttempts above this counts as this (default 5). */
  maxAttemptsLimit?: number;
  /** Request bytes kept per call for retries (default 256 KiB). */
  perCallBufferBytes?: number;
  /** Request bytes kept across the channel for retries (default 16 MiB). */
  retryBufferBytes?: number;
  /** Client-side health checking when the service config asks for it (default true). */
  healthCheck?: boolean;
  /** The random source of jitter, backoff and balancing (for tests). */
  random?: () => number;
}

const backoffSchema = z.strictObject({
  initialMs: z.optional(durationOption),
  maxMs: z.optional(durationOption),
  multiplier: z.optional(z.number().check(z.gte(1))),
  jitter: z.optional(z.number().check(z.gte(0), z.lte(1))),
});

const channelOptionsSchema = z.strictObject({
  target: z.string(),
  transport: functionOption,
  serviceConfig: z.optional(
    z.union([
      z.string(),
      z.custom<ServiceConfigJson>((v) => typeof v === "object" && v !== null, {
        message: "expected a service config object or JSON string",
      }),
    ]),
  ),
  clock: z.optional(clockOption),
  dnsLookup: z.optional(functionOption),
  dnsRefreshIntervalMs: z.optional(durationOption),
  dnsMinIntervalMs: z.optional(durationOption),
  connectBackoff: z.optional(backoffSchema),
  retries: z.optional(z.boolean()),
  maxAttemptsLimit: z.optional(z.number().check(z.int(), z.gte(1))),
  perCallBufferBytes: z.optional(byteLimitOption),
  retryBufferBytes: z.optional(byteLimitOption),
  healthCheck: z.optional(z.boolean()),
  random: z.optional(functionOption),
});

/** The state of one endpoint of a channel. */
export interface EndpointState {
  /** The endpoint's address. */
  readonly address: string;
  /** Its connectivity state. */
  readonly state: ConnectivityState;
}

/**
 * A client channel: a {@link Transport} over a gRPC target that resolves
 * the target to endpoints, keeps one transport per endpoint, balances call
 * attempts over them and retries or hedges calls as the service config
 * says. Pass it to `createClient` like any transport.
 */
export interface Channel extends Transport {
  /** The target, as given. */
  readonly target: string;
  /** The parsed service config in force. */
  readonly serviceConfig: ServiceConfig;
  /** The channel's connectivity state; `tryToConnect` leaves idle (as gRPC's getState(true)). */
  getState(tryToConnect?: boolean): ConnectivityState;
  /** Calls `listener` on every state change; returns a function that unsubscribes. */
  onStateChange(listener: (state: ConnectivityState) => void): () => void;
  /** The channel's endpoints and their states. */
  endpointStates(): EndpointState[];
  /** Closes every endpoint's transport; calls after it fail with `UNAVAILABLE`. */
  close(): Promise<void>;
}

/**
 * Creates a client channel over a gRPC target. The service config (gRPC's
 * JSON) picks the balancing policy (`pick_first` by default,
 * `round_robin`), per-method timeouts, size limits, `waitForReady`, retry
 * or hedging policies, retry throttling and health checking.
 *
 * @example
 * ```ts
 * import { createChannel, createClient, endpointUrl } from "wirecall";
 * import { createHttp2Transport } from "wirecall/transports/http2";
 * import { DemoService } from "./protos/gen/wirecall/demo/v1/demo_pb.ts";
 *
 * const channel = createChannel({
 *   target: "ipv4:127.0.0.1:50051,127.0.0.1:50052",
 *   transport: (ep) => createHttp2Transport({ baseUrl: endpointUrl(ep) }),
 *   serviceConfig: {
 *     loadBalancingConfig: [{ round_robin: {} }],
 *     methodConfig: [{
 *       name: [{ service: "wirecall.demo.v1.DemoService" }],
 *       retryPolicy: {
 *         maxAttempts: 3, initialBackoff: "0.1s", maxBackoff: "1s",
 *         backoffMultiplier: 2, retryableStatusCodes: ["UNAVAILABLE"],
 *       },
 *     }],
 *   },
 * });
 * const client = createClient(DemoService, channel);
 * await client.greet({ name: "Ada" });
 * await channel.close();
 * ```
 */
export function createChannel(options: ChannelOptions): Channel {
  const opts = parseOptions("channel", channelOptionsSchema, options) as ChannelOptions;
  const target = parseTarget(opts.target);
  const config = parseServiceConfig(opts.serviceConfig ?? {}, {
    maxAttemptsLimit: opts.maxAttemptsLimit,
  });
  return new ClientChannel(opts, target, config);
}

class ClientChannel implements Channel {
  readonly target: string;
  readonly serviceConfig: ServiceConfig;
  readonly #opts: ChannelOptions;
  readonly #parsed: ParsedTarget;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #throttle: RetryThrottle | undefined;
  readonly #budget: BufferBudget;
  readonly #subchannels = new Map<string, Subchannel>();
  readonly #stateListeners = new Set<(state: ConnectivityState) => void>();
  #pickerWaiters: Array<() => void> = [];
  #state: ConnectivityState = "idle";
  #picker: Picker = queuePicker;
  #balancer: Balancer | undefined;
  #resolver: Resolver | undefined;
  #closed = false;
  readonly #ctx: CallContext;

  constructor(opts: ChannelOptions, parsed: ParsedTarget, config: ServiceConfig) {
    this.target = opts.target;
    this.serviceConfig = config;
    this.#opts = opts;
    this.#parsed = parsed;
    this.#clock = opts.clock ?? systemClock;
    this.#random = opts.random ?? Math.random;
    const t = config.retryThrottling;
    this.#throttle = t === undefined ? undefined : new RetryThrottle(t.maxTokens, t.tokenRatio);
    this.#budget = new BufferBudget(opts.retryBufferBytes ?? 16 * 1024 * 1024);
    const isClosed = () => this.#closed;
    this.#ctx = {
      clock: this.#clock,
      throttle: this.#throttle,
      budget: this.#budget,
      perCallBufferBytes: opts.perCallBufferBytes ?? 256 * 1024,
      random: this.#random,
      get closed() {
        return isClosed();
      },
      pick: (waitForReady, signal, avoid) => this.#pick(waitForReady, signal, avoid),
    };
  }

  getState(tryToConnect = false): ConnectivityState {
    if (tryToConnect && this.#state === "idle") this.#exitIdle();
    return this.#state;
  }

  onStateChange(listener: (state: ConnectivityState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  endpointStates(): EndpointState[] {
    return [...this.#subchannels.values()].map((s) => ({
      address: s.endpoint.address,
      state: s.state,
    }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#resolver?.close();
    this.#balancer?.close();
    this.#setState("shutdown", queuePicker);
    const closing = [...this.#subchannels.values()].map((s) => s.shutdown());
    this.#subchannels.clear();
    await Promise.all(closing);
  }

  // --- balancing -----------------------------------------------------------

  #setState(state: ConnectivityState, picker: Picker): void {
    if (this.#state === "shutdown") return;
    this.#picker = picker;
    const waiters = this.#pickerWaiters;
    this.#pickerWaiters = [];
    for (const wake of waiters) wake();
    if (state === this.#state) return;
    this.#state = state;
    for (const listener of [...this.#stateListeners]) listener(state);
  }

  #exitIdle(): void {
    if (this.#closed) return;
    if (this.#balancer !== undefined) {
      this.#balancer.exitIdle();
      return;
    }
    const helper: BalancerHelper = {
      subchannel: (endpoint) => this.#subchannelFor(endpoint),
      release: (sc) => {
        if (--sc.refs > 0) return;
        this.#subchannels.delete(sc.endpoint.address);
        void sc.shutdown();
      },
      update: (state, picker) => this.#setState(state, picker),
      requestResolution: () => this.#resolver?.resolveNow(),
    };
    const lb = this.serviceConfig.loadBalancing;
    this.#balancer = lb.policy === "round_robin"
      ? new RoundRobinBalancer(helper, { random: this.#random, target: this.target })
      : new PickFirstBalancer(helper, {
        target: this.target,
        shuffleAddressList: lb.shuffleAddressList,
        random: this.#random,
      });
    this.#setState("connecting", queuePicker);
    const balancer = this.#balancer;
    this.#resolver = startResolver(this.#parsed, {
      onEndpoints: (endpoints) => {
        if (!this.#closed) balancer.updateEndpoints(endpoints);
      },
      onError: (error) => {
        if (!this.#closed) balancer.resolutionFailed(error);
      },
    }, {
      lookup: this.#opts.dnsLookup ?? runtimeDnsLookup(),
      clock: this.#clock,
      refreshIntervalMs: this.#opts.dnsRefreshIntervalMs,
      minIntervalMs: this.#opts.dnsMinIntervalMs,
      random: this.#random,
    });
  }

  #subchannelFor(endpoint: Endpoint): Subchannel {
    let sc = this.#subchannels.get(endpoint.address);
    if (sc === undefined) {
      const healthCheck = this.#opts.healthCheck !== false &&
        this.serviceConfig.loadBalancing.policy === "round_robin";
      sc = new Subchannel(endpoint, this.#opts.transport(endpoint), {
        clock: this.#clock,
        backoff: this.#opts.connectBackoff,
        // gRFC A17: pick_first never health-checks.
        healthCheckServiceName: healthCheck ? this.serviceConfig.healthCheckServiceName : undefined,
        random: this.#random,
      });
      this.#subchannels.set(endpoint.address, sc);
    }
    sc.refs++;
    return sc;
  }

  async #pick(
    waitForReady: boolean,
    signal: AbortSignal,
    avoid?: ReadonlySet<Subchannel>,
  ): Promise<Subchannel> {
    for (;;) {
      if (signal.aborted) throw signal.reason;
      if (this.#closed) throw new RpcError(Code.UNAVAILABLE, "the channel was closed");
      if (this.#state === "idle") this.#exitIdle();
      const r = this.#picker.pick(avoid);
      if (r.kind === "pick" && r.subchannel.state === "ready") return r.subchannel;
      if (r.kind === "fail" && !waitForReady) throw r.error;
      await this.#nextPicker(signal);
    }
  }

  #nextPicker(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      this.#pickerWaiters.push(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      });
    });
  }

  // --- calls ---------------------------------------------------------------

  #methodConfig(req: { method: { serviceName: string; methodName: string } }) {
    return this.serviceConfig.methodConfig(req.method);
  }

  stream(req: StreamTransportRequest): Promise<StreamTransportResponse> {
    return new RetryingCall(this.#ctx, req, this.#methodConfig(req), this.#opts.retries !== false)
      .result;
  }

  async unary(req: UnaryTransportRequest): Promise<UnaryTransportResponse> {
    const config = this.#methodConfig(req);
    const retries = this.#opts.retries !== false;
    if (retries && (config?.retryPolicy !== undefined || config?.hedgingPolicy !== undefined)) {
      // Retries and hedges go through the streaming path, which knows when a call commits.
      const res = await this.stream({ ...req, messages: singleMessageStream(req.message) });
      const message = await readSingleMessage(res.messages, req.method.path);
      return { header: res.header, message, trailer: res.trailer };
    }
    return await this.#unaryWithoutPolicy(req, config);
  }

  /** The fast path: the transport's unary call, with transparent retries only. */
  async #unaryWithoutPolicy(
    req: UnaryTransportRequest,
    config: MethodConfig | undefined,
  ): Promise<UnaryTransportResponse> {
    const maxSend = config?.maxRequestMessageBytes;
    if (maxSend !== undefined && req.message.byteLength > maxSend) {
      throw new RpcError(
        Code.RESOURCE_EXHAUSTED,
        `request message of ${req.message.byteLength} bytes exceeds the service config's ` +
          `maxRequestMessageBytes of ${maxSend}`,
      );
    }
    const timeout = config?.timeoutMs;
    let signal = req.signal;
    let timeoutMs = req.timeoutMs;
    let timer: unknown;
    let controller: AbortController | undefined;
    if (timeout !== undefined && (timeoutMs === undefined || timeout < timeoutMs)) {
      controller = new AbortController();
      const c = controller;
      const onAbort = () => c.abort(req.signal.reason);
      if (req.signal.aborted) onAbort();
      else req.signal.addEventListener("abort", onAbort, { once: true });
      timer = this.#clock.setTimeout(() => {
        c.abort(
          new RpcError(
            Code.DEADLINE_EXCEEDED,
            `deadline exceeded (the service config's timeout of ${timeout} ms)`,
          ),
        );
      }, timeout);
      signal = c.signal;
      timeoutMs = timeout;
    }
    const start = this.#clock.now();
    let unprocessedRetried = false;
    try {
      for (let transparent = 0;; transparent++) {
        const sc = await this.#pick(config?.waitForReady === true, signal);
        if (transparent > 0 && req.stats !== undefined) req.stats.attempts++;
        const left = timeoutMs === undefined
          ? undefined
          : Math.max(0, timeoutMs - (this.#clock.now() - start));
        try {
          const res = await sc.transport.unary({ ...req, signal, timeoutMs: left });
          sc.reportOutcome(undefined);
          this.#throttle?.recordSuccess();
          const maxReceive = config?.maxResponseMessageBytes;
          if (maxReceive !== undefined && res.message.byteLength > maxReceive) {
            throw new RpcError(
              Code.RESOURCE_EXHAUSTED,
              `response message of ${res.message.byteLength} bytes exceeds the service ` +
                `config's maxResponseMessageBytes of ${maxReceive}`,
            );
          }
          return res;
        } catch (e) {
          sc.reportOutcome(e);
          if (signal.aborted) throw signal.reason;
          const kind = attemptFailureOf(e);
          const again = !this.#closed && !mayHaveBeenProcessed(kind) &&
            (kind === "unprocessed" ? !unprocessedRetried : transparent < 16);
          if (!again) throw e;
          if (kind === "unprocessed") unprocessedRetried = true;
        }
      }
    } finally {
      if (timer !== undefined) this.#clock.clearTimeout(timer);
    }
  }
}
