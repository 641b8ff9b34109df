// @connectrpc/connect-node as the interop peer (gRPC protocol): a client stub
// and a TestService server on node:http2.
import * as http from "node:http";
import * as http2 from "node:http2";
import {
  Code as ConnectCode,
  ConnectError,
  createClient,
  type HandlerContext,
} from "@connectrpc/connect";
import {
  compressionGzip,
  connectNodeAdapter,
  type ConnectTransportOptions,
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
  type GrpcTransportOptions,
  type GrpcWebTransportOptions,
} from "@connectrpc/connect-node";
import type { Transport as ConnectTransport } from "@connectrpc/connect";
import { TestService, UnimplementedService } from "../../protos/gen/grpc/testing/test_pb.ts";
import type {
  InteropCallOptions,
  InteropStub,
  InteropStubs,
  MetadataReader,
} from "./interop-stub.ts";

function encodeBinary(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}
function decodeBinary(text: string): Uint8Array {
  const s = atob(text.split(",")[0].trim());
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

function reader(h: Headers): MetadataReader {
  return (key) => {
    const v = h.get(key);
    if (v === null) return undefined;
    return key.endsWith("-bin") ? decodeBinary(v) : v;
  };
}

function callOptions(o: InteropCallOptions | undefined) {
  if (o === undefined) return undefined;
  const headers = new Headers();
  for (const [k, v] of Object.entries(o.metadata ?? {})) {
    headers.set(k, typeof v === "string" ? v : encodeBinary(v));
  }
  return {
    signal: o.signal,
    timeoutMs: o.timeoutMs,
    headers,
    onHeader: o.onHeader && ((h: Headers) => o.onHeader!(reader(h))),
    onTrailer: o.onTrailer && ((t: Headers) => o.onTrailer!(reader(t))),
  };
}

/** A Connect (gRPC protocol) client stub. */
export function connectStub(options: GrpcTransportOptions): InteropStub {
  return stubOf(createGrpcTransport(options));
}

function stubOf(transport: ConnectTransport): InteropStub {
  const test = createClient(TestService, transport);
  const unimplemented = createClient(UnimplementedService, transport);
  return {
    emptyCall: (req, o) => test.emptyCall(req, callOptions(o)),
    unaryCall: (req, o) => test.unaryCall(req, callOptions(o)),
    streamingOutputCall: (req, o) => test.streamingOutputCall(req, callOptions(o)),
    streamingInputCall: (reqs, o) => test.streamingInputCall(reqs, callOptions(o)),
    fullDuplexCall: (reqs, o) => test.fullDuplexCall(reqs, callOptions(o)),
    unimplementedCall: (o) => test.unimplementedCall({}, callOptions(o)),
    unimplementedServiceCall: (o) => unimplemented.unimplementedCall({}, callOptions(o)),
    errorOf(e) {
      const err = ConnectError.from(e);
      return { code: err.code, message: err.rawMessage };
    },
    close: () => Promise.resolve(),
  };
}

/** The plain and gzip Connect stubs. */
export function connectStubs(options: GrpcTransportOptions): InteropStubs {
  return {
    plain: connectStub(options),
    gzip: connectStub({ ...options, sendCompression: compressionGzip, compressMinBytes: 0 }),
  };
}

/** The plain and gzip stubs of connect-node's gRPC-Web client (HTTP/1.1 or HTTP/2). */
export function connectGrpcWebStubs(options: GrpcWebTransportOptions): InteropStubs {
  return {
    plain: stubOf(createGrpcWebTransport(options)),
    gzip: stubOf(
      createGrpcWebTransport({ ...options, sendCompression: compressionGzip, compressMinBytes: 0 }),
    ),
  };
}

/** The plain and gzip stubs of connect-node's client speaking the Connect protocol. */
export function connectProtocolStubs(options: ConnectTransportOptions): InteropStubs {
  return {
    plain: stubOf(createConnectTransport(options)),
    gzip: stubOf(
      createConnectTransport({ ...options, sendCompression: compressionGzip, compressMinBytes: 0 }),
    ),
  };
}

const ECHO_INITIAL = "x-grpc-test-echo-initial";
const ECHO_TRAILING = "x-grpc-test-echo-trailing-bin";

function echo(ctx: HandlerContext): void {
  const initial = ctx.requestHeader.get(ECHO_INITIAL);
  if (initial !== null) ctx.responseHeader.set(ECHO_INITIAL, initial);
  const trailing = ctx.requestHeader.get(ECHO_TRAILING);
  if (trailing !== null) ctx.responseTrailer.set(ECHO_TRAILING, trailing);
}
function raise(status: { code: number; message: string } | undefined): void {
  if (status !== undefined && status.code !== 0) {
    throw new ConnectError(status.message, status.code as ConnectCode);
  }
}
function checkCompressed(expect: { value: boolean } | undefined, ctx: HandlerContext): void {
  const enc = ctx.requestHeader.get("grpc-encoding") ??
    ctx.requestHeader.get("connect-content-encoding") ?? ctx.requestHeader.get("content-encoding");
  if (expect?.value === true && (enc === null || enc === "identity")) {
    throw new ConnectError("expected a compressed request", ConnectCode.InvalidArgument);
  }
}
const zeros = (n: number) => ({ payload: { body: new Uint8Array(n) } });

/**
 * A Connect server on node:http2 serving TestService: the gRPC protocol, or
 * with `protocol: "connect"` the Connect protocol.
 */
export async function startConnectServer(
  tls?: { cert: string; key: string },
  protocol: "grpc" | "connect" = "grpc",
): Promise<{ server: http2.Http2Server | http2.Http2SecureServer; port: number }> {
  const handler = connectNodeAdapter({
    grpc: protocol === "grpc",
    grpcWeb: false,
    connect: protocol === "connect",
    acceptCompression: [compressionGzip],
    routes(router) {
      router.service(TestService, {
        emptyCall: () => ({}),
        unaryCall(req, ctx) {
          echo(ctx);
          checkCompressed(req.expectCompressed, ctx);
          raise(req.responseStatus);
          return zeros(req.responseSize);
        },
        cacheableUnaryCall: (req) => zeros(req.responseSize),
        async *streamingOutputCall(req, ctx) {
          echo(ctx);
          for (const p of req.responseParameters) yield zeros(p.size);
          raise(req.responseStatus);
        },
        async streamingInputCall(reqs, ctx) {
          let size = 0;
          for await (const r of reqs) {
            checkCompressed(r.expectCompressed, ctx);
            size += r.payload?.body.length ?? 0;
          }
          return { aggregatedPayloadSize: size };
        },
        async *fullDuplexCall(reqs, ctx) {
          echo(ctx);
          for await (const r of reqs) {
            raise(r.responseStatus);
            for (const p of r.responseParameters) yield zeros(p.size);
          }
        },
        async *halfDuplexCall(reqs) {
          const all = [];
          for await (const r of reqs) all.push(r);
          for (const r of all) for (const p of r.responseParameters) yield zeros(p.size);
        },
      });
    },
  });
  // The Connect protocol also travels over HTTP/1.1, which fetch clients use:
  // cleartext is then node:http, TLS offers both through ALPN.
  const server = tls === undefined
    ? (protocol === "connect"
      ? http.createServer(handler) as unknown as http2.Http2Server
      : http2.createServer(handler))
    : http2.createSecureServer(
      { cert: tls.cert, key: tls.key, allowHTTP1: protocol === "connect" },
      handler,
    );
  const port = await new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port))
  );
  return { server, port };
}
