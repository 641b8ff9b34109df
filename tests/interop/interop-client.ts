// Builds the wirecall interop stubs for a server: native gRPC over HTTP/2 or
// gRPC-Web, plain or TLS, one stub plain and one gzipping its requests.
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
  /** PEM of the CA that signed the server certificate; TLS when set. */
  ca?: string;
  /** The name the server certificate is checked against (default: host). */
  serverName?: string;
  /** Client certificate and key, for mutual TLS. */
  clientCert?: { cert: string; key: string };
  /** `"grpc"` (default), `"grpc-web"` or `"connect"`. */
  transport?: "grpc" | "grpc-web" | "connect";
}

/** Creates the plain and the gzip stubs for `target`. */
export function wirecallStubs(target: InteropTarget): InteropStubs {
  const scheme = target.ca !== undefined ? "https" : "http";
  const baseUrl = `${scheme}://${target.host}:${target.port}`;
  if (target.transport === "grpc-web") {
    // undici's pooled fetch (Node and Deno alike): it trusts the test CA.
    const fetch = createNodeFetch({ ca: target.ca });
    return {
      plain: wirecallStub(createGrpcWebTransport({ baseUrl, fetch })),
      gzip: wirecallStub(createGrpcWebTransport({ baseUrl, fetch, sendCompression: "gzip" })),
    };
  }
  if (target.transport === "connect") {
    const fetch = createNodeFetch({ ca: target.ca });
    return {
      plain: wirecallStub(createConnectTransport({ baseUrl, fetch })),
      gzip: wirecallStub(
        createConnectTransport({ baseUrl, fetch, sendCompression: "gzip", compressMinBytes: 0 }),
      ),
    };
  }
  const tls = target.ca === undefined ? undefined : {
    ca: target.ca,
    serverName: target.serverName,
    cert: target.clientCert?.cert,
    key: target.clientCert?.key,
  };
  return {
    plain: wirecallStub(createHttp2Transport({ baseUrl, tls })),
    gzip: wirecallStub(createHttp2Transport({ baseUrl, tls, sendCompression: "gzip" })),
  };
}
