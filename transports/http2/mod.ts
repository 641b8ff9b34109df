/**
 * Native gRPC over `node:http2`: a client transport that shares one session
 * across calls (reconnect with backoff, keepalive, transparent retry of calls
 * that never reached the server) and a server that runs a wirecall router
 * (deadlines, cancellation, size limits, gzip, TLS and mutual TLS, graceful
 * shutdown, and a hand-off for gRPC-Web on the same port).
 *
 * @example
 * ```ts
 * import { createClient, createRouter } from "wirecall";
 * import { createHttp2Server, createHttp2Transport } from "wirecall/transports/http2";
 * import { DemoService } from "./protos/gen/wirecall/demo/v1/demo_pb.ts";
 *
 * const server = createHttp2Server(createRouter().service(DemoService, {
 *   greet: (r) => ({ greeting: `hi ${r.name}` }),
 * }));
 * await server.listen({ port: 0 });
 * const transport = createHttp2Transport({ baseUrl: server.url! });
 * console.log(await createClient(DemoService, transport).greet({ name: "Ada" }));
 * await transport.close();
 * await server.close();
 * ```
 *
 * @module
 */
export { createHttp2Transport, type Http2Transport } from "./client-transport.ts";
export type {
  Http2ClientTlsOptions,
  Http2KeepaliveOptions,
  Http2ReconnectOptions,
  Http2TransportOptions,
} from "./client-options.ts";
export { createHttp2Server, type Http2Server } from "./server.ts";
export { createHttp2Handler, type Http2Handler, type Http2HandlerResponse } from "./handler.ts";
export type {
  Http2HandlerOptions,
  Http2ServerOptions,
  Http2ServerTlsOptions,
  ListenOptions,
} from "./server-options.ts";
export type { GrpcWebHandoff } from "./grpc-web-handoff.ts";
export type { ServerKeepaliveOptions } from "./connection-policy.ts";
export { codeFromRstStream } from "./rst-stream-code.ts";
export { type HeaderFields, validateResponseHeader } from "./validate-response.ts";
export {
  formatGrpcContentType,
  type GrpcContentType,
  isGrpcContentType,
  parseGrpcContentType,
} from "./content-type.ts";
export {
  type Http2RequestHead,
  http2RequestRules,
  validateRequestHeader,
} from "./validate-request.ts";
export {
  DEFAULT_CONNECTION_WINDOW_BYTES,
  DEFAULT_STREAM_WINDOW_BYTES,
  type WindowOptions,
} from "./flow-control.ts";
