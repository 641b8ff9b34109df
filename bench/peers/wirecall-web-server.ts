/**
 * The wirecall server with gRPC-Web on the same port: `createHttp2Server`
 * with its `grpcWeb` hand-off, so HTTP/1.1 gRPC-Web requests reach the same
 * router as native gRPC.
 *
 * @module
 */
import { createRouter } from "wirecall";
import { createGrpcWebHandler } from "wirecall/transports/grpc-web";
import { createNodeRequestListener } from "wirecall/transports/grpc-web/node";
import { createHttp2Server } from "wirecall/transports/http2";
import { BenchService } from "../../protos/gen/wirecall/bench/v1/bench_pb.ts";
import type { PeerOptions, ServerPeer } from "../peer.ts";
import { benchHandlers } from "./bench-handlers.ts";

/** Starts the wirecall server with its gRPC-Web hand-off. */
export async function startServer(_options: PeerOptions): Promise<ServerPeer> {
  const router = createRouter().service(BenchService, benchHandlers);
  const server = createHttp2Server(router, {
    maxReceiveMessageBytes: 8 << 20,
    grpcWeb: createNodeRequestListener(createGrpcWebHandler(router)),
  });
  const { port } = await server.listen({ port: 0, host: "127.0.0.1" });
  return { port, close: () => server.close({ graceMs: 0 }) };
}
