import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";

/**
 * Serves a request that is not native gRPC — gRPC-Web (`application/grpc-web*`),
 * a CORS preflight, anything else — on the HTTP/2 server's port. HTTP/2
 * requests come as `Http2ServerRequest`/`Http2ServerResponse`, HTTP/1.1 ones
 * as `IncomingMessage`/`ServerResponse`. Return `false` to decline: the server
 * then answers HTTP 415 itself.
 *
 * @example
 * ```ts
 * import { createRouter } from "wirecall";
 * import { createHttp2Server } from "wirecall/transports/http2";
 * const server = createHttp2Server(createRouter(), {
 *   grpcWeb: (req, res) => {
 *     if (req.method !== "OPTIONS") return false;
 *     res.writeHead(204).end();
 *   },
 * });
 * ```
 */
export type GrpcWebHandoff = (
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
) => boolean | void | Promise<boolean | void>;
