/**
 * The Connect (connect-node) client peer: `createGrpcTransport` over
 * HTTP/2, as Connect's docs set it up.
 *
 * @module
 */
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { BenchService } from "../../protos/gen/wirecall/bench/v1/bench_pb.ts";
import type { ClientPeer, PeerOptions } from "../peer.ts";
import { typedClientPeer } from "./typed-client-peer.ts";

/** Connects the Connect client. */
export function connectClient(port: number, _options: PeerOptions): Promise<ClientPeer> {
  const transport = createGrpcTransport({
    baseUrl: `http://127.0.0.1:${port}`,
    readMaxBytes: 8 << 20,
  });
  const client = createClient(BenchService, transport);
  return Promise.resolve(typedClientPeer(client, () => Promise.resolve()));
}
