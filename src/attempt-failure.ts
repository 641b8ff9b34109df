import { Code } from "./code.ts";
import { RpcError } from "./rpc-error.ts";

/**
 * Why one attempt of a call failed below the gRPC status, as the transport
 * saw it. The channel above decides from it whether the call may be retried
 * transparently and whether the endpoint is broken:
 *
 * - `"refused"`: no connection could be made (refused, unreachable, DNS,
 *   connect timeout); nothing was sent.
 * - `"tls"`: the TLS handshake failed; nothing was sent.
 * - `"never-sent"`: the call failed on this side before its first byte left
 *   (the transport was closed or is backing off after a failed connection).
 * - `"unprocessed"`: the server received the call but did not process it
 *   (`REFUSED_STREAM`, or a stream above a GOAWAY's last stream id).
 * - `"reset"`: the server reset the stream after it started (`RST_STREAM`);
 *   the handler may have run.
 * - `"lost"`: the connection dropped while the call was in flight; the
 *   handler may have run.
 */
export type AttemptFailureKind =
  | "refused"
  | "tls"
  | "never-sent"
  | "unprocessed"
  | "reset"
  | "lost";

/**
 * The cause a transport puts on the `RpcError` of a failed attempt, naming
 * what failed; its own `cause` is the runtime's error, when there is one.
 *
 * @example
 * ```ts
 * import { AttemptFailure, Code, RpcError } from "wirecall";
 * const e = new RpcError(Code.UNAVAILABLE, "connect ECONNREFUSED 127.0.0.1:1", {
 *   cause: new AttemptFailure("refused", "connect ECONNREFUSED 127.0.0.1:1"),
 * });
 * ```
 */
export class AttemptFailure extends Error {
  /** What failed. */
  readonly kind: AttemptFailureKind;

  /** Creates the cause of a failed attempt. */
  constructor(kind: AttemptFailureKind, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "AttemptFailure";
    this.kind = kind;
  }
}

/**
 * Creates the `RpcError` of an attempt that failed in the transport: the code
 * (default `UNAVAILABLE`), a message naming the cause, and an
 * {@link AttemptFailure} of `kind` as its cause.
 *
 * @example
 * ```ts
 * import { attemptFailureOf } from "wirecall";
 * import { transportFailure } from "wirecall/protocol";
 * const e = transportFailure("unprocessed", "the server refused the stream (REFUSED_STREAM)");
 * attemptFailureOf(e); // "unprocessed"
 * ```
 */
export function transportFailure(
  kind: AttemptFailureKind,
  message: string,
  options: { code?: Code; cause?: unknown } = {},
): RpcError {
  return new RpcError(options.code ?? Code.UNAVAILABLE, message, {
    cause: new AttemptFailure(kind, message, { cause: options.cause }),
  });
}

/**
 * The {@link AttemptFailureKind} of an error, found along its `cause` chain;
 * `undefined` when the transport did not classify it (an ordinary status
 * from the server, for one).
 */
export function attemptFailureOf(error: unknown): AttemptFailureKind | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 8 && typeof e === "object" && e !== null; depth++) {
    if (e instanceof AttemptFailure) return e.kind;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Tells whether a failed attempt may have reached the server's handler; when
 * not, gRPC retries it transparently, whatever the retry policy (gRFC A6).
 */
export function mayHaveBeenProcessed(kind: AttemptFailureKind | undefined): boolean {
  return kind === undefined || kind === "reset" || kind === "lost";
}

/**
 * Tells whether a failed attempt says the endpoint's connection is broken
 * (rather than one call failing on a healthy connection).
 */
export function isConnectionFailure(kind: AttemptFailureKind | undefined): boolean {
  return kind === "refused" || kind === "tls" || kind === "lost";
}

/** Error codes of a connection that could not be made (Node's, undici's, libuv's). */
const refusedCodes = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
]);
const tlsCode = /^(?:ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_OSSL_)/;

/**
 * Tells why a `fetch` (or the body it returned) failed: a connection that
 * could not be made is `"refused"`, a failed TLS handshake `"tls"`, and
 * anything else `"lost"` (the request may have reached the server). Reads
 * the error codes of Node's undici (`cause.code`), and the messages of
 * Deno's and Bun's fetch; a browser's bare "Failed to fetch" is `"lost"`.
 *
 * @example
 * ```ts
 * import { fetchFailureKind } from "wirecall/protocol";
 * fetchFailureKind(new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } })); // "refused"
 * ```
 */
export function fetchFailureKind(error: unknown): AttemptFailureKind {
  const texts: string[] = [];
  let e: unknown = error;
  for (let depth = 0; depth < 4 && typeof e === "object" && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") {
      if (refusedCodes.has(code)) return "refused";
      if (tlsCode.test(code)) return "tls";
    }
    texts.push(String((e as { message?: unknown }).message ?? ""));
    e = (e as { cause?: unknown }).cause;
  }
  const text = texts.join(" ");
  if (/certificate|tls|ssl|handshake/i.test(text)) return "tls";
  if (
    /connection refused|tcp connect error|dns error|failed to lookup|unable to connect|ConnectionRefused|ECONNREFUSED/i
      .test(text)
  ) {
    return "refused";
  }
  return "lost";
}

/**
 * A fetch error's message with the cause that says more, as undici nests it
 * (`fetch failed (connect ECONNREFUSED 127.0.0.1:1)`).
 *
 * @example
 * ```ts
 * import { describeFetchError } from "wirecall/protocol";
 * describeFetchError(new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } })); // "fetch failed (ECONNREFUSED)"
 * ```
 */
export function describeFetchError(e: unknown): string {
  const message = (e as Error)?.message ?? String(e);
  const cause = (e as { cause?: { message?: string; code?: string } })?.cause;
  const detail = cause?.message ?? cause?.code;
  return detail !== undefined && detail !== "" && !message.includes(detail)
    ? `${message} (${detail})`
    : message;
}
