import * as z from "zod/mini";
import { decodeBase64 } from "./base64.ts";
import { Code } from "./code.ts";
import { durationOption, functionOption, parseOptions } from "./options.ts";
import { RpcError } from "./rpc-error.ts";

/** The JWS algorithms the verifier checks: HMAC, RSA PKCS#1 v1.5 and ECDSA P-256, all with SHA-256. */
export type JwtAlgorithm = "HS256" | "RS256" | "ES256";

/** The claims of a verified token (its JSON payload). */
export interface JwtClaims {
  /** The subject. */
  sub?: string;
  /** The issuer. */
  iss?: string;
  /** The audience: one or several. */
  aud?: string | string[];
  /** Expiry, in seconds since the epoch. */
  exp?: number;
  /** Not before, in seconds since the epoch. */
  nbf?: number;
  /** Issued at, in seconds since the epoch. */
  iat?: number;
  /** Any other claim. */
  [claim: string]: unknown;
}

/** A key the verifier may use: a JWK (public key, or `oct` secret), or a `CryptoKey` with its algorithm. */
export type JwtKey = JsonWebKey & { kid?: string } | {
  /** The key, imported for `verify`. */
  key: CryptoKey;
  /** The algorithm it verifies. */
  alg: JwtAlgorithm;
  /** Its key id, matched against the token's `kid`. */
  kid?: string;
};

/** Options of {@link createJwtVerifier}. */
export interface JwtVerifierOptions {
  /** An HS256 shared secret (text is taken as UTF-8). */
  secret?: string | Uint8Array;
  /** Public keys (JWKs or `CryptoKey`s). */
  keys?: JwtKey[];
  /** A JWKS URL (`{ "keys": [...] }`), fetched with `fetch` and cached. */
  jwksUrl?: string;
  /** How long a fetched JWKS is used before it is fetched again, in ms (default 10 min). */
  jwksCacheMs?: number;
  /**
   * A token naming a key id the cached JWKS lacks refetches it, at most once
   * per this many ms (default 30 s), so key rotation works and unknown ids
   * cannot make the server hammer the JWKS endpoint.
   */
  jwksRefetchMs?: number;
  /** The fetch used for the JWKS (default: the global `fetch`). */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  /** The accepted `iss`: one or several. */
  issuer?: string | string[];
  /** The accepted `aud`: the token must name one of them. */
  audience?: string | string[];
  /** The accepted algorithms (default all three; a key only ever verifies its own). */
  algorithms?: JwtAlgorithm[];
  /** Leeway for `exp` and `nbf`, in ms (default 30 s). */
  clockToleranceMs?: number;
  /** Tokens must carry `exp` (default true). */
  requireExpiry?: boolean;
  /** The wall-clock time in ms since the epoch (default `Date.now`); `exp` and `nbf` are wall-clock times. */
  currentTime?: () => number;
}

/** Verifies a compact JWS token and resolves with its claims, or rejects with `UNAUTHENTICATED`. */
export type JwtVerifier = (token: string) => Promise<JwtClaims>;

/** Built when used, so bundles that never call the factory drop it. */
const optionsSchema = () =>
  z.strictObject({
    secret: z.optional(z.union([z.string().check(z.minLength(1)), z.instanceof(Uint8Array)])),
    keys: z.optional(z.array(z.custom<JwtKey>((v) => typeof v === "object" && v !== null, {
      message: "expected a JWK or { key: CryptoKey, alg }",
    }))),
    jwksUrl: z.optional(z.url()),
    jwksCacheMs: z.optional(durationOption),
    jwksRefetchMs: z.optional(durationOption),
    fetch: z.optional(functionOption),
    issuer: z.optional(z.union([z.string(), z.array(z.string())])),
    audience: z.optional(z.union([z.string(), z.array(z.string())])),
    algorithms: z.optional(z.array(z.enum(["HS256", "RS256", "ES256"]))),
    clockToleranceMs: z.optional(durationOption),
    requireExpiry: z.optional(z.boolean()),
    currentTime: z.optional(functionOption),
  });

interface UsableKey {
  kid: string | undefined;
  alg: JwtAlgorithm;
  key: CryptoKey;
}

const importParams: Record<
  JwtAlgorithm,
  HmacImportParams | RsaHashedImportParams | EcKeyImportParams
> = {
  HS256: { name: "HMAC", hash: "SHA-256" },
  RS256: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
  ES256: { name: "ECDSA", namedCurve: "P-256" },
};
const verifyParams: Record<JwtAlgorithm, AlgorithmIdentifier | EcdsaParams> = {
  HS256: { name: "HMAC" },
  RS256: { name: "RSASSA-PKCS1-v1_5" },
  ES256: { name: "ECDSA", hash: "SHA-256" },
};

const utf8 = { encode: (text: string) => new TextEncoder().encode(text) };

function unauthenticated(message: string, cause?: unknown): RpcError {
  return new RpcError(Code.UNAUTHENTICATED, message, { cause });
}

/** The algorithm a JWK verifies, from its `alg` or its key type and curve; undefined when none of ours. */
function algorithmOfJwk(jwk: JsonWebKey): JwtAlgorithm | undefined {
  if (jwk.alg !== undefined) {
    return (["HS256", "RS256", "ES256"] as const).find((a) => a === jwk.alg);
  }
  if (jwk.kty === "RSA") return "RS256";
  if (jwk.kty === "EC" && jwk.crv === "P-256") return "ES256";
  if (jwk.kty === "oct") return "HS256";
  return undefined;
}

async function importJwk(jwk: JsonWebKey & { kid?: string }): Promise<UsableKey | undefined> {
  if (jwk.use !== undefined && jwk.use !== "sig") return undefined;
  const alg = algorithmOfJwk(jwk);
  if (alg === undefined) return undefined;
  // Only the public members: a JWKS that leaks a private key still verifies,
  // and WebCrypto refuses a private JWK for "verify".
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, key_ops: _ops, ...rest } = jwk;
  const publicJwk = alg === "HS256" ? jwk : rest;
  const key = await crypto.subtle.importKey(
    "jwk",
    { ...publicJwk, ext: true },
    importParams[alg],
    false,
    ["verify"],
  );
  return { kid: jwk.kid, alg, key };
}

function decodeSegment(segment: string, what: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) {
    throw unauthenticated(`malformed token: ${what} is not base64url`);
  }
  return decodeBase64(segment);
}

function parseJson(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw unauthenticated(`malformed token: ${what} is not JSON`, e);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw unauthenticated(`malformed token: ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

const asList = (v: string | string[] | undefined) =>
  v === undefined ? undefined : Array.isArray(v) ? v : [v];

/**
 * Creates a JWT verifier on WebCrypto (`crypto.subtle`), so it runs
 * unchanged on Node, Deno, Bun, workerd and in browsers. It checks HS256,
 * RS256 and ES256 signatures against a shared secret, given keys, or a JWKS
 * URL (fetched with `fetch`, cached, refetched for an unknown `kid`), then
 * `exp`/`nbf` (with leeway), `iss` and `aud`. A bad token is
 * `UNAUTHENTICATED` with a message saying what was wrong; a JWKS that
 * cannot be fetched is `UNAVAILABLE`.
 *
 * @example
 * ```ts
 * import { createJwtVerifier } from "wirecall";
 * const verify = createJwtVerifier({
 *   jwksUrl: "https://auth.example.com/.well-known/jwks.json",
 *   issuer: "https://auth.example.com/",
 *   audience: "api.example.com",
 * });
 * const claims = await verify(token); // { sub: "user-1", scope: "read write", … }
 * ```
 */
export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  const opts = parseOptions("JWT verifier", optionsSchema(), options) as JwtVerifierOptions;
  if (opts.secret === undefined && opts.keys === undefined && opts.jwksUrl === undefined) {
    throw new RpcError(
      Code.INVALID_ARGUMENT,
      "invalid JWT verifier options: give a secret, keys or a jwksUrl to verify tokens with",
    );
  }
  for (const [i, k] of (opts.keys ?? []).entries()) {
    const alg = "key" in k ? k.alg : algorithmOfJwk(k as JsonWebKey);
    if (alg === undefined || !(alg in importParams)) {
      throw new RpcError(
        Code.INVALID_ARGUMENT,
        `invalid JWT verifier option "keys.${i}": not an HS256, RS256 or ES256 key` +
          ("key" in k
            ? ` (alg ${JSON.stringify(k.alg)})`
            : ` (kty ${JSON.stringify((k as JsonWebKey).kty)})`),
      );
    }
  }
  const allowed = new Set<JwtAlgorithm>(opts.algorithms ?? ["HS256", "RS256", "ES256"]);
  const issuers = asList(opts.issuer);
  const audiences = asList(opts.audience);
  const toleranceMs = opts.clockToleranceMs ?? 30_000;
  const requireExpiry = opts.requireExpiry ?? true;
  const now = opts.currentTime ?? (() => Date.now());
  const jwksCacheMs = opts.jwksCacheMs ?? 600_000;
  const jwksRefetchMs = opts.jwksRefetchMs ?? 30_000;
  const doFetch = opts.fetch ?? ((input: string, init?: RequestInit) => fetch(input, init));

  let staticKeys: Promise<UsableKey[]> | undefined;
  const loadStatic = () =>
    staticKeys ??= (async () => {
      const out: UsableKey[] = [];
      if (opts.secret !== undefined) {
        const raw = typeof opts.secret === "string"
          ? utf8.encode(opts.secret)
          : new Uint8Array(opts.secret);
        out.push({
          kid: undefined,
          alg: "HS256",
          key: await crypto.subtle.importKey("raw", raw, importParams.HS256, false, ["verify"]),
        });
      }
      for (const k of opts.keys ?? []) {
        if ("key" in k) {
          out.push({ kid: k.kid, alg: k.alg, key: k.key });
        } else {
          const imported = await importJwk(k as JsonWebKey);
          if (imported !== undefined) out.push(imported);
        }
      }
      return out;
    })();

  let jwks: { keys: UsableKey[]; fetchedAt: number } | undefined;
  let jwksLoading: Promise<UsableKey[]> | undefined;
  let lastFetchAt = -Infinity;
  const fetchJwks = (): Promise<UsableKey[]> => {
    if (jwksLoading !== undefined) return jwksLoading;
    lastFetchAt = now();
    jwksLoading = (async () => {
      const url = opts.jwksUrl!;
      let body: unknown;
      try {
        const res = await doFetch(url, {
          headers: { accept: "application/json" },
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok) {
          await res.body?.cancel();
          throw new Error(`HTTP ${res.status}`);
        }
        body = await res.json();
      } catch (e) {
        throw new RpcError(
          Code.UNAVAILABLE,
          `cannot verify tokens: fetching the JWKS from ${url} failed: ${
            (e as Error).message ?? e
          }`,
          { cause: e },
        );
      }
      const list = (body as { keys?: unknown })?.keys;
      if (!Array.isArray(list)) {
        throw new RpcError(
          Code.UNAVAILABLE,
          `cannot verify tokens: ${url} is not a JWKS (no "keys" array)`,
        );
      }
      const keys: UsableKey[] = [];
      for (const jwk of list) {
        try {
          const k = await importJwk(jwk as JsonWebKey);
          if (k !== undefined) keys.push(k);
        } catch {
          // A key this runtime cannot import is skipped; the others still verify.
        }
      }
      jwks = { keys, fetchedAt: now() };
      return keys;
    })().finally(() => (jwksLoading = undefined));
    return jwksLoading;
  };
  const jwksKeys = async (kid: string | undefined): Promise<UsableKey[]> => {
    if (opts.jwksUrl === undefined) return [];
    if (jwks === undefined || now() - jwks.fetchedAt >= jwksCacheMs) return await fetchJwks();
    const known = kid === undefined || jwks.keys.some((k) => k.kid === kid);
    if (!known && now() - lastFetchAt >= jwksRefetchMs) return await fetchJwks();
    return jwks.keys;
  };

  return async function verifyJwt(token: string): Promise<JwtClaims> {
    if (typeof token !== "string") throw unauthenticated("malformed token: not a string");
    const parts = token.split(".");
    if (parts.length !== 3) {
      throw unauthenticated(
        `malformed token: expected a compact JWS of 3 dot-separated parts, got ${parts.length}`,
      );
    }
    const header = parseJson(decodeSegment(parts[0], "the header"), "the header");
    const alg = header.alg;
    if (typeof alg !== "string" || !allowed.has(alg as JwtAlgorithm)) {
      throw unauthenticated(
        `token algorithm ${JSON.stringify(alg)} is not accepted (accepted: ${
          [...allowed].join(", ")
        })`,
      );
    }
    if (header.crit !== undefined) {
      throw unauthenticated(`token has critical header parameters this verifier does not know`);
    }
    const kid = typeof header.kid === "string" ? header.kid : undefined;
    const signature = decodeSegment(parts[2], "the signature");
    const payloadBytes = decodeSegment(parts[1], "the payload");

    let own: UsableKey[];
    try {
      own = await loadStatic();
    } catch (e) {
      throw new RpcError(
        Code.INTERNAL,
        `cannot verify tokens: the verifier's keys do not import: ${(e as Error)?.message ?? e}`,
        { cause: e },
      );
    }
    const candidates = [...own, ...await jwksKeys(kid)].filter((k) =>
      k.alg === alg && (kid === undefined || k.kid === undefined || k.kid === kid)
    );
    if (candidates.length === 0) {
      throw unauthenticated(
        kid === undefined
          ? `no ${alg} key to verify the token with`
          : `no ${alg} key with id ${JSON.stringify(kid)} to verify the token with`,
      );
    }
    const signed = utf8.encode(`${parts[0]}.${parts[1]}`);
    let valid = false;
    for (const k of candidates) {
      if (
        await crypto.subtle.verify(verifyParams[k.alg], k.key, signature as BufferSource, signed)
      ) {
        valid = true;
        break;
      }
    }
    if (!valid) throw unauthenticated("token signature does not verify");

    const claims = parseJson(payloadBytes, "the payload") as JwtClaims;
    const t = now();
    if (claims.exp !== undefined) {
      if (typeof claims.exp !== "number") throw unauthenticated(`token "exp" is not a number`);
      if (t - toleranceMs >= claims.exp * 1000) {
        throw unauthenticated(`token expired at ${new Date(claims.exp * 1000).toISOString()}`);
      }
    } else if (requireExpiry) {
      throw unauthenticated(`token has no "exp" claim`);
    }
    if (claims.nbf !== undefined) {
      if (typeof claims.nbf !== "number") throw unauthenticated(`token "nbf" is not a number`);
      if (t + toleranceMs < claims.nbf * 1000) {
        throw unauthenticated(
          `token is not valid before ${new Date(claims.nbf * 1000).toISOString()}`,
        );
      }
    }
    if (
      issuers !== undefined && (typeof claims.iss !== "string" || !issuers.includes(claims.iss))
    ) {
      throw unauthenticated(`token issuer ${JSON.stringify(claims.iss)} is not accepted`);
    }
    if (audiences !== undefined) {
      const aud = typeof claims.aud === "string"
        ? [claims.aud]
        : Array.isArray(claims.aud)
        ? claims.aud
        : [];
      if (!aud.some((a) => audiences.includes(a))) {
        throw unauthenticated(`token audience ${JSON.stringify(claims.aud)} is not accepted`);
      }
    }
    return claims;
  };
}
