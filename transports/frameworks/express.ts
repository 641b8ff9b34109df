/**
 * Express glue: serves a wirecall fetch handler (gRPC-Web, Connect, REST —
 * see `createGrpcWebHandler`'s `protocols`) as Express middleware on the
 * routes you mount it at. Node-only.
 *
 * @example
 * ```ts
 * import express from "express";
 * import { createGrpcWebHandler } from "wirecall/transports/grpc-web";
 * import { createConnectHandler } from "wirecall/transports/connect";
 * import { createExpressMiddleware } from "wirecall/transports/frameworks/express";
 * const app = express();
 * app.use("/rpc", createExpressMiddleware(
 *   createGrpcWebHandler(router, { protocols: [createConnectHandler(router)] }),
 * ));
 * ```
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { createNodeRequestListener } from "../grpc-web/node-adapter.ts";
import type { FetchHandler } from "./fetch-handler.ts";

/** An Express middleware: `(req, res, next)`. */
export type ExpressMiddleware = (
  req: IncomingMessage & { body?: unknown },
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * A body-parser that ran before this middleware has read the stream; the
 * parsed body is turned back into bytes so the protocol can read it.
 */
function replayParsedBody(req: IncomingMessage & { body?: unknown }): IncomingMessage {
  if (req.body === undefined || !req.readableEnded) return req;
  const body = req.body;
  const bytes = body instanceof Uint8Array
    ? body
    : new TextEncoder().encode(typeof body === "string" ? body : JSON.stringify(body));
  const replay = Readable.from([bytes]) as unknown as IncomingMessage;
  return Object.assign(replay, {
    method: req.method,
    url: req.url,
    headers: { ...req.headers, "content-length": String(bytes.byteLength) },
    socket: req.socket,
    httpVersionMajor: req.httpVersionMajor,
  });
}

/**
 * Creates Express middleware that answers every request reaching it with
 * `handler`. Mounted with `app.use("/rpc", …)`, Express strips `/rpc` from
 * `req.url`, so the handler sees `/pkg.Service/Method` (or the REST path).
 * Errors of the adapter itself go to `next(error)`.
 */
export function createExpressMiddleware(handler: FetchHandler): ExpressMiddleware {
  const listener = createNodeRequestListener(handler);
  return (req, res, next) => {
    listener(replayParsedBody(req), res).catch(next);
  };
}
