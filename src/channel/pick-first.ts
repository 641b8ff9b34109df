import type { RpcError } from "../rpc-error.ts";
import {
  allFailedError,
  type Balancer,
  type BalancerHelper,
  failPicker,
  queuePicker,
} from "./balancer.ts";
import type { Subchannel } from "./subchannel.ts";
import type { Endpoint } from "./target.ts";

/** Options of {@link PickFirstBalancer}. */
export interface PickFirstOptions {
  /** Shuffle the endpoints before trying them (gRFC A62's `shuffleAddressList`). */
  shuffleAddressList?: boolean;
  /** The random source of the shuffle. */
  random?: () => number;
  /** The target, for error messages. */
  target: string;
}

/**
 * `pick_first`, gRPC's default policy: tries the endpoints in order until
 * one connects, then sends every call there. When it fails, the channel
 * goes idle and the next call starts over from the first endpoint; when all
 * fail, calls fail fast (or wait, with waitForReady) while every endpoint
 * keeps retrying after its backoff.
 */
export class PickFirstBalancer implements Balancer {
  readonly #helper: BalancerHelper;
  readonly #options: PickFirstOptions;
  #subchannels: Subchannel[] = [];
  readonly #unwatch = new Map<Subchannel, () => void>();
  #selected: Subchannel | undefined;
  #index = 0;
  /** Every endpoint failed once; each reconnects when its backoff ends. */
  #allFailed = false;
  #idle = false;
  #resolutionError: RpcError | undefined;

  /** Creates the policy; it acts once endpoints arrive. */
  constructor(helper: BalancerHelper, options: PickFirstOptions) {
    this.#helper = helper;
    this.#options = options;
  }

  updateEndpoints(endpoints: readonly Endpoint[]): void {
    this.#resolutionError = undefined;
    const list = [...new Map(endpoints.map((e) => [e.address, e])).values()];
    if (this.#options.shuffleAddressList === true) {
      const random = this.#options.random ?? Math.random;
      for (let i = list.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [list[i], list[j]] = [list[j], list[i]];
      }
    }
    const next = list.map((e) => this.#helper.subchannel(e));
    for (const sc of next) {
      if (!this.#unwatch.has(sc)) this.#unwatch.set(sc, sc.watch((s) => this.#onState(s)));
    }
    this.#releaseExcept(new Set(next));
    this.#subchannels = next;
    if (this.#selected !== undefined && next.includes(this.#selected)) return;
    this.#selected = undefined;
    if (next.length === 0) {
      this.#helper.update(
        "transient_failure",
        failPicker(allFailedError([], `${this.#options.target}: the resolver found no address`)),
      );
      return;
    }
    if (!this.#idle) this.#tryFrom(0);
  }

  resolutionFailed(error: RpcError): void {
    this.#resolutionError = error;
    if (this.#subchannels.length === 0) this.#helper.update("transient_failure", failPicker(error));
  }

  exitIdle(): void {
    if (!this.#idle) return;
    this.#idle = false;
    this.#tryFrom(0);
  }

  close(): void {
    this.#releaseExcept(new Set());
    this.#subchannels = [];
    this.#selected = undefined;
  }

  #releaseExcept(keep: Set<Subchannel>): void {
    for (const [sc, unwatch] of this.#unwatch) {
      if (keep.has(sc)) continue;
      unwatch();
      this.#unwatch.delete(sc);
      this.#helper.release(sc);
    }
  }

  #tryFrom(index: number): void {
    this.#allFailed = false;
    this.#index = index;
    this.#helper.update("connecting", queuePicker);
    this.#advance();
  }

  /** Connects the current candidate, or moves past it when it has failed. */
  #advance(): void {
    while (this.#index < this.#subchannels.length) {
      const sc = this.#subchannels[this.#index];
      if (sc.state === "ready") return this.#select(sc);
      if (sc.state === "idle") sc.connect();
      // connect() may settle at once (a connectionless transport is ready at once).
      const now = sc.state as string;
      if (now === "ready" || now === "connecting") return;
      this.#index++;
    }
    this.#allFailed = true;
    this.#helper.update(
      "transient_failure",
      failPicker(
        this.#resolutionError ?? allFailedError(this.#subchannels, this.#options.target),
      ),
    );
    this.#helper.requestResolution();
    // Sticky failure: every endpoint keeps trying once its backoff ends.
    for (const sc of this.#subchannels) sc.connect();
  }

  #select(sc: Subchannel): void {
    this.#selected = sc;
    this.#allFailed = false;
    this.#helper.update("ready", { pick: () => ({ kind: "pick", subchannel: sc }) });
  }

  #onState(sc: Subchannel): void {
    if (!this.#subchannels.includes(sc) || this.#idle) return;
    if (this.#selected !== undefined) {
      if (sc !== this.#selected || sc.state === "ready") return;
      // The chosen connection went away: idle until the next call (as gRPC does).
      this.#selected = undefined;
      this.#idle = true;
      this.#helper.requestResolution();
      this.#helper.update("idle", queuePicker);
      return;
    }
    if (sc.state === "ready") return this.#select(sc);
    if (this.#allFailed) {
      if (sc.state === "idle") sc.connect();
      return;
    }
    if (sc === this.#subchannels[this.#index] && sc.state === "transient_failure") {
      this.#index++;
      this.#advance();
    }
  }
}
