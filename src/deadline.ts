import type { Clock } from "./clock.ts";
import { Code } from "./code.ts";
import type { HandlerContext } from "./handler-context.ts";
import { RpcError } from "./rpc-error.ts";

/** What a client call's deadline is made of (see {@link callDeadline}). */
export interface DeadlineSources {
  /** A timeout in ms from now. */
  timeoutMs?: number;
  /** An absolute deadline: a `Date` (wall clock), or a time on the clock. */
  deadline?: number | Date;
  /** A handler whose call this one is made from: its deadline caps this one. */
  parent?: HandlerContext;
}

/**
 * When one call ends, and what fires then. Every deadline in wirecall — a
 * client call's (from `timeoutMs`, an absolute `deadline`, a parent
 * handler's deadline), a handler's (from the request's `grpc-timeout`) — is
 * one of these, measured on the injected {@link Clock}: tests pass a
 * `ManualClock` and never sleep.
 *
 * @example
 * ```ts
 * import { ManualClock } from "wirecall";
 * import { Deadline } from "wirecall/protocol";
 * const clock = new ManualClock();
 * const deadline = Deadline.after(clock, 1_000);
 * deadline.arm((e) => console.log(e.code)); // Code.DEADLINE_EXCEEDED, once 1 s has passed
 * await clock.advance(1_000);
 * ```
 */
export class Deadline {
  /** The clock the deadline is measured on. */
  readonly clock: Clock;
  /** The time on {@link clock} at which the call ends. */
  readonly at: number;
  /** The time on {@link clock} at which the deadline was set. */
  readonly since: number;
  #timer: unknown;

  /** A deadline at time `at` on `clock`, set at time `since` (default: now). */
  constructor(clock: Clock, at: number, since: number = clock.now()) {
    this.clock = clock;
    this.at = at;
    this.since = since;
  }

  /** A deadline `timeoutMs` from now. */
  static after(clock: Clock, timeoutMs: number): Deadline {
    const now = clock.now();
    return new Deadline(clock, now + timeoutMs, now);
  }

  /**
   * The deadline of a client call: the earliest of its timeout, its
   * absolute deadline and its parent handler's deadline, or undefined when
   * none is set. A `Date` is read on the wall clock and moved onto `clock`.
   */
  static of(clock: Clock, sources: DeadlineSources): Deadline | undefined {
    const now = clock.now();
    const { timeoutMs, deadline, parent } = sources;
    let at = deadline instanceof Date
      ? now + (deadline.getTime() - Date.now())
      : deadline ?? (timeoutMs !== undefined ? now + timeoutMs : undefined);
    const inherited = parent?.timeRemaining();
    if (inherited !== undefined && (at === undefined || now + inherited < at)) {
      at = now + inherited;
    }
    return at === undefined ? undefined : new Deadline(clock, at, now);
  }

  /** The time the call had when the deadline was set, in ms (zero when already passed). */
  get timeoutMs(): number {
    return Math.max(0, this.at - this.since);
  }

  /** Milliseconds left, zero once passed. */
  timeRemaining(): number {
    return Math.max(0, this.at - this.clock.now());
  }

  /**
   * Calls `onExpire` with a `DEADLINE_EXCEEDED` error when the deadline
   * passes: at once when it already has, else from a timer on the clock.
   * One timer per deadline; {@link disarm} cancels it.
   */
  arm(onExpire: (error: RpcError) => void): void {
    const left = this.at - this.clock.now();
    if (left <= 0) {
      onExpire(new RpcError(Code.DEADLINE_EXCEEDED, "deadline exceeded before the call started"));
      return;
    }
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = undefined;
      onExpire(new RpcError(Code.DEADLINE_EXCEEDED, "deadline exceeded"));
    }, left);
  }

  /** Cancels the timer of {@link arm}, once the call is over. */
  disarm(): void {
    if (this.#timer === undefined) return;
    this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * What a cancellation that arrives now stands for. A client whose deadline
   * passes resets the stream a moment before the server's own timer fires
   * (it started counting earlier, on another clock); a `CANCELLED` within
   * 10% of the timeout of the deadline (and at least 20 ms) is therefore the
   * deadline, so that both sides report `DEADLINE_EXCEEDED`. Anything else
   * stands for itself.
   */
  explain(cancel: RpcError): RpcError {
    if (cancel.code !== Code.CANCELLED) return cancel;
    const left = this.at - this.clock.now();
    if (left > Math.max(20, (this.at - this.since) * 0.1)) return cancel;
    return new RpcError(Code.DEADLINE_EXCEEDED, "deadline exceeded", { cause: cancel });
  }
}
