import * as z from "zod/mini";
import type { FetchProtocol } from "../../src/fetch-protocol.ts";
import { functionOption } from "../../src/options.ts";

/** Cross-origin settings of a gRPC-Web handler, for browser pages on other origins. */
export interface CorsOptions {
  /**
   * The origins (`scheme://host[:port]`) whose pages may call: a list, `"*"`
   * for any, or a function deciding per origin. The handler's own origin is
   * always allowed.
   */
  allowedOrigins: string[] | "*" | ((origin: string) => boolean);
  /** Custom response metadata keys the page may read (the status headers are always exposed). */
  exposeHeaders?: string[];
  /** Custom request metadata keys the page may send (the protocol's headers are always allowed). */
  allowHeaders?: string[];
  /** How long a browser may cache a preflight answer, in seconds (default 7200). */
  maxAgeSeconds?: number;
  /** Let pages send cookies and HTTP auth (`Access-Control-Allow-Credentials`). */
  allowCredentials?: boolean;
}

const headerName = z.string().check(
  z.regex(/^[0-9a-z_.-]+$/i, { message: "expected a header name" }),
);

/** The zod schema of {@link CorsOptions}. */
export const corsOptionsSchema = z.strictObject({
  allowedOrigins: z.union([z.literal("*"), z.array(z.string()), functionOption]),
  exposeHeaders: z.optional(z.array(headerName)),
  allowHeaders: z.optional(z.array(headerName)),
  maxAgeSeconds: z.optional(z.number().check(z.int(), z.nonnegative())),
  allowCredentials: z.optional(z.boolean()),
});

/** Request headers a gRPC-Web client sends besides its metadata. */
const protocolRequestHeaders = [
  "content-type",
  "x-grpc-web",
  "x-user-agent",
  "grpc-timeout",
  "grpc-encoding",
  "grpc-accept-encoding",
  // Sent on a retry or hedge by a channel (gRFC A6).
  "grpc-previous-rpc-attempts",
];
/** Response headers a gRPC-Web client must read: the status may come as headers. */
const protocolResponseHeaders = [
  "grpc-status",
  "grpc-message",
  "grpc-status-details-bin",
  "grpc-encoding",
  "grpc-accept-encoding",
  // A server's retry advice (gRFC A6), in the headers of a trailers-only answer.
  "grpc-retry-pushback-ms",
];

/** The CORS decisions of one handler: who may call, and the headers that say so. */
export class CorsPolicy {
  readonly #allowed: (origin: string) => boolean;
  readonly #allowHeaders: string;
  readonly #exposeHeaders: string;
  readonly #maxAge: string;
  readonly #credentials: boolean;
  readonly #methods: Set<string>;

  /**
   * Builds the policy; without options only same-origin and non-browser
   * calls pass. `protocols` served beside gRPC-Web add their methods and
   * headers.
   */
  constructor(options: CorsOptions | undefined, protocols: readonly FetchProtocol[] = []) {
    const origins = options?.allowedOrigins ?? [];
    if (origins === "*") this.#allowed = () => true;
    else if (typeof origins === "function") this.#allowed = origins;
    else {
      const set = new Set(origins.map((o) => o.replace(/\/+$/, "").toLowerCase()));
      this.#allowed = (origin) => set.has(origin.toLowerCase());
    }
    const extra = (pick: (p: FetchProtocol) => readonly string[] | undefined) =>
      protocols.flatMap((p) => pick(p) ?? []);
    const list = (names: string[]) => [...new Set(names.map((h) => h.toLowerCase()))].join(", ");
    this.#allowHeaders = list([
      ...protocolRequestHeaders,
      ...extra((p) => p.corsRequestHeaders),
      ...(options?.allowHeaders ?? []),
    ]);
    this.#exposeHeaders = list([
      ...protocolResponseHeaders,
      ...extra((p) => p.corsResponseHeaders),
      ...(options?.exposeHeaders ?? []),
    ]);
    this.#methods = new Set(["POST", ...extra((p) => p.corsMethods)]);
    this.#maxAge = String(options?.maxAgeSeconds ?? 7200);
    this.#credentials = options?.allowCredentials ?? false;
  }

  /** Whether a request from `origin` (its `Origin` header) to `url` may be served. */
  allows(origin: string | null, url: URL): boolean {
    return origin === null || origin === url.origin || this.#allowed(origin);
  }

  /** Answers a preflight `OPTIONS` request: 204 with the CORS headers, or 403. */
  preflight(request: Request, url: URL): Response {
    const origin = request.headers.get("origin");
    const method = request.headers.get("access-control-request-method");
    if (
      origin === null || !this.allows(origin, url) ||
      (method !== null && !this.#methods.has(method))
    ) {
      return new Response(
        `CORS preflight refused: origin ${origin ?? "(none)"} may not call this gRPC-Web endpoint`,
        { status: 403, headers: { "content-type": "text/plain", vary: "Origin" } },
      );
    }
    const headers = new Headers({
      "access-control-allow-origin": origin,
      "access-control-allow-methods": [...this.#methods, "OPTIONS"].join(", "),
      "access-control-allow-headers": this.#allowHeaders,
      "access-control-max-age": this.#maxAge,
      vary: "Origin",
    });
    if (this.#credentials) headers.set("access-control-allow-credentials", "true");
    return new Response(null, { status: 204, headers });
  }

  /** Adds the CORS headers of an actual (non-preflight) response from an allowed origin. */
  decorate(headers: Headers, origin: string | null): void {
    headers.set("vary", "Origin");
    if (origin === null) return;
    headers.set("access-control-allow-origin", origin);
    headers.set("access-control-expose-headers", this.#exposeHeaders);
    if (this.#credentials) headers.set("access-control-allow-credentials", "true");
  }
}
