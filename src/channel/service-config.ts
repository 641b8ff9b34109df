import * as z from "zod/mini";
import { Code } from "../code.ts";
import type { MethodInfo } from "../method.ts";
import { parseOptions } from "../options.ts";
import { RpcError } from "../rpc-error.ts";

/** A status code in a service config: its name (`"UNAVAILABLE"`, any case) or its number. */
export type StatusCodeName = string | number;

/** `retryPolicy` of a method config (gRFC A6), in gRPC's JSON form. */
export interface RetryPolicyJson {
  /** Attempts including the first, at least 2; above the channel's limit (default 5) counts as the limit. */
  maxAttempts: number;
  /** A protobuf JSON duration such as `"0.1s"`: the first retry waits `random(0, initialBackoff)`. */
  initialBackoff: string;
  /** A protobuf JSON duration: the longest backoff. */
  maxBackoff: string;
  /** Growth of the backoff per attempt, above zero. */
  backoffMultiplier: number;
  /** The codes that are retried; at least one. */
  retryableStatusCodes: StatusCodeName[];
}

/** `hedgingPolicy` of a method config (gRFC A6), in gRPC's JSON form. */
export interface HedgingPolicyJson {
  /** Attempts including the first, at least 2. */
  maxAttempts: number;
  /** A protobuf JSON duration between hedged attempts (default `"0s"`: all at once). */
  hedgingDelay?: string;
  /** Codes after which the other attempts go on; any other code ends the call. */
  nonFatalStatusCodes?: StatusCodeName[];
}

/** One `methodConfig` entry, in gRPC's JSON form. */
export interface MethodConfigJson {
  /** The methods it applies to: `{service, method}`, `{service}` for a whole service, `{}` for all. */
  name?: Array<{ service?: string; method?: string }>;
  /** Calls wait for a ready endpoint instead of failing fast while none is. */
  waitForReady?: boolean;
  /** A protobuf JSON duration: the longest a call may take, all attempts included. */
  timeout?: string;
  /** The largest request message sent, in bytes. */
  maxRequestMessageBytes?: number | string;
  /** The largest response message accepted, in bytes. */
  maxResponseMessageBytes?: number | string;
  /** Retry failed calls. Only one of `retryPolicy` and `hedgingPolicy`. */
  retryPolicy?: RetryPolicyJson;
  /** Send hedged copies of calls. Only one of `retryPolicy` and `hedgingPolicy`. */
  hedgingPolicy?: HedgingPolicyJson;
}

/**
 * gRPC's service config in its JSON form (the `grpc.service_config.ServiceConfig`
 * message as protobuf JSON), as grpc-go, grpc-java, grpc-js and C-core read it.
 */
export interface ServiceConfigJson {
  /** Balancing policies in order of preference: `[{"round_robin": {}}]`; the first known one is used. */
  loadBalancingConfig?: Array<Record<string, unknown>>;
  /** The older form of `loadBalancingConfig`: `"round_robin"` or `"pick_first"`. */
  loadBalancingPolicy?: string;
  /** Per-method settings. */
  methodConfig?: MethodConfigJson[];
  /** The retry token bucket (gRFC A6). */
  retryThrottling?: { maxTokens: number; tokenRatio: number };
  /** Client-side health checking (gRFC A17): the service name to watch. */
  healthCheckConfig?: { serviceName?: string };
}

/** A retry policy, parsed: durations in ms, codes as numbers. */
export interface RetryPolicy {
  /** Attempts including the first (2 to the channel's limit). */
  readonly maxAttempts: number;
  /** The first backoff's upper bound, in ms. */
  readonly initialBackoffMs: number;
  /** The longest backoff, in ms. */
  readonly maxBackoffMs: number;
  /** Growth of the backoff per attempt. */
  readonly backoffMultiplier: number;
  /** The codes that are retried. */
  readonly retryableStatusCodes: ReadonlySet<Code>;
}

/** A hedging policy, parsed. */
export interface HedgingPolicy {
  /** Attempts including the first (2 to the channel's limit). */
  readonly maxAttempts: number;
  /** Time between hedged attempts, in ms. */
  readonly hedgingDelayMs: number;
  /** Codes after which the other attempts go on. */
  readonly nonFatalStatusCodes: ReadonlySet<Code>;
}

/** The settings of the methods a method config names, parsed. */
export interface MethodConfig {
  /** Calls wait for a ready endpoint instead of failing fast. */
  readonly waitForReady?: boolean;
  /** The longest a call may take, in ms. */
  readonly timeoutMs?: number;
  /** The largest request message sent, in bytes. */
  readonly maxRequestMessageBytes?: number;
  /** The largest response message accepted, in bytes. */
  readonly maxResponseMessageBytes?: number;
  /** How failed calls are retried. */
  readonly retryPolicy?: RetryPolicy;
  /** How calls are hedged. */
  readonly hedgingPolicy?: HedgingPolicy;
}

/** A load-balancing policy chosen from `loadBalancingConfig`. */
export type LoadBalancingConfig =
  | { readonly policy: "pick_first"; readonly shuffleAddressList: boolean }
  | { readonly policy: "round_robin" };

/** A service config, parsed and validated. */
export interface ServiceConfig {
  /** The balancing policy (default `pick_first`, as in every gRPC). */
  readonly loadBalancing: LoadBalancingConfig;
  /** The retry token bucket, when configured. */
  readonly retryThrottling?: { readonly maxTokens: number; readonly tokenRatio: number };
  /** The service whose health is watched on each endpoint (gRFC A17), when configured. */
  readonly healthCheckServiceName?: string;
  /** The method config for a method: by method, then by service, then the default. */
  methodConfig(method: Pick<MethodInfo, "serviceName" | "methodName">): MethodConfig | undefined;
}

/** Options of {@link parseServiceConfig}. */
export interface ParseServiceConfigOptions {
  /** Attempts above this count as this many (default 5, as in gRPC). */
  maxAttemptsLimit?: number;
}

const durationPattern = /^(?:\d+(?:\.\d{0,9})?|\.\d{1,9})s$/;
const duration = z.string().check(
  z.regex(durationPattern, { message: 'expected a protobuf JSON duration such as "1.5s"' }),
);
const codeNames = Object.keys(Code);
const statusCode = z.union([z.string(), z.number()]).check(
  z.refine(
    (v) =>
      typeof v === "number"
        ? Number.isInteger(v) && v >= 0 && v <= 16
        : codeNames.includes(v.toUpperCase()),
    { message: `expected a status code name (${codeNames.join(", ")}) or number` },
  ),
);
const byteCount = z.union([z.number(), z.string()]).check(
  z.refine((v) => /^\d+$/.test(String(v)) && Number(v) <= 0xffffffff, {
    message: "expected a whole number of bytes",
  }),
);
const attempts = z.number().check(
  z.int({ message: "expected a whole number" }),
  z.gte(2, { message: "expected at least 2 attempts" }),
);

const retryPolicySchema = z.object({
  maxAttempts: attempts,
  initialBackoff: duration,
  maxBackoff: duration,
  backoffMultiplier: z.number().check(z.positive({ message: "expected a number above zero" })),
  retryableStatusCodes: z.array(statusCode).check(
    z.minLength(1, { message: "expected at least one status code" }),
  ),
});
const hedgingPolicySchema = z.object({
  maxAttempts: attempts,
  hedgingDelay: z.optional(duration),
  nonFatalStatusCodes: z.optional(z.array(statusCode)),
});
const nameSchema = z.object({
  service: z.optional(z.string()),
  method: z.optional(z.string()),
}).check(
  z.refine((n) => n.method === undefined || n.method === "" || (n.service ?? "") !== "", {
    message: "a name with a method needs a service",
  }),
);
const methodConfigSchema = z.object({
  name: z.optional(z.array(nameSchema)),
  waitForReady: z.optional(z.boolean()),
  timeout: z.optional(duration),
  maxRequestMessageBytes: z.optional(byteCount),
  maxResponseMessageBytes: z.optional(byteCount),
  retryPolicy: z.optional(retryPolicySchema),
  hedgingPolicy: z.optional(hedgingPolicySchema),
}).check(
  z.refine((m) => m.retryPolicy === undefined || m.hedgingPolicy === undefined, {
    message: "set retryPolicy or hedgingPolicy, not both",
  }),
);
// Unknown fields are ignored, as every gRPC implementation does, so that a
// team's existing configs (with xDS or future fields) load unchanged.
const serviceConfigSchema = z.object({
  loadBalancingConfig: z.optional(z.array(z.record(z.string(), z.unknown()))),
  loadBalancingPolicy: z.optional(z.string()),
  methodConfig: z.optional(z.array(methodConfigSchema)),
  retryThrottling: z.optional(z.object({
    maxTokens: z.number().check(
      z.positive({ message: "expected a number above zero" }),
      z.lte(1000, { message: "expected at most 1000" }),
    ),
    tokenRatio: z.number().check(z.positive({ message: "expected a number above zero" })),
  })),
  healthCheckConfig: z.optional(z.object({ serviceName: z.optional(z.string()) })),
});

/** Converts a protobuf JSON duration (`"1.5s"`) to milliseconds. */
export function durationMs(text: string): number {
  return Number(text.slice(0, -1)) * 1000;
}

function toCode(v: string | number): Code {
  return (typeof v === "number" ? v : Code[v.toUpperCase() as keyof typeof Code]) as Code;
}

function invalid(message: string): RpcError {
  return new RpcError(Code.INVALID_ARGUMENT, `invalid service config: ${message}`);
}

function chooseLoadBalancing(
  json: z.infer<typeof serviceConfigSchema>,
): LoadBalancingConfig {
  if (json.loadBalancingConfig !== undefined) {
    const names: string[] = [];
    for (const [i, entry] of json.loadBalancingConfig.entries()) {
      const keys = Object.keys(entry);
      if (keys.length !== 1) {
        throw invalid(`"loadBalancingConfig.${i}" must have exactly one policy name as its key`);
      }
      const [name] = keys;
      names.push(name);
      const config = entry[name] ?? {};
      if (typeof config !== "object" || config === null) {
        throw invalid(`"loadBalancingConfig.${i}.${name}" must be an object`);
      }
      if (name === "round_robin") return { policy: "round_robin" };
      if (name === "pick_first") {
        const shuffle = (config as { shuffleAddressList?: unknown }).shuffleAddressList;
        if (shuffle !== undefined && typeof shuffle !== "boolean") {
          throw invalid(
            `"loadBalancingConfig.${i}.pick_first.shuffleAddressList" must be a boolean`,
          );
        }
        return { policy: "pick_first", shuffleAddressList: shuffle === true };
      }
    }
    if (names.length > 0) {
      throw invalid(
        `no supported policy in "loadBalancingConfig" (${names.join(", ")}); ` +
          `wirecall supports pick_first and round_robin`,
      );
    }
  }
  const policy = json.loadBalancingPolicy?.toLowerCase();
  if (policy === undefined || policy === "pick_first") {
    return { policy: "pick_first", shuffleAddressList: false };
  }
  if (policy === "round_robin") return { policy: "round_robin" };
  throw invalid(
    `"loadBalancingPolicy" ${JSON.stringify(json.loadBalancingPolicy)} is not supported; ` +
      `wirecall supports pick_first and round_robin`,
  );
}

/**
 * Parses and validates a service config in gRPC's JSON form (a JSON string or
 * the parsed object). A bad config is an `RpcError` with `INVALID_ARGUMENT`
 * naming the field and what was wrong; unknown fields are ignored, as gRPC does.
 *
 * @example
 * ```ts
 * import { parseServiceConfig } from "wirecall";
 * const config = parseServiceConfig({
 *   loadBalancingConfig: [{ round_robin: {} }],
 *   methodConfig: [{
 *     name: [{ service: "wirecall.demo.v1.DemoService" }],
 *     timeout: "2s",
 *     retryPolicy: {
 *       maxAttempts: 3, initialBackoff: "0.1s", maxBackoff: "1s",
 *       backoffMultiplier: 2, retryableStatusCodes: ["UNAVAILABLE"],
 *     },
 *   }],
 * });
 * config.methodConfig({ serviceName: "wirecall.demo.v1.DemoService", methodName: "Greet" })
 *   ?.retryPolicy?.maxAttempts; // 3
 * ```
 */
export function parseServiceConfig(
  input: string | ServiceConfigJson,
  options: ParseServiceConfigOptions = {},
): ServiceConfig {
  let raw: unknown = input;
  if (typeof input === "string") {
    try {
      raw = JSON.parse(input);
    } catch (e) {
      throw invalid(`not JSON (${(e as Error).message})`);
    }
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw invalid("expected a JSON object");
  }
  const json = parseOptions("service config", serviceConfigSchema, raw);
  const limit = options.maxAttemptsLimit ?? 5;
  const byMethod = new Map<string, MethodConfig>();
  const byService = new Map<string, MethodConfig>();
  let fallback: MethodConfig | undefined;

  for (const [i, m] of (json.methodConfig ?? []).entries()) {
    const config: MethodConfig = {
      waitForReady: m.waitForReady,
      timeoutMs: m.timeout === undefined ? undefined : durationMs(m.timeout),
      maxRequestMessageBytes: m.maxRequestMessageBytes === undefined
        ? undefined
        : Number(m.maxRequestMessageBytes),
      maxResponseMessageBytes: m.maxResponseMessageBytes === undefined
        ? undefined
        : Number(m.maxResponseMessageBytes),
      retryPolicy: m.retryPolicy === undefined ? undefined : {
        maxAttempts: Math.min(m.retryPolicy.maxAttempts, limit),
        initialBackoffMs: positiveDuration(m.retryPolicy.initialBackoff, i, "initialBackoff"),
        maxBackoffMs: positiveDuration(m.retryPolicy.maxBackoff, i, "maxBackoff"),
        backoffMultiplier: m.retryPolicy.backoffMultiplier,
        retryableStatusCodes: new Set(m.retryPolicy.retryableStatusCodes.map(toCode)),
      },
      hedgingPolicy: m.hedgingPolicy === undefined ? undefined : {
        maxAttempts: Math.min(m.hedgingPolicy.maxAttempts, limit),
        hedgingDelayMs: durationMs(m.hedgingPolicy.hedgingDelay ?? "0s"),
        nonFatalStatusCodes: new Set((m.hedgingPolicy.nonFatalStatusCodes ?? []).map(toCode)),
      },
    };
    const names = m.name ?? [];
    if (names.length === 0) {
      // grpc-go and grpc-js treat a config without names as applying to nothing.
      continue;
    }
    for (const [j, n] of names.entries()) {
      const service = n.service ?? "";
      const method = n.method ?? "";
      const where = `"methodConfig.${i}.name.${j}"`;
      if (service === "") {
        if (fallback !== undefined) throw invalid(`${where}: a second default method config`);
        fallback = config;
      } else if (method === "") {
        if (byService.has(service)) throw invalid(`${where}: service ${service} named twice`);
        byService.set(service, config);
      } else {
        const key = `${service}/${method}`;
        if (byMethod.has(key)) throw invalid(`${where}: method ${key} named twice`);
        byMethod.set(key, config);
      }
    }
  }

  return {
    loadBalancing: chooseLoadBalancing(json),
    retryThrottling: json.retryThrottling === undefined ? undefined : {
      maxTokens: json.retryThrottling.maxTokens,
      // Up to 3 decimal places count, as gRFC A6 says.
      tokenRatio: Math.round(json.retryThrottling.tokenRatio * 1000) / 1000,
    },
    healthCheckServiceName: json.healthCheckConfig === undefined
      ? undefined
      : json.healthCheckConfig.serviceName ?? "",
    methodConfig(method) {
      return byMethod.get(`${method.serviceName}/${method.methodName}`) ??
        byService.get(method.serviceName) ?? fallback;
    },
  };
}

function positiveDuration(text: string, index: number, field: string): number {
  const ms = durationMs(text);
  if (!(ms > 0)) {
    throw invalid(`"methodConfig.${index}.retryPolicy.${field}": expected a duration above zero`);
  }
  return ms;
}
