import * as z from "zod/mini";
import { watchClientCall, watchServerCall } from "./call-outcome.ts";
import type { CallStats } from "./call-stats.ts";
import { type Clock, systemClock } from "./clock.ts";
import { codeName } from "./code.ts";
import type { ClientInterceptor, ServerInterceptor } from "./interceptor.ts";
import type { MethodInfo, MethodKind } from "./method.ts";
import { clockOption, functionOption, parseOptions } from "./options.ts";
import type { RpcError } from "./rpc-error.ts";

/** One call, as the call logger writes it: one entry per call, when it ends. */
export interface CallLogEntry {
  /** Which side logged it. */
  side: "client" | "server";
  /** The method path, `/pkg.Service/Method`. */
  method: string;
  /** The call kind. */
  kind: MethodKind;
  /** The other end: the caller's address on a server, the endpoint on a client (when known). */
  peer: string | undefined;
  /** The status code's name: `"OK"`, `"NOT_FOUND"`, … */
  code: string;
  /** The status message, for a failed call. */
  message?: string;
  /** From the call's start to its end, in ms on the logger's clock. */
  durationMs: number;
  /** The deadline the call started with, in ms from its start, when it had one. */
  timeoutMs?: number;
  /** Request messages (sent by a client, received by a server). */
  requestMessages: number;
  /** Their serialized size in bytes, before compression. */
  requestBytes: number;
  /** Response messages. */
  responseMessages: number;
  /** Their serialized size in bytes, before compression. */
  responseBytes: number;
  /** Transport attempts (client side): more than 1 when the call was retried or hedged. */
  attempt?: number;
}

/** Options of {@link createCallLogger}. */
export interface CallLoggerOptions {
  /**
   * Where entries go (default: one JSON line per call on `console.log`, with
   * an ISO `time` first).
   */
  log?: (entry: CallLogEntry) => void;
  /** Which calls to log (default: all). */
  filter?: (method: MethodInfo) => boolean;
  /** The clock durations are measured on (default: the system clock). */
  clock?: Clock;
}

/** Built when used, so bundles that never call the factory drop it. */
const optionsSchema = () =>
  z.strictObject({
    log: z.optional(functionOption),
    filter: z.optional(functionOption),
    clock: z.optional(clockOption),
  });

/** A client and a server interceptor writing one structured entry per call. */
export interface CallLogger {
  /** Logs the calls of a client: `createClient(S, t, { interceptors: [logger.client] })`. */
  readonly client: ClientInterceptor;
  /** Logs the calls a router serves: `createRouter({ interceptors: [logger.server] })`. */
  readonly server: ServerInterceptor;
}

function defaultLog(entry: CallLogEntry): void {
  console.log(JSON.stringify({ time: new Date().toISOString(), ...entry }));
}

function entryOf(
  side: "client" | "server",
  method: MethodInfo,
  peer: string | undefined,
  error: RpcError | undefined,
  durationMs: number,
  timeoutMs: number | undefined,
  stats: CallStats | undefined,
): CallLogEntry {
  const sent = side === "client";
  const entry: CallLogEntry = {
    side,
    method: method.path,
    kind: method.kind,
    peer,
    code: codeName(error?.code ?? 0),
    durationMs,
    requestMessages: (sent ? stats?.sentMessages : stats?.receivedMessages) ?? 0,
    requestBytes: (sent ? stats?.sentBytes : stats?.receivedBytes) ?? 0,
    responseMessages: (sent ? stats?.receivedMessages : stats?.sentMessages) ?? 0,
    responseBytes: (sent ? stats?.receivedBytes : stats?.sentBytes) ?? 0,
  };
  if (error !== undefined) entry.message = error.rawMessage;
  if (timeoutMs !== undefined) entry.timeoutMs = timeoutMs;
  if (sent) entry.attempt = stats?.attempts ?? 1;
  return entry;
}

/**
 * Creates a call logger: interceptors for clients and servers that write
 * one structured entry per call when it ends — method, peer, status code,
 * duration, message counts and sizes, and the attempt count — for every call
 * kind on every transport.
 *
 * @example
 * ```ts
 * import { createCallLogger, createRouter } from "wirecall";
 * const logger = createCallLogger(); // JSON lines on console.log
 * const router = createRouter({ interceptors: [logger.server] });
 * // {"time":"…","side":"server","method":"/wirecall.demo.v1.DemoService/Greet","kind":"unary",
 * //  "peer":"127.0.0.1:53122","code":"OK","durationMs":0.4,"requestMessages":1,…}
 * ```
 */
export function createCallLogger(options?: CallLoggerOptions): CallLogger {
  const opts = parseOptions("call logger", optionsSchema(), options) as CallLoggerOptions;
  const log = opts.log ?? defaultLog;
  const filter = opts.filter;
  const clock = opts.clock ?? systemClock;
  const write = (entry: CallLogEntry) => {
    try {
      log(entry);
    } catch {
      // A failing sink must not fail the call it logs.
    }
  };
  return {
    client: (next) => (req) => {
      if (filter !== undefined && !filter(req.method)) return next(req);
      const start = clock.now();
      const timeoutMs = req.timeoutMs;
      return watchClientCall(next, req, (error) =>
        write(
          entryOf(
            "client",
            req.method,
            req.stats?.peer,
            error,
            clock.now() - start,
            timeoutMs,
            req.stats,
          ),
        ));
    },
    server: (next) => (req) => {
      if (filter !== undefined && !filter(req.method)) return next(req);
      const start = clock.now();
      const ctx = req.context;
      const timeoutMs = ctx.deadline === undefined ? undefined : ctx.deadline - start;
      return watchServerCall(next, req, (error) =>
        write(
          entryOf(
            "server",
            req.method,
            ctx.peer.address,
            error,
            clock.now() - start,
            timeoutMs,
            req.stats,
          ),
        ));
    },
  };
}
