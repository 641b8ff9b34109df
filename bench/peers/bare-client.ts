/**
 * The ceiling's client, and the neutral client every server is measured
 * with: node:http2 with hand-written framing and no protobuf decoding.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import * as http2 from "node:http2";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  PayloadSchema,
  StreamRequestSchema,
  SummarySchema,
} from "../../protos/gen/wirecall/bench/v1/bench_pb.ts";
import {
  benchPaths,
  type ClientPeer,
  type PeerOptions,
  type PingPongStream,
  TUNED_CONNECTION_WINDOW,
  TUNED_STREAM_WINDOW,
} from "../peer.ts";
import {
  firstMessage,
  FrameCounter,
  frameMessage,
  frameRepeated,
  framesPerWrite,
} from "./bare-framing.ts";

function requestHeaders(path: string): http2.OutgoingHttpHeaders {
  return {
    ":method": "POST",
    ":path": path,
    "content-type": "application/grpc",
    te: "trailers",
  };
}
const unaryHeaders = requestHeaders(benchPaths.unary);
const serverStreamHeaders = requestHeaders(benchPaths.serverStream);
const clientStreamHeaders = requestHeaders(benchPaths.clientStream);
const pingPongHeaders = requestHeaders(benchPaths.pingPong);

/** Fails unless the call ended with grpc-status 0 (in headers or trailers). */
function statusOf(stream: http2.ClientHttp2Stream): Promise<void> {
  return new Promise((resolve, reject) => {
    let status: unknown;
    stream.once("response", (h) => (status = h["grpc-status"] ?? status));
    stream.once("trailers", (t) => (status = t["grpc-status"]));
    stream.once("error", reject);
    stream.once("close", () => {
      if (status === "0") resolve();
      else reject(new Error(`call failed: grpc-status ${String(status)} (rst ${stream.rstCode})`));
    });
  });
}

function drained(stream: http2.Http2Stream): Promise<void> {
  return new Promise((resolve) => stream.once("drain", resolve));
}

/** Connects the bare client. */
export function connectClient(port: number, options: PeerOptions): Promise<ClientPeer> {
  const session = http2.connect(`http://127.0.0.1:${port}`, {
    settings: options.tunedWindows ? { initialWindowSize: TUNED_STREAM_WINDOW } : {},
  });
  session.on("error", () => {});
  let lastBody: Uint8Array | undefined;
  let lastEncoded: Uint8Array = new Uint8Array(0);
  let lastFrame: Buffer = Buffer.alloc(0);
  // The Payload message around `body`, encoded once per body.
  const encoded = (body: Uint8Array): Uint8Array => {
    if (body !== lastBody) {
      lastBody = body;
      lastEncoded = toBinary(PayloadSchema, { $typeName: PayloadSchema.typeName, body });
      lastFrame = frameMessage(lastEncoded);
    }
    return lastEncoded;
  };
  const framed = (body: Uint8Array): Buffer => {
    encoded(body);
    return lastFrame;
  };

  const peer: ClientPeer = {
    async unary(body) {
      const stream = session.request(unaryHeaders);
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      const done = statusOf(stream);
      stream.end(framed(body));
      await done;
      return firstMessage(chunks).byteLength;
    },
    async serverStream(count, size) {
      const stream = session.request(serverStreamHeaders);
      const counter = new FrameCounter();
      let received = 0;
      stream.on("data", (c: Buffer) => (received += counter.push(c)));
      const done = statusOf(stream);
      stream.end(frameMessage(toBinary(StreamRequestSchema, {
        $typeName: StreamRequestSchema.typeName,
        count,
        size,
      })));
      await done;
      return received;
    },
    async clientStream(count, body) {
      const stream = session.request(clientStreamHeaders);
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      const done = statusOf(stream);
      const message = encoded(body);
      const perWrite = framesPerWrite(message);
      const batch = frameRepeated(message, perWrite);
      let left = count;
      while (left > 0) {
        const n = Math.min(left, perWrite);
        left -= n;
        const chunk = n === perWrite ? batch : batch.subarray(0, n * (5 + message.byteLength));
        if (!stream.write(chunk)) await drained(stream);
      }
      stream.end();
      await done;
      return Number(fromBinary(SummarySchema, firstMessage(chunks)).count);
    },
    openPingPong(body) {
      const stream = session.request(pingPongHeaders);
      const frame = frameMessage(encoded(body));
      const counter = new FrameCounter();
      const waiting: Array<() => void> = [];
      stream.on("data", (c: Buffer) => {
        for (let n = counter.push(c); n > 0; n--) waiting.shift()?.();
      });
      const done = statusOf(stream);
      done.catch(() => {});
      const pingPong: PingPongStream = {
        roundTrip() {
          return new Promise<void>((resolve) => {
            waiting.push(resolve);
            stream.write(frame);
          });
        },
        async close() {
          stream.end();
          await done;
        },
      };
      return Promise.resolve(pingPong);
    },
    close() {
      return new Promise<void>((resolve) => session.close(() => resolve()));
    },
  };
  return new Promise((resolve, reject) => {
    session.once("connect", () => {
      if (options.tunedWindows) session.setLocalWindowSize(TUNED_CONNECTION_WINDOW);
      resolve(peer);
    });
    session.once("error", reject);
  });
}
