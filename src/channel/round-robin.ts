import type { RpcError } from "../rpc-error.ts";
import {
  allFailedError,
  type Balancer,
  type BalancerHelper,
  failPicker,
  type PickResult,
  queuePicker,
} from "./balancer.ts";
import type { Subchannel } from "./subchannel.ts";
import type { Endpoint } from "./target.ts";

/** Options of {@link RoundRobinBalancer}. */
export interface RoundRobinOptions {
  /** The random source of the starting point. */
  random?: () => number;
  /** The target, for error messages. */
  target: string;
}

/**
 * `round_robin`: connects to every endpoint and spreads call attempts over
 * the ready ones in turn. An endpoint that fails is left out until it is
 * ready again (it reconnects by itself once its backoff ends); one that
 * reports unhealthy (with health checking) likewise. Every failure asks the
 * resolver to look again.
 */
export class RoundRobinBalancer implements Balancer {
  readonly #helper: BalancerHelper;
  readonly #options: RoundRobinOptions;
  #subchannels: Subchannel[] = [];
  readonly #unwatch = new Map<Subchannel, () => void>();
  #next: number;
  #resolutionError: RpcError | undefined;

  /** Creates the policy; it acts once endpoints arrive. */
  constructor(helper: BalancerHelper, options: RoundRobinOptions) {
    this.#helper = helper;
    this.#options = options;
    this.#next = Math.floor((options.random ?? Math.random)() * 1_000_000);
  }

  updateEndpoints(endpoints: readonly Endpoint[]): void {
    this.#resolutionError = undefined;
    const list = [...new Map(endpoints.map((e) => [e.address, e])).values()];
    const next = list.map((e) => this.#helper.subchannel(e));
    const keep = new Set(next);
    for (const [sc, unwatch] of this.#unwatch) {
      if (keep.has(sc)) continue;
      unwatch();
      this.#unwatch.delete(sc);
      this.#helper.release(sc);
    }
    for (const sc of next) {
      if (!this.#unwatch.has(sc)) this.#unwatch.set(sc, sc.watch((s) => this.#onState(s)));
    }
    this.#subchannels = next;
    for (const sc of next) sc.connect();
    this.#publish();
  }

  resolutionFailed(error: RpcError): void {
    this.#resolutionError = error;
    if (this.#subchannels.length === 0) this.#helper.update("transient_failure", failPicker(error));
  }

  exitIdle(): void {
    for (const sc of this.#subchannels) sc.connect();
  }

  close(): void {
    for (const [sc, unwatch] of this.#unwatch) {
      unwatch();
      this.#helper.release(sc);
    }
    this.#unwatch.clear();
    this.#subchannels = [];
  }

  #onState(sc: Subchannel): void {
    if (sc.state === "idle" || sc.state === "transient_failure") {
      this.#helper.requestResolution();
    }
    // An endpoint whose connection went away (or whose backoff ended) reconnects at once.
    if (sc.state === "idle") sc.connect();
    this.#publish();
  }

  #publish(): void {
    const ready = this.#subchannels.filter((s) => s.state === "ready");
    if (ready.length > 0) {
      this.#helper.update("ready", {
        pick: (avoid) => this.#pick(ready, avoid),
      });
      return;
    }
    if (this.#subchannels.some((s) => s.state === "connecting" || s.state === "idle")) {
      this.#helper.update("connecting", queuePicker);
      return;
    }
    const error = this.#subchannels.length === 0
      ? this.#resolutionError ??
        allFailedError([], `${this.#options.target}: the resolver found no address`)
      : allFailedError(this.#subchannels, this.#options.target);
    this.#helper.update("transient_failure", failPicker(error));
  }

  #pick(ready: Subchannel[], avoid: ReadonlySet<Subchannel> | undefined): PickResult {
    for (let i = 0; i < ready.length; i++) {
      const sc = ready[this.#next++ % ready.length];
      if (this.#next > 0x3fffffff) this.#next = 0;
      if (avoid === undefined || !avoid.has(sc) || i === ready.length - 1) {
        return { kind: "pick", subchannel: sc };
      }
    }
    return { kind: "queue" };
  }
}
