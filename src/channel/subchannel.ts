import { attemptFailureOf, isConnectionFailure } from "../attempt-failure.ts";
import type { Clock } from "../clock.ts";
import { Code } from "../code.ts";
import { RpcError } from "../rpc-error.ts";
import type { Transport } from "../transport.ts";
import { Backoff, type BackoffOptions } from "./backoff.ts";
import type { ConnectivityState } from "./connectivity-state.ts";
import { type HealthReport, HealthWatch } from "./health-check.ts";
import type { Endpoint } from "./target.ts";

/** What a subchannel needs from its channel. */
export interface SubchannelOptions {
  /** The clock backoff timers run on. */
  clock: Clock;
  /** Backoff between failed connection attempts. */
  backoff?: BackoffOptions;
  /** The service to watch with `grpc.health.v1.Health/Watch`, or undefined for no health checking. */
  healthCheckServiceName?: string;
  /** The random source of jitter. */
  random?: () => number;
}

/**
 * One endpoint of a channel and its transport, with a connectivity state.
 * A transport with `connectivity` (HTTP/2) is connected on request and its
 * state follows the connection; a connectionless one (`fetch`) counts as
 * ready until calls fail with a connection failure, and is probed again once
 * its backoff is over. A failed endpoint goes to `transient_failure` and,
 * after an exponential backoff on the clock, back to `idle`, from where the
 * balancer reconnects it. With health checking, `ready` also needs the
 * endpoint's health service to report `SERVING`.
 */
export class Subchannel {
  /** The endpoint. */
  readonly endpoint: Endpoint;
  /** The transport carrying calls to it. */
  readonly transport: Transport;
  readonly #options: SubchannelOptions;
  readonly #backoff: Backoff;
  readonly #listeners = new Set<(sc: Subchannel) => void>();
  #state: ConnectivityState = "idle";
  #lastError: RpcError | undefined;
  #timer: unknown;
  #unsubscribe: (() => void) | undefined;
  #health: HealthWatch | undefined;
  /** Health checking found no health service on the endpoint. */
  #healthOff = false;
  /** The connection is up (or assumed up, for a connectionless transport). */
  #connected = false;
  #connectSeq = 0;
  /** How many balancers hold this subchannel. */
  refs = 0;

  /** Wraps `transport`, which carries calls to `endpoint`. */
  constructor(endpoint: Endpoint, transport: Transport, options: SubchannelOptions) {
    this.endpoint = endpoint;
    this.transport = transport;
    this.#options = options;
    this.#backoff = new Backoff(options.backoff, options.random);
  }

  /** The connectivity state. */
  get state(): ConnectivityState {
    return this.#state;
  }

  /** Why the endpoint last failed, for error messages. */
  get lastError(): RpcError | undefined {
    return this.#lastError;
  }

  /** Calls `listener` on every state change; returns a function that unsubscribes. */
  watch(listener: (sc: Subchannel) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #set(state: ConnectivityState, error?: RpcError): void {
    if (error !== undefined) this.#lastError = error;
    if (this.#state === state || this.#state === "shutdown") return;
    this.#state = state;
    for (const listener of [...this.#listeners]) listener(this);
  }

  /** Starts connecting when idle; does nothing otherwise. */
  connect(): void {
    if (this.#state !== "idle") return;
    this.#set("connecting");
    const connectivity = this.transport.connectivity;
    if (connectivity === undefined) {
      this.#onConnected();
      return;
    }
    const seq = ++this.#connectSeq;
    let attempt: Promise<void>;
    try {
      attempt = connectivity.connect();
    } catch (e) {
      attempt = Promise.reject(e);
    }
    attempt.then(
      () => {
        if (seq !== this.#connectSeq || this.#state !== "connecting") return;
        this.#backoff.reset();
        this.#unsubscribe?.();
        this.#unsubscribe = connectivity.onDisconnect((error) => this.#onDisconnect(error));
        this.#onConnected();
      },
      (e) => {
        if (seq !== this.#connectSeq || this.#state !== "connecting") return;
        this.#fail(RpcError.from(e, Code.UNAVAILABLE));
      },
    );
  }

  #onConnected(): void {
    this.#connected = true;
    const service = this.#options.healthCheckServiceName;
    if (service === undefined || this.#healthOff) {
      this.#set("ready");
      return;
    }
    // Stay connecting until the first health report (gRFC A17).
    this.#health?.stop();
    this.#health = new HealthWatch(
      this.transport,
      service,
      this.#options.clock,
      (report) => this.#onHealth(report),
      this.#options.backoff,
      this.#options.random,
    );
  }

  #onHealth(report: HealthReport): void {
    if (!this.#connected || this.#state === "shutdown") return;
    switch (report.kind) {
      case "serving":
        this.#backoff.reset();
        this.#set("ready");
        break;
      case "unimplemented":
        this.#healthOff = true;
        this.#health = undefined;
        this.#set("ready");
        break;
      case "not_serving":
        this.#set("transient_failure", report.error);
        break;
      case "restarting":
        this.#set("connecting");
        break;
    }
  }

  #onDisconnect(error: RpcError | undefined): void {
    if (this.#state === "shutdown") return;
    this.#stopConnection();
    if (error !== undefined) this.#lastError = error;
    // A connection that was up and went away is idle; the balancer reconnects.
    this.#set("idle");
  }

  #stopConnection(): void {
    this.#connected = false;
    this.#connectSeq++;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#health?.stop();
    this.#health = undefined;
  }

  #fail(error: RpcError): void {
    this.#stopConnection();
    this.#set("transient_failure", error);
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = this.#options.clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.#state === "transient_failure") this.#set("idle");
    }, this.#backoff.next());
  }

  /**
   * Learns from the outcome of a call made through this subchannel: a
   * connection failure fails the endpoint (with backoff); any answer from the
   * server shows a connectionless endpoint works.
   */
  reportOutcome(error: unknown): void {
    if (this.#state === "shutdown") return;
    if (error === undefined) {
      if (this.transport.connectivity === undefined) this.#backoff.reset();
      return;
    }
    const kind = attemptFailureOf(error);
    if (!isConnectionFailure(kind) && kind !== "never-sent") return;
    if (this.#state !== "ready" && this.#state !== "connecting") return;
    const e = RpcError.from(error, Code.UNAVAILABLE);
    if (kind === "lost" && this.transport.connectivity !== undefined) {
      // The disconnect listener normally says so first; the call may be quicker.
      this.#onDisconnect(e);
      return;
    }
    this.#fail(e);
  }

  /** Stops the subchannel and closes its transport. */
  shutdown(): Promise<void> {
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#stopConnection();
    this.#state = "shutdown";
    this.#listeners.clear();
    return this.transport.close?.() ?? Promise.resolve();
  }
}
