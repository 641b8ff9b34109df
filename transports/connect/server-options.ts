import * as z from "zod/mini";
import { byteLimitOption } from "../../protocol.ts";

/** Options of `createConnectHandler`. */
export interface ConnectHandlerOptions {
  /** The largest request message accepted, in bytes, before and after decompression (default 4 MiB). */
  maxReceiveMessageBytes?: number;
  /** Encodings accepted on requests and used on responses (default `["gzip", "identity"]`). */
  acceptCompression?: Array<"gzip" | "identity">;
  /** Response messages smaller than this are sent uncompressed (default 1024 bytes). */
  compressMinBytes?: number;
  /**
   * A path prefix the handler is mounted under, such as `"/rpc"`, stripped
   * before routing when the handler serves requests itself (a host handler
   * given it in `protocols` strips its own prefix instead).
   */
  pathPrefix?: string;
  /** Refuse requests without `connect-protocol-version: 1` (GET: `connect=v1`). Default false. */
  requireProtocolVersion?: boolean;
}

/** The zod schema of {@link ConnectHandlerOptions}. */
export const connectHandlerOptionsSchema = z.strictObject({
  maxReceiveMessageBytes: z.optional(byteLimitOption),
  acceptCompression: z.optional(z.array(z.enum(["gzip", "identity"]))),
  compressMinBytes: z.optional(z.number().check(z.int(), z.nonnegative())),
  pathPrefix: z.optional(
    z.string().check(z.startsWith("/", { message: 'expected a path starting with "/"' })),
  ),
  requireProtocolVersion: z.optional(z.boolean()),
});
