import { Code, type Metadata, RpcError } from "../../mod.ts";
import { metadataFromHeaders } from "../../protocol.ts";

/** The Connect protocol version this implementation speaks, sent as `connect-protocol-version`. */
export const CONNECT_PROTOCOL_VERSION = "1";

/** Header names of the Connect protocol. */
export const connectHeaders = {
  protocolVersion: "connect-protocol-version",
  timeout: "connect-timeout-ms",
  /** Unary calls use HTTP's own content coding headers. */
  unaryEncoding: "content-encoding",
  unaryAcceptEncoding: "accept-encoding",
  /** Streaming calls name the encoding of their envelopes in these. */
  streamEncoding: "connect-content-encoding",
  streamAcceptEncoding: "connect-accept-encoding",
} as const;

/**
 * Parses `connect-timeout-ms`: at most 10 digits, in milliseconds. Returns
 * `undefined` when the header is absent and throws `INVALID_ARGUMENT` when
 * it is malformed.
 *
 * @example
 * ```ts
 * import { parseConnectTimeout } from "wirecall/transports/connect";
 * parseConnectTimeout("1500"); // 1500
 * ```
 */
export function parseConnectTimeout(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (!/^\d{1,10}$/.test(value)) {
    throw new RpcError(
      Code.INVALID_ARGUMENT,
      `malformed connect-timeout-ms "${value}"; expected up to 10 digits (milliseconds)`,
    );
  }
  return Number(value);
}

/**
 * Checks `connect-protocol-version` (or the `connect` query parameter of a
 * GET): absent is accepted, anything but version 1 is `INVALID_ARGUMENT`.
 */
export function checkProtocolVersion(header: string | null, query: string | null): void {
  if (header !== null && header !== CONNECT_PROTOCOL_VERSION) {
    throw new RpcError(
      Code.INVALID_ARGUMENT,
      `connect-protocol-version must be "${CONNECT_PROTOCOL_VERSION}", got "${header}"`,
    );
  }
  if (query !== null && query !== `v${CONNECT_PROTOCOL_VERSION}`) {
    throw new RpcError(
      Code.INVALID_ARGUMENT,
      `query parameter connect must be "v${CONNECT_PROTOCOL_VERSION}", got "${query}"`,
    );
  }
}

/**
 * The request metadata of a Connect call: its headers less the protocol's
 * own (`connect-*`, content and transfer headers).
 */
export function connectRequestMetadata(headers: Headers): Metadata {
  const fields: Array<[string, string]> = [];
  headers.forEach((v, k) => {
    if (!k.startsWith("connect-")) fields.push([k, v]);
  });
  return metadataFromHeaders(fields);
}

/**
 * The encoding names of an `accept-encoding`-style header, without quality
 * parameters (`gzip;q=0.8` is `gzip`), those refused with `q=0` left out.
 */
export function acceptedEncodings(header: string | null): string[] {
  if (header === null) return [];
  const out: string[] = [];
  for (const part of header.split(",")) {
    const [name, ...params] = part.split(";").map((s) => s.trim());
    if (name === "" || params.some((p) => /^q=0(\.0*)?$/i.test(p))) continue;
    out.push(name.toLowerCase());
  }
  return out;
}
