/**
 * The Connect (connect-node) server peer: `connectNodeAdapter` on a plain
 * node:http2 server, as Connect's docs set it up.
 *
 * @module
 */
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { BenchService } from "../../protos/gen/wirecall/bench/v1/bench_pb.ts";
import type { PeerOptions, ServerPeer } from "../peer.ts";
import { benchHandlers } from "./bench-handlers.ts";

/** Starts the Connect server. */
export async function startServer(_options: PeerOptions): Promise<ServerPeer> {
  const handler = connectNodeAdapter({
    routes: (router) => router.service(BenchService, benchHandlers),
    readMaxBytes: 8 << 20,
  });
  const server = http2.createServer(handler);
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (s) => {
    sessions.add(s);
    s.once("close", () => sessions.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}
