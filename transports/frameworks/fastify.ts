/**
 * Fastify glue: a plugin serving a wirecall fetch handler (gRPC-Web,
 * Connect, REST) under the prefix it is registered with. Node-only.
 *
 * @example
 * ```ts
 * import Fastify from "fastify";
 * import { createGrpcWebHandler } from "wirecall/transports/grpc-web";
 * import { createRestHandler } from "wirecall/transports/rest";
 * import { wirecallFastifyPlugin } from "wirecall/transports/frameworks/fastify";
 * const app = Fastify();
 * await app.register(
 *   wirecallFastifyPlugin(createGrpcWebHandler(router, { protocols: [createRestHandler(router)] })),
 *   { prefix: "/rpc" },
 * );
 * ```
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createNodeRequestListener } from "../grpc-web/node-adapter.ts";
import type { FetchHandler } from "./fetch-handler.ts";

/** The part of a Fastify instance the plugin uses. */
export interface FastifyLike {
  prefix: string;
  removeAllContentTypeParsers(): void;
  addContentTypeParser(
    type: string,
    parser: (
      req: unknown,
      payload: unknown,
      done: (err: Error | null, body?: unknown) => void,
    ) => void,
  ): void;
  all(
    path: string,
    handler: (request: { raw: IncomingMessage }, reply: FastifyReplyLike) => void,
  ): void;
}

/** The part of a Fastify reply the plugin uses. */
export interface FastifyReplyLike {
  raw: ServerResponse;
  hijack(): void;
}

/**
 * Creates a Fastify plugin (register it with `{ prefix }`) that hands every
 * request under its prefix to `handler`, body unparsed: the plugin turns
 * off Fastify's body parsing in its own scope and hijacks the reply, so
 * streams flow both ways with backpressure.
 */
export function wirecallFastifyPlugin(
  handler: FetchHandler,
): (fastify: FastifyLike, options: unknown, done: (err?: Error) => void) => void {
  const listener = createNodeRequestListener(handler);
  return (fastify, _options, done) => {
    fastify.removeAllContentTypeParsers();
    // Leave the body unread: the protocol reads it as a stream.
    fastify.addContentTypeParser("*", (_req, _payload, next) => next(null));
    const prefix = fastify.prefix.replace(/\/+$/, "");
    const serve = (request: { raw: IncomingMessage }, reply: FastifyReplyLike) => {
      reply.hijack();
      const req = request.raw;
      if (prefix !== "" && req.url?.startsWith(prefix)) {
        req.url = req.url.slice(prefix.length) || "/";
      }
      listener(req, reply.raw).catch(() => {
        if (!reply.raw.headersSent) reply.raw.writeHead(500);
        reply.raw.end();
      });
    };
    fastify.all("/*", serve);
    done();
  };
}
