/**
 * An experiment for the HTTP/1.1-vs-HTTP/2 question: gRPC unary calls over
 * undici's HTTP/2 client (`H2CClient`, prior-knowledge h2c) with the same
 * hand-written framing as the bare client. undici's HTTP/2 support is built
 * on node:http2, so this measures what its request API adds on top.
 *
 * undici 7.30's HTTP/2 path loses trailers (client-h2.js hands Node's
 * trailer object to `parseHeaders`, which expects a flat array), so
 * `grpc-status` cannot be read there: a call counts as OK on HTTP 200 with a
 * whole response message. That alone rules it out as a gRPC transport.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { toBinary } from "@bufbuild/protobuf";
import { H2CClient } from "undici";
import { PayloadSchema } from "../../protos/gen/wirecall/bench/v1/bench_pb.ts";
import { benchPaths, type ClientPeer, type PeerOptions } from "../peer.ts";
import { firstMessage, frameMessage } from "./bare-framing.ts";

const headers = { "content-type": "application/grpc", te: "trailers" };

/** Connects the undici HTTP/2 client. */
export function connectClient(
  port: number,
  options: PeerOptions & { concurrency: number },
): Promise<ClientPeer> {
  const client = new H2CClient(`http://127.0.0.1:${port}`, {
    maxConcurrentStreams: Math.max(100, options.concurrency),
    pipelining: Math.max(100, options.concurrency),
  });
  let lastBody: Uint8Array | undefined;
  let lastFrame: Buffer = Buffer.alloc(0);
  const unsupported = () =>
    Promise.reject(new Error("the undici HTTP/2 experiment has only unary calls"));
  return Promise.resolve({
    async unary(body) {
      if (body !== lastBody) {
        lastBody = body;
        lastFrame = frameMessage(
          toBinary(PayloadSchema, { $typeName: PayloadSchema.typeName, body }),
        );
      }
      const res = await client.request({
        path: benchPaths.unary,
        method: "POST",
        headers,
        body: lastFrame,
      });
      const chunks: Buffer[] = [];
      for await (const c of res.body) chunks.push(c as Buffer);
      const status = res.trailers["grpc-status"] ?? res.headers["grpc-status"];
      if (res.statusCode !== 200 || (status !== undefined && status !== "0")) {
        throw new Error(`call failed: HTTP ${res.statusCode}, grpc-status ${String(status)}`);
      }
      return firstMessage(chunks).byteLength;
    },
    serverStream: unsupported,
    clientStream: unsupported,
    openPingPong: unsupported,
    close: () => client.close(),
  });
}
