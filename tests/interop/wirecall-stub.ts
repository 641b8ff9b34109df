// The interop stub on the wirecall client, over any wirecall transport.
import {
  createClient,
  messageCompression,
  type Metadata,
  RpcError,
  type Transport,
} from "wirecall";
import { TestService, UnimplementedService } from "../../protos/gen/grpc/testing/test_pb.ts";
import type { InteropCallOptions, InteropStub, MetadataReader } from "./interop-stub.ts";

function reader(md: Metadata): MetadataReader {
  return (key) => md.get(key);
}

function callOptions(o: InteropCallOptions | undefined) {
  if (o === undefined) return undefined;
  return {
    signal: o.signal,
    timeoutMs: o.timeoutMs,
    metadata: o.metadata,
    onHeader: o.onHeader && ((h: Metadata) => o.onHeader!(reader(h))),
    onTrailer: o.onTrailer && ((t: Metadata) => o.onTrailer!(reader(t))),
  };
}

/** Wraps a wirecall transport as an interop stub. */
export function wirecallStub(transport: Transport): InteropStub {
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
    compressedOf: (message) => messageCompression(message) === true,
    errorOf(e) {
      const err = RpcError.from(e);
      return { code: err.code, message: err.rawMessage };
    },
    close: async () => {
      await transport.close?.();
    },
  };
}
