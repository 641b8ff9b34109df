import type { Clock } from "./clock.ts";
import { Code } from "./code.ts";
import type { HandlerContext } from "./handler-context.ts";
import { RpcError } from "./rpc-error.ts";

/**
 * The signal and deadline of one client call: it combines the caller's
 * `AbortSignal`, a timeout or absolute deadline, and a parent handler's
 * deadline and cancellation, and turns each into the right `RpcError`.
 */
export class CallScope {
  /** Aborted when the call must stop; the reason is always an `RpcError`. */
  readonly signal: AbortSignal;
  /** Milliseconds left at the start of the call, or undefined without a deadline. */
  readonly timeoutMs: number | undefined;
  readonly #controller: AbortController;
  readonly #clock: Clock;
  #timer: unknown;
  #unlink: Array<() => void> = [];

  /** Opens the scope of one call. */
  constructor(
    clock: Clock,
    timeoutMs: number | undefined,
    deadline: number | undefined,
    signal: AbortSignal | undefined,
    parent: HandlerContext | undefined,
  ) {
    this.#clock = clock;
    const controller = new AbortController();
    this.#controller = controller;
    this.signal = controller.signal;
    const now = clock.now();
    let end = deadline ?? (timeoutMs !== undefined ? now + timeoutMs : undefined);
    if (parent !== undefined) {
      const left = parent.timeRemaining();
      if (left !== undefined && (end === undefined || now + left < end)) end = now + left;
      this.#link(parent.signal);
    }
    if (signal !== undefined) this.#link(signal);
    if (end !== undefined) {
      const left = end - now;
      this.timeoutMs = Math.max(0, left);
      if (left <= 0) {
        this.abort(
          new RpcError(Code.DEADLINE_EXCEEDED, "deadline exceeded before the call started"),
        );
      } else {
        this.#timer = clock.setTimeout(
          () => this.abort(new RpcError(Code.DEADLINE_EXCEEDED, "deadline exceeded")),
          left,
        );
      }
    }
  }

  #link(signal: AbortSignal): void {
    if (signal.aborted) {
      this.abort(toCancel(signal.reason));
      return;
    }
    const onAbort = () => this.abort(toCancel(signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    this.#unlink.push(() => signal.removeEventListener("abort", onAbort));
  }

  /** Stops the call with `reason`. */
  abort(reason: RpcError): void {
    if (!this.#controller.signal.aborted) this.#controller.abort(reason);
  }

  /** The error a failed call reports: the abort reason wins over what the transport saw. */
  error(e: unknown): RpcError {
    if (this.signal.aborted) return this.signal.reason as RpcError;
    return RpcError.from(e, Code.INTERNAL);
  }

  /** Releases the timer and listeners once the call is over. */
  done(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    for (const f of this.#unlink) f();
    this.#unlink.length = 0;
  }
}

function toCancel(reason: unknown): RpcError {
  if (reason instanceof RpcError) return reason;
  const e = RpcError.from(reason, Code.CANCELLED);
  return e.code === Code.DEADLINE_EXCEEDED || e.code === Code.CANCELLED
    ? e
    : new RpcError(Code.CANCELLED, `call cancelled: ${e.rawMessage}`, { cause: reason });
}
