/**
 * The REST/JSON baseline: a node:http (HTTP/1.1) server answering
 * `POST /unary` with the JSON body it received, parsed and re-serialized.
 * Only the unary scenarios have a REST counterpart.
 *
 * @module
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { PeerOptions, ServerPeer } from "../peer.ts";

/** Starts the REST server. */
export async function startServer(_options: PeerOptions): Promise<ServerPeer> {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (text += c));
    req.on("end", () => {
      if (req.url !== "/unary") {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.stringify(JSON.parse(text));
      res.writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
      });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
