// Builds the wirecall interop stubs for a server: native gRPC over HTTP/2,
// gRPC-Web or Connect, plain or TLS, one stub plain and one gzipping its
// requests; through a channel when given a gRPC target or a service config.
import { createChannel, type Endpoint, endpointUrl, type Transport } from "wirecall";
import { createHttp2Transport } from "wirecall/transports/http2";
import { createGrpcWebTransport } from "wirecall/transports/grpc-web";
import { createConnectTransport } from "wirecall/transports/connect";
import { createNodeFetch } from "wirecall/transports/grpc-web/node";
import type { InteropStubs } from "./interop-stub.ts";
import { wirecallStub } from "./wirecall-stub.ts";

/** Where and how the client connects. */
export interface InteropTarget {
  host: string;
  port: number;
  /** A gRPC target (`dns:///host:port`, `ipv4:a:p,b:p`, …) overriding host and port. */
  serverUri?: string;
  /** A service config in gRPC's JSON form, for the channel. */
  serviceConfigJson?: string;
  /** PEM of the CA that signed the server certificate; TLS when set. */
  ca?: string;
  /** The name the server certificate is checked against (default: host). */
  serverName?: string;
  /** Client certificate and key, for mutual TLS. */
  clientCert?: { cert: string; key: string };
  /** `"grpc"` (default), `"grpc-web"` or `"connect"`. */
  transport?: "grpc" | "grpc-web" | "connect";
}

/** The transport to one server at `baseUrl`. */
function serverTransport(target: InteropTarget, baseUrl: string, gzip: boolean): Transport {
  const sendCompression = gzip ? "gzip" as const : undefined;
  if (target.transport === "grpc-web") {
    // undici's pooled fetch (Node and Deno alike): it trusts the test CA.
    const fetch = createNodeFetch({ ca: target.ca });
    return createGrpcWebTransport({ baseUrl, fetch, sendCompression });
  }
  if (target.transport === "connect") {
    const fetch = createNodeFetch({ ca: target.ca });
    return createConnectTransport({
      baseUrl,
      fetch,
      sendCompression,
      compressMinBytes: gzip ? 0 : undefined,
    });
  }
  const tls = target.ca === undefined ? undefined : {
    ca: target.ca,
    serverName: target.serverName,
    cert: target.clientCert?.cert,
    key: target.clientCert?.key,
  };
  return createHttp2Transport({ baseUrl, tls, sendCompression });
}

/** One stub's transport: to host:port, or a channel over the target and service config. */
export function interopTransport(target: InteropTarget, gzip = false): Transport {
  const scheme = target.ca !== undefined ? "https" : "http";
  if (target.serverUri === undefined && target.serviceConfigJson === undefined) {
    return serverTransport(target, `${scheme}://${target.host}:${target.port}`, gzip);
  }
  return createChannel({
    target: target.serverUri ?? `${target.host}:${target.port}`,
    serviceConfig: target.serviceConfigJson,
    transport: (ep: Endpoint) =>
      serverTransport(
        // TLS checks the name the target gave, not the address it resolved to.
        { ...target, serverName: target.serverName ?? ep.authority.replace(/:\d+$/, "") },
        endpointUrl(ep, scheme),
        gzip,
      ),
  });
}

/** Creates the plain and the gzip stubs for `target`. */
export function wirecallStubs(target: InteropTarget): InteropStubs {
  return {
    plain: wirecallStub(interopTransport(target)),
    gzip: wirecallStub(interopTransport(target, true)),
  };
}
