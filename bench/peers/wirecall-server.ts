/**
 * The wirecall server peer: `createHttp2Server` with its defaults.
 *
 * @module
 */
import { createRouter } from "wirecall";
import { createHttp2Server } from "wirecall/transports/http2";
import { BenchService } from "../../protos/gen/wirecall/bench/v1/bench_pb.ts";
import type { PeerOptions, ServerPeer } from "../peer.ts";
import { benchHandlers } from "./bench-handlers.ts";

/** Starts the wirecall server. */
export async function startServer(_options: PeerOptions): Promise<ServerPeer> {
  const router = createRouter().service(BenchService, benchHandlers);
  const server = createHttp2Server(router, {
    maxReceiveMessageBytes: 8 << 20,
    // Under Deno the server closes a connection after 50 streams by default
    // (the workaround for Deno's node:http2 crash on connection teardown,
    // issue 15). h2load does not reconnect after a GOAWAY, so the benchmark
    // lifts the limit: it measures the serving path itself (a server that
    // dies when h2load closes is restarted), not the workaround's reconnects.
    ...("Deno" in globalThis ? { maxStreamsPerConnection: 2 ** 31 - 1 } : {}),
  });
  const { port } = await server.listen({ port: 0, host: "127.0.0.1" });
  return { port, close: () => server.close({ graceMs: 0 }) };
}
