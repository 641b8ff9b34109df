/**
 * `source` with `fn` applied to each value, as an async iterable without an
 * async generator: one `then` per value where a generator's `yield` costs a
 * resumption and a promise of its own (streams of small messages pass through
 * one of these per layer). Like `for await … yield fn(x)`: a consumer that
 * stops early, or an `fn` that throws, returns `source`.
 */
export function mapAsyncIterable<A, B>(
  source: AsyncIterable<A>,
  fn: (a: A) => B,
): AsyncIterable<B> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<B> {
      const it = source[Symbol.asyncIterator]();
      let done = false;
      const close = () => {
        if (done) return;
        done = true;
        // A failing return() must not hide the error that ended the iteration.
        void Promise.resolve(it.return?.()).catch(() => {});
      };
      const step = (r: IteratorResult<A>): IteratorResult<B> => {
        if (r.done) {
          done = true;
          return { done: true, value: undefined };
        }
        try {
          return { done: false, value: fn(r.value) };
        } catch (e) {
          close();
          throw e;
        }
      };
      return {
        next: () =>
          done ? Promise.resolve({ done: true, value: undefined }) : it.next().then(step, (e) => {
            done = true;
            throw e;
          }),
        return: async () => {
          if (!done) {
            done = true;
            await it.return?.();
          }
          return { done: true, value: undefined };
        },
      };
    },
  };
}
