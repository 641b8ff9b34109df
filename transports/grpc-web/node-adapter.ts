import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { TLSSocket } from "node:tls";
import { waitForDrain } from "../../protocol.ts";
import type { GrpcWebHandler, GrpcWebRequestInfo } from "./handler.ts";

/** A `node:http` or `node:http2` (compatibility API) request listener. */
export type NodeRequestListener = (
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
) => Promise<void>;

/**
 * The request body as a web stream, with backpressure, and `drain`, which
 * reads and drops whatever the handler left unread. Cancelling the stream
 * drains too: a handler that answers before reading everything (an unknown
 * method, a refused encoding) leaves an HTTP/1.1 connection usable for the
 * next call, and the client is never reset in the middle of its upload.
 */
function bodyOf(
  req: IncomingMessage | Http2ServerRequest,
): { stream: ReadableStream<Uint8Array>; drain: () => void } {
  let open = true;
  const drain = () => {
    open = false;
    req.resume();
  };
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      req.pause();
      req.on("data", (chunk: Uint8Array) => {
        if (!open) return;
        c.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((c.desiredSize ?? 1) <= 0) req.pause();
      });
      req.once("end", () => {
        if (open) c.close();
        open = false;
      });
      req.once("close", () => {
        if (open) c.error(new Error("the request was aborted before its body ended"));
        open = false;
      });
      req.once("error", (e) => {
        if (open) c.error(e);
        open = false;
      });
    },
    pull() {
      req.resume();
    },
    cancel: drain,
  }, { highWaterMark: 4 });
  return { stream, drain };
}

function toRequest(
  req: IncomingMessage | Http2ServerRequest,
  signal: AbortSignal,
  body: ReadableStream<Uint8Array> | undefined,
): Request {
  const secure = (req.socket as TLSSocket | null)?.encrypted === true;
  const host = req.headers[":authority"] ?? req.headers.host ?? "localhost";
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (key.startsWith(":") || value === undefined) continue;
    if (Array.isArray(value)) { for (const v of value) headers.append(key, v); }
    else headers.append(key, value);
  }
  const init: RequestInit & { duplex: "half" } = {
    method: req.method,
    headers,
    body,
    duplex: "half",
    signal,
  };
  return new Request(`${secure ? "https" : "http"}://${host}${req.url}`, init);
}

/**
 * Serves a fetch handler (such as `createGrpcWebHandler`'s) from Node's
 * `node:http` or `node:http2` servers, HTTP/1.1 and HTTP/2 alike. It streams
 * the response body, waiting for `drain` when the socket is full, and aborts
 * the request's signal when the client goes away. Node-only: import it from
 * `wirecall/transports/grpc-web/node`.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { createGrpcWebHandler } from "wirecall/transports/grpc-web";
 * import { createNodeRequestListener } from "wirecall/transports/grpc-web/node";
 * createServer(createNodeRequestListener(createGrpcWebHandler(router))).listen(8080);
 * ```
 */
export function createNodeRequestListener(handler: GrpcWebHandler): NodeRequestListener {
  return async (req, anyRes) => {
    // Both response kinds have the members used here; one type keeps it simple.
    const res = anyRes as ServerResponse;
    const controller = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) controller.abort(new Error("the client went away"));
    };
    res.once("close", onClose);
    const info: GrpcWebRequestInfo = {
      remoteAddr: {
        hostname: req.socket?.remoteAddress ?? "unknown",
        port: req.socket?.remotePort ?? 0,
      },
    };
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const body = hasBody ? bodyOf(req) : undefined;
    // Once the answer is complete, what the handler did not read is dropped,
    // so the connection can carry the next request.
    if (body !== undefined) res.once("finish", body.drain);
    let response: Response;
    try {
      response = await handler(toRequest(req, controller.signal, body?.stream), info);
    } catch (e) {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(`gRPC-Web handler failed: ${(e as Error)?.message ?? e}`);
      }
      return;
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key] = value;
    });
    res.writeHead(response.status, headers);
    if (response.body === null) {
      res.end();
      return;
    }
    // Headers go out now: a server stream's first message may be a while.
    res.flushHeaders?.();
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (res.destroyed) throw new Error("the client went away");
        if (!res.write(value)) await waitForDrain(res);
      }
      res.end();
    } catch (e) {
      reader.cancel(e).catch(() => {});
      res.destroy();
    }
  };
}
