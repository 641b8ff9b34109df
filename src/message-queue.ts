import { type FirstTwo, firstTwoKey } from "./first-two.ts";

/**
 * An async iterable that others push into: the bridge between callbacks and
 * `for await`. `push` resolves when the consumer has taken the value, which
 * gives producers backpressure; `close` ends it, `fail` ends it with an error.
 *
 * @example
 * ```ts
 * import { MessageQueue } from "wirecall/protocol";
 * const q = new MessageQueue<number>();
 * q.push(1);
 * q.close();
 * for await (const n of q) console.log(n); // 1
 * ```
 */
export class MessageQueue<T> implements AsyncIterable<T>, FirstTwo<T> {
  #items: T[] = [];
  #waiters: Array<() => void> = [];
  #reader: ((r: IteratorResult<T>) => void) | undefined;
  #readerFail: ((e: unknown) => void) | undefined;
  #closed = false;
  #error: { reason: unknown } | undefined;
  readonly #highWaterMark: number;
  #onReturn: (() => void) | undefined;
  #firstTwo: ((items: T[]) => void) | undefined;
  #firstTwoFail: ((e: unknown) => void) | undefined;

  /**
   * `highWaterMark`: how many values may wait before `push` stops resolving at
   * once. `onReturn`: called when the consumer stops early.
   */
  constructor(options: { highWaterMark?: number; onReturn?: () => void } = {}) {
    this.#highWaterMark = options.highWaterMark ?? 16;
    this.#onReturn = options.onReturn;
  }

  /** True once closed or failed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Adds a value; resolves when there is room again. Ignored once closed. */
  push(value: T): Promise<void> | undefined {
    if (this.#closed) return undefined;
    if (this.#firstTwo !== undefined) {
      this.#items.push(value);
      if (this.#items.length < 2) return undefined;
      const r = this.#firstTwo;
      this.#firstTwo = this.#firstTwoFail = undefined;
      r(this.#items.splice(0));
      return undefined;
    }
    if (this.#reader !== undefined) {
      const r = this.#reader;
      this.#reader = this.#readerFail = undefined;
      r({ done: false, value });
      return undefined;
    }
    this.#items.push(value);
    if (this.#items.length < this.#highWaterMark) return undefined;
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Ends the iterable after the values already pushed. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake();
  }

  /** Ends the iterable with an error, after the values already pushed. */
  fail(reason: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#error = { reason };
    this.#wake();
  }

  #wake(): void {
    if (this.#firstTwo !== undefined) {
      const r = this.#firstTwo;
      const f = this.#firstTwoFail!;
      this.#firstTwo = this.#firstTwoFail = undefined;
      if (this.#error) f(this.#error.reason);
      else r(this.#items.splice(0));
    }
    if (this.#reader !== undefined && this.#items.length === 0) {
      const r = this.#reader;
      const f = this.#readerFail!;
      this.#reader = this.#readerFail = undefined;
      if (this.#error) f(this.#error.reason);
      else r({ done: true, value: undefined });
    }
    for (const w of this.#waiters.splice(0)) w();
  }

  /**
   * For a stream that should carry one value: resolves with the values once
   * it is closed, or with the first two as soon as a second one arrives
   * (rejects when it fails first). One promise in all, where iterating
   * takes one per value; it takes the values as iterating would.
   */
  firstTwo(): Promise<T[]> {
    if (this.#items.length >= 2 || (this.#closed && !this.#error)) {
      return Promise.resolve(this.#items.splice(0, 2));
    }
    if (this.#closed) return Promise.reject(this.#error!.reason);
    return new Promise((resolve, reject) => {
      this.#firstTwo = resolve;
      this.#firstTwoFail = reject;
    });
  }

  /** {@link firstTwo}, under the key `readSingleMessage` looks for. */
  [firstTwoKey](): Promise<T[]> {
    return this.firstTwo();
  }

  /** Takes the next value. */
  next(): Promise<IteratorResult<T>> {
    if (this.#items.length > 0) {
      const value = this.#items.shift()!;
      if (this.#items.length < this.#highWaterMark && this.#waiters.length > 0) {
        this.#waiters.shift()!();
      }
      return Promise.resolve({ done: false, value });
    }
    if (this.#closed) {
      return this.#error
        ? Promise.reject(this.#error.reason)
        : Promise.resolve({ done: true, value: undefined });
    }
    return new Promise((resolve, reject) => {
      this.#reader = resolve;
      this.#readerFail = reject;
    });
  }

  /** Iterates the values; stopping early (`break`) closes the queue and calls `onReturn`. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => this.next(),
      return: () => {
        if (!this.#closed) {
          this.#closed = true;
          this.#items.length = 0;
          this.#wake();
          this.#onReturn?.();
        }
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }
}
