/**
 * The wirecall gRPC-Web client over HTTP/1.1: `createGrpcWebTransport` on
 * `createNodeFetch` (undici, one keep-alive connection per call in flight).
 * Unary and server-streaming calls only: `fetch` has no streaming request
 * bodies over HTTP/1.1.
 *
 * @module
 */
import { createClient } from "wirecall";
import { createGrpcWebTransport } from "wirecall/transports/grpc-web";
import { createNodeFetch } from "wirecall/transports/grpc-web/node";
import { BenchService } from "../../protos/gen/wirecall/bench/v1/bench_pb.ts";
import type { ClientPeer, PeerOptions } from "../peer.ts";
import { typedClientPeer } from "./typed-client-peer.ts";

/** Connects the gRPC-Web client. */
export function connectClient(
  port: number,
  options: PeerOptions & { concurrency: number },
): Promise<ClientPeer> {
  const fetch = createNodeFetch({ connections: options.concurrency });
  const transport = createGrpcWebTransport({ baseUrl: `http://127.0.0.1:${port}`, fetch });
  const client = createClient(BenchService, transport);
  return Promise.resolve(typedClientPeer(client, () => fetch.close()));
}
