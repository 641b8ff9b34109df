/**
 * BenchService as a grpc-js service definition, with protobuf-es doing the
 * serialization (the same codec every peer uses).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { ServiceDefinition } from "@grpc/grpc-js";
import { type DescMessage, fromBinary, type MessageShape, toBinary } from "@bufbuild/protobuf";
import {
  PayloadSchema,
  StreamRequestSchema,
  SummarySchema,
} from "../../protos/gen/wirecall/bench/v1/bench_pb.ts";
import { benchPaths } from "../peer.ts";

function serialize<D extends DescMessage>(schema: D): (m: MessageShape<D>) => Buffer {
  return (m) => {
    const bytes = toBinary(schema, m);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

function deserialize<D extends DescMessage>(schema: D): (b: Buffer) => MessageShape<D> {
  return (b) => fromBinary(schema, b);
}

function method<I extends DescMessage, O extends DescMessage>(
  path: string,
  input: I,
  output: O,
  requestStream: boolean,
  responseStream: boolean,
) {
  return {
    path,
    requestStream,
    responseStream,
    requestSerialize: serialize(input),
    requestDeserialize: deserialize(input),
    responseSerialize: serialize(output),
    responseDeserialize: deserialize(output),
  };
}

/** BenchService for grpc-js. */
export const benchServiceDefinition = {
  unary: method(benchPaths.unary, PayloadSchema, PayloadSchema, false, false),
  serverStream: method(benchPaths.serverStream, StreamRequestSchema, PayloadSchema, false, true),
  clientStream: method(benchPaths.clientStream, PayloadSchema, SummarySchema, true, false),
  pingPong: method(benchPaths.pingPong, PayloadSchema, PayloadSchema, true, true),
} satisfies ServiceDefinition;
