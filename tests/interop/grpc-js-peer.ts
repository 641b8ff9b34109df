// @grpc/grpc-js as the interop peer: a client stub and a TestService server,
// with the generated @bufbuild/protobuf schemas as (de)serializers.
import * as grpc from "@grpc/grpc-js";
import {
  create,
  type DescMessage,
  type DescMethod,
  fromBinary,
  toBinary,
} from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { TestService, UnimplementedService } from "../../protos/gen/grpc/testing/test_pb.ts";
import type {
  SimpleRequest,
  StreamingInputCallRequest,
  StreamingOutputCallRequest,
} from "../../protos/gen/grpc/testing/messages_pb.ts";
import type {
  InteropCallOptions,
  InteropStub,
  InteropStubs,
  MetadataReader,
} from "./interop-stub.ts";

function serializer(schema: DescMessage) {
  return (value: unknown) =>
    Buffer.from(toBinary(schema, create(schema, value as MessageInitShape<DescMessage>)));
}
function deserializer(schema: DescMessage) {
  return (bytes: Buffer) => fromBinary(schema, bytes);
}

/** A grpc-js service definition for a @bufbuild/protobuf service. */
function definitionOf(methods: readonly DescMethod[]): grpc.ServiceDefinition {
  const def: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const m of methods) {
    def[m.localName] = {
      path: `/${m.parent.typeName}/${m.name}`,
      requestStream: m.methodKind === "client_streaming" || m.methodKind === "bidi_streaming",
      responseStream: m.methodKind === "server_streaming" || m.methodKind === "bidi_streaming",
      requestSerialize: serializer(m.input),
      requestDeserialize: deserializer(m.input),
      responseSerialize: serializer(m.output),
      responseDeserialize: deserializer(m.output),
      originalName: m.localName,
    };
  }
  return def;
}

function toGrpcMetadata(md: InteropCallOptions["metadata"]): grpc.Metadata {
  const out = new grpc.Metadata();
  for (const [k, v] of Object.entries(md ?? {})) {
    out.set(k, typeof v === "string" ? v : Buffer.from(v));
  }
  return out;
}

function reader(md: grpc.Metadata): MetadataReader {
  return (key) => {
    const v = md.get(key)[0];
    return v === undefined ? undefined : typeof v === "string" ? v : new Uint8Array(v);
  };
}

function callOptions(o: InteropCallOptions | undefined): grpc.CallOptions {
  return o?.timeoutMs === undefined ? {} : { deadline: Date.now() + o.timeoutMs };
}

function watch(call: grpc.Call, o: InteropCallOptions | undefined): void {
  if (o?.onHeader) call.on("metadata", (md: grpc.Metadata) => o.onHeader!(reader(md)));
  if (o?.onTrailer) {
    call.on("status", (s: grpc.StatusObject) => {
      if (s.code === grpc.status.OK) o.onTrailer!(reader(s.metadata));
    });
  }
  if (o?.signal) {
    if (o.signal.aborted) call.cancel();
    else o.signal.addEventListener("abort", () => call.cancel(), { once: true });
  }
}

async function pumpInto<T>(
  source: AsyncIterable<T>,
  call: grpc.ClientWritableStream<T>,
): Promise<void> {
  try {
    for await (const m of source) {
      if (!call.write(m)) await new Promise((r) => call.once("drain", r));
    }
    call.end();
  } catch {
    call.cancel();
  }
}

/** A grpc-js client stub for `address` (host:port). */
export function grpcJsStub(
  address: string,
  credentials: grpc.ChannelCredentials,
  options: grpc.ChannelOptions = {},
): InteropStub {
  const client = new grpc.Client(address, credentials, options);
  const def = definitionOf(TestService.methods);
  const unimplemented = definitionOf(UnimplementedService.methods);
  function unary<Res>(
    d: grpc.MethodDefinition<unknown, unknown>,
    req: unknown,
    o?: InteropCallOptions,
  ): Promise<Res> {
    return new Promise((resolve, reject) => {
      const call = client.makeUnaryRequest(
        d.path,
        d.requestSerialize,
        d.responseDeserialize,
        req,
        toGrpcMetadata(o?.metadata),
        callOptions(o),
        (err, res) => err ? reject(err) : resolve(res as Res),
      );
      watch(call, o);
    });
  }
  return {
    emptyCall: (req, o) => unary(def.emptyCall, req, o),
    unaryCall: (req, o) => unary(def.unaryCall, req, o),
    streamingOutputCall(req, o) {
      const d = def.streamingOutputCall;
      const call = client.makeServerStreamRequest(
        d.path,
        d.requestSerialize,
        d.responseDeserialize,
        req,
        toGrpcMetadata(o?.metadata),
        callOptions(o),
      );
      watch(call, o);
      return call as AsyncIterable<never>;
    },
    streamingInputCall(reqs, o) {
      const d = def.streamingInputCall;
      return new Promise((resolve, reject) => {
        const call = client.makeClientStreamRequest(
          d.path,
          d.requestSerialize,
          d.responseDeserialize,
          toGrpcMetadata(o?.metadata),
          callOptions(o),
          (err, res) => err ? reject(err) : resolve(res as never),
        );
        watch(call, o);
        pumpInto(reqs, call);
      });
    },
    fullDuplexCall(reqs, o) {
      const d = def.fullDuplexCall;
      const call = client.makeBidiStreamRequest(
        d.path,
        d.requestSerialize,
        d.responseDeserialize,
        toGrpcMetadata(o?.metadata),
        callOptions(o),
      );
      watch(call, o);
      pumpInto(reqs, call);
      return call as AsyncIterable<never>;
    },
    unimplementedCall: (o) => unary(def.unimplementedCall, {}, o),
    unimplementedServiceCall: (o) => unary(unimplemented.unimplementedCall, {}, o),
    errorOf(e) {
      const err = e as grpc.ServiceError;
      return { code: err.code ?? -1, message: err.details ?? String(e) };
    },
    close: () => Promise.resolve(client.close()),
  };
}

/** The plain and gzip grpc-js stubs. */
export function grpcJsStubs(
  address: string,
  credentials: grpc.ChannelCredentials,
  options: grpc.ChannelOptions = {},
): InteropStubs {
  return {
    plain: grpcJsStub(address, credentials, options),
    gzip: grpcJsStub(address, credentials, { ...options, "grpc.default_compression_algorithm": 2 }),
  };
}

const ECHO_INITIAL = "x-grpc-test-echo-initial";
const ECHO_TRAILING = "x-grpc-test-echo-trailing-bin";

function echoInitial(
  call: { metadata: grpc.Metadata; sendMetadata(md: grpc.Metadata): void },
): void {
  const v = call.metadata.get(ECHO_INITIAL);
  if (v.length > 0) {
    const md = new grpc.Metadata();
    md.set(ECHO_INITIAL, v[0]);
    call.sendMetadata(md);
  }
}
function echoTrailing(metadata: grpc.Metadata): grpc.Metadata {
  const out = new grpc.Metadata();
  const v = metadata.get(ECHO_TRAILING);
  if (v.length > 0) out.set(ECHO_TRAILING, v[0]);
  return out;
}
function statusError(
  status: { code: number; message: string } | undefined,
  metadata?: grpc.Metadata,
) {
  if (status === undefined || status.code === 0) return undefined;
  return { code: status.code, details: status.message, metadata };
}
// grpc-js keeps grpc-encoding from handlers, so a request's compression
// cannot be checked: every request passes (the probe is skipped for it).
function compressedOk(_expect: { value: boolean } | undefined, _metadata: grpc.Metadata): boolean {
  return true;
}
const zeros = (n: number) => ({ payload: { body: new Uint8Array(n) } });

/** A grpc-js server serving TestService; resolves with its port. */
export async function startGrpcJsServer(
  credentials: grpc.ServerCredentials,
): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  const impl: grpc.UntypedServiceImplementation = {
    emptyCall: (_call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) =>
      cb(null, {}),
    unaryCall(call: grpc.ServerUnaryCall<SimpleRequest, unknown>, cb: grpc.sendUnaryData<unknown>) {
      echoInitial(call);
      const trailer = echoTrailing(call.metadata);
      const req = call.request;
      if (!compressedOk(req.expectCompressed, call.metadata)) {
        return cb({ code: grpc.status.INVALID_ARGUMENT, details: "expected a compressed request" });
      }
      const err = statusError(req.responseStatus, trailer);
      if (err) return cb(err);
      cb(null, zeros(req.responseSize), trailer);
    },
    cacheableUnaryCall: (
      call: grpc.ServerUnaryCall<SimpleRequest, unknown>,
      cb: grpc.sendUnaryData<unknown>,
    ) => cb(null, zeros(call.request.responseSize)),
    streamingOutputCall(call: grpc.ServerWritableStream<StreamingOutputCallRequest, unknown>) {
      echoInitial(call);
      for (const p of call.request.responseParameters) call.write(zeros(p.size));
      const err = statusError(call.request.responseStatus);
      if (err) call.emit("error", err);
      else call.end(echoTrailing(call.metadata));
    },
    streamingInputCall(
      call: grpc.ServerReadableStream<StreamingInputCallRequest, unknown>,
      cb: grpc.sendUnaryData<unknown>,
    ) {
      let size = 0;
      let bad = false;
      call.on("data", (r: StreamingInputCallRequest) => {
        if (!compressedOk(r.expectCompressed, call.metadata)) bad = true;
        size += r.payload?.body.length ?? 0;
      });
      call.on(
        "end",
        () =>
          bad
            ? cb({ code: grpc.status.INVALID_ARGUMENT, details: "expected a compressed request" })
            : cb(null, { aggregatedPayloadSize: size }),
      );
    },
    fullDuplexCall(call: grpc.ServerDuplexStream<StreamingOutputCallRequest, unknown>) {
      echoInitial(call);
      const trailer = echoTrailing(call.metadata);
      call.on("data", (r: StreamingOutputCallRequest) => {
        const err = statusError(r.responseStatus, trailer);
        if (err) return call.emit("error", err);
        for (const p of r.responseParameters) call.write(zeros(p.size));
      });
      call.on("end", () => call.end(trailer));
    },
    halfDuplexCall(call: grpc.ServerDuplexStream<StreamingOutputCallRequest, unknown>) {
      const all: StreamingOutputCallRequest[] = [];
      call.on("data", (r: StreamingOutputCallRequest) => all.push(r));
      call.on("end", () => {
        for (const r of all) for (const p of r.responseParameters) call.write(zeros(p.size));
        call.end();
      });
    },
  };
  const def = definitionOf(TestService.methods.filter((m) => m.localName !== "unimplementedCall"));
  server.addService(def, impl);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", credentials, (err, p) => (err ? reject(err) : resolve(p)))
  );
  return { server, port };
}
