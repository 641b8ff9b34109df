/**
 * Node glue for gRPC-Web: `createNodeFetch`, a pooled keep-alive undici
 * `fetch` for the client, and `createNodeRequestListener`, which serves the
 * fetch handler from `node:http` and `node:http2` servers (and from the
 * HTTP/2 transport's `grpcWeb` hand-off). Kept apart from
 * `wirecall/transports/grpc-web` so that browser and edge bundles import no
 * `node:*` module.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { createGrpcWebHandler, createGrpcWebTransport } from "wirecall/transports/grpc-web";
 * import { createNodeFetch, createNodeRequestListener } from "wirecall/transports/grpc-web/node";
 * createServer(createNodeRequestListener(createGrpcWebHandler(router))).listen(8080);
 * const transport = createGrpcWebTransport({ baseUrl: "http://127.0.0.1:8080", fetch: createNodeFetch() });
 * ```
 *
 * @module
 */
export { createNodeFetch, type NodeFetch, type NodeFetchOptions } from "./node-fetch.ts";
export { createNodeRequestListener, type NodeRequestListener } from "./node-adapter.ts";
