import * as z from "zod/mini";
import { byteLimitOption } from "../../protocol.ts";
import type { FetchProtocol } from "../../src/fetch-protocol.ts";
import { type CorsOptions, corsOptionsSchema } from "./cors.ts";

/** Options of `createGrpcWebHandler`. */
export interface GrpcWebHandlerOptions {
  /** Which browser origins may call, and which headers they see. Without it, same-origin only. */
  cors?: CorsOptions;
  /** The largest request message accepted, in bytes, before and after decompression (default 4 MiB). */
  maxReceiveMessageBytes?: number;
  /** Encodings accepted on requests and used on responses (default `["gzip", "identity"]`). */
  acceptCompression?: Array<"gzip" | "identity">;
  /** Response messages smaller than this are sent uncompressed (default 1024 bytes). */
  compressMinBytes?: number;
  /** A path prefix the handler is mounted under, such as `"/rpc"`; stripped before routing. */
  pathPrefix?: string;
  /**
   * Other protocols served on the same routes, asked in order for each
   * request that is not gRPC-Web: `createConnectHandler(router)` and
   * `createRestHandler(router)`, say. CORS applies to them too.
   */
  protocols?: FetchProtocol[];
}

const protocolSchema = z.custom<FetchProtocol>(
  (v) => typeof (v as FetchProtocol | undefined)?.serve === "function",
  { message: "expected a protocol such as createConnectHandler(router)" },
);

/** The zod schema of {@link GrpcWebHandlerOptions}. */
export const grpcWebHandlerOptionsSchema = z.strictObject({
  cors: z.optional(corsOptionsSchema),
  maxReceiveMessageBytes: z.optional(byteLimitOption),
  acceptCompression: z.optional(z.array(z.enum(["gzip", "identity"]))),
  compressMinBytes: z.optional(z.number().check(z.int(), z.nonnegative())),
  pathPrefix: z.optional(
    z.string().check(z.startsWith("/", { message: 'expected a path starting with "/"' })),
  ),
  protocols: z.optional(z.array(protocolSchema)),
});
