/**
 * The Connect protocol (connectrpc.com/docs/protocol) over `fetch`: a server
 * handler of the form `(request: Request) => Promise<Response>` that runs on
 * Deno, Bun, workerd and Node (alone, or beside gRPC-Web and REST in
 * `createGrpcWebHandler`'s `protocols`), and a client transport on any
 * `fetch`. Connect-ES clients and servers interoperate with both; `curl`
 * calls a unary method with plain JSON.
 *
 * @example
 * ```ts
 * import { createClient, createRouter } from "wirecall";
 * import { createConnectHandler, createConnectTransport } from "wirecall/transports/connect";
 * import { DemoService } from "./protos/gen/wirecall/demo/v1/demo_pb.ts";
 *
 * const router = createRouter().service(DemoService, { greet: (r) => ({ greeting: `Hi ${r.name}` }) });
 * Deno.serve({ port: 8080 }, createConnectHandler(router));
 * const client = createClient(DemoService, createConnectTransport({ baseUrl: "http://localhost:8080" }));
 * ```
 *
 * @module
 */
export { type ConnectHandler, createConnectHandler } from "./handler.ts";
export type { ConnectHandlerOptions } from "./server-options.ts";
export { createConnectTransport } from "./client-transport.ts";
export type { ConnectTransportOptions } from "./client-options.ts";
export {
  type ConnectContentType,
  formatConnectContentType,
  parseConnectContentType,
} from "./content-type.ts";
export { codeFromString, codeToString } from "./code-string.ts";
export {
  type ConnectErrorJson,
  errorFromJson,
  errorFromJsonBytes,
  errorToJson,
  errorToJsonBytes,
} from "./error-json.ts";
export { decodeEndStream, encodeEndStream, FLAG_END_STREAM } from "./end-stream.ts";
export { type ConnectGetQuery, connectGetUrl, parseGetQuery } from "./get-request.ts";
export { parseConnectTimeout } from "./request-header.ts";
