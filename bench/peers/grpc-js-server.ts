/**
 * The grpc-js server peer, configured as its users would out of the box.
 *
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import { create } from "@bufbuild/protobuf";
import {
  type Payload,
  PayloadSchema,
  type StreamRequest,
  type Summary,
} from "../../protos/gen/wirecall/bench/v1/bench_pb.ts";
import type { PeerOptions, ServerPeer } from "../peer.ts";
import { benchServiceDefinition } from "./grpc-js-service.ts";

async function writeAll(call: grpc.ServerWritableStream<StreamRequest, Payload>): Promise<void> {
  const { count, size } = call.request;
  const payload = create(PayloadSchema, { body: new Uint8Array(size) });
  for (let i = 0; i < count && !call.cancelled; i++) {
    if (!call.write(payload)) await new Promise((resolve) => call.once("drain", resolve));
  }
  call.end();
}

/** Starts the grpc-js server. */
export async function startServer(_options: PeerOptions): Promise<ServerPeer> {
  const server = new grpc.Server({ "grpc.max_receive_message_length": 8 << 20 });
  server.addService(benchServiceDefinition, {
    unary(call: grpc.ServerUnaryCall<Payload, Payload>, callback: grpc.sendUnaryData<Payload>) {
      callback(null, call.request);
    },
    serverStream(call: grpc.ServerWritableStream<StreamRequest, Payload>) {
      void writeAll(call);
    },
    clientStream(
      call: grpc.ServerReadableStream<Payload, Summary>,
      callback: grpc.sendUnaryData<Summary>,
    ) {
      let count = 0n;
      let bytes = 0n;
      call.on("data", (p: Payload) => {
        count++;
        bytes += BigInt(p.body.byteLength);
      });
      call.on(
        "end",
        () => callback(null, { $typeName: "wirecall.bench.v1.Summary", count, bytes }),
      );
    },
    pingPong(call: grpc.ServerDuplexStream<Payload, Payload>) {
      call.on("data", (p: Payload) => call.write(p));
      call.on("end", () => call.end());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      "127.0.0.1:0",
      grpc.ServerCredentials.createInsecure(),
      (e, p) => e ? reject(e) : resolve(p),
    )
  );
  return {
    port,
    close: () => {
      server.forceShutdown();
      return Promise.resolve();
    },
  };
}
