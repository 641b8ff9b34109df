import { Agent, fetch as undiciFetch } from "undici";
import * as z from "zod/mini";
import { parseOptions } from "../../mod.ts";
import { durationOption } from "../../src/options.ts";
import type { FetchFunction } from "./client-transport.ts";

/** Options of {@link createNodeFetch}. */
export interface NodeFetchOptions {
  /** Negotiate HTTP/2 through ALPN on TLS connections (default false: HTTP/1.1). */
  allowH2?: boolean;
  /** The most connections kept per origin (default: no limit). */
  connections?: number;
  /** How long an idle keep-alive connection stays open, in ms (default 60 000). */
  keepAliveTimeoutMs?: number;
  /** How long to wait for a connection to open, in ms (default 10 000). */
  connectTimeoutMs?: number;
  /** Certificate authorities to trust for `https:` servers, in PEM (default: the system's). */
  ca?: string | Uint8Array;
}

/** A `fetch` on its own undici dispatcher, with a way to close its connections. */
export interface NodeFetch extends FetchFunction {
  /** The pooled keep-alive dispatcher behind it. */
  readonly dispatcher: Agent;
  /** Closes the pooled connections, letting calls in flight finish. */
  close(): Promise<void>;
}

const optionsSchema = z.strictObject({
  allowH2: z.optional(z.boolean()),
  connections: z.optional(z.number().check(z.int(), z.positive())),
  keepAliveTimeoutMs: z.optional(durationOption),
  connectTimeoutMs: z.optional(durationOption),
  ca: z.optional(z.union([z.string(), z.instanceof(Uint8Array)])),
});

/**
 * Creates a `fetch` for the gRPC-Web client on Node: undici's fetch on a
 * pooled keep-alive `Agent`, so that calls reuse connections instead of
 * paying a handshake each, optionally over HTTP/2. Node-only: import it from
 * `wirecall/transports/grpc-web/node`.
 *
 * @example
 * ```ts
 * import { createGrpcWebTransport } from "wirecall/transports/grpc-web";
 * import { createNodeFetch } from "wirecall/transports/grpc-web/node";
 * const fetch = createNodeFetch({ allowH2: true });
 * const transport = createGrpcWebTransport({ baseUrl: "https://api.example.com", fetch });
 * // …
 * await fetch.close();
 * ```
 */
export function createNodeFetch(options?: NodeFetchOptions): NodeFetch {
  const opts = parseOptions("Node fetch", optionsSchema, options) as NodeFetchOptions;
  const dispatcher = new Agent({
    allowH2: opts.allowH2 ?? false,
    connections: opts.connections ?? null,
    keepAliveTimeout: opts.keepAliveTimeoutMs ?? 60_000,
    connect: {
      timeout: opts.connectTimeoutMs ?? 10_000,
      ...(opts.ca === undefined
        ? {}
        : { ca: typeof opts.ca === "string" ? opts.ca : new TextDecoder().decode(opts.ca) }),
    },
  });
  const fetch = ((input: string, init: RequestInit) =>
    undiciFetch(
      input,
      { ...init, dispatcher } as unknown as Parameters<typeof undiciFetch>[1],
    ) as unknown as Promise<Response>) as NodeFetch;
  Object.defineProperty(fetch, "dispatcher", { value: dispatcher });
  fetch.close = () => dispatcher.close();
  return fetch;
}
