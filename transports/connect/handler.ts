import type { DescMethod } from "@bufbuild/protobuf";
import { Code, type Compression, identity, type Router, RpcError } from "../../mod.ts";
import {
  compressionFor,
  compressionsNamed,
  DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
  parseOptions,
} from "../../protocol.ts";
import {
  type FetchProtocol,
  normalizePathPrefix,
  pathBelowPrefix,
  peerOfRequest,
  readBodyBytes,
} from "../../src/fetch-protocol.ts";
import { formatConnectContentType, parseConnectContentType } from "./content-type.ts";
import { parseGetQuery } from "./get-request.ts";
import {
  acceptedEncodings,
  checkProtocolVersion,
  connectHeaders,
  connectRequestMetadata,
  parseConnectTimeout,
} from "./request-header.ts";
import {
  type ConnectCallInit,
  ConnectStreamCall,
  ConnectUnaryCall,
  streamErrorResponse,
  unaryErrorResponse,
} from "./server-call.ts";
import { type ConnectHandlerOptions, connectHandlerOptionsSchema } from "./server-options.ts";

/**
 * A fetch handler serving the Connect protocol, which is also a
 * {@link FetchProtocol}: mount it alone (`Deno.serve(handler)`), or hand it
 * to `createGrpcWebHandler(router, { protocols: [handler] })` to serve
 * Connect beside gRPC-Web (and REST) on the same routes and port.
 */
export interface ConnectHandler extends FetchProtocol {
  (request: Request, info?: unknown): Promise<Response>;
}

/** The methods of a router by path, refreshed when services are added. */
function methodIndex(router: Router): (path: string) => DescMethod | undefined {
  let indexed = -1;
  const byPath = new Map<string, DescMethod>();
  return (path) => {
    if (indexed !== router.services.length) {
      for (const service of router.services) {
        for (const m of service.methods) byPath.set(`/${service.typeName}/${m.name}`, m);
      }
      indexed = router.services.length;
    }
    return byPath.get(path);
  };
}

/** An unknown procedure: HTTP 404, as the Connect protocol answers it, with error JSON. */
function notFound(path: string): Response {
  const error = new RpcError(Code.UNIMPLEMENTED, `no procedure ${path} is served here`);
  const res = unaryErrorResponse(new Headers(), error);
  return new Response(res.body, { status: 404, headers: res.headers });
}

/**
 * Creates a handler for the Connect protocol (connectrpc.com/docs/protocol)
 * in front of a router: unary calls as POST with `application/json` or
 * `application/proto` bodies, and as cacheable GET for methods marked
 * `idempotency_level = NO_SIDE_EFFECTS`; streaming calls with
 * `application/connect+json|proto` envelopes and the end-of-stream message;
 * Connect error JSON with details, `connect-timeout-ms`, gzip. It runs on
 * Deno, Bun, workerd and Node like the gRPC-Web handler, so `curl` can call
 * any method with JSON:
 *
 * ```sh
 * curl -H 'content-type: application/json' -d '{"name":"Ada"}' \
 *   http://localhost:8080/wirecall.demo.v1.DemoService/Greet
 * ```
 *
 * @example
 * ```ts
 * import { createRouter } from "wirecall";
 * import { createConnectHandler } from "wirecall/transports/connect";
 * import { createGrpcWebHandler } from "wirecall/transports/grpc-web";
 * import { DemoService } from "./protos/gen/wirecall/demo/v1/demo_pb.ts";
 * const router = createRouter().service(DemoService, { greet: (r) => ({ greeting: `Hi ${r.name}` }) });
 * Deno.serve(createGrpcWebHandler(router, { protocols: [createConnectHandler(router)] }));
 * ```
 */
export function createConnectHandler(
  router: Router,
  options?: ConnectHandlerOptions,
): ConnectHandler {
  const opts = parseOptions(
    "Connect handler",
    connectHandlerOptionsSchema,
    options,
  ) as ConnectHandlerOptions;
  const maxBytes = opts.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_MESSAGE_BYTES;
  const supported = compressionsNamed(opts.acceptCompression ?? ["gzip", "identity"]);
  const acceptEncoding = [...supported.keys()].join(",");
  const compressMinBytes = opts.compressMinBytes ?? 1024;
  const prefix = normalizePathPrefix(opts.pathPrefix);
  const requireVersion = opts.requireProtocolVersion ?? false;
  const methodAt = methodIndex(router);

  const tooLarge = (n: number) =>
    new RpcError(
      Code.RESOURCE_EXHAUSTED,
      `request message of ${n} bytes exceeds the limit of ${maxBytes} bytes`,
    );

  function negotiate(accept: string | null): Compression {
    for (const name of acceptedEncodings(accept)) {
      const c = supported.get(name);
      if (c !== undefined && c.name !== "identity") return c;
    }
    return identity;
  }

  function serve(request: Request, path: string, info?: unknown): Promise<Response> | undefined {
    const method = methodAt(path);
    if (method === undefined) return undefined;
    const isGet = request.method === "GET";
    const url = isGet ? new URL(request.url) : undefined;
    const type = isGet ? undefined : parseConnectContentType(request.headers.get("content-type"));
    if (isGet ? !url!.searchParams.has("encoding") : type === undefined) return undefined;
    if (!isGet && request.method !== "POST") return undefined;
    return answer(request, path, method, type?.stream ?? false, url, info);
  }

  async function answer(
    request: Request,
    path: string,
    method: DescMethod,
    streamType: boolean,
    url: URL | undefined,
    info: unknown,
  ): Promise<Response> {
    const unary = method.methodKind === "unary";
    if (url !== undefined && method.idempotency !== 1) {
      return new Response(
        `${path} is not marked idempotency_level = NO_SIDE_EFFECTS, so it takes POST only`,
        { status: 405, headers: { allow: "POST", "content-type": "text/plain" } },
      );
    }
    if (unary === streamType) {
      request.body?.cancel().catch(() => {});
      const expected = unary
        ? "application/json or application/proto"
        : "application/connect+json or application/connect+proto";
      return new Response(
        `${path} is ${unary ? "unary" : "streaming"}; send content-type ${expected}`,
        { status: 415, headers: { "content-type": "text/plain", accept: expected } },
      );
    }
    const secure = request.url.startsWith("https:");
    let query: ReturnType<typeof parseGetQuery> | undefined;
    let subtype: string;
    const base = new Headers();
    try {
      query = url === undefined ? undefined : parseGetQuery(url.searchParams);
      subtype = query?.subtype ??
        parseConnectContentType(request.headers.get("content-type"))!.subtype;
    } catch (e) {
      return unaryErrorResponse(base, e as RpcError);
    }
    base.set("content-type", formatConnectContentType(!unary, subtype));
    if (unary) base.set(connectHeaders.unaryAcceptEncoding, acceptEncoding);
    else base.set(connectHeaders.streamAcceptEncoding, acceptEncoding);

    let init: ConnectCallInit;
    try {
      const versionHeader = request.headers.get(connectHeaders.protocolVersion);
      if (
        requireVersion && (query === undefined ? versionHeader === null : query.version === null)
      ) {
        throw new RpcError(
          Code.INVALID_ARGUMENT,
          query === undefined
            ? 'missing connect-protocol-version header; set it to "1"'
            : 'missing query parameter connect; set it to "v1"',
        );
      }
      checkProtocolVersion(versionHeader, query?.version ?? null);
      const timeoutMs = parseConnectTimeout(request.headers.get(connectHeaders.timeout));
      const requestEncoding = query !== undefined
        ? query.compression
        : request.headers.get(unary ? connectHeaders.unaryEncoding : connectHeaders.streamEncoding);
      const requestCompression = compressionFor(requestEncoding, supported);
      const responseCompression = negotiate(
        request.headers.get(
          unary ? connectHeaders.unaryAcceptEncoding : connectHeaders.streamAcceptEncoding,
        ) ??
          (requestEncoding === null ? null : requestEncoding),
      );
      init = {
        request,
        headers: base,
        contentSubtype: subtype,
        timeoutMs,
        requestCompression,
        responseCompression,
        compressMinBytes,
        maxReceiveMessageBytes: maxBytes,
        peer: peerOfRequest(info, secure, "connect"),
        metadata: connectRequestMetadata(request.headers),
      };
    } catch (e) {
      request.body?.cancel().catch(() => {});
      const error = RpcError.from(e, Code.INVALID_ARGUMENT);
      return unary ? unaryErrorResponse(base, error) : streamErrorResponse(base, error);
    }
    if (unary) {
      const read = query !== undefined
        ? () => Promise.resolve(query!.message)
        : () =>
          readBodyBytes(request.body, maxBytes, request.headers.get("content-length"), tooLarge);
      const call = new ConnectUnaryCall(init, read);
      router.handle(path, call);
      return await call.response;
    }
    const call = new ConnectStreamCall(init);
    router.handle(path, call);
    return await call.response;
  }

  const handler = async function handleConnect(request: Request, info?: unknown) {
    const path = pathBelowPrefix(new URL(request.url).pathname, prefix);
    if (path === undefined) return new Response("not found", { status: 404 });
    return await (serve(request, path, info) ?? unclaimed(request, path) ??
      new Response(`unsupported request ${request.method} ${path}; this server speaks Connect`, {
        status: 415,
        headers: {
          "content-type": "text/plain",
          "accept-post": "application/json, application/proto",
        },
      }));
  } as ConnectHandler;

  function unclaimed(request: Request, path: string): Response | undefined {
    if (request.method === "POST" && parseConnectContentType(request.headers.get("content-type"))) {
      request.body?.cancel().catch(() => {});
      return notFound(path);
    }
    if (request.method === "GET" && new URL(request.url).searchParams.has("encoding")) {
      return notFound(path);
    }
    return undefined;
  }

  return Object.assign(handler, {
    protocol: "connect",
    serve,
    unclaimed,
    corsMethods: ["GET"],
    corsRequestHeaders: [
      "connect-protocol-version",
      "connect-timeout-ms",
      "connect-content-encoding",
      "connect-accept-encoding",
      "content-encoding",
    ],
    corsResponseHeaders: [
      "connect-content-encoding",
      "connect-accept-encoding",
      "content-encoding",
    ],
  });
}
