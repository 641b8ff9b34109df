import * as http2 from "node:http2";
import * as net from "node:net";
import { setImmediate } from "node:timers";
import type { RpcError } from "../../mod.ts";
import { transportFailure } from "../../protocol.ts";
import type { Http2TransportOptions } from "./client-options.ts";
import { connectionFailure } from "./connection-failure.ts";
import { openConnectionWindow, windowSettings } from "./flow-control.ts";

/** See `maxStreamsPerConnection`: the Deno default works around a crash of Deno's node:http2. */
const DENO_MAX_STREAMS_PER_CONNECTION = 50;
const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";

/** How long `close()` lets running calls finish before dropping the connection. */
const CLOSE_GRACE_MS = 2_000;

interface Tracked {
  session: http2.ClientHttp2Session;
  calls: number;
  draining: boolean;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the last call ended (Date.now()). */
  idleSince: number;
  /** True once the server's SETTINGS arrived. */
  established: boolean;
  /** Calls started on the session so far. */
  streams: number;
  /** The session's own error, if it failed. */
  error: Error | undefined;
  /** Disconnect listeners were told of its end. */
  reported?: boolean;
}

/**
 * The client's connection to one server: one HTTP/2 session shared by every
 * call. A session that received GOAWAY or was lost is replaced by a new one
 * on the next call; failed connection attempts back off exponentially (with
 * jitter), and calls made while backing off fail fast with `UNAVAILABLE`. It
 * sends keepalive PINGs when asked, closes the session after an idle period,
 * and keeps the process alive only while calls are running.
 */
export class ClientSession {
  readonly #authority: string;
  readonly #options: Http2TransportOptions;
  #current: Tracked | undefined;
  readonly #all = new Set<Tracked>();
  #failures = 0;
  #retryAt = 0;
  #lastError: Error | undefined;
  #keepalive: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  readonly #maxStreams: number;
  readonly #disconnectListeners = new Set<(error: RpcError | undefined) => void>();

  /** Prepares a connection to `authority` (`http://…` or `https://…`); connects lazily. */
  constructor(authority: string, options: Http2TransportOptions) {
    this.#authority = authority;
    this.#options = options;
    this.#maxStreams = options.maxStreamsPerConnection ??
      (isDeno ? DENO_MAX_STREAMS_PER_CONNECTION : Infinity);
  }

  /**
   * The session for a new call: the current one, or a new connection.
   * Throws `UNAVAILABLE` while backing off after a failed attempt.
   */
  acquire(): http2.ClientHttp2Session {
    const t = this.#current;
    if (t !== undefined && !t.draining && !t.session.closed && !t.session.destroyed) {
      return t.session;
    }
    if (this.#closed) throw transportFailure("never-sent", "the transport was closed");
    const wait = this.#retryAt - Date.now();
    if (wait > 0) {
      throw connectionFailure({
        authority: this.#authority,
        error: this.#lastError,
        established: false,
        note: `next attempt in ${Math.ceil(wait)} ms`,
      });
    }
    return this.#connect().session;
  }

  /**
   * The error of a call on `session` that ended unanswered because the
   * connection failed or was lost; `streamError` is what its stream heard.
   */
  failure(session: http2.ClientHttp2Session, streamError: Error | undefined): RpcError {
    const t = this.#find(session);
    return connectionFailure({
      authority: this.#authority,
      error: streamError ?? t?.error,
      established: t?.established ?? false,
    });
  }

  /**
   * Connects now unless a connection is up, ignoring the reconnect backoff
   * (a channel asking keeps its own): resolves once the server's SETTINGS
   * arrived, rejects with the attempt-failure error of a failed connection.
   */
  connect(): Promise<void> {
    if (this.#closed) {
      return Promise.reject(transportFailure("never-sent", "the transport was closed"));
    }
    let t = this.#current;
    if (t === undefined || t.draining || t.session.closed || t.session.destroyed) {
      t = this.#connect();
    }
    if (t.established) return Promise.resolve();
    const tracked = t;
    return new Promise((resolve, reject) => {
      tracked.session.once("remoteSettings", () => resolve());
      tracked.session.once("close", () => {
        if (tracked.established) return;
        reject(connectionFailure({
          authority: this.#authority,
          error: tracked.error,
          established: false,
        }));
      });
    });
  }

  /**
   * Calls `listener` when a connection that was up goes away: `undefined`
   * after GOAWAY or an idle close, the error when it was lost. For channels.
   */
  onDisconnect(listener: (error: RpcError | undefined) => void): () => void {
    this.#disconnectListeners.add(listener);
    return () => this.#disconnectListeners.delete(listener);
  }

  #disconnected(t: Tracked, error: RpcError | undefined): void {
    if (!t.established || t.reported) return;
    t.reported = true;
    for (const listener of [...this.#disconnectListeners]) listener(error);
  }

  /** Marks `session` as no longer taking new calls (GOAWAY, or a refused call). */
  retire(session: http2.ClientHttp2Session): void {
    for (const t of this.#all) if (t.session === session) t.draining = true;
    if (this.#current?.session === session) this.#current = undefined;
  }

  /** Counts a call on `session` (keeps the process alive and the session open). */
  callStarted(session: http2.ClientHttp2Session): void {
    const t = this.#find(session);
    if (t === undefined) return;
    if (t.calls++ === 0) t.session.ref?.();
    // Past the per-connection limit the session takes no new calls and
    // closes once these are done (see maxStreamsPerConnection).
    if (++t.streams >= this.#maxStreams) this.retire(session);
  }

  /** Uncounts a call on `session`. */
  callEnded(session: http2.ClientHttp2Session): void {
    const t = this.#find(session);
    if (t === undefined || --t.calls > 0) return;
    if (!t.session.destroyed) t.session.unref?.();
    if (t.draining) {
      // On the next turn: not from inside node:http2's stream callbacks.
      setImmediate(() => {
        if (!t.session.closed && !t.session.destroyed) t.session.close();
      });
      return;
    }
    t.idleSince = Date.now();
    // One timer per idle period, not one per call: it re-arms itself while
    // calls keep coming and closes the session once it has really been idle.
    if (t.idleTimer === undefined) this.#armIdleTimer(t, this.#options.idleTimeoutMs ?? 300_000);
  }

  #armIdleTimer(t: Tracked, ms: number): void {
    if (ms <= 0 || t.session.closed) return;
    t.idleTimer = setTimeout(() => {
      t.idleTimer = undefined;
      if (t.calls > 0 || t.session.closed) return;
      const idle = this.#options.idleTimeoutMs ?? 300_000;
      const left = t.idleSince + idle - Date.now();
      if (left > 0) return this.#armIdleTimer(t, left);
      t.draining = true;
      if (this.#current === t) this.#current = undefined;
      t.session.close();
    }, ms);
    unrefTimer(t.idleTimer);
  }

  /** Closes every session: running calls finish, new ones fail. */
  close(): Promise<void> {
    this.#closed = true;
    if (this.#keepalive !== undefined) clearInterval(this.#keepalive);
    const closing = [...this.#all].map((t) =>
      new Promise<void>((resolve) => {
        if (t.idleTimer !== undefined) clearTimeout(t.idleTimer);
        if (t.session.destroyed) return resolve();
        // Without calls there is nothing to wait for; with calls, they get
        // a short while to finish before the connection is dropped.
        if (t.calls === 0) {
          t.session.destroy();
          return resolve();
        }
        t.session.once("close", () => resolve());
        t.session.ref?.();
        t.session.close();
        const timer = setTimeout(() => t.session.destroy(), CLOSE_GRACE_MS);
        t.session.once("close", () => clearTimeout(timer));
      })
    );
    this.#current = undefined;
    return Promise.all(closing).then(() => {});
  }

  #find(session: http2.ClientHttp2Session): Tracked | undefined {
    if (this.#current?.session === session) return this.#current;
    for (const t of this.#all) if (t.session === session) return t;
    return undefined;
  }

  #connect(): Tracked {
    const o = this.#options;
    const tls = o.tls ?? {};
    const session = http2.connect(this.#authority, {
      settings: { ...windowSettings(o), enablePush: false },
      ca: tls.ca as string | undefined,
      cert: tls.cert as string | undefined,
      key: tls.key as string | undefined,
      servername: tls.serverName,
      rejectUnauthorized: tls.rejectUnauthorized,
      ALPNProtocols: ["h2"],
      // A Unix domain socket (a channel's unix: target) instead of TCP.
      createConnection: o.socketPath === undefined
        ? undefined
        : () => net.connect({ path: o.socketPath! }),
    } as http2.SecureClientSessionOptions);
    const t: Tracked = {
      session,
      calls: 0,
      draining: false,
      idleTimer: undefined,
      idleSince: 0,
      established: false,
      error: undefined,
      streams: 0,
    };
    session.once("remoteSettings", () => (t.established = true));
    this.#current = t;
    this.#all.add(t);
    let connected = false;
    const connectTimeout = o.connectTimeoutMs ?? 20_000;
    const timer = connectTimeout > 0
      ? setTimeout(() => {
        if (!connected) session.destroy(new Error(`connect timeout after ${connectTimeout} ms`));
      }, connectTimeout)
      : undefined;
    if (timer !== undefined) unrefTimer(timer);
    session.on("connect", () => {
      connected = true;
      if (timer !== undefined) clearTimeout(timer);
      this.#failures = 0;
      this.#retryAt = 0;
      openConnectionWindow(session, o);
    });
    session.on("error", (e: Error) => {
      t.error = e;
      this.#lastError = e;
      if (!connected) this.#backOff();
    });
    session.on("goaway", () => {
      t.draining = true;
      if (this.#current === t) this.#current = undefined;
      this.#disconnected(t, undefined);
      // No destroy() here: this runs inside nghttp2's frame handling, and
      // Deno's nghttp2 asserts when a session is torn down from there.
    });
    session.on("close", () => {
      if (timer !== undefined) clearTimeout(timer);
      if (t.idleTimer !== undefined) clearTimeout(t.idleTimer);
      this.#all.delete(t);
      if (this.#current === t) this.#current = undefined;
      if (!connected && this.#retryAt === 0) this.#backOff();
      this.#disconnected(
        t,
        t.error === undefined
          ? undefined
          : connectionFailure({ authority: this.#authority, error: t.error, established: true }),
      );
    });
    // Only running calls keep the process alive.
    session.unref?.();
    this.#startKeepalive();
    return t;
  }

  #backOff(): void {
    const r = this.#options.reconnect ?? {};
    const initial = r.initialBackoffMs ?? 1_000;
    const max = r.maxBackoffMs ?? 120_000;
    const base = Math.min(max, initial * (r.multiplier ?? 1.6) ** this.#failures);
    const jitter = r.jitter ?? 0.2;
    this.#failures++;
    this.#retryAt = Date.now() + base * (1 + jitter * (Math.random() * 2 - 1));
  }

  #startKeepalive(): void {
    const k = this.#options.keepalive;
    const interval = k?.intervalMs ?? 0;
    if (interval <= 0 || this.#keepalive !== undefined) return;
    const timeout = k?.timeoutMs ?? 20_000;
    this.#keepalive = setInterval(() => {
      for (const t of this.#all) {
        if (t.session.destroyed || t.session.closed) continue;
        if (t.calls === 0 && !k?.withoutCalls) continue;
        let answered = false;
        const watchdog = setTimeout(() => {
          if (!answered) {
            t.session.destroy(new Error(`keepalive PING not answered in ${timeout} ms`));
          }
        }, timeout);
        unrefTimer(watchdog);
        try {
          t.session.ping((err) => {
            answered = true;
            clearTimeout(watchdog);
            if (err && !t.session.destroyed) t.session.destroy(err);
          });
        } catch {
          clearTimeout(watchdog);
        }
      }
    }, interval);
    unrefTimer(this.#keepalive);
  }
}

function unrefTimer(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}
