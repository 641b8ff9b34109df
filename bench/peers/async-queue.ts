/**
 * A minimal push-driven async iterable for the ping-pong clients of the
 * frameworks whose bidi calls take an `AsyncIterable` of requests.
 *
 * @module
 */

/** Values pushed in come out of `for await`, in order, until `end()`. */
export class AsyncQueue<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #reader: ((r: IteratorResult<T>) => void) | undefined;
  #ended = false;

  /** Adds a value. */
  push(value: T): void {
    const r = this.#reader;
    if (r !== undefined) {
      this.#reader = undefined;
      r({ done: false, value });
    } else {
      this.#items.push(value);
    }
  }

  /** Ends the iterable once what was pushed is taken. */
  end(): void {
    this.#ended = true;
    const r = this.#reader;
    if (r !== undefined && this.#items.length === 0) {
      this.#reader = undefined;
      r({ done: true, value: undefined });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: (): Promise<IteratorResult<T>> => {
        if (this.#items.length > 0) {
          return Promise.resolve({ done: false, value: this.#items.shift()! });
        }
        if (this.#ended) return Promise.resolve({ done: true, value: undefined });
        return new Promise((resolve) => (this.#reader = resolve));
      },
    };
  }
}
