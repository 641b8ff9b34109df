import { createRegistry, type Registry } from "@bufbuild/protobuf";
import {
  file_google_protobuf_any,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
} from "@bufbuild/protobuf/wkt";
import * as z from "zod/mini";
import { Code, type Router, RpcError } from "../../mod.ts";
import {
  DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
  metadataFromHeaders,
  parseGrpcTimeout,
  parseOptions,
} from "../../protocol.ts";
import {
  type FetchProtocol,
  normalizePathPrefix,
  pathBelowPrefix,
  peerOfRequest,
} from "../../src/fetch-protocol.ts";
import { file_google_rpc_error_details } from "../../src/gen/google/rpc/error_details_pb.ts";
import { byteLimitOption } from "../../src/options.ts";
import { type HttpBinding, httpBindings } from "./http-rule.ts";
import { matchPathTemplate, templateSpecificity } from "./path-template.ts";
import { RestCall, restErrorResponse } from "./server-call.ts";

/** Options of {@link createRestHandler}. */
export interface RestHandlerOptions {
  /** The largest request body accepted, in bytes (default 4 MiB). */
  maxReceiveMessageBytes?: number;
  /**
   * A path prefix the handler is mounted under, such as `"/api"`, stripped
   * before matching when the handler serves requests itself (a host handler
   * given it in `protocols` strips its own prefix instead).
   */
  pathPrefix?: string;
  /**
   * Types for `google.protobuf.Any` in messages and error details, besides
   * those of the served services, the well-known types and `google.rpc`'s
   * error details.
   */
  registry?: Registry;
}

const optionsSchema = z.strictObject({
  maxReceiveMessageBytes: z.optional(byteLimitOption),
  pathPrefix: z.optional(
    z.string().check(z.startsWith("/", { message: 'expected a path starting with "/"' })),
  ),
  registry: z.optional(
    z.custom<Registry>((v) => typeof (v as Registry)?.getMessage === "function", {
      message: "expected a @bufbuild/protobuf Registry",
    }),
  ),
});

/**
 * A fetch handler serving REST/JSON routes transcoded from `google.api.http`
 * annotations, which is also a {@link FetchProtocol}: mount it alone, or
 * hand it to `createGrpcWebHandler(router, { protocols: [...] })` to serve
 * REST beside gRPC-Web and Connect on the same port.
 */
export interface RestHandler extends FetchProtocol {
  (request: Request, info?: unknown): Promise<Response>;
  /** The routes served, as `"GET /v1/{name=shelves/*}"` lines, for logs and docs. */
  routes(): string[];
}

interface RouteTable {
  byMethod: Map<string, HttpBinding[]>;
  registry: Registry;
}

/**
 * Creates a REST handler for a router: every method with a `google.api.http`
 * option is served at its HTTP method and path template (variables,
 * wildcards, custom verbs, `additional_bindings`), its request built from
 * the path, the query parameters and the JSON body as `body` says, its
 * response sent as proto3 JSON (or just its `response_body` field). Errors
 * are the HTTP status the code maps to (`NOT_FOUND` → 404, …) with
 * `google.rpc.Status` JSON; server streams are newline-delimited JSON.
 *
 * @example
 * ```ts
 * import { createRouter } from "wirecall";
 * import { createRestHandler } from "wirecall/transports/rest";
 * import { DemoService } from "./protos/gen/wirecall/demo/v1/demo_pb.ts";
 * const router = createRouter().service(DemoService, { greet: (r) => ({ greeting: `Hi ${r.name}` }) });
 * Deno.serve(createRestHandler(router)); // GET /v1/greet/Ada → {"greeting":"Hi Ada"}
 * ```
 */
export function createRestHandler(router: Router, options?: RestHandlerOptions): RestHandler {
  const opts = parseOptions("REST handler", optionsSchema, options) as RestHandlerOptions;
  const maxBytes = opts.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_MESSAGE_BYTES;
  const prefix = normalizePathPrefix(opts.pathPrefix);
  let table: RouteTable | undefined;
  let indexed = -1;

  function routeTable(): RouteTable {
    if (table !== undefined && indexed === router.services.length) return table;
    const byMethod = new Map<string, HttpBinding[]>();
    for (const service of router.services) {
      for (const method of service.methods) {
        for (const b of httpBindings(method)) {
          const list = byMethod.get(b.httpMethod) ?? [];
          list.push(b);
          byMethod.set(b.httpMethod, list);
        }
      }
    }
    for (const list of byMethod.values()) {
      list.sort((a, b) => templateSpecificity(b.template) - templateSpecificity(a.template));
    }
    const registry = createRegistry(
      file_google_protobuf_any,
      file_google_protobuf_duration,
      file_google_protobuf_empty,
      file_google_protobuf_field_mask,
      file_google_protobuf_struct,
      file_google_protobuf_timestamp,
      file_google_protobuf_wrappers,
      file_google_rpc_error_details,
      ...router.services.map((s) => s.file),
      ...(opts.registry === undefined ? [] : [opts.registry]),
    );
    indexed = router.services.length;
    return (table = { byMethod, registry });
  }

  function serve(request: Request, path: string, info?: unknown): Promise<Response> | undefined {
    const { byMethod, registry } = routeTable();
    const candidates = byMethod.get(request.method.toUpperCase());
    if (candidates === undefined) return undefined;
    for (const binding of candidates) {
      const values = matchPathTemplate(binding.template, path);
      if (values !== undefined) return answer(request, binding, values, registry, info);
    }
    return undefined;
  }

  async function answer(
    request: Request,
    binding: HttpBinding,
    pathValues: Map<string, string>,
    registry: Registry,
    info: unknown,
  ): Promise<Response> {
    const timeoutHeader = request.headers.get("grpc-timeout");
    const timeoutMs = timeoutHeader === null ? undefined : parseGrpcTimeout(timeoutHeader);
    if (timeoutHeader !== null && timeoutMs === undefined) {
      request.body?.cancel().catch(() => {});
      return restErrorResponse(
        new RpcError(Code.INVALID_ARGUMENT, `malformed grpc-timeout "${timeoutHeader}"`),
        registry,
      );
    }
    const call = new RestCall({
      request,
      binding,
      pathValues,
      registry,
      maxReceiveMessageBytes: maxBytes,
      timeoutMs,
      peer: peerOfRequest(info, request.url.startsWith("https:"), "rest"),
      metadata: metadataFromHeaders(request.headers),
    });
    const m = binding.method;
    router.handle(`/${m.parent.typeName}/${m.name}`, call);
    return await call.response;
  }

  const handler = async function handleRest(request: Request, info?: unknown) {
    const path = pathBelowPrefix(new URL(request.url).pathname, prefix);
    if (path === undefined) return new Response("not found", { status: 404 });
    return await (serve(request, path, info) ?? restErrorResponse(
      new RpcError(Code.NOT_FOUND, `no route for ${request.method} ${path}`),
      routeTable().registry,
    ));
  } as RestHandler;

  return Object.assign(handler, {
    protocol: "rest",
    serve,
    routes: () =>
      [...routeTable().byMethod].flatMap(([verb, list]) =>
        list.map((b) =>
          `${verb} ${b.template.source} → ${b.method.parent.typeName}.${b.method.name}`
        )
      ),
    corsMethods: ["GET", "PUT", "PATCH", "DELETE"],
    corsRequestHeaders: ["grpc-timeout"],
  });
}
