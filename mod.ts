/**
 * wirecall: contract-first gRPC for TypeScript. This module is the
 * transport-agnostic core: status and errors (with details), metadata, codecs,
 * compression, interceptors, the typed client and the router, channels,
 * health and reflection, auth, logging and metrics.
 * Transports live in `wirecall/transports/*`. This entry lists what
 * application code writes against; the pieces transports are built from
 * (framing, head checks, the deadline, trailer encoding, option schemas, the
 * transport request types) are in `wirecall/protocol`, for transport authors.
 *
 * @example
 * ```ts
 * import { createClient, createRouter } from "wirecall";
 * import { createLoopbackTransport } from "wirecall/transports/loopback";
 * ```
 *
 * @module
 */
export { Code, codeName, isCode } from "./src/code.ts";
export { type ErrorDetailInit, RpcError, type RpcErrorOptions } from "./src/rpc-error.ts";
export {
  type ErrorDetails,
  type ErrorDetailsInit,
  packErrorDetails,
  readErrorDetails,
} from "./src/error-details.ts";
export {
  type BadRequest,
  type BadRequest_FieldViolation,
  BadRequestSchema,
  type DebugInfo,
  DebugInfoSchema,
  type ErrorInfo,
  ErrorInfoSchema,
  type Help,
  type Help_Link,
  HelpSchema,
  type LocalizedMessage,
  LocalizedMessageSchema,
  type PreconditionFailure,
  type PreconditionFailure_Violation,
  PreconditionFailureSchema,
  type QuotaFailure,
  type QuotaFailure_Violation,
  QuotaFailureSchema,
  type RequestInfo,
  RequestInfoSchema,
  type ResourceInfo,
  ResourceInfoSchema,
  type RetryInfo,
  RetryInfoSchema,
} from "./src/gen/google/rpc/error_details_pb.ts";
export { Metadata, type MetadataInit, type MetadataValue } from "./src/metadata.ts";
export { type Clock, ManualClock, systemClock } from "./src/clock.ts";
export {
  type Codec,
  codecFor,
  type CodecFormat,
  jsonCodec,
  type JsonCodecOptions,
  protobufCodec,
} from "./src/codec.ts";
export { builtinCompressions, type Compression, gzip, identity } from "./src/compression.ts";
export { messageCompression, withMessageCompression } from "./src/message-compression.ts";
export { type MethodInfo, methodInfo, type MethodKind } from "./src/method.ts";
export type { ClosableTransport, Transport, TransportConnectivity } from "./src/transport.ts";
export type { HandlerContext, PeerInfo } from "./src/handler-context.ts";
export {
  currentHandlerContext,
  type HandlerContextStorage,
  runInHandlerContext,
  setHandlerContextStorage,
} from "./src/async-context.ts";
export {
  type ClientInterceptor,
  type ClientNext,
  type ClientRequest,
  type ClientResponse,
  type MessageOrStream,
  type ServerInterceptor,
  type ServerNext,
  type ServerRequest,
  type ServerResponse,
} from "./src/interceptor.ts";
export {
  type CallLogEntry,
  type CallLogger,
  type CallLoggerOptions,
  createCallLogger,
} from "./src/call-logger.ts";
export {
  createMetrics,
  GRPC_LATENCY_BUCKETS,
  type Metrics,
  type MetricsEndpointOptions,
  type MetricsOptions,
  PROMETHEUS_CONTENT_TYPE,
} from "./src/metrics.ts";
export {
  type BearerAuthOptions,
  type BearerTokenGrant,
  createBearerAuth,
} from "./src/bearer-auth.ts";
export {
  type AuthCall,
  authOf,
  type AuthRule,
  createServerAuth,
  type Principal,
  type ServerAuthOptions,
} from "./src/server-auth.ts";
export {
  createJwtVerifier,
  type JwtAlgorithm,
  type JwtClaims,
  type JwtKey,
  type JwtVerifier,
  type JwtVerifierOptions,
} from "./src/jwt-verifier.ts";
export { type CallStats } from "./src/call-stats.ts";
export { type CallEndListener, watchClientCall, watchServerCall } from "./src/call-outcome.ts";
export {
  type CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitState,
  type CircuitStateChange,
  createCircuitBreaker,
} from "./src/circuit-breaker.ts";
export {
  type BiDiStreamingFn,
  type CallOptions,
  type Client,
  type ClientOptions,
  type ClientStreamingFn,
  createClient,
  type ServerStreamingFn,
  toMessage,
  type UnaryFn,
} from "./src/client.ts";
export {
  type BiDiStreamingImpl,
  type ClientStreamingImpl,
  createRouter,
  type MaybePromise,
  type Router,
  type RouterOptions,
  type ServerStreamingImpl,
  type ServiceImpl,
  type ServiceOptions,
  type UnaryImpl,
} from "./src/router.ts";
export {
  HealthRegistry,
  HealthService,
  ServingStatus,
  type ServingStatusName,
} from "./src/health-service.ts";
export { addReflection } from "./src/reflection-service.ts";
export {
  AttemptFailure,
  type AttemptFailureKind,
  attemptFailureOf,
} from "./src/attempt-failure.ts";
export {
  type Channel,
  type ChannelOptions,
  createChannel,
  type EndpointState,
} from "./src/channel/channel.ts";
export type { ConnectivityState } from "./src/channel/connectivity-state.ts";
export type { BackoffOptions } from "./src/channel/backoff.ts";
export { type DnsLookup, runtimeDnsLookup } from "./src/channel/dns-lookup.ts";
export {
  DEFAULT_TARGET_PORT,
  type Endpoint,
  endpointUrl,
  type ParsedTarget,
  parseTarget,
} from "./src/channel/target.ts";
export {
  durationMs,
  type HedgingPolicy,
  type HedgingPolicyJson,
  type LoadBalancingConfig,
  type MethodConfig,
  type MethodConfigJson,
  parseServiceConfig,
  type ParseServiceConfigOptions,
  type RetryPolicy,
  type RetryPolicyJson,
  type ServiceConfig,
  type ServiceConfigJson,
  type StatusCodeName,
} from "./src/channel/service-config.ts";
export { type Pushback, readPushback } from "./src/channel/pushback.ts";
export { RetryThrottle } from "./src/channel/retry-throttle.ts";
export { PREVIOUS_ATTEMPTS_KEY, previousAttempts } from "./src/channel/retrying-call.ts";
