/**
 * A streaming response body that a server call writes into: `enqueue`
 * returns a promise while the reader is behind (backpressure), and the
 * reader going away is reported once through `onCancel`. Shared by the
 * fetch-handler protocols that stream a response (Connect, REST).
 */
export class ResponseBodyStream {
  /** The body to hand to `new Response(...)`. */
  readonly readable: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #drained: (() => void) | undefined;
  #closed = false;

  /** `onCancel` runs when the reader cancels the body (the client went away). */
  constructor(onCancel: () => void, highWaterMark = 8) {
    this.readable = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.#controller = c;
      },
      pull: () => this.#wake(),
      cancel: () => {
        this.#closed = true;
        this.#wake();
        onCancel();
      },
    }, { highWaterMark });
  }

  #wake(): void {
    const w = this.#drained;
    this.#drained = undefined;
    w?.();
  }

  /** Adds bytes; the promise, when there is one, resolves once the reader wants more. */
  enqueue(bytes: Uint8Array): void | Promise<void> {
    if (this.#closed) return;
    this.#controller.enqueue(bytes);
    const size = this.#controller.desiredSize;
    if (size !== null && size <= 0) {
      return new Promise((resolve) => (this.#drained = resolve));
    }
  }

  /** Ends the body; later writes are dropped. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake();
    try {
      this.#controller.close();
    } catch {
      // Already cancelled by the runtime.
    }
  }
}
