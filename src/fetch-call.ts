import { Code } from "./code.ts";
import type { MethodInfo } from "./method.ts";
import { RpcError } from "./rpc-error.ts";

/**
 * The abort side of one `fetch` call: a controller that follows the call's
 * signal until `release`, which may also abort the request with a reason
 * (the caller stopped reading). Shared by the fetch-based client transports.
 */
export interface FetchAbort {
  /** Aborts the fetch; pass its `signal` in the request. */
  readonly controller: AbortController;
  /** Stops following the call's signal; with a reason, aborts the fetch if still running. */
  release(reason?: RpcError): void;
}

/** Links a fetch's abort controller to the call's signal. */
export function followSignal(signal: AbortSignal): FetchAbort {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  let released = false;
  return {
    controller,
    release(reason) {
      if (released) return;
      released = true;
      signal.removeEventListener("abort", onAbort);
      if (reason !== undefined && !controller.signal.aborted) controller.abort(reason);
    },
  };
}

/**
 * A streaming request body: each message framed by `frame` as the runtime
 * pulls. A failing message source aborts the call through `abort` with
 * `CANCELLED` and is reported by `failure()`, so the caller can throw the
 * source's own error rather than fetch's.
 */
export function requestBodyStream(
  messages: AsyncIterable<Uint8Array>,
  frame: (message: Uint8Array) => Uint8Array | Promise<Uint8Array>,
  abort: AbortController,
): { body: ReadableStream<Uint8Array>; failure(): unknown } {
  const iterator = messages[Symbol.asyncIterator]();
  let failure: unknown;
  const body = new ReadableStream<Uint8Array>({
    async pull(c) {
      try {
        const r = await iterator.next();
        if (r.done) c.close();
        else c.enqueue(await frame(r.value));
      } catch (e) {
        failure = e;
        abort.abort(new RpcError(Code.CANCELLED, "the request stream failed"));
        c.error(e);
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  return { body, failure: () => failure };
}

/** The `fetch` a client transport calls: the global one, or any function of the same shape. */
export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

/** The global `fetch`, looked up at call time (tests and polyfills may replace it). */
export const globalFetch: FetchFunction = (input, init) => globalThis.fetch(input, init);

/**
 * Tells whether the runtime's `fetch` can send a streaming request body.
 * Browsers only do so over HTTP/2 and workerd not at all, so only the
 * server-side runtimes say yes.
 */
export function runtimeStreamsRequests(): boolean {
  const g = globalThis as {
    Deno?: unknown;
    Bun?: unknown;
    process?: { versions?: { node?: string } };
    navigator?: { userAgent?: string };
  };
  if (g.navigator?.userAgent === "Cloudflare-Workers") return false;
  return g.Deno !== undefined || g.Bun !== undefined ||
    typeof g.process?.versions?.node === "string";
}

/**
 * Refuses, with `UNIMPLEMENTED`, the calls a `fetch` cannot carry: bidi
 * streams (fetch reads no response before the request ends), and client
 * streams where the runtime cannot stream a request body. `protocol` names
 * the transport in the message ("gRPC-Web", "Connect over fetch").
 */
export function refuseFetchCallKind(
  method: MethodInfo,
  streamsRequests: boolean,
  protocol: string,
): void {
  if (method.kind === "bidi_streaming") {
    throw new RpcError(
      Code.UNIMPLEMENTED,
      `${method.path} is bidi streaming, which ${protocol} cannot carry (fetch reads no response ` +
        `before the request ends); call it with the HTTP/2 transport, wirecall/transports/http2`,
    );
  }
  if (method.kind === "client_streaming" && !streamsRequests) {
    throw new RpcError(
      Code.UNIMPLEMENTED,
      `${method.path} is client streaming, and this runtime's fetch cannot stream a request ` +
        `body; call it from Deno, Node or Bun, or with the HTTP/2 transport ` +
        `(set requestStreaming: true if this fetch does support it, e.g. a browser over HTTP/2)`,
    );
  }
}
