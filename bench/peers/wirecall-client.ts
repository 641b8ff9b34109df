/**
 * The wirecall client peer: `createHttp2Transport` with its defaults.
 *
 * @module
 */
import { createClient } from "wirecall";
import { createHttp2Transport } from "wirecall/transports/http2";
import { BenchService } from "../../protos/gen/wirecall/bench/v1/bench_pb.ts";
import type { ClientPeer, PeerOptions } from "../peer.ts";
import { typedClientPeer } from "./typed-client-peer.ts";

/** Connects the wirecall client. */
export function connectClient(port: number, _options: PeerOptions): Promise<ClientPeer> {
  const transport = createHttp2Transport({
    baseUrl: `http://127.0.0.1:${port}`,
    maxReceiveMessageBytes: 8 << 20,
  });
  const client = createClient(BenchService, transport);
  return Promise.resolve(typedClientPeer(client, () => transport.close()));
}
