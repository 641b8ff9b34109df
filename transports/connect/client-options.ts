import * as z from "zod/mini";
import { byteLimitOption, functionOption } from "../../protocol.ts";
import type { FetchFunction } from "../../src/fetch-call.ts";

/** Options of `createConnectTransport`. */
export interface ConnectTransportOptions {
  /** The server's URL; the method's path (`/pkg.Service/Method`) is appended. */
  baseUrl: string;
  /**
   * The `fetch` to call (default: the global `fetch`). On Node, pass
   * `createNodeFetch()` from `wirecall/transports/grpc-web/node` for a pooled
   * keep-alive undici dispatcher.
   */
  fetch?: FetchFunction;
  /** Call methods marked `NO_SIDE_EFFECTS` with HTTP GET, which caches can serve (default false). */
  useHttpGet?: boolean;
  /** The largest response message accepted, in bytes (default 4 MiB). */
  maxReceiveMessageBytes?: number;
  /** Compress request messages with this encoding (default `"identity"`: none). */
  sendCompression?: "gzip" | "identity";
  /** Response encodings offered (default `["gzip"]`). */
  acceptCompression?: Array<"gzip" | "identity">;
  /** Request messages smaller than this are sent uncompressed (default 1024 bytes). */
  compressMinBytes?: number;
  /**
   * Whether this runtime's `fetch` can stream a request body, which client
   * streaming needs. Detected by default: yes in Deno, Node and Bun.
   */
  requestStreaming?: boolean;
  /** The `credentials` mode of browser requests, such as `"include"` for cookies. */
  credentials?: RequestCredentials;
}

/** The zod schema of {@link ConnectTransportOptions}. */
export const connectTransportOptionsSchema = z.strictObject({
  baseUrl: z.string().check(z.url({ message: "expected an absolute http(s) URL" })),
  fetch: z.optional(functionOption),
  useHttpGet: z.optional(z.boolean()),
  maxReceiveMessageBytes: z.optional(byteLimitOption),
  sendCompression: z.optional(z.enum(["gzip", "identity"])),
  acceptCompression: z.optional(z.array(z.enum(["gzip", "identity"]))),
  compressMinBytes: z.optional(z.number().check(z.int(), z.nonnegative())),
  requestStreaming: z.optional(z.boolean()),
  credentials: z.optional(z.enum(["include", "omit", "same-origin"])),
});
