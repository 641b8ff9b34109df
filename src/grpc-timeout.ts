const unitMs: Record<string, number> = {
  H: 3_600_000,
  M: 60_000,
  S: 1_000,
  m: 1,
  u: 0.001,
  n: 0.000001,
};

/**
 * Parses a `grpc-timeout` header (1–8 digits and one of `H M S m u n`) into
 * milliseconds. Returns `undefined` for a malformed value, which a server
 * must treat as an error rather than as "no deadline".
 *
 * @example
 * ```ts
 * import { parseGrpcTimeout } from "wirecall/protocol";
 * parseGrpcTimeout("1500m"); // 1500
 * parseGrpcTimeout("2S"); // 2000
 * parseGrpcTimeout("123456789S"); // undefined: more than 8 digits
 * ```
 */
export function parseGrpcTimeout(value: string): number | undefined {
  const length = value.length;
  if (length < 2 || length > 9) return undefined;
  const unit = unitMs[value[length - 1]];
  if (unit === undefined) return undefined;
  let n = 0;
  for (let i = 0; i < length - 1; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return n * unit;
}

/**
 * Formats a timeout in milliseconds as a `grpc-timeout` value, in the finest
 * unit that fits in 8 digits, rounding up so a peer never sees less time than
 * is left. Zero or less becomes `"1n"`: the call is already out of time.
 *
 * @example
 * ```ts
 * import { formatGrpcTimeout } from "wirecall/protocol";
 * formatGrpcTimeout(250); // "250000u"
 * formatGrpcTimeout(3_600_000_000); // "1000H"
 * ```
 */
export function formatGrpcTimeout(ms: number): string {
  if (!(ms > 0)) return "1n";
  if (ms < 100) return `${Math.ceil(ms * 1_000_000)}n`;
  if (ms < 100_000) return `${Math.ceil(ms * 1_000)}u`;
  if (ms < 100_000_000) return `${Math.ceil(ms)}m`;
  if (ms < 100_000_000_000) return `${Math.ceil(ms / 1_000)}S`;
  if (ms < 6_000_000_000_000) return `${Math.ceil(ms / 60_000)}M`;
  return `${Math.min(99_999_999, Math.ceil(ms / 3_600_000))}H`;
}
