import type { DescMethod } from "@bufbuild/protobuf";

/** The four gRPC call kinds, named as `@bufbuild/protobuf` names them. */
export type MethodKind = "unary" | "server_streaming" | "client_streaming" | "bidi_streaming";

/** What a transport needs to know of a method: no schemas, no messages. */
export interface MethodInfo {
  /** The HTTP/2 `:path`: `/package.Service/Method`. */
  readonly path: string;
  /** The fully qualified service name. */
  readonly serviceName: string;
  /** The method name as declared in the `.proto`. */
  readonly methodName: string;
  /** The call kind. */
  readonly kind: MethodKind;
  /** True when the method is marked `NO_SIDE_EFFECTS` or `IDEMPOTENT`. */
  readonly idempotent: boolean;
  /** True when the method is marked `NO_SIDE_EFFECTS`: it may be called with HTTP GET. */
  readonly noSideEffects: boolean;
  /** True when the client sends a stream. */
  readonly requestStream: boolean;
  /** True when the server answers with a stream. */
  readonly responseStream: boolean;
}

const cache = new WeakMap<DescMethod, MethodInfo>();

/**
 * Describes a `@bufbuild/protobuf` method for transports.
 *
 * @example
 * ```ts
 * import { methodInfo } from "wirecall";
 * // methodInfo(DemoService.method.greet).path === "/wirecall.demo.v1.DemoService/Greet"
 * ```
 */
export function methodInfo(method: DescMethod): MethodInfo {
  let info = cache.get(method);
  if (info === undefined) {
    const kind = method.methodKind as MethodKind;
    info = {
      path: `/${method.parent.typeName}/${method.name}`,
      serviceName: method.parent.typeName,
      methodName: method.name,
      kind,
      idempotent: method.idempotency !== undefined && method.idempotency !== 0,
      noSideEffects: method.idempotency === 1,
      requestStream: kind === "client_streaming" || kind === "bidi_streaming",
      responseStream: kind === "server_streaming" || kind === "bidi_streaming",
    };
    cache.set(method, info);
  }
  return info;
}
