import { Code } from "../code.ts";
import { RpcError } from "../rpc-error.ts";

/**
 * One server a channel can connect to: what a resolver makes of a target.
 * A transport factory turns it into a transport (see {@link endpointUrl}).
 */
export interface Endpoint {
  /** The endpoint as gRPC prints it and the channel keys it: `127.0.0.1:50051`, `[::1]:50051`, `unix:/run/s.sock`, or the URL. */
  readonly address: string;
  /** The IP address or host name to connect to (`localhost` for a Unix socket). */
  readonly host: string;
  /** The port. */
  readonly port: number;
  /** The path of a Unix domain socket, for `unix:` targets. */
  readonly path?: string;
  /** The `host:port` the target names, for the `:authority` header and TLS server name. */
  readonly authority: string;
  /** For URL targets: the URL itself (scheme and any path prefix included). */
  readonly url?: string;
}

/** A target parsed: names to resolve by DNS, or endpoints known already. */
export type ParsedTarget =
  | {
    readonly kind: "dns";
    /** The name to look up. */
    readonly host: string;
    /** The port every resolved address gets. */
    readonly port: number;
    /** The DNS server to ask (`dns://8.8.8.8/host`), or empty for the system's. */
    readonly dnsServer: string;
  }
  | { readonly kind: "static"; readonly endpoints: readonly Endpoint[] };

/** The port of a target that names none, as in gRPC's naming spec. */
export const DEFAULT_TARGET_PORT = 443;

function badTarget(target: string, why: string): RpcError {
  return new RpcError(
    Code.INVALID_ARGUMENT,
    `invalid target ${JSON.stringify(target)}: ${why} (expected dns:[//server/]host[:port], ` +
      `ipv4:addr[:port][,…], ipv6:[addr][:port][,…], unix:/path, host:port or an http(s) URL)`,
  );
}

function formatHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

function parsePort(text: string, target: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw badTarget(target, `bad port ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/** Splits `host[:port]` or `[v6]:port`; the port defaults to 443. */
function splitHostPort(text: string, target: string): { host: string; port: number } {
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) throw badTarget(target, `unclosed "[" in ${JSON.stringify(text)}`);
    const host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest === "") return { host, port: DEFAULT_TARGET_PORT };
    if (!rest.startsWith(":")) throw badTarget(target, `unexpected ${JSON.stringify(rest)}`);
    return { host, port: parsePort(rest.slice(1), target) };
  }
  const colon = text.lastIndexOf(":");
  if (colon < 0) return { host: text, port: DEFAULT_TARGET_PORT };
  if (text.indexOf(":") !== colon) {
    // Several colons without brackets: a bare IPv6 address without port.
    return { host: text, port: DEFAULT_TARGET_PORT };
  }
  return { host: text.slice(0, colon), port: parsePort(text.slice(colon + 1), target) };
}

const ipv4Pattern =
  /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const ipv6Pattern = /^[0-9a-fA-F:.]+(?:%[\w.-]+)?$/;

function ipEndpoints(scheme: "ipv4" | "ipv6", list: string, target: string): Endpoint[] {
  if (list === "") throw badTarget(target, "no address");
  return list.split(",").map((item) => {
    const { host, port } = splitHostPort(item.trim(), target);
    const ok = scheme === "ipv4"
      ? ipv4Pattern.test(host)
      : ipv6Pattern.test(host) && host.includes(":");
    if (!ok) throw badTarget(target, `${JSON.stringify(host)} is not an ${scheme} address`);
    const address = formatHostPort(host, port);
    return { address, host, port, authority: address };
  });
}

/**
 * Parses a gRPC target name, as gRPC's naming spec writes them:
 * `dns:[//dns-server/]host[:port]`, `ipv4:a.b.c.d[:port][,…]`,
 * `ipv6:[addr][:port][,…]` (or a bare address without port), `unix:path`,
 * `unix:///abs/path`, a bare `host[:port]` (resolved by DNS, as grpc-js
 * does), or an `http://`/`https://` URL (one endpoint, as before channels).
 * A missing port is 443.
 *
 * @example
 * ```ts
 * import { parseTarget } from "wirecall";
 * parseTarget("ipv4:127.0.0.1:50051,127.0.0.1:50052");
 * // { kind: "static", endpoints: [{ address: "127.0.0.1:50051", … }, …] }
 * parseTarget("dns:///api.internal:8443"); // { kind: "dns", host: "api.internal", port: 8443, … }
 * ```
 */
export function parseTarget(target: string): ParsedTarget {
  if (typeof target !== "string" || target.trim() === "") throw badTarget(String(target), "empty");
  const t = target.trim();
  if (/^https?:\/\//i.test(t)) {
    let url: URL;
    try {
      url = new URL(t);
    } catch {
      throw badTarget(target, "not a URL");
    }
    const port = url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
    const host = url.hostname.replace(/^\[|\]$/g, "");
    return {
      kind: "static",
      endpoints: [{
        address: t.replace(/\/+$/, ""),
        host,
        port,
        authority: url.host,
        url: t.replace(/\/+$/, ""),
      }],
    };
  }
  const colon = t.indexOf(":");
  const scheme = colon > 0 ? t.slice(0, colon).toLowerCase() : "";
  const rest = colon > 0 ? t.slice(colon + 1) : t;
  switch (scheme) {
    case "ipv4":
    case "ipv6":
      return { kind: "static", endpoints: ipEndpoints(scheme, rest, target) };
    case "unix":
    case "unix-abstract": {
      let path = rest.startsWith("//") ? rest.slice(2) : rest;
      if (scheme === "unix-abstract") path = "\0" + path;
      if (path === "" || path === "\0") throw badTarget(target, "no socket path");
      if (scheme === "unix" && rest.startsWith("//") && !path.startsWith("/")) {
        throw badTarget(target, "unix:// needs an absolute path (unix:///run/app.sock)");
      }
      const address = `${scheme}:${scheme === "unix" ? path : path.slice(1)}`;
      return {
        kind: "static",
        endpoints: [{ address, host: "localhost", port: 0, path, authority: "localhost" }],
      };
    }
    case "dns": {
      let name = rest;
      let dnsServer = "";
      if (name.startsWith("//")) {
        const slash = name.indexOf("/", 2);
        if (slash < 0) throw badTarget(target, "dns://server needs a /host after it");
        dnsServer = name.slice(2, slash);
        name = name.slice(slash + 1);
      }
      return dnsTarget(name, dnsServer, target);
    }
    default:
      // No known scheme: `host:port` (or a bare IPv6 address), resolved by DNS.
      return dnsTarget(t, "", target);
  }
}

function dnsTarget(name: string, dnsServer: string, target: string): ParsedTarget {
  if (name === "") throw badTarget(target, "no host name");
  const { host, port } = splitHostPort(name, target);
  if (host === "") throw badTarget(target, "no host name");
  if (ipv4Pattern.test(host) || (host.includes(":") && ipv6Pattern.test(host))) {
    // An address needs no lookup.
    const address = formatHostPort(host, port);
    return { kind: "static", endpoints: [{ address, host, port, authority: address }] };
  }
  return { kind: "dns", host, port, dnsServer };
}

/**
 * The URL a URL-based transport (`baseUrl`) should use for an endpoint: the
 * target's own URL for URL targets, `scheme://localhost` for a Unix socket
 * (pass `endpoint.path` as the transport's socket path), else
 * `scheme://host:port`.
 *
 * @example
 * ```ts
 * import { type Endpoint, endpointUrl, parseTarget } from "wirecall";
 * const [ep] = (parseTarget("ipv6:[::1]:50051") as { endpoints: readonly Endpoint[] }).endpoints;
 * endpointUrl(ep); // "http://[::1]:50051"
 * ```
 */
export function endpointUrl(endpoint: Endpoint, scheme: "http" | "https" = "http"): string {
  if (endpoint.url !== undefined) return endpoint.url;
  // A Unix socket: the transport connects to `endpoint.path`; the URL names the authority.
  if (endpoint.path !== undefined) return `${scheme}://localhost`;
  return `${scheme}://${formatHostPort(endpoint.host, endpoint.port)}`;
}

/** Makes the endpoint of an address that a DNS target's name resolved to. */
export function dnsEndpoint(ip: string, name: string, port: number): Endpoint {
  const address = formatHostPort(ip, port);
  return { address, host: ip, port, authority: formatHostPort(name, port) };
}
