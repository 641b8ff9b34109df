import * as z from "zod/mini";
import { decodeBase64 } from "./base64.ts";
import { type Clock, systemClock } from "./clock.ts";
import { Code } from "./code.ts";
import type { ClientInterceptor } from "./interceptor.ts";
import { clockOption, durationOption, functionOption, parseOptions } from "./options.ts";
import { RpcError } from "./rpc-error.ts";

/** What a token refresher resolves with: the token, or the token and when it expires. */
export type BearerTokenGrant = string | {
  /** The token. */
  token: string;
  /** Milliseconds from now until it expires. */
  expiresInMs?: number;
  /** When it expires: a `Date` or milliseconds since the epoch. */
  expiresAt?: Date | number;
};

/** Options of {@link createBearerAuth}: a fixed `token`, or a `refresh` function. */
export interface BearerAuthOptions {
  /** A fixed token, sent on every call. */
  token?: string;
  /**
   * Gets a token (from an OAuth token endpoint, a metadata server, a file…).
   * It is called once for all the calls that need a token at the same time,
   * and again before the token expires. Without an expiry, a JWT's `exp` is
   * used; a token with neither is kept until a call is answered
   * `UNAUTHENTICATED`.
   */
  refresh?: (signal: AbortSignal) => Promise<BearerTokenGrant>;
  /** Refresh this long before expiry, in ms (default 60 s); calls keep using the old token meanwhile. */
  refreshBeforeMs?: number;
  /** The longest a refresh may take, in ms (default 10 s). */
  refreshTimeoutMs?: number;
  /** The clock expiries are measured on (default: the system clock). */
  clock?: Clock;
  /** The metadata key (default `"authorization"`). */
  header?: string;
  /** The scheme before the token (default `"Bearer"`). */
  scheme?: string;
}

/** Built when used, so bundles that never call the factory drop it. */
const optionsSchema = () =>
  z.strictObject({
    token: z.optional(z.string().check(z.minLength(1))),
    refresh: z.optional(functionOption),
    refreshBeforeMs: z.optional(durationOption),
    refreshTimeoutMs: z.optional(durationOption),
    clock: z.optional(clockOption),
    header: z.optional(
      z.string().check(z.regex(/^[0-9a-z_.-]+$/, {
        message: "expected a lower-case metadata key",
      })),
    ),
    scheme: z.optional(z.string()),
  });

interface Cached {
  token: string;
  /** Expiry on the clock, or Infinity. */
  expiresAt: number;
}

/** The `exp` of a JWT, in ms since the epoch, or undefined when `token` is no JWT. */
function jwtExpiry(token: string): number | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(new TextDecoder().decode(decodeBase64(parts[1])));
    return typeof payload?.exp === "number" ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** `promise`, or the signal's reason once it aborts first: a call's deadline bounds its wait for a token. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * Creates a client interceptor that sends `authorization: Bearer <token>`
 * on every call (a call that already carries the header keeps its own).
 * With `refresh`, the token is cached and refreshed before it expires, with
 * one refresh for all concurrent calls; a call answered `UNAUTHENTICATED`
 * drops the cached token so the next call gets a fresh one. A refresh that
 * fails fails the calls waiting for it with `UNAUTHENTICATED`, naming the
 * cause.
 *
 * @example
 * ```ts
 * import { createBearerAuth, createClient } from "wirecall";
 * const auth = createBearerAuth({
 *   refresh: async () => {
 *     const res = await fetch("https://auth.example.com/token", { method: "POST" });
 *     const { access_token, expires_in } = await res.json();
 *     return { token: access_token, expiresInMs: expires_in * 1000 };
 *   },
 * });
 * // createClient(DemoService, transport, { interceptors: [auth] });
 * ```
 */
export function createBearerAuth(options: BearerAuthOptions): ClientInterceptor {
  const opts = parseOptions("bearer auth", optionsSchema(), options) as BearerAuthOptions;
  if ((opts.token === undefined) === (opts.refresh === undefined)) {
    throw new RpcError(
      Code.INVALID_ARGUMENT,
      "invalid bearer auth options: give either a token or a refresh function",
    );
  }
  const header = opts.header ?? "authorization";
  const prefix = opts.scheme === "" ? "" : `${opts.scheme ?? "Bearer"} `;
  if (opts.token !== undefined) {
    const value = prefix + opts.token;
    return (next) => (req) => {
      if (!req.metadata.has(header)) req.metadata.set(header, value);
      return next(req);
    };
  }

  const refresh = opts.refresh!;
  const clock = opts.clock ?? systemClock;
  const refreshBeforeMs = opts.refreshBeforeMs ?? 60_000;
  const refreshTimeoutMs = opts.refreshTimeoutMs ?? 10_000;
  let cached: Cached | undefined;
  let pending: Promise<Cached> | undefined;

  const fetchToken = (): Promise<Cached> => {
    if (pending !== undefined) return pending;
    const controller = new AbortController();
    const timer = clock.setTimeout(
      () =>
        controller.abort(
          new RpcError(
            Code.DEADLINE_EXCEEDED,
            `the token refresh took over ${refreshTimeoutMs} ms`,
          ),
        ),
      refreshTimeoutMs,
    );
    pending = (async () => {
      let grant: BearerTokenGrant;
      try {
        grant = await Promise.race([
          refresh(controller.signal),
          new Promise<never>((_, reject) =>
            controller.signal.addEventListener("abort", () => reject(controller.signal.reason), {
              once: true,
            })
          ),
        ]);
      } catch (e) {
        const why = e instanceof RpcError ? e.rawMessage : (e as Error)?.message ?? String(e);
        throw new RpcError(Code.UNAUTHENTICATED, `could not get a bearer token: ${why}`, {
          cause: e,
        });
      }
      const token = typeof grant === "string" ? grant : grant?.token;
      if (typeof token !== "string" || token === "") {
        throw new RpcError(
          Code.UNAUTHENTICATED,
          "could not get a bearer token: the refresher gave none",
        );
      }
      let expiresAt = Infinity;
      if (typeof grant === "object" && grant.expiresInMs !== undefined) {
        expiresAt = clock.now() + grant.expiresInMs;
      } else {
        const wall = typeof grant === "object" && grant.expiresAt !== undefined
          ? (grant.expiresAt instanceof Date ? grant.expiresAt.getTime() : grant.expiresAt)
          : jwtExpiry(token);
        // A wall-clock expiry is moved onto the clock once, on arrival.
        if (wall !== undefined) expiresAt = clock.now() + (wall - Date.now());
      }
      return cached = { token, expiresAt };
    })().finally(() => {
      clock.clearTimeout(timer);
      pending = undefined;
    });
    return pending;
  };

  const current = async (): Promise<string> => {
    const now = clock.now();
    if (cached !== undefined && now < cached.expiresAt) {
      // Still good: refresh ahead of expiry in the background, keep using it.
      if (now >= cached.expiresAt - refreshBeforeMs) fetchToken().catch(() => {});
      return cached.token;
    }
    return (await fetchToken()).token;
  };

  return (next) => async (req) => {
    if (req.metadata.has(header)) return await next(req);
    const token = await untilAborted(current(), req.signal);
    req.metadata.set(header, prefix + token);
    try {
      return await next(req);
    } catch (e) {
      if (e instanceof RpcError && e.code === Code.UNAUTHENTICATED && cached?.token === token) {
        cached = undefined;
      }
      throw e;
    }
  };
}
