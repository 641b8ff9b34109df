import type { Clock } from "./clock.ts";
import { Code } from "./code.ts";
import { Deadline } from "./deadline.ts";
import type { HandlerContext } from "./handler-context.ts";
import { RpcError } from "./rpc-error.ts";

/**
 * The signal of one client call: it links the caller's `AbortSignal`, the
 * call's {@link Deadline} and a parent handler's cancellation into one
 * signal, and turns each into the right `RpcError`.
 */
export class CallScope {
  /** Aborted when the call must stop; the reason is always an `RpcError`. */
  readonly signal: AbortSignal;
  /** Milliseconds left at the start of the call, or undefined without a deadline. */
  readonly timeoutMs: number | undefined;
  readonly #controller: AbortController;
  readonly #deadline: Deadline | undefined;
  #unlink: Array<() => void> = [];

  /**
   * Opens the scope of one call. `deadline` is a `Date` or a time on
   * `clock`; the earliest of it, `timeoutMs` and the parent's deadline ends
   * the call (see {@link Deadline.of}).
   */
  constructor(
    clock: Clock,
    timeoutMs: number | undefined,
    deadline: number | Date | undefined,
    signal: AbortSignal | undefined,
    parent: HandlerContext | undefined,
  ) {
    const controller = new AbortController();
    this.#controller = controller;
    this.signal = controller.signal;
    if (parent !== undefined) this.#link(parent.signal);
    if (signal !== undefined) this.#link(signal);
    const end = Deadline.of(clock, { timeoutMs, deadline, parent });
    this.#deadline = end;
    if (end !== undefined) {
      this.timeoutMs = end.timeoutMs;
      end.arm((e) => this.abort(e));
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
    this.#deadline?.disarm();
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
