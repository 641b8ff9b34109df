/** The channel-wide cap on request bytes kept for retries (gRFC A6's `retry_buffer_size`). */
export class BufferBudget {
  /** Bytes in use across the channel's calls. */
  used = 0;
  /** The cap, in bytes. */
  readonly limit: number;

  /** Creates a budget of `limit` bytes. */
  constructor(limit: number) {
    this.limit = limit;
  }
}

/** One reader of a {@link ReplayBuffer}: the request stream of one attempt. */
export interface ReplayCursor extends AsyncIterable<Uint8Array> {
  /** How many messages this reader has taken. */
  readonly position: number;
}

/**
 * The request messages of a call, read once from the caller and kept so
 * that every attempt (a retry, a hedge) can send them from the start. Past
 * the per-call or the channel-wide byte cap nothing more is kept: the call
 * then commits to the attempt that has sent the most (`onOverflow`) and
 * that attempt reads on alone.
 */
export class ReplayBuffer {
  readonly #source: AsyncIterator<Uint8Array>;
  readonly #perCallLimit: number;
  readonly #budget: BufferBudget;
  readonly #check: (message: Uint8Array) => void;
  readonly #onOverflow: () => void;
  /** Messages from absolute index `#base` on. */
  #items: Uint8Array[] = [];
  #base = 0;
  #count = 0;
  #bytes = 0;
  #ended = false;
  #failure: { reason: unknown } | undefined;
  #pull: Promise<void> | undefined;
  #keeping = true;
  #committed: Cursor | undefined;
  #closed = false;

  /**
   * Reads from `source`. `check` throws for a message that must not be sent
   * (too large); that error fails every reader and is {@link localError}.
   */
  constructor(
    source: AsyncIterable<Uint8Array>,
    perCallLimit: number,
    budget: BufferBudget,
    check: (message: Uint8Array) => void,
    onOverflow: () => void,
  ) {
    this.#source = source[Symbol.asyncIterator]();
    this.#perCallLimit = perCallLimit;
    this.#budget = budget;
    this.#check = check;
    this.#onOverflow = onOverflow;
  }

  /** Whether every message sent so far is still kept, so a new attempt can replay them. */
  get replayable(): boolean {
    return this.#keeping && this.#committed === undefined;
  }

  /** The error `check` raised, if any: the call fails with it, unretried. */
  get localError(): unknown {
    return this.#failure?.reason;
  }

  /** A new reader from the first message. */
  cursor(): ReplayCursor {
    return new Cursor(this);
  }

  /** From now on only `cursor` reads; what it has read is let go. */
  commit(cursor: ReplayCursor): void {
    if (this.#committed !== undefined) return;
    this.#committed = cursor as Cursor;
    this.#keeping = false;
    this.#trim();
  }

  /** Releases what is kept and stops the caller's stream if it is still open. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#release();
    this.#items = [];
    if (!this.#ended) {
      this.#ended = true;
      this.#source.return?.()?.catch?.(() => {});
    }
  }

  #release(): void {
    this.#budget.used -= this.#bytes;
    this.#bytes = 0;
  }

  #trim(): void {
    const c = this.#committed;
    if (c === undefined) return;
    const drop = c.position - this.#base;
    if (drop <= 0) return;
    this.#items.splice(0, drop);
    this.#base += drop;
    this.#release();
  }

  /** The message at absolute index `i`, waiting for the caller when needed; undefined at the end. */
  async at(i: number, reader: Cursor): Promise<Uint8Array | undefined> {
    for (;;) {
      if (this.#committed !== undefined && this.#committed !== reader) {
        throw new Error("the call committed to another attempt");
      }
      if (i < this.#count) {
        const item = this.#items[i - this.#base];
        return item;
      }
      if (this.#failure !== undefined) throw this.#failure.reason;
      if (this.#ended) return undefined;
      this.#pull ??= this.#next();
      await this.#pull;
    }
  }

  /** Called by the committed reader after taking a message. */
  taken(reader: Cursor): void {
    if (reader === this.#committed) this.#trim();
  }

  async #next(): Promise<void> {
    try {
      const r = await this.#source.next();
      if (this.#closed) return;
      if (r.done) {
        this.#ended = true;
        return;
      }
      const message = r.value;
      this.#check(message);
      this.#items.push(message);
      this.#count++;
      if (this.#keeping) {
        this.#bytes += message.byteLength;
        this.#budget.used += message.byteLength;
        if (this.#bytes > this.#perCallLimit || this.#budget.used > this.#budget.limit) {
          this.#keeping = false;
          this.#onOverflow();
        }
      }
    } catch (e) {
      this.#failure = { reason: e };
      this.#ended = true;
    } finally {
      this.#pull = undefined;
    }
  }
}

class Cursor implements ReplayCursor {
  readonly #buffer: ReplayBuffer;
  position = 0;

  constructor(buffer: ReplayBuffer) {
    this.#buffer = buffer;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: async () => {
        const item = await this.#buffer.at(this.position, this);
        if (item === undefined) return { done: true, value: undefined };
        this.position++;
        this.#buffer.taken(this);
        return { done: false, value: item };
      },
      return: () => Promise.resolve({ done: true, value: undefined }),
    };
  }
}
