import { Code } from "../code.ts";
import { RpcError } from "../rpc-error.ts";

/** Exponential backoff between connection attempts, as in gRPC's connection-backoff spec. */
export interface BackoffOptions {
  /** The first wait, in ms (default 1 s). */
  initialMs?: number;
  /** The longest wait, in ms (default 120 s). */
  maxMs?: number;
  /** Growth per failed attempt (default 1.6). */
  multiplier?: number;
  /** Random spread as a fraction of the wait (default 0.2). */
  jitter?: number;
}

/**
 * The waits between attempts of something that keeps failing: the first is
 * `initialMs`, each next one `multiplier` times longer up to `maxMs`, each
 * spread by ±`jitter`. `reset()` starts over after a success.
 */
export class Backoff {
  readonly #initial: number;
  readonly #max: number;
  readonly #multiplier: number;
  readonly #jitter: number;
  readonly #random: () => number;
  #current: number;

  /** Creates a backoff; `random` is `Math.random` unless a test fixes it. */
  constructor(options: BackoffOptions = {}, random: () => number = Math.random) {
    this.#initial = options.initialMs ?? 1_000;
    this.#max = options.maxMs ?? 120_000;
    this.#multiplier = options.multiplier ?? 1.6;
    this.#jitter = options.jitter ?? 0.2;
    this.#random = random;
    this.#current = this.#initial;
    if (!(this.#initial >= 0) || !(this.#max >= this.#initial) || !(this.#multiplier >= 1)) {
      throw new RpcError(
        Code.INVALID_ARGUMENT,
        "invalid backoff: expected 0 <= initialMs <= maxMs and multiplier >= 1",
      );
    }
  }

  /** The next wait, in ms. */
  next(): number {
    const base = this.#current;
    this.#current = Math.min(this.#max, this.#current * this.#multiplier);
    return Math.max(0, base * (1 + this.#jitter * (this.#random() * 2 - 1)));
  }

  /** Starts over from `initialMs`. */
  reset(): void {
    this.#current = this.#initial;
  }
}
