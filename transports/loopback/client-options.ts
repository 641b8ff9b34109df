import type { Clock, Code, MethodInfo } from "../../mod.ts";
import * as z from "zod/mini";
import { byteLimitOption, clockOption, durationOption, functionOption } from "../../protocol.ts";

/** Faults the loopback can inject, for testing how callers cope. */
export interface LoopbackFaults {
  /** Added delay, on the clock, before the server sees a call and before the status arrives. */
  latencyMs?: number;
  /** Fail every call with this status without reaching the server (a trailers-only answer). */
  failWith?: { code: Code; message?: string };
  /** Drop the connection after this many response messages: the client sees `UNAVAILABLE`, the handler `CANCELLED`. */
  dropAfterMessages?: number;
}

/** Options of `createLoopbackTransport`. */
export interface LoopbackOptions {
  /** The clock for injected latency (default: the router's clock). */
  clock?: Clock;
  /** Largest message either side accepts (default 4 MiB): over it is `RESOURCE_EXHAUSTED`. */
  maxReceiveMessageBytes?: number;
  /** Faults for every call, or a function choosing them per method. */
  faults?: LoopbackFaults | ((method: MethodInfo) => LoopbackFaults | undefined);
}

const faultsSchema = z.strictObject({
  latencyMs: z.optional(durationOption),
  failWith: z.optional(z.strictObject({ code: z.number(), message: z.optional(z.string()) })),
  dropAfterMessages: z.optional(z.number().check(z.int(), z.nonnegative())),
});
/** The zod schema of {@link LoopbackOptions}. */
export const loopbackOptionsSchema = z.strictObject({
  clock: z.optional(clockOption),
  maxReceiveMessageBytes: z.optional(byteLimitOption),
  faults: z.optional(z.union([faultsSchema, functionOption])),
});
