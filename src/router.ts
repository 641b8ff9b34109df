import type {
  DescMessage,
  DescMethod,
  DescMethodBiDiStreaming,
  DescMethodClientStreaming,
  DescMethodServerStreaming,
  DescMethodUnary,
  DescService,
  Message,
  MessageInitShape,
  MessageShape,
} from "@bufbuild/protobuf";
import * as z from "zod/mini";
import { type Clock, systemClock } from "./clock.ts";
import type { Codec } from "./codec.ts";
import { Code } from "./code.ts";
import type { HandlerContext } from "./handler-context.ts";
import {
  applyInterceptors,
  type ServerInterceptor,
  type ServerNext,
  type ServerRequest,
  type ServerResponse,
} from "./interceptor.ts";
import { Metadata } from "./metadata.ts";
import { type MethodInfo, methodInfo } from "./method.ts";
import { byteLimitOption, clockOption, functionOption, parseOptions } from "./options.ts";
import { newCallStats } from "./call-stats.ts";
import { type CallSettings, RouterCall } from "./router-call.ts";
import { RpcError } from "./rpc-error.ts";
import type { ServerCallIO } from "./server-call.ts";

/** A value, or a promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/** A unary handler. */
export type UnaryImpl<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  context: HandlerContext,
) => MaybePromise<MessageInitShape<O>>;
/** A server-streaming handler. */
export type ServerStreamingImpl<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  context: HandlerContext,
) => AsyncIterable<MessageInitShape<O>>;
/** A client-streaming handler. */
export type ClientStreamingImpl<I extends DescMessage, O extends DescMessage> = (
  requests: AsyncIterable<MessageShape<I>>,
  context: HandlerContext,
) => MaybePromise<MessageInitShape<O>>;
/** A bidi-streaming handler. */
export type BiDiStreamingImpl<I extends DescMessage, O extends DescMessage> = (
  requests: AsyncIterable<MessageShape<I>>,
  context: HandlerContext,
) => AsyncIterable<MessageInitShape<O>>;

/** A service implementation: one handler per method, named as in the schema. */
export type ServiceImpl<S extends DescService> = {
  [P in keyof S["method"]]: S["method"][P] extends DescMethodUnary<infer I, infer O>
    ? UnaryImpl<I, O>
    : S["method"][P] extends DescMethodServerStreaming<infer I, infer O> ? ServerStreamingImpl<I, O>
    : S["method"][P] extends DescMethodClientStreaming<infer I, infer O> ? ClientStreamingImpl<I, O>
    : S["method"][P] extends DescMethodBiDiStreaming<infer I, infer O> ? BiDiStreamingImpl<I, O>
    : never;
};

/** Options of {@link createRouter}. */
export interface RouterOptions {
  /** Interceptors run around every handler, outermost first. */
  interceptors?: ServerInterceptor[];
  /** The clock deadlines are measured on (default: the system clock). */
  clock?: Clock;
  /** The largest response message a handler may send, in bytes (default: no limit). */
  maxSendMessageBytes?: number;
  /**
   * Load shedding: at most this many calls are served at once, over every
   * transport; a call beyond it is refused at once with
   * `RESOURCE_EXHAUSTED`, never queued (default: no limit).
   */
  maxConcurrentCalls?: number;
  /**
   * Services (`"pkg.Service"`) or methods (`"/pkg.Service/Method"`) never
   * shed and not counted against `maxConcurrentCalls`, so that health
   * probes still answer under load (default: `["grpc.health.v1.Health"]`).
   */
  shedExempt?: string[];
}

/** Options of one service registration. */
export interface ServiceOptions {
  /** Interceptors for this service only, run inside the router's. */
  interceptors?: ServerInterceptor[];
}

const routerOptionsSchema = z.strictObject({
  interceptors: z.optional(z.array(functionOption)),
  clock: z.optional(clockOption),
  maxSendMessageBytes: z.optional(byteLimitOption),
  maxConcurrentCalls: z.optional(
    z.number().check(z.int(), z.positive()),
  ),
  shedExempt: z.optional(z.array(z.string().check(z.minLength(1)))),
});
const serviceOptionsSchema = z.strictObject({
  interceptors: z.optional(z.array(functionOption)),
});

/** A registered method, ready to serve. */
interface Route {
  /** The method. */
  readonly info: MethodInfo;
  /** Its schema. */
  readonly desc: DescMethod;
  codecs: Record<string, { input: Codec<Message>; output: Codec<Message> }>;
  next: ServerNext;
  /** Counted against `maxConcurrentCalls`. */
  shed: boolean;
}

/**
 * Routes calls to service implementations. Server transports call
 * `handle(path, io)`; unknown services and methods get `UNIMPLEMENTED`.
 */
export interface Router {
  /** Registers a service; methods left out answer `UNIMPLEMENTED`. */
  service<S extends DescService>(
    service: S,
    impl: Partial<ServiceImpl<S>>,
    options?: ServiceOptions,
  ): Router;
  /** Serves one call. Never rejects: every failure becomes a status. */
  handle(path: string, io: ServerCallIO): Promise<void>;
  /** The registered services, for reflection and health. */
  readonly services: readonly DescService[];
  /** The clock deadlines are measured on. */
  readonly clock: Clock;
}

/**
 * Creates a router.
 *
 * @example
 * ```ts
 * import { createRouter } from "wirecall";
 * import { DemoService } from "./protos/gen/wirecall/demo/v1/demo_pb.ts";
 * const router = createRouter().service(DemoService, {
 *   greet: (req) => ({ greeting: `Hello, ${req.name}!` }),
 * });
 * ```
 */
export function createRouter(options?: RouterOptions): Router {
  const opts = parseOptions("router", routerOptionsSchema, options) as RouterOptions;
  const clock = opts.clock ?? systemClock;
  const routes = new Map<string, Route>();
  const services: DescService[] = [];
  const serviceNames = new Set<string>();
  const maxSend = opts.maxSendMessageBytes ?? Infinity;
  const settings: CallSettings = { clock, maxSend };
  const maxCalls = opts.maxConcurrentCalls ?? Infinity;
  const exempt = new Set(opts.shedExempt ?? ["grpc.health.v1.Health"]);
  let activeCalls = 0;

  const router: Router = {
    services,
    clock,
    service(service, impl, serviceOptions) {
      const sOpts = parseOptions("service", serviceOptionsSchema, serviceOptions) as ServiceOptions;
      const interceptors = [...(opts.interceptors ?? []), ...(sOpts.interceptors ?? [])];
      services.push(service);
      serviceNames.add(service.typeName);
      for (const desc of service.methods) {
        const handler = (impl as Record<string, unknown>)[desc.localName];
        if (handler === undefined) continue;
        if (typeof handler !== "function") {
          throw new RpcError(
            Code.INVALID_ARGUMENT,
            `implementation of ${service.typeName}.${desc.name} ("${desc.localName}") is not a function`,
          );
        }
        const info = methodInfo(desc);
        routes.set(info.path, {
          info,
          desc,
          codecs: {},
          shed: maxCalls !== Infinity && !exempt.has(info.serviceName) && !exempt.has(info.path),
          next: applyInterceptors(
            invokeHandler(desc, handler as (...args: unknown[]) => unknown),
            interceptors,
          ),
        });
      }
      return router;
    },
    handle(path, io) {
      const route = routes.get(path);
      if (route === undefined) {
        try {
          io.end(unimplemented(path), new Metadata(), new Metadata());
        } catch {
          // The stream is already gone; there is no one left to tell.
        }
        return Promise.resolve();
      }
      if (!route.shed) {
        // A transport that fails while the call ends (a stream already gone)
        // must not become an unhandled rejection that takes the server down.
        return serve(route, io).catch(() => {});
      }
      if (activeCalls >= maxCalls) {
        try {
          io.end(
            new RpcError(
              Code.RESOURCE_EXHAUSTED,
              `the server is at its limit of ${maxCalls} concurrent calls; try again later`,
            ),
            new Metadata(),
            new Metadata(),
          );
        } catch {
          // The stream is already gone.
        }
        return Promise.resolve();
      }
      activeCalls++;
      return serve(route, io).catch(() => {}).finally(() => activeCalls--);
    },
  };
  return router;

  function unimplemented(path: string): RpcError {
    const slash = path.lastIndexOf("/");
    const serviceName = path.slice(1, slash);
    if (slash <= 0 || !serviceNames.has(serviceName)) {
      return new RpcError(Code.UNIMPLEMENTED, `unknown service ${serviceName || path}`);
    }
    return new RpcError(
      Code.UNIMPLEMENTED,
      `method ${path.slice(slash + 1)} of ${serviceName} is not implemented`,
    );
  }

  function serve(route: Route, io: ServerCallIO): Promise<void> {
    return new RouterCall(route, io, settings, newCallStats()).serve();
  }
}

function invokeHandler(
  desc: DescMethod,
  handler: (...args: unknown[]) => unknown,
): ServerNext {
  const responseStream = desc.methodKind === "server_streaming" ||
    desc.methodKind === "bidi_streaming";
  return async (req: ServerRequest): Promise<ServerResponse> => {
    const arg = req.stream ? req.messages : req.message;
    if (responseStream) {
      const messages = handler(arg, req.context) as AsyncIterable<Message>;
      return { stream: true, messages };
    }
    const message = await handler(arg, req.context) as Message;
    return { stream: false, message };
  };
}
