import type { Message } from "@bufbuild/protobuf";
import { Code } from "./code.ts";
import type {
  ClientNext,
  ClientRequest,
  ClientResponse,
  ServerNext,
  ServerRequest,
  ServerResponse,
} from "./interceptor.ts";
import { RpcError } from "./rpc-error.ts";

/**
 * Called once when a call ends: `undefined` for OK, else the error it ended
 * with. A response stream ends when it is read to its end, fails, or its
 * reader stops early (then the call's signal says why, or it is `CANCELLED`).
 */
export type CallEndListener = (error: RpcError | undefined) => void;

function stopReason(signal: AbortSignal, fallback: string): RpcError {
  return signal.aborted
    ? RpcError.from(signal.reason, Code.CANCELLED)
    : new RpcError(Code.CANCELLED, fallback);
}

async function* watchStream(
  source: AsyncIterable<Message>,
  signal: AbortSignal,
  done: CallEndListener,
  earlyStop: string,
): AsyncGenerator<Message> {
  let ended = false;
  try {
    for await (const m of source) yield m;
    ended = true;
    done(undefined);
  } catch (e) {
    ended = true;
    done(RpcError.from(e));
    throw e;
  } finally {
    if (!ended) done(stopReason(signal, earlyStop));
  }
}

/**
 * Runs `next(req)` for a client interceptor and tells `done` how the call
 * ended, for every call kind: at once for a single response, when the
 * response stream ends for a streaming one.
 *
 * @example
 * ```ts
 * import { type ClientInterceptor, watchClientCall } from "wirecall";
 * const log: ClientInterceptor = (next) => (req) =>
 *   watchClientCall(next, req, (error) => console.log(req.method.path, error?.code ?? 0));
 * ```
 */
export async function watchClientCall(
  next: ClientNext,
  req: ClientRequest,
  done: CallEndListener,
): Promise<ClientResponse> {
  let res: ClientResponse;
  try {
    res = await next(req);
  } catch (e) {
    done(RpcError.from(e));
    throw e;
  }
  if (!res.stream) {
    done(undefined);
    return res;
  }
  return {
    header: res.header,
    trailer: res.trailer,
    stream: true,
    messages: watchStream(res.messages, req.signal, done, "the caller stopped reading"),
  };
}

/**
 * Runs `next(req)` for a server interceptor and tells `done` how the call
 * ended: from the router (`req.onEnd`: the status as sent, after the last
 * response message), or, for a request built without it, when the handler
 * returns or throws or its response stream ends.
 *
 * @example
 * ```ts
 * import { type ServerInterceptor, watchServerCall } from "wirecall";
 * const log: ServerInterceptor = (next) => (req) =>
 *   watchServerCall(next, req, (error) => console.log(req.method.path, error?.code ?? 0));
 * ```
 */
export async function watchServerCall(
  next: ServerNext,
  req: ServerRequest,
  done: CallEndListener,
): Promise<ServerResponse> {
  if (req.onEnd !== undefined) {
    // The router says how the call ended on the wire, sending included.
    req.onEnd(done);
    return await next(req);
  }
  const signal = req.context.signal;
  let res: ServerResponse;
  try {
    res = await next(req);
  } catch (e) {
    done(signal.aborted ? RpcError.from(signal.reason) : RpcError.from(e));
    throw e;
  }
  if (!res.stream) {
    done(signal.aborted ? RpcError.from(signal.reason) : undefined);
    return res;
  }
  return {
    stream: true,
    messages: watchStream(res.messages, signal, done, "the server stopped sending"),
  };
}
