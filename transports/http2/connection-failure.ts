import { Code, type RpcError } from "../../mod.ts";
import { transportFailure } from "../../protocol.ts";

/** What the client knows about a connection that failed before a call was answered. */
export interface ConnectionFailureFacts {
  /** The server's origin, as in `baseUrl`. */
  authority: string;
  /** The runtime's error (a socket, DNS or TLS error), when there is one. */
  error: Error | undefined;
  /** True once the server's SETTINGS arrived: the HTTP/2 connection was up. */
  established: boolean;
  /** Added to the message in parentheses (such as the backoff left). */
  note?: string;
}

const tlsCodes =
  /^(ERR_TLS_|ERR_SSL_|UNABLE_TO_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|ERR_OSSL_|HOSTNAME_)/;

/** The runtime error behind node:http2's "pending stream has been canceled". */
export function rootError(error: Error | undefined): Error | undefined {
  let e = error;
  for (let i = 0; i < 4 && e !== undefined; i++) {
    const code = (e as { code?: string }).code;
    if (code !== "ERR_HTTP2_STREAM_CANCEL" && code !== "ERR_HTTP2_SESSION_ERROR") return e;
    const cause = (e as { cause?: unknown }).cause;
    if (!(cause instanceof Error)) return e;
    e = cause;
  }
  return e;
}

/** Tells whether a runtime error is a TLS handshake failure (trust, expiry, name, protocol). */
export function isTlsError(error: Error): boolean {
  const code = String((error as { code?: string }).code ?? "");
  return tlsCodes.test(code) || /\b(SSL|TLS|certificate)\b/i.test(error.message);
}

/**
 * The `UNAVAILABLE` error of a call whose connection could not be made or
 * was lost before the server answered. Its message names the cause
 * (`connect ECONNREFUSED …`, `getaddrinfo ENOTFOUND …`, the TLS verdict, a
 * server that does not speak HTTP/2 or speaks TLS to a cleartext client), and
 * its `cause` is an `AttemptFailure` (`"refused"`, `"tls"` or `"lost"`) whose
 * own cause is the runtime's error.
 */
export function connectionFailure(facts: ConnectionFailureFacts): RpcError {
  const error = rootError(facts.error);
  const where = `cannot connect to ${facts.authority}`;
  const note = facts.note === undefined ? "" : ` (${facts.note})`;
  if (error !== undefined && isTlsError(error)) {
    return transportFailure(
      "tls",
      `${where}: TLS handshake failed: ${firstLine(error.message)}${note}`,
      {
        cause: error,
      },
    );
  }
  if (error !== undefined && !facts.established) {
    return transportFailure("refused", `${where}: ${firstLine(error.message)}${note}`, {
      cause: error,
    });
  }
  if (!facts.established) {
    const hint = facts.authority.startsWith("http:") ? "; a TLS server needs an https:// URL" : "";
    return transportFailure(
      "refused",
      `${where}: the server closed the connection without an HTTP/2 handshake (no SETTINGS)${hint}${note}`,
    );
  }
  return transportFailure(
    "lost",
    `the connection to ${facts.authority} was lost before the server answered` +
      (error === undefined ? "" : `: ${firstLine(error.message)}`),
    { cause: error, code: Code.UNAVAILABLE },
  );
}

function firstLine(text: string): string {
  const line = text.split("\n")[0].trim();
  return line === "" ? text.trim() : line;
}
