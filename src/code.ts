/**
 * The 17 gRPC status codes, with the names the gRPC specification gives them.
 *
 * @example
 * ```ts
 * import { Code } from "wirecall";
 * Code.DEADLINE_EXCEEDED; // 4
 * ```
 */
export const Code = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

/** A gRPC status code: one of the values of {@link Code}. */
export type Code = (typeof Code)[keyof typeof Code];

const names: string[] = Object.keys(Code);

/**
 * Returns the upper-case name of a status code (`"NOT_FOUND"` for 5), or
 * `"CODE_<n>"` for a number outside the 17 codes.
 *
 * @example
 * ```ts
 * import { codeName } from "wirecall";
 * codeName(5); // "NOT_FOUND"
 * ```
 */
export function codeName(code: number): string {
  return names[code] ?? `CODE_${code}`;
}

/**
 * Tells whether a number is one of the 17 gRPC status codes.
 *
 * @example
 * ```ts
 * import { isCode } from "wirecall";
 * isCode(16); // true
 * isCode(17); // false
 * ```
 */
export function isCode(value: number): value is Code {
  return Number.isInteger(value) && value >= 0 && value <= 16;
}
