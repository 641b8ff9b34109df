import type * as http2 from "node:http2";
import { setImmediate } from "node:timers";
import * as z from "zod/mini";
import { durationOption } from "../../protocol.ts";

/**
 * How the server polices and ages its connections — grpc-go's
 * `keepalive.ServerParameters` and `keepalive.EnforcementPolicy`, with the
 * same defaults.
 */
export interface ServerKeepaliveOptions {
  /**
   * The least time a client must leave between PINGs (default 5 min, grpc-go's
   * `MinTime`). A client that pings more often, or pings with no call running
   * when `permitWithoutCalls` is off, earns a strike; past `maxPingStrikes`
   * the connection ends with GOAWAY(ENHANCE_YOUR_CALM, "too_many_pings").
   */
  minPingIntervalMs?: number;
  /** Allow PINGs while no call runs (default false, grpc-go's `PermitWithoutStream`). */
  permitWithoutCalls?: boolean;
  /** Strikes tolerated before the connection is ended (default 2, as grpc-go). */
  maxPingStrikes?: number;
  /** Close (GOAWAY) a connection that has had no call for this long (default: never). */
  maxConnectionIdleMs?: number;
  /** Close (GOAWAY) a connection this old, ±10% jitter (default: never). */
  maxConnectionAgeMs?: number;
  /** After `maxConnectionAgeMs`, how long running calls may go on before the connection is dropped (default: no limit). */
  maxConnectionAgeGraceMs?: number;
  /** The server PINGs a connection idle this long (default 2 h, grpc-go's `Time`). */
  timeMs?: number;
  /** A server PING unanswered this long drops the connection (default 20 s). */
  timeoutMs?: number;
}

/** The zod schema of {@link ServerKeepaliveOptions}. */
export const serverKeepaliveSchema = z.strictObject({
  minPingIntervalMs: z.optional(durationOption),
  permitWithoutCalls: z.optional(z.boolean()),
  maxPingStrikes: z.optional(z.number().check(z.int(), z.gte(0))),
  maxConnectionIdleMs: z.optional(durationOption),
  maxConnectionAgeMs: z.optional(durationOption),
  maxConnectionAgeGraceMs: z.optional(durationOption),
  timeMs: z.optional(durationOption),
  timeoutMs: z.optional(durationOption),
});

const ENHANCE_YOUR_CALM = 0xb;
/** grpc-go lets a client ping without calls once per this period. */
const PING_WITHOUT_CALLS_PERIOD_MS = 2 * 60 * 60 * 1000;

/** What the server tells the policy about one connection. */
export interface PolicedConnection {
  /** A call started on the connection. */
  callStarted(): void;
  /** A call on the connection ended. */
  callEnded(): void;
}

type Timer = ReturnType<typeof setTimeout>;

function unref(t: Timer): Timer {
  (t as { unref?: () => void }).unref?.();
  return t;
}

/**
 * Applies `options` to one server session: ping enforcement, idle and age
 * limits and server keepalive PINGs. Every timer is cleared when the
 * session closes; none keeps the process alive.
 */
export function policeConnection(
  session: http2.ServerHttp2Session,
  options: ServerKeepaliveOptions,
): PolicedConnection {
  const minInterval = options.minPingIntervalMs ?? 5 * 60 * 1000;
  const permitWithoutCalls = options.permitWithoutCalls ?? false;
  const maxStrikes = options.maxPingStrikes ?? 2;
  const timers = new Set<Timer>();
  let calls = 0;
  let strikes = 0;
  let lastPing = -Infinity;
  let lastActivity = Date.now();
  let idleTimer: Timer | undefined;
  let ended = false;

  const later = (ms: number, run: () => void): Timer => {
    const t = unref(setTimeout(() => {
      timers.delete(t);
      if (!ended && !session.destroyed) run();
    }, ms));
    timers.add(t);
    return t;
  };
  const cancel = (t: Timer | undefined) => {
    if (t === undefined) return;
    clearTimeout(t);
    timers.delete(t);
  };
  session.once("close", () => {
    ended = true;
    for (const t of timers) clearTimeout(t);
    timers.clear();
  });

  session.on("ping", () => {
    const now = Date.now();
    let strike: boolean;
    if (calls === 0 && !permitWithoutCalls) strike = now - lastPing < PING_WITHOUT_CALLS_PERIOD_MS;
    else strike = now - lastPing < minInterval;
    lastPing = now;
    if (!strike || ++strikes <= maxStrikes) return;
    // Outside nghttp2's frame callback: on the next turn.
    setImmediate(() => {
      if (session.destroyed) return;
      try {
        session.goaway(ENHANCE_YOUR_CALM, 0, new TextEncoder().encode("too_many_pings"));
      } catch {
        // Already going away.
      }
      later(100, () => session.destroy());
    });
  });

  const maxIdle = options.maxConnectionIdleMs;
  const armIdle = () => {
    if (maxIdle === undefined || maxIdle === Infinity) return;
    cancel(idleTimer);
    idleTimer = later(maxIdle, () => session.close());
  };
  armIdle();

  const maxAge = options.maxConnectionAgeMs;
  if (maxAge !== undefined && maxAge !== Infinity) {
    const jittered = maxAge * (0.9 + Math.random() * 0.2);
    later(jittered, () => {
      session.close();
      const grace = options.maxConnectionAgeGraceMs;
      if (grace !== undefined && grace !== Infinity) later(grace, () => session.destroy());
    });
  }

  const time = options.timeMs ?? 2 * 60 * 60 * 1000;
  const timeout = options.timeoutMs ?? 20_000;
  if (time !== Infinity) {
    const check = () => {
      const quiet = Date.now() - lastActivity;
      if (quiet < time) {
        later(time - quiet, check);
        return;
      }
      const watchdog = later(timeout, () => session.destroy());
      try {
        session.ping((err) => {
          cancel(watchdog);
          if (err) return;
          lastActivity = Date.now();
          later(time, check);
        });
      } catch {
        cancel(watchdog);
      }
    };
    later(time, check);
  }

  return {
    callStarted() {
      calls++;
      lastActivity = Date.now();
      // grpc-go forgives strikes once the server sends data again.
      strikes = 0;
      cancel(idleTimer);
      idleTimer = undefined;
    },
    callEnded() {
      calls--;
      lastActivity = Date.now();
      if (calls === 0) armIdle();
    },
  };
}
