/**
 * The ceiling: a gRPC server written directly on node:http2 with
 * hand-written framing, doing the least any gRPC server can do.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { StreamRequestSchema, SummarySchema } from "../../protos/gen/wirecall/bench/v1/bench_pb.ts";
import {
  benchPaths,
  type PeerOptions,
  type ServerPeer,
  TUNED_CONNECTION_WINDOW,
  TUNED_STREAM_WINDOW,
} from "../peer.ts";
import {
  firstMessage,
  FrameCounter,
  frameMessage,
  frameRepeated,
  framesPerWrite,
  FrameSplitter,
} from "./bare-framing.ts";

const responseHeaders = { ":status": 200, "content-type": "application/grpc" };
const okTrailers = { "grpc-status": "0" };

function respond(stream: http2.ServerHttp2Stream): void {
  stream.respond(responseHeaders, { waitForTrailers: true });
  stream.once("wantTrailers", () => stream.sendTrailers(okTrailers));
}

function collect(stream: http2.ServerHttp2Stream, then: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  stream.once("end", () => then(firstMessage(chunks)));
}

function drained(stream: http2.Http2Stream): Promise<void> {
  return new Promise((resolve) => stream.once("drain", resolve));
}

async function sendStream(stream: http2.ServerHttp2Stream, body: Buffer): Promise<void> {
  const request = fromBinary(StreamRequestSchema, body);
  const payload = new Uint8Array(request.size);
  // The payload as protobuf: field 1, length-delimited.
  const encoded = Buffer.concat([
    Buffer.from([0x0a]),
    varint(request.size),
    payload,
  ]);
  const perWrite = framesPerWrite(encoded);
  const batch = frameRepeated(encoded, perWrite);
  respond(stream);
  let left = request.count;
  while (left > 0 && !stream.destroyed) {
    const n = Math.min(left, perWrite);
    left -= n;
    const chunk = n === perWrite ? batch : batch.subarray(0, n * (5 + encoded.byteLength));
    if (!stream.write(chunk)) await drained(stream);
  }
  stream.end();
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 0x7f) {
    bytes.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

function onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
  stream.on("error", () => {});
  switch (headers[":path"]) {
    case benchPaths.unary:
      collect(stream, (body) => {
        respond(stream);
        stream.end(frameMessage(body));
      });
      return;
    case benchPaths.serverStream:
      collect(stream, (body) => void sendStream(stream, body));
      return;
    case benchPaths.clientStream: {
      const counter = new FrameCounter();
      let count = 0;
      stream.on("data", (c: Buffer) => (count += counter.push(c)));
      stream.once("end", () => {
        respond(stream);
        const summary = { count: BigInt(count), bytes: BigInt(counter.bodyBytes) };
        stream.end(
          frameMessage(toBinary(SummarySchema, { $typeName: SummarySchema.typeName, ...summary })),
        );
      });
      return;
    }
    case benchPaths.pingPong: {
      respond(stream);
      const splitter = new FrameSplitter();
      stream.on("data", (c: Buffer) => {
        for (const f of splitter.push(c)) stream.write(f);
      });
      stream.once("end", () => stream.end());
      return;
    }
    default:
      stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": "12" }, {
        endStream: true,
      });
  }
}

/** Starts the bare node:http2 server. */
export async function startServer(options: PeerOptions): Promise<ServerPeer> {
  const server = http2.createServer({
    settings: options.tunedWindows ? { initialWindowSize: TUNED_STREAM_WINDOW } : {},
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    if (options.tunedWindows) session.setLocalWindowSize(TUNED_CONNECTION_WINDOW);
  });
  server.on("stream", onStream);
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
