import * as z from "zod/mini";
import { Code } from "./code.ts";
import { RpcError } from "./rpc-error.ts";

/** A zod check that a value is a function. */
export const functionOption: z.ZodMiniCustom<(...args: never[]) => unknown> = z.custom<
  (...args: never[]) => unknown
>(
  (v) => typeof v === "function",
  { message: "expected a function" },
);

/** A zod schema for a {@link Clock}. */
export const clockOption: z.ZodMiniCustom<unknown> = z.custom<unknown>(
  (v) =>
    typeof v === "object" && v !== null &&
    typeof (v as Record<string, unknown>).now === "function" &&
    typeof (v as Record<string, unknown>).setTimeout === "function" &&
    typeof (v as Record<string, unknown>).clearTimeout === "function",
  { message: "expected a Clock with now(), setTimeout() and clearTimeout()" },
);

/**
 * `z.int()` as a plain check with the same issues (a fraction: "expected int";
 * outside the safe integer range: `message`), so a bundle that validates no
 * other integer (the browser client) leaves zod's number formats out.
 */
function safeInteger(message: string): z.core.$ZodCheck<number> {
  return z.check<number>((payload) => {
    const v = payload.value;
    if (!Number.isInteger(v)) {
      payload.issues.push({ code: "custom", message: "expected int, got number", input: v });
    } else if (!Number.isSafeInteger(v)) {
      payload.issues.push({ code: "custom", message, input: v, continue: true });
    }
  });
}

/** A zod schema for a positive integer byte count. */
export const byteLimitOption: z.ZodMiniNumber<number> = z.number().check(
  safeInteger("expected a whole number of bytes"),
  z.positive({ message: "expected a positive number of bytes" }),
);

/** A zod schema for a duration in milliseconds (zero or more). */
export const durationOption: z.ZodMiniNumber<number> = z.number().check(
  z.nonnegative({ message: "expected a number of milliseconds, zero or more" }),
);

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  switch (issue.code) {
    case "invalid_type": {
      const got = input === null ? "null" : Array.isArray(input) ? "array" : typeof input;
      return `expected ${issue.expected}, got ${got}`;
    }
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "unrecognized_keys":
      return `unknown option(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    default:
      return issue.message;
  }
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let v = root;
  for (const key of path) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/**
 * Validates a user-facing options object against a zod schema. A bad option
 * is an `RpcError` with `INVALID_ARGUMENT` whose message names the options
 * object, the option, and what was wrong.
 *
 * @example
 * ```ts
 * import * as z from "zod/mini";
 * import { parseOptions } from "wirecall/protocol";
 * parseOptions("client", z.object({ timeoutMs: z.optional(z.number()) }), { timeoutMs: "1s" });
 * // throws: invalid client option "timeoutMs": expected number, got string
 * ```
 */
export function parseOptions<T>(what: string, schema: z.ZodMiniType<T>, input: unknown): T {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    const problem = describeIssue(issue, valueAt(input, issue.path));
    return path === ""
      ? `invalid ${what} options: ${problem}`
      : `invalid ${what} option "${path}": ${problem}`;
  });
  throw new RpcError(Code.INVALID_ARGUMENT, lines.join("; "));
}
