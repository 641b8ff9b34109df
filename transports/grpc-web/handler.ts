import type { Router } from "../../mod.ts";
import {
  compressionsNamed,
  DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
  metadataFromHeaders,
  parseOptions,
} from "../../protocol.ts";
import {
  acceptEncodingHeader,
  type RequestRules,
  validateRequest,
  writeRejectionFields,
} from "../../protocol.ts";
import {
  type FetchRequestInfo,
  normalizePathPrefix,
  pathBelowPrefix,
  peerOfRequest,
} from "../../src/fetch-protocol.ts";
import {
  formatGrpcWebContentType,
  GRPC_WEB_CONTENT_TYPES,
  type GrpcWebContentType,
  parseGrpcWebContentType,
} from "./content-type.ts";
import { CorsPolicy } from "./cors.ts";
import { GrpcWebServerCall } from "./server-call.ts";
import { type GrpcWebHandlerOptions, grpcWebHandlerOptionsSchema } from "./server-options.ts";

/**
 * What a runtime may pass after the request: Deno's `ServeHandlerInfo`, or
 * the same shape from the Node adapter. Anything else (Bun's server,
 * workerd's `env`) is ignored.
 */
export type GrpcWebRequestInfo = FetchRequestInfo;

/** A fetch handler serving gRPC-Web, as `Deno.serve`, `Bun.serve` and workerd take it. */
export type GrpcWebHandler = (request: Request, info?: unknown) => Promise<Response>;

/**
 * Creates a fetch handler that serves a router over gRPC-Web (binary and
 * text, protobuf and JSON) with deadlines, size limits, compression and
 * CORS. It mounts unchanged in `Deno.serve`, `Bun.serve` and a workerd
 * `fetch` export; on Node, wrap it with `createNodeRequestListener` from
 * `wirecall/transports/grpc-web/node`.
 *
 * @example
 * ```ts
 * import { createRouter } from "wirecall";
 * import { createGrpcWebHandler } from "wirecall/transports/grpc-web";
 * import { DemoService } from "./protos/gen/wirecall/demo/v1/demo_pb.ts";
 * const router = createRouter().service(DemoService, { greet: (r) => ({ greeting: `Hi ${r.name}` }) });
 * const handler = createGrpcWebHandler(router, {
 *   cors: { allowedOrigins: ["https://app.example.com"], exposeHeaders: ["x-greeter"] },
 * });
 * Deno.serve({ port: 8080 }, handler);
 * ```
 */
export function createGrpcWebHandler(
  router: Router,
  options?: GrpcWebHandlerOptions,
): GrpcWebHandler {
  const opts = parseOptions(
    "gRPC-Web handler",
    grpcWebHandlerOptionsSchema,
    options,
  ) as GrpcWebHandlerOptions;
  const protocols = opts.protocols ?? [];
  const cors = new CorsPolicy(opts.cors, protocols);
  const maxBytes = opts.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_MESSAGE_BYTES;
  const supported = compressionsNamed(opts.acceptCompression ?? ["gzip", "identity"]);
  const acceptEncoding = acceptEncodingHeader(supported);
  const rules: RequestRules<GrpcWebContentType> = {
    parseContentType: parseGrpcWebContentType,
    contentTypes: GRPC_WEB_CONTENT_TYPES,
    allow: "POST, OPTIONS",
    requireTe: false,
    compressions: supported,
    compressResponses: true,
  };
  const compressMinBytes = opts.compressMinBytes ?? 1024;
  const prefix = normalizePathPrefix(opts.pathPrefix);

  /** The answer of the first other protocol that takes the request. */
  function serveOther(
    request: Request,
    path: string,
    info: unknown,
  ): Promise<Response> | undefined {
    for (const p of protocols) {
      const r = p.serve(request, path, info);
      if (r !== undefined) return r;
    }
    for (const p of protocols) {
      const r = p.unclaimed?.(request, path);
      if (r !== undefined) return Promise.resolve(r);
    }
    return undefined;
  }

  return async function handleGrpcWeb(request: Request, info?: unknown): Promise<Response> {
    const url = new URL(request.url);
    const origin = request.headers.get("origin");
    if (request.method === "OPTIONS") return cors.preflight(request, url);
    if (!cors.allows(origin, url)) {
      return new Response(`origin ${origin} may not call this gRPC-Web endpoint`, {
        status: 403,
        headers: { "content-type": "text/plain", vary: "Origin" },
      });
    }
    const path = pathBelowPrefix(url.pathname, prefix);
    if (path === undefined) return new Response("not found", { status: 404 });
    if (
      protocols.length > 0 &&
      parseGrpcWebContentType(request.headers.get("content-type")) === undefined
    ) {
      const served = serveOther(request, path, info);
      if (served !== undefined) {
        const response = await served;
        cors.decorate(response.headers, origin === url.origin ? null : origin);
        return response;
      }
    }
    const head = validateRequest(request.method, (k) => request.headers.get(k) ?? undefined, rules);
    const accepted = "httpStatus" in head ? undefined : head.contentType;
    const headers = new Headers({
      "content-type": formatGrpcWebContentType(
        accepted?.format ?? "binary",
        accepted?.subtype ?? "proto",
      ),
      "grpc-accept-encoding": acceptEncoding,
    });
    cors.decorate(headers, origin === url.origin ? null : origin);
    if ("httpStatus" in head) {
      // Trailers-only, as every wirecall server refuses a request.
      writeRejectionFields(head, (k, v) => headers.set(k, v));
      return new Response(null, { status: head.httpStatus, headers });
    }
    const { contentType, timeoutMs, requestCompression, responseCompression } = head;

    const call = new GrpcWebServerCall({
      request,
      headers,
      text: contentType.format === "text",
      contentSubtype: contentType.subtype,
      timeoutMs,
      requestCompression,
      responseCompression,
      compressMinBytes,
      maxReceiveMessageBytes: maxBytes,
      peer: peerOfRequest(info, url.protocol === "https:", "grpc-web"),
    }, metadataFromHeaders(request.headers));
    router.handle(path, call);
    return await call.response;
  };
}
