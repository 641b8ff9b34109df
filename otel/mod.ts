/**
 * OpenTelemetry for wirecall: tracing and metrics interceptors for clients
 * and servers following OpenTelemetry's RPC semantic conventions, and a W3C
 * Trace Context propagator that carries `traceparent` in metadata. Needs
 * `@opentelemetry/api` (an optional peer dependency of wirecall); the core
 * does not.
 *
 * @example
 * ```ts
 * import { createRouter } from "wirecall";
 * import { createOtelInterceptors } from "wirecall/otel";
 * const otel = createOtelInterceptors();
 * const router = createRouter({ interceptors: [otel.server] });
 * ```
 *
 * @module
 */
export {
  createOtelInterceptors,
  type OtelInterceptors,
  type OtelOptions,
  type RpcSemconv,
} from "./interceptors.ts";
export { metadataGetter, metadataSetter, w3cTraceContextPropagator } from "./trace-context.ts";
