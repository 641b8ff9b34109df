import { RetryInfoSchema } from "../gen/google/rpc/error_details_pb.ts";
import type { Metadata } from "../metadata.ts";
import type { RpcError } from "../rpc-error.ts";

/** What the server said about retrying a failed attempt. */
export type Pushback =
  /** Nothing: the policy's own backoff applies. */
  | { readonly kind: "none" }
  /** Retry after exactly this many ms. */
  | { readonly kind: "after"; readonly ms: number }
  /** Do not retry (a negative or malformed `grpc-retry-pushback-ms`). */
  | { readonly kind: "stop" };

const int32 = /^-?(?:0|[1-9]\d{0,9})$/;

/**
 * Reads the server's retry advice from a failed attempt: the
 * `grpc-retry-pushback-ms` trailer of gRFC A6 (a non-negative integer: wait
 * that long; negative or malformed: do not retry), else a
 * `google.rpc.RetryInfo` detail's `retry_delay` (wait that long).
 *
 * @example
 * ```ts
 * import { Code, Metadata, readPushback, RpcError } from "wirecall";
 * const e = new RpcError(Code.UNAVAILABLE, "busy", {
 *   metadata: new Metadata({ "grpc-retry-pushback-ms": "250" }),
 * });
 * readPushback(e); // { kind: "after", ms: 250 }
 * ```
 */
export function readPushback(error: RpcError): Pushback {
  const header = pushbackHeader(error.metadata);
  if (header !== undefined) return header;
  let info;
  try {
    info = error.findDetails(RetryInfoSchema)[0];
  } catch {
    info = undefined;
  }
  const delay = info?.retryDelay;
  if (delay !== undefined) {
    const ms = Number(delay.seconds) * 1000 + delay.nanos / 1e6;
    if (ms >= 0 && Number.isFinite(ms)) return { kind: "after", ms };
  }
  return { kind: "none" };
}

function pushbackHeader(md: Metadata): Pushback | undefined {
  const value = md.get("grpc-retry-pushback-ms");
  if (value === undefined) return undefined;
  const text = typeof value === "string" ? value.trim() : "";
  if (!int32.test(text)) return { kind: "stop" };
  const ms = Number(text);
  if (ms < 0 || ms > 0x7fffffff) return { kind: "stop" };
  return { kind: "after", ms };
}
