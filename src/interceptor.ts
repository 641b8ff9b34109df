import type { DescMethod, Message } from "@bufbuild/protobuf";
import type { CallStats } from "./call-stats.ts";
import type { HandlerContext } from "./handler-context.ts";
import type { Metadata } from "./metadata.ts";
import type { MethodInfo } from "./method.ts";
import type { RpcError } from "./rpc-error.ts";

/** One message, or a stream of them, as interceptors see it. */
export type MessageOrStream =
  | { readonly stream: false; message: Message }
  | { readonly stream: true; messages: AsyncIterable<Message> };

/** A client call on its way out, as client interceptors see it. */
export type ClientRequest = {
  /** The method called. */
  readonly method: MethodInfo;
  /** The method's schema. */
  readonly desc: DescMethod;
  /** Request metadata; interceptors may change it. */
  metadata: Metadata;
  /** Aborts the call. */
  signal: AbortSignal;
  /** Time left to the deadline in ms, or undefined. */
  timeoutMs: number | undefined;
  /** The `grpc-encoding` for this call's request messages (`"gzip"`, `"identity"`); the transport's default when undefined. */
  compression?: string;
  /**
   * Messages, bytes and attempts of the call so far, kept by the client
   * (absent only on a request an interceptor built from nothing).
   */
  readonly stats?: CallStats;
} & MessageOrStream;

/** A client call's answer, as client interceptors see it. */
export type ClientResponse = {
  /** Response headers. */
  header: Metadata;
  /** Response trailers (complete once a response stream has ended). */
  trailer: Metadata;
} & MessageOrStream;

/** Sends a client request on and resolves with its response. */
export type ClientNext = (request: ClientRequest) => Promise<ClientResponse>;

/**
 * A client interceptor: wraps `next`, for every call kind. It may read and
 * change request metadata and messages, read response headers and trailers,
 * wrap message streams, and map errors.
 *
 * @example
 * ```ts
 * import type { ClientInterceptor } from "wirecall";
 * const auth: ClientInterceptor = (next) => async (req) => {
 *   req.metadata.set("authorization", "Bearer t0k3n");
 *   return await next(req);
 * };
 * ```
 */
export type ClientInterceptor = (next: ClientNext) => ClientNext;

/** A call arriving at a server, as server interceptors see it. */
export type ServerRequest = {
  /** The method called. */
  readonly method: MethodInfo;
  /** The method's schema. */
  readonly desc: DescMethod;
  /** The handler context: metadata, deadline, signal, response headers and trailers. */
  readonly context: HandlerContext;
  /** Messages and bytes of the call so far, kept by the router. */
  readonly stats?: CallStats;
  /**
   * Registers a listener told once, by the router, how the call ended on the
   * wire: `undefined` for OK, else the status sent (a handler's error, the
   * deadline, the client's cancellation, a response over the size limit).
   */
  readonly onEnd?: (listener: (error: RpcError | undefined) => void) => void;
} & MessageOrStream;

/** What a handler answered, as server interceptors see it. */
export type ServerResponse = MessageOrStream;

/** Runs the rest of the server chain (ending with the handler). */
export type ServerNext = (request: ServerRequest) => Promise<ServerResponse>;

/**
 * A server interceptor: wraps the handler, for every call kind.
 *
 * @example
 * ```ts
 * import { Code, RpcError, type ServerInterceptor } from "wirecall";
 * const requireAuth: ServerInterceptor = (next) => async (req) => {
 *   if (!req.context.metadata.has("authorization")) throw new RpcError(Code.UNAUTHENTICATED, "log in");
 *   return await next(req);
 * };
 * ```
 */
export type ServerInterceptor = (next: ServerNext) => ServerNext;

/**
 * Composes interceptors around `last` so that the first in the list is the
 * outermost: it sees the request first and the response last.
 */
export function applyInterceptors<N>(last: N, interceptors: ReadonlyArray<(next: N) => N>): N {
  let next = last;
  for (let i = interceptors.length - 1; i >= 0; i--) next = interceptors[i](next);
  return next;
}
