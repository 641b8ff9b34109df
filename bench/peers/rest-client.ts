/**
 * The REST/JSON baseline's client: an undici `Pool` with one keep-alive
 * HTTP/1.1 connection per call in flight, the body as `{"body": base64}`.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { Pool } from "undici";
import type { ClientPeer, PeerOptions } from "../peer.ts";

const headers = { "content-type": "application/json" };

/** Connects the REST client. */
export function connectClient(
  port: number,
  options: PeerOptions & { concurrency: number },
): Promise<ClientPeer> {
  const pool = new Pool(`http://127.0.0.1:${port}`, {
    connections: options.concurrency,
    pipelining: 1,
  });
  let lastBody: Uint8Array | undefined;
  let lastJson = "";
  const unsupported = () => Promise.reject(new Error("REST has only unary calls"));
  return Promise.resolve({
    async unary(body) {
      if (body !== lastBody) {
        lastBody = body;
        lastJson = JSON.stringify({ body: Buffer.from(body).toString("base64") });
      }
      const res = await pool.request({ path: "/unary", method: "POST", headers, body: lastJson });
      const json = await res.body.json() as { body: string };
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
      return Buffer.from(json.body, "base64").byteLength;
    },
    serverStream: unsupported,
    clientStream: unsupported,
    openPingPong: unsupported,
    close: () => pool.close(),
  });
}
