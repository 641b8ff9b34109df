import * as z from "zod/mini";
import { Code } from "./code.ts";
import type { HandlerContext, PeerInfo } from "./handler-context.ts";
import type { ServerInterceptor } from "./interceptor.ts";
import type { Metadata } from "./metadata.ts";
import type { MethodInfo } from "./method.ts";
import { functionOption, parseOptions } from "./options.ts";
import { RpcError } from "./rpc-error.ts";

/** Who is calling, once authenticated. */
export interface Principal {
  /** The caller's identity: a token's `sub`, a certificate's subject CN, or what `authenticate` chose. */
  subject: string;
  /** How the caller proved it: `"bearer"`, `"certificate"`, or what `authenticate` chose. */
  via: string;
  /** The scopes granted (a token's `scope`/`scp` claim), for rules that require some. */
  scopes: string[];
  /** The verified token's claims, when a token was used. */
  claims?: Record<string, unknown>;
  /** The client certificate under mutual TLS, as the runtime reports it. */
  certificate?: unknown;
}

/** What the auth hook sees of a call. */
export interface AuthCall {
  /** The method called. */
  method: MethodInfo;
  /** The request metadata. */
  metadata: Metadata;
  /** The caller's connection: address, TLS, and the client certificate under mutual TLS. */
  peer: PeerInfo;
  /** The bearer token of the `authorization` header, when there is one. */
  token: string | undefined;
  /** The token's claims, once `verifyToken` accepted it. */
  claims: Record<string, unknown> | undefined;
  /** The handler context. */
  context: HandlerContext;
}

/**
 * A per-method rule: `"public"` (no credentials needed), `"authenticated"`
 * (any principal), `{ scopes }` (a principal holding every one of them), or a
 * function deciding from the principal and the call (false or a throw of
 * `PERMISSION_DENIED` refuses).
 */
export type AuthRule =
  | "public"
  | "authenticated"
  | { scopes: string[] }
  | ((principal: Principal, call: AuthCall) => boolean | Promise<boolean>);

/** Options of {@link createServerAuth}. */
export interface ServerAuthOptions {
  /**
   * Verifies a bearer token and resolves with its claims (such as
   * `createJwtVerifier(...)`); a throw refuses the call with
   * `UNAUTHENTICATED` (or the code of the `RpcError` thrown).
   */
  verifyToken?: (token: string, call: AuthCall) => Promise<Record<string, unknown>>;
  /**
   * The hook deciding who calls, from everything the call shows: the verified
   * claims, the metadata, and `peer` (the client certificate under mutual
   * TLS). Resolve with a principal, or undefined for no credentials. By
   * default: the token's claims, else (with `allowCertificates`) the client
   * certificate.
   */
  authenticate?: (call: AuthCall) => Principal | undefined | Promise<Principal | undefined>;
  /**
   * Accept a mutual-TLS client certificate the server verified
   * (`peer.certificateVerified`) as the caller's identity (default false).
   */
  allowCertificates?: boolean;
  /**
   * Rules by method path (`"/pkg.Service/Method"`), service (`"pkg.Service"`)
   * or `"*"`; the most specific one applies (default `"authenticated"`).
   */
  rules?: Record<string, AuthRule>;
}

const ruleSchema = () =>
  z.union([
    z.enum(["public", "authenticated"]),
    z.strictObject({ scopes: z.array(z.string()) }),
    functionOption,
  ]);
/** Built when used, so bundles that never call the factory drop it. */
const optionsSchema = () =>
  z.strictObject({
    verifyToken: z.optional(functionOption),
    authenticate: z.optional(functionOption),
    allowCertificates: z.optional(z.boolean()),
    rules: z.optional(z.record(z.string(), ruleSchema())),
  });

const principals = /* @__PURE__ */ new WeakMap<HandlerContext, Principal>();

/**
 * The principal the auth interceptor found for the call of `ctx`, or
 * undefined (no auth interceptor, or a public method called without
 * credentials).
 *
 * @example
 * ```ts
 * import { authOf, type HandlerContext } from "wirecall";
 * function greet(_req: unknown, ctx: HandlerContext) {
 *   return { greeting: `Hello, ${authOf(ctx)?.subject ?? "stranger"}!` };
 * }
 * ```
 */
export function authOf(ctx: HandlerContext): Principal | undefined {
  return principals.get(ctx);
}

/** The scopes of a token: OAuth's space-separated `scope`, or `scp` as a list or string. */
function scopesOf(claims: Record<string, unknown>): string[] {
  for (const key of ["scope", "scp", "scopes"]) {
    const v = claims[key];
    if (typeof v === "string") return v.split(" ").filter((s) => s !== "");
    if (Array.isArray(v)) return v.filter((s): s is string => typeof s === "string");
  }
  return [];
}

/** The subject of a client certificate as Node, Deno and Bun report it (subject CN, else its alt names). */
function certificateSubject(cert: unknown): string | undefined {
  const c = cert as { subject?: { CN?: string | string[] }; subjectaltname?: string } | undefined;
  const cn = c?.subject?.CN;
  if (typeof cn === "string" && cn !== "") return cn;
  if (Array.isArray(cn) && typeof cn[0] === "string") return cn[0];
  return typeof c?.subjectaltname === "string" && c.subjectaltname !== ""
    ? c.subjectaltname
    : undefined;
}

/** The token of an `authorization: Bearer …` header; throws for another scheme. */
function bearerToken(metadata: Metadata): string | undefined {
  const value = metadata.get("authorization");
  if (value === undefined) return undefined;
  if (typeof value !== "string") {
    throw new RpcError(Code.UNAUTHENTICATED, "the authorization header is not text");
  }
  const match = /^Bearer[ \t]+([^ \t]+)[ \t]*$/i.exec(value);
  if (match === null) {
    throw new RpcError(Code.UNAUTHENTICATED, "the authorization header is not a Bearer token");
  }
  return match[1];
}

/**
 * Creates a server interceptor that authenticates and authorizes every call
 * on every transport: it reads `authorization: Bearer …`, verifies it with
 * `verifyToken` (such as a {@link createJwtVerifier} verifier), lets
 * `authenticate` decide the principal from the claims, the metadata and the
 * peer (with its mutual-TLS certificate), and applies the method's rule.
 * No credentials, or bad ones, is `UNAUTHENTICATED`; credentials a rule
 * refuses is `PERMISSION_DENIED`. Handlers read the principal with
 * {@link authOf}.
 *
 * @example
 * ```ts
 * import { createJwtVerifier, createRouter, createServerAuth } from "wirecall";
 * const auth = createServerAuth({
 *   verifyToken: createJwtVerifier({ jwksUrl: "https://auth.example.com/jwks.json" }),
 *   rules: {
 *     "grpc.health.v1.Health": "public",
 *     "/wirecall.demo.v1.DemoService/Sum": { scopes: ["sum"] },
 *   },
 * });
 * const router = createRouter({ interceptors: [auth] });
 * ```
 */
export function createServerAuth(options: ServerAuthOptions): ServerInterceptor {
  const opts = parseOptions("server auth", optionsSchema(), options) as ServerAuthOptions;
  if (
    opts.verifyToken === undefined && opts.authenticate === undefined && !opts.allowCertificates
  ) {
    throw new RpcError(
      Code.INVALID_ARGUMENT,
      "invalid server auth options: give verifyToken, authenticate or allowCertificates",
    );
  }
  const rules = opts.rules ?? {};
  const ruleFor = (m: MethodInfo): AuthRule =>
    rules[m.path] ?? rules[m.serviceName] ?? rules["*"] ?? "authenticated";

  const defaultAuthenticate = (call: AuthCall): Principal | undefined => {
    if (call.claims !== undefined) {
      return {
        subject: typeof call.claims.sub === "string" ? call.claims.sub : "",
        via: "bearer",
        scopes: scopesOf(call.claims),
        claims: call.claims,
      };
    }
    if (opts.allowCertificates && call.peer.tls && call.peer.certificateVerified === true) {
      const subject = certificateSubject(call.peer.certificate);
      if (subject !== undefined) {
        return { subject, via: "certificate", scopes: [], certificate: call.peer.certificate };
      }
    }
    return undefined;
  };

  return (next) => async (req) => {
    const rule = ruleFor(req.method);
    if (rule === "public") return await next(req);
    const ctx = req.context;
    const call: AuthCall = {
      method: req.method,
      metadata: ctx.metadata,
      peer: ctx.peer,
      token: bearerToken(ctx.metadata),
      claims: undefined,
      context: ctx,
    };
    if (call.token !== undefined && opts.verifyToken !== undefined) {
      try {
        call.claims = await opts.verifyToken(call.token, call);
      } catch (e) {
        if (e instanceof RpcError) throw e;
        throw new RpcError(
          Code.UNAUTHENTICATED,
          `invalid bearer token: ${(e as Error)?.message ?? e}`,
          { cause: e },
        );
      }
    }
    const principal = opts.authenticate !== undefined
      ? await opts.authenticate(call)
      : defaultAuthenticate(call);
    if (principal === undefined) {
      throw new RpcError(
        Code.UNAUTHENTICATED,
        call.token === undefined
          ? `${req.method.path} needs credentials: send "authorization: Bearer <token>"`
          : `${req.method.path} needs credentials: the bearer token was not accepted`,
      );
    }
    if (typeof rule === "function") {
      if (!await rule(principal, call)) {
        throw new RpcError(
          Code.PERMISSION_DENIED,
          `${principal.subject || "the caller"} may not call ${req.method.path}`,
        );
      }
    } else if (typeof rule === "object") {
      const missing = rule.scopes.filter((s) => !principal.scopes.includes(s));
      if (missing.length > 0) {
        throw new RpcError(
          Code.PERMISSION_DENIED,
          `${req.method.path} needs scope ${missing.map((s) => JSON.stringify(s)).join(", ")}, ` +
            `which ${principal.subject || "the caller"} does not have`,
        );
      }
    }
    principals.set(ctx, principal);
    return await next(req);
  };
}
