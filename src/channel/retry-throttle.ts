/**
 * The retry token bucket of gRFC A6, one per channel: it starts full at
 * `maxTokens`; every failed attempt (a retryable or non-fatal code, or a
 * pushback saying not to retry) takes one token, every success gives back
 * `tokenRatio`. At or below half full, no retry or hedge is sent.
 *
 * @example
 * ```ts
 * import { RetryThrottle } from "wirecall";
 * const bucket = new RetryThrottle(10, 0.1);
 * for (let i = 0; i < 5; i++) bucket.recordFailure();
 * bucket.allowsRetry; // false: 5 tokens left, not above 10 / 2
 * ```
 */
export class RetryThrottle {
  readonly #max: number;
  readonly #ratio: number;
  #tokens: number;

  /** Creates a full bucket. */
  constructor(maxTokens: number, tokenRatio: number) {
    this.#max = maxTokens;
    this.#ratio = tokenRatio;
    this.#tokens = maxTokens;
  }

  /** The tokens left. */
  get tokens(): number {
    return this.#tokens;
  }

  /** Whether retries and hedges may be sent now. */
  get allowsRetry(): boolean {
    return this.#tokens > this.#max / 2;
  }

  /** Counts a failed attempt. */
  recordFailure(): void {
    this.#tokens = Math.max(0, this.#tokens - 1);
  }

  /** Counts a success. */
  recordSuccess(): void {
    this.#tokens = Math.min(this.#max, this.#tokens + this.#ratio);
  }
}
