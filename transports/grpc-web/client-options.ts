import * as z from "zod/mini";
import { byteLimitOption, functionOption } from "../../protocol.ts";
import type { FetchFunction } from "../../src/fetch-call.ts";
import type { GrpcWebFormat } from "./content-type.ts";

/** Options of `createGrpcWebTransport`. */
export interface GrpcWebTransportOptions {
  /** The server's URL; the method's path (`/pkg.Service/Method`) is appended. */
  baseUrl: string;
  /** `"binary"` (`application/grpc-web+proto`, the default) or `"text"` (base64). */
  format?: GrpcWebFormat;
  /**
   * The `fetch` to call (default: the global `fetch`). On Node, pass
   * `createNodeFetch()` from `wirecall/transports/grpc-web/node` for a pooled
   * keep-alive undici dispatcher.
   */
  fetch?: FetchFunction;
  /** The largest response message accepted, in bytes (default 4 MiB). */
  maxReceiveMessageBytes?: number;
  /** Compress request messages with this encoding (default `"identity"`: none). */
  sendCompression?: "gzip" | "identity";
  /** Response encodings offered in `grpc-accept-encoding` (default `["gzip"]`). */
  acceptCompression?: Array<"gzip" | "identity">;
  /**
   * Whether this runtime can stream a request body (`duplex: "half"`), which
   * client streaming needs. Detected by default: yes in Deno, Node and Bun,
   * no in browsers and workerd. Set it to `true` for a browser talking
   * HTTP/2, where Chromium can stream request bodies.
   */
  requestStreaming?: boolean;
  /** The `credentials` mode of browser requests, such as `"include"` for cookies. */
  credentials?: RequestCredentials;
}

function canParseUrl(v: string): boolean {
  try {
    new URL(v);
    return true;
  } catch {
    return false;
  }
}

/** The zod schema of {@link GrpcWebTransportOptions}. */
export const grpcWebTransportOptionsSchema = z.strictObject({
  baseUrl: z.string().check(
    z.refine((v) => canParseUrl(v.trim()), { message: "expected an absolute http(s) URL" }),
    z.overwrite((v) => v.trim().replace(/[\t\n\r]/g, "")),
  ),
  format: z.optional(z.enum(["binary", "text"])),
  fetch: z.optional(functionOption),
  maxReceiveMessageBytes: z.optional(byteLimitOption),
  sendCompression: z.optional(z.enum(["gzip", "identity"])),
  acceptCompression: z.optional(z.array(z.enum(["gzip", "identity"]))),
  requestStreaming: z.optional(z.boolean()),
  credentials: z.optional(z.enum(["include", "omit", "same-origin"])),
});
