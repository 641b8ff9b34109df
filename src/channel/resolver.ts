import type { Clock } from "../clock.ts";
import { Code } from "../code.ts";
import { RpcError } from "../rpc-error.ts";
import { Backoff, type BackoffOptions } from "./backoff.ts";
import type { DnsLookup } from "./dns-lookup.ts";
import { dnsEndpoint, type Endpoint, type ParsedTarget } from "./target.ts";

/** What a resolver tells its channel. */
export interface ResolverListener {
  /** The endpoints the target stands for now (the whole list, each time). */
  onEndpoints(endpoints: readonly Endpoint[]): void;
  /** Resolution failed; the resolver tries again by itself, with backoff. */
  onError(error: RpcError): void;
}

/** Turns a target into endpoints, now and as they change. */
export interface Resolver {
  /** Asks for a fresh resolution (an endpoint failed); rate-limited. */
  resolveNow(): void;
  /** Stops resolving. */
  close(): void;
}

/** Options of a DNS resolver. */
export interface DnsResolverOptions {
  /** The lookup; without one (a browser) the name is one endpoint that `fetch` resolves. */
  lookup: DnsLookup | undefined;
  /** The clock timers run on. */
  clock: Clock;
  /** Re-resolve this often, in ms, even when nothing fails (0: only on failures). Default 30 s. */
  refreshIntervalMs?: number;
  /** At most one resolution per this many ms when endpoints fail (default 30 s, as grpc-go and grpc-js). */
  minIntervalMs?: number;
  /** Backoff between failed lookups. */
  backoff?: BackoffOptions;
  /** The random source of the backoff's jitter. */
  random?: () => number;
}

/**
 * Starts resolving `target`: static targets (`ipv4:`, `ipv6:`, `unix:`, URLs)
 * report their endpoints once; `dns:` targets look the name up, again on a
 * period, again when asked (at most once per `minIntervalMs`), and again with
 * backoff after a failed lookup.
 */
export function startResolver(
  target: ParsedTarget,
  listener: ResolverListener,
  options: DnsResolverOptions,
): Resolver {
  if (target.kind === "static") {
    let closed = false;
    queueMicrotask(() => {
      if (!closed) listener.onEndpoints(target.endpoints);
    });
    return {
      resolveNow() {},
      close() {
        closed = true;
      },
    };
  }
  if (options.lookup === undefined) {
    const endpoints = [{
      address: `${target.host}:${target.port}`,
      host: target.host,
      port: target.port,
      authority: `${target.host}:${target.port}`,
    }];
    return startResolver({ kind: "static", endpoints }, listener, options);
  }
  return new DnsResolver(target, listener, options, options.lookup);
}

class DnsResolver implements Resolver {
  readonly #target: Extract<ParsedTarget, { kind: "dns" }>;
  readonly #listener: ResolverListener;
  readonly #clock: Clock;
  readonly #lookup: DnsLookup;
  readonly #refreshMs: number;
  readonly #minIntervalMs: number;
  readonly #backoff: Backoff;
  #timer: unknown;
  #resolving = false;
  #lastStart = -Infinity;
  #closed = false;

  constructor(
    target: Extract<ParsedTarget, { kind: "dns" }>,
    listener: ResolverListener,
    options: DnsResolverOptions,
    lookup: DnsLookup,
  ) {
    this.#target = target;
    this.#listener = listener;
    this.#clock = options.clock;
    this.#lookup = lookup;
    this.#refreshMs = options.refreshIntervalMs ?? 30_000;
    this.#minIntervalMs = options.minIntervalMs ?? 30_000;
    this.#backoff = new Backoff(options.backoff, options.random);
    this.#resolve();
  }

  resolveNow(): void {
    if (this.#closed || this.#resolving) return;
    const wait = this.#lastStart + this.#minIntervalMs - this.#clock.now();
    if (wait <= 0) {
      this.#resolve();
      return;
    }
    // Too soon after the last lookup: do it once the interval is over.
    this.#schedule(wait);
  }

  close(): void {
    this.#closed = true;
    this.#cancelTimer();
  }

  #cancelTimer(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(ms: number): void {
    this.#cancelTimer();
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#resolve();
    }, ms);
  }

  #resolve(): void {
    if (this.#closed) return;
    this.#cancelTimer();
    this.#resolving = true;
    this.#lastStart = this.#clock.now();
    const { host, port, dnsServer } = this.#target;
    this.#lookup(host, { dnsServer }).then(
      (addresses) => {
        this.#resolving = false;
        if (this.#closed) return;
        if (addresses.length === 0) {
          this.#failed(
            new RpcError(Code.UNAVAILABLE, `DNS resolution of ${host} found no address`),
          );
          return;
        }
        this.#backoff.reset();
        this.#listener.onEndpoints(addresses.map((ip) => dnsEndpoint(ip, host, port)));
        if (this.#refreshMs > 0) this.#schedule(this.#refreshMs);
      },
      (e) => {
        this.#resolving = false;
        if (this.#closed) return;
        const why = (e as { code?: string; message?: string })?.code ??
          (e as Error)?.message ?? String(e);
        this.#failed(
          new RpcError(Code.UNAVAILABLE, `DNS resolution of ${host} failed: ${why}`, { cause: e }),
        );
      },
    );
  }

  #failed(error: RpcError): void {
    this.#listener.onError(error);
    this.#schedule(this.#backoff.next());
  }
}
