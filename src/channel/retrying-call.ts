import { attemptFailureOf, mayHaveBeenProcessed } from "../attempt-failure.ts";
import type { Clock } from "../clock.ts";
import { Code } from "../code.ts";
import { Metadata } from "../metadata.ts";
import { RpcError } from "../rpc-error.ts";
import { readSingleMessage, singleMessageStream } from "../single-message.ts";
import type { StreamTransportRequest, StreamTransportResponse } from "../transport.ts";
import { readPushback } from "./pushback.ts";
import { type BufferBudget, ReplayBuffer, type ReplayCursor } from "./replay-buffer.ts";
import type { RetryThrottle } from "./retry-throttle.ts";
import type { HedgingPolicy, MethodConfig, RetryPolicy } from "./service-config.ts";
import type { Subchannel } from "./subchannel.ts";

/** The header (and trailer) that counts the attempts before this one (gRFC A6). */
export const PREVIOUS_ATTEMPTS_KEY = "grpc-previous-rpc-attempts";

/**
 * How many attempts came before the one that answered, read from a call's
 * trailers or its error's metadata (`grpc-previous-rpc-attempts`); 0 for a
 * call answered by its first attempt. Interceptors read it to log retries.
 *
 * @example
 * ```ts
 * import { Metadata, previousAttempts } from "wirecall";
 * previousAttempts(new Metadata({ "grpc-previous-rpc-attempts": "2" })); // 2
 * ```
 */
export function previousAttempts(metadata: Metadata): number {
  const v = metadata.get(PREVIOUS_ATTEMPTS_KEY);
  const n = typeof v === "string" ? Number(v) : 0;
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/** What a call needs from its channel. */
export interface CallContext {
  /** The clock of backoff and hedging timers. */
  readonly clock: Clock;
  /** The channel's retry token bucket, when the service config has one. */
  readonly throttle: RetryThrottle | undefined;
  /** The channel-wide cap on buffered request bytes. */
  readonly budget: BufferBudget;
  /** The per-call cap on buffered request bytes. */
  readonly perCallBufferBytes: number;
  /** The random source of backoff. */
  readonly random: () => number;
  /** Whether the channel was closed. */
  readonly closed: boolean;
  /** Picks the subchannel of an attempt (waiting, with waitForReady, within the call's signal). */
  pick(
    waitForReady: boolean,
    signal: AbortSignal,
    avoid: ReadonlySet<Subchannel>,
  ): Promise<Subchannel>;
}

/** Never-sent attempts retried before giving up (they normally fail the pick before this). */
const MAX_TRANSPARENT_RETRIES = 16;

class Attempt {
  readonly controller = new AbortController();
  subchannel: Subchannel | undefined;
  cursor: ReplayCursor | undefined;
  /** Attempts before this one, sent as grpc-previous-rpc-attempts. */
  readonly previous: number;
  constructor(previous: number) {
    this.previous = previous;
  }
}

/**
 * One call through a channel: its attempts, retries or hedges (gRFC A6),
 * transparent retries of attempts that never reached the server, the
 * commit once response headers arrive, and the method config's timeout and
 * size limits. Resolves like `Transport.stream` once a committed attempt has
 * its response headers.
 */
export class RetryingCall {
  readonly result: Promise<StreamTransportResponse>;
  readonly #ctx: CallContext;
  readonly #req: StreamTransportRequest;
  readonly #config: MethodConfig | undefined;
  readonly #retry: RetryPolicy | undefined;
  readonly #hedge: HedgingPolicy | undefined;
  readonly #buffer: ReplayBuffer;
  readonly #controller = new AbortController();
  readonly #deadline: number | undefined;
  readonly #active = new Set<Attempt>();
  readonly #used = new Set<Subchannel>();
  #resolve!: (r: StreamTransportResponse) => void;
  #reject!: (e: unknown) => void;
  #done = false;
  #committed: Attempt | undefined;
  /** Attempts that count against maxAttempts. */
  #counted = 0;
  #transparentLeft = MAX_TRANSPARENT_RETRIES;
  /** Attempts handed to a transport. */
  #sent = 0;
  #unprocessedRetried = false;
  /** Retries so far, for the backoff's exponent (reset by a pushback). */
  #backoffStep = 0;
  #timer: unknown;
  #deadlineTimer: unknown;
  #noMoreHedges = false;
  #lastError: RpcError | undefined;
  readonly #onAbort: () => void;

  /** Starts the call. `retries: false` turns retry and hedging policies off. */
  constructor(
    ctx: CallContext,
    req: StreamTransportRequest,
    config: MethodConfig | undefined,
    retries: boolean,
  ) {
    this.#ctx = ctx;
    this.#req = req;
    this.#config = config;
    this.#retry = retries ? config?.retryPolicy : undefined;
    this.#hedge = retries ? config?.hedgingPolicy : undefined;
    this.result = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    const maxSend = config?.maxRequestMessageBytes;
    this.#buffer = new ReplayBuffer(
      req.messages,
      // Kept even without a policy: a transparent retry replays them too.
      ctx.perCallBufferBytes,
      ctx.budget,
      (m) => {
        if (maxSend !== undefined && m.byteLength > maxSend) {
          throw new RpcError(
            Code.RESOURCE_EXHAUSTED,
            `request message of ${m.byteLength} bytes exceeds the service config's ` +
              `maxRequestMessageBytes of ${maxSend}`,
          );
        }
      },
      () => this.#overflow(),
    );
    const now = ctx.clock.now();
    let deadline = req.timeoutMs === undefined ? undefined : now + req.timeoutMs;
    const configTimeout = config?.timeoutMs;
    if (configTimeout !== undefined && (deadline === undefined || now + configTimeout < deadline)) {
      deadline = now + configTimeout;
      this.#deadlineTimer = ctx.clock.setTimeout(() => {
        this.#abort(
          new RpcError(
            Code.DEADLINE_EXCEEDED,
            `deadline exceeded (the service config's timeout of ${configTimeout} ms)`,
          ),
        );
      }, configTimeout);
    }
    this.#deadline = deadline;
    this.#onAbort = () => this.#abort(req.signal.reason);
    if (req.signal.aborted) {
      this.#abort(req.signal.reason);
      return;
    }
    req.signal.addEventListener("abort", this.#onAbort, { once: true });
    if (this.#hedge !== undefined) this.#startHedge();
    else this.#start(true);
  }

  #abort(reason: unknown): void {
    if (!this.#controller.signal.aborted) this.#controller.abort(reason);
    this.#finish(RpcError.from(reason, Code.CANCELLED));
  }

  get #waitForReady(): boolean {
    return this.#config?.waitForReady === true;
  }

  #timeLeft(): number | undefined {
    return this.#deadline === undefined
      ? undefined
      : Math.max(0, this.#deadline - this.#ctx.clock.now());
  }

  /** Starts an attempt; `counted` ones count against maxAttempts. */
  #start(counted: boolean): void {
    if (this.#done) return;
    const attempt = new Attempt(Math.max(0, this.#counted - (counted ? 0 : 1)));
    if (counted) this.#counted++;
    this.#active.add(attempt);
    const signal = AbortSignal.any
      ? AbortSignal.any([this.#controller.signal, attempt.controller.signal])
      : attempt.controller.signal;
    if (!AbortSignal.any) {
      this.#controller.signal.addEventListener(
        "abort",
        () => attempt.controller.abort(this.#controller.signal.reason),
        { once: true },
      );
    }
    this.#run(attempt, signal);
  }

  async #run(attempt: Attempt, signal: AbortSignal): Promise<void> {
    let sc: Subchannel;
    try {
      sc = await this.#ctx.pick(this.#waitForReady, signal, this.#used);
    } catch (e) {
      this.#attemptFailed(attempt, e);
      return;
    }
    if (this.#done || signal.aborted) return this.#attemptFailed(attempt, signal.reason);
    attempt.subchannel = sc;
    this.#used.add(sc);
    // The client counted the first attempt; each further one is counted here.
    if (this.#sent++ > 0 && this.#req.stats !== undefined) this.#req.stats.attempts++;
    const metadata = new Metadata(this.#req.metadata);
    if (attempt.previous > 0) metadata.set(PREVIOUS_ATTEMPTS_KEY, String(attempt.previous));
    attempt.cursor = this.#buffer.cursor();
    let res: StreamTransportResponse;
    try {
      res = await sc.transport.stream({
        method: this.#req.method,
        contentSubtype: this.#req.contentSubtype,
        metadata,
        signal,
        timeoutMs: this.#timeLeft(),
        messages: attempt.cursor,
        // The endpoint's transport names itself in the call's stats (stats.peer).
        stats: this.#req.stats,
      });
      if (!this.#req.method.responseStream) {
        // A single response reaches the caller only once it is complete, with
        // its headers: until then nothing was exposed and the attempt can be
        // retried; streamed responses commit on their headers (gRFC A6).
        const message = await readSingleMessage(res.messages, this.#req.method.path);
        this.#checkResponseSize(message);
        res = { header: res.header, messages: singleMessageStream(message), trailer: res.trailer };
      }
    } catch (e) {
      sc.reportOutcome(e);
      this.#attemptFailed(attempt, e);
      return;
    }
    this.#headersArrived(attempt, sc, res);
  }

  #attemptFailed(attempt: Attempt, e: unknown): void {
    this.#active.delete(attempt);
    if (this.#done || attempt.controller.signal.aborted) return;
    const local = this.#buffer.localError;
    if (local !== undefined) return this.#finish(RpcError.from(local, Code.INTERNAL));
    if (this.#controller.signal.aborted) {
      return this.#finish(RpcError.from(this.#controller.signal.reason, Code.CANCELLED));
    }
    const error = RpcError.from(e, Code.UNAVAILABLE);
    this.#lastError = error;
    if (this.#ctx.closed) return this.#finish(error);
    const kind = attemptFailureOf(error);
    const replayable = this.#buffer.replayable || attempt.cursor === undefined ||
      attempt.cursor.position === 0;
    if (!mayHaveBeenProcessed(kind) && replayable && this.#committed === undefined) {
      // gRFC A6 transparent retry: the server's handler never saw it.
      if (kind === "unprocessed" ? !this.#unprocessedRetried : this.#transparentLeft > 0) {
        if (kind === "unprocessed") this.#unprocessedRetried = true;
        else this.#transparentLeft--;
        this.#start(false);
        return;
      }
    }
    if (this.#retry !== undefined) return this.#retryAfter(error);
    if (this.#hedge !== undefined) return this.#hedgeAfter(error);
    this.#finish(error);
  }

  #retryAfter(error: RpcError): void {
    const policy = this.#retry!;
    const retryable = policy.retryableStatusCodes.has(error.code);
    const pushback = readPushback(error);
    if (retryable || pushback.kind === "stop") this.#ctx.throttle?.recordFailure();
    if (
      !retryable || pushback.kind === "stop" || this.#committed !== undefined ||
      this.#counted >= policy.maxAttempts || !this.#buffer.replayable ||
      (this.#ctx.throttle !== undefined && !this.#ctx.throttle.allowsRetry)
    ) {
      return this.#finish(error);
    }
    let delay: number;
    if (pushback.kind === "after") {
      delay = pushback.ms;
      // After a pushback the backoff starts over from initialBackoff (gRFC A6).
      this.#backoffStep = 0;
    } else {
      const cap = Math.min(
        policy.initialBackoffMs * policy.backoffMultiplier ** this.#backoffStep,
        policy.maxBackoffMs,
      );
      delay = this.#ctx.random() * cap;
      this.#backoffStep++;
    }
    const left = this.#timeLeft();
    if (left !== undefined && delay >= left) return this.#finish(error);
    this.#timer = this.#ctx.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#start(true);
    }, delay);
  }

  #hedgeAfter(error: RpcError): void {
    const policy = this.#hedge!;
    const nonFatal = policy.nonFatalStatusCodes.has(error.code);
    const pushback = readPushback(error);
    if (nonFatal || pushback.kind === "stop") this.#ctx.throttle?.recordFailure();
    if (!nonFatal) return this.#finish(error);
    if (pushback.kind === "stop") this.#noMoreHedges = true;
    if (this.#canHedge()) {
      if (this.#timer !== undefined) this.#ctx.clock.clearTimeout(this.#timer);
      this.#timer = undefined;
      if (pushback.kind === "after") {
        this.#scheduleHedge(pushback.ms);
      } else {
        // A non-fatal failure sends the next hedge at once.
        this.#startHedge();
      }
      return;
    }
    if (this.#active.size === 0 && this.#timer === undefined) this.#finish(error);
  }

  #canHedge(): boolean {
    return !this.#noMoreHedges && this.#committed === undefined &&
      this.#counted < this.#hedge!.maxAttempts && this.#buffer.replayable &&
      (this.#ctx.throttle === undefined || this.#ctx.throttle.allowsRetry);
  }

  #startHedge(): void {
    this.#start(true);
    const delay = this.#hedge!.hedgingDelayMs;
    if (delay > 0) {
      if (this.#canHedge()) this.#scheduleHedge(delay);
      return;
    }
    // A zero delay sends every attempt at once.
    while (this.#canHedge() && !this.#done) this.#start(true);
  }

  #scheduleHedge(ms: number): void {
    this.#timer = this.#ctx.clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.#done) return;
      if (this.#canHedge()) {
        this.#startHedge();
      } else if (this.#active.size === 0) {
        this.#finish(this.#lastError ?? new RpcError(Code.UNAVAILABLE, "no attempt left"));
      }
    }, ms);
  }

  /** Buffered bytes ran over their cap: keep the attempt that has sent the most. */
  #overflow(): void {
    let best: Attempt | undefined;
    for (const a of this.#active) {
      if (best === undefined || (a.cursor?.position ?? -1) > (best.cursor?.position ?? -1)) {
        best = a;
      }
    }
    if (best !== undefined) this.#commit(best);
  }

  #commit(attempt: Attempt): void {
    if (this.#committed !== undefined) return;
    this.#committed = attempt;
    if (this.#timer !== undefined) this.#ctx.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (attempt.cursor !== undefined) this.#buffer.commit(attempt.cursor);
    for (const other of this.#active) {
      if (other === attempt) continue;
      other.controller.abort(new RpcError(Code.CANCELLED, "another attempt of the call answered"));
      this.#active.delete(other);
    }
  }

  #headersArrived(attempt: Attempt, sc: Subchannel, res: StreamTransportResponse): void {
    if (this.#done || attempt.controller.signal.aborted) {
      // A losing hedge: let go of its response.
      void (async () => {
        try {
          await res.messages[Symbol.asyncIterator]().return?.();
        } catch {
          // Nothing to do with a loser's error.
        }
      })();
      return;
    }
    this.#commit(attempt);
    this.#settleWith(attempt, sc, res);
  }

  #settleWith(attempt: Attempt, sc: Subchannel, res: StreamTransportResponse): void {
    const throttle = this.#ctx.throttle;
    const policyCodes = this.#retry?.retryableStatusCodes ?? this.#hedge?.nonFatalStatusCodes;
    const previous = attempt.previous;
    const trailer = res.trailer;
    const finish = (error: RpcError | undefined) => {
      sc.reportOutcome(error);
      if (error === undefined) throttle?.recordSuccess();
      else if (policyCodes?.has(error.code)) throttle?.recordFailure();
      this.#cleanup();
    };
    const controller = this.#controller;
    const cleanup = () => this.#cleanup();
    const check = (m: Uint8Array) => this.#checkResponseSize(m);
    const messages = (async function* () {
      let ended = false;
      try {
        for await (const m of res.messages) {
          check(m);
          yield m;
        }
        if (previous > 0) trailer.set(PREVIOUS_ATTEMPTS_KEY, String(previous));
        ended = true;
        finish(undefined);
      } catch (e) {
        const error = controller.signal.aborted
          ? RpcError.from(controller.signal.reason, Code.CANCELLED)
          : RpcError.from(e, Code.UNKNOWN);
        if (previous > 0) error.metadata.set(PREVIOUS_ATTEMPTS_KEY, String(previous));
        ended = true;
        attempt.controller.abort(error);
        finish(error);
        throw error;
      } finally {
        if (!ended) {
          // The caller stopped reading: cancel the attempt.
          attempt.controller.abort(new RpcError(Code.CANCELLED, "the caller stopped reading"));
          cleanup();
        }
      }
    })();
    this.#done = true;
    this.#resolve({ header: res.header, messages, trailer });
  }

  #checkResponseSize(message: Uint8Array): void {
    const max = this.#config?.maxResponseMessageBytes;
    if (max !== undefined && message.byteLength > max) {
      throw new RpcError(
        Code.RESOURCE_EXHAUSTED,
        `response message of ${message.byteLength} bytes exceeds the service config's ` +
          `maxResponseMessageBytes of ${max}`,
      );
    }
  }

  #cleanup(): void {
    if (this.#timer !== undefined) this.#ctx.clock.clearTimeout(this.#timer);
    if (this.#deadlineTimer !== undefined) this.#ctx.clock.clearTimeout(this.#deadlineTimer);
    this.#timer = this.#deadlineTimer = undefined;
    this.#req.signal.removeEventListener("abort", this.#onAbort);
    this.#buffer.close();
  }

  #finish(error: RpcError): void {
    if (this.#done) return;
    this.#done = true;
    for (const a of this.#active) a.controller.abort(error);
    this.#active.clear();
    const previous = Math.max(0, this.#counted - 1);
    if (previous > 0) error.metadata.set(PREVIOUS_ATTEMPTS_KEY, String(previous));
    this.#cleanup();
    this.#reject(error);
  }
}
