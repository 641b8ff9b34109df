/**
 * REST/JSON transcoding from `google.api.http` annotations (the HttpRule
 * spec of googleapis' `google/api/http.proto`): a fetch handler that serves
 * each annotated method at its HTTP route, alone or beside gRPC, gRPC-Web
 * and Connect on one port; the path template parser and matcher it is
 * built on.
 *
 * @example
 * ```ts
 * import { createRouter } from "wirecall";
 * import { createGrpcWebHandler } from "wirecall/transports/grpc-web";
 * import { createConnectHandler } from "wirecall/transports/connect";
 * import { createRestHandler } from "wirecall/transports/rest";
 * const router = createRouter();
 * Deno.serve(createGrpcWebHandler(router, {
 *   protocols: [createConnectHandler(router), createRestHandler(router)],
 * }));
 * ```
 *
 * @module
 */
export { createRestHandler, type RestHandler, type RestHandlerOptions } from "./handler.ts";
export { type HttpBinding, httpBindings } from "./http-rule.ts";
export {
  matchPathTemplate,
  parsePathTemplate,
  type PathTemplate,
  PathTemplateError,
  type TemplateSegment,
  type TemplateVariable,
} from "./path-template.ts";
export { statusJson } from "./status-json.ts";
