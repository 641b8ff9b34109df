/**
 * Next.js App Router glue: the route handlers of a catch-all route
 * (`app/rpc/[...path]/route.ts`) serving a wirecall fetch handler. Imports
 * no `node:*` module, so it runs on the Node and edge runtimes alike (client
 * streaming needs the Node runtime, which can stream a request body).
 *
 * @example
 * ```ts
 * // app/rpc/[...path]/route.ts
 * import { createGrpcWebHandler } from "wirecall/transports/grpc-web";
 * import { createConnectHandler } from "wirecall/transports/connect";
 * import { createRestHandler } from "wirecall/transports/rest";
 * import { createNextRouteHandlers } from "wirecall/transports/frameworks/next";
 * export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = createNextRouteHandlers(
 *   createGrpcWebHandler(router, {
 *     pathPrefix: "/rpc",
 *     protocols: [createConnectHandler(router), createRestHandler(router)],
 *   }),
 * );
 * ```
 *
 * @module
 */
import type { FetchHandler } from "./fetch-handler.ts";

/** A Next.js route handler: a `Request` in, a `Response` out. */
export type NextRouteHandler = (request: Request) => Promise<Response>;

/** The route handlers of every HTTP method the protocols use. */
export interface NextRouteHandlers {
  GET: NextRouteHandler;
  POST: NextRouteHandler;
  PUT: NextRouteHandler;
  PATCH: NextRouteHandler;
  DELETE: NextRouteHandler;
  OPTIONS: NextRouteHandler;
}

/**
 * Creates the route handlers of a catch-all route from `handler`; give the
 * handler the route's path as its `pathPrefix`, since Next passes the full
 * URL.
 */
export function createNextRouteHandlers(handler: FetchHandler): NextRouteHandlers {
  const route: NextRouteHandler = (request) => handler(request);
  return { GET: route, POST: route, PUT: route, PATCH: route, DELETE: route, OPTIONS: route };
}
