/**
 * gRPC-Web over `fetch`, for browsers, edge runtimes, Deno, Node and Bun: a
 * client transport on any `fetch`, and a server handler of the form
 * `(request: Request) => Promise<Response>`. This entry imports no `node:*`
 * module, so browser and edge bundles stay clean; Node glue (an undici
 * dispatcher, a `node:http`/`node:http2` adapter) lives in
 * `wirecall/transports/grpc-web/node`.
 *
 * @example
 * ```ts
 * import { createClient, createRouter } from "wirecall";
 * import { createGrpcWebHandler, createGrpcWebTransport } from "wirecall/transports/grpc-web";
 * import { DemoService } from "./protos/gen/wirecall/demo/v1/demo_pb.ts";
 *
 * const router = createRouter().service(DemoService, { greet: (r) => ({ greeting: `Hi ${r.name}` }) });
 * Deno.serve({ port: 8080 }, createGrpcWebHandler(router));
 * const client = createClient(DemoService, createGrpcWebTransport({ baseUrl: "http://localhost:8080" }));
 * ```
 *
 * @module
 */
export { createGrpcWebTransport, type FetchFunction } from "./client-transport.ts";
export type { GrpcWebTransportOptions } from "./client-options.ts";
export { createGrpcWebHandler, type GrpcWebHandler, type GrpcWebRequestInfo } from "./handler.ts";
export type { GrpcWebHandlerOptions } from "./server-options.ts";
export type { CorsOptions } from "./cors.ts";
export {
  formatGrpcWebContentType,
  type GrpcWebContentType,
  type GrpcWebFormat,
  parseGrpcWebContentType,
} from "./content-type.ts";
export { encodeGrpcWebText, GrpcWebTextDecoder } from "./web-text.ts";
export { encodeTrailerFrame, parseTrailerFrame } from "./trailer-frame.ts";
