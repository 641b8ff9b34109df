/**
 * The grpc-js client peer, configured as its users would out of the box.
 *
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import { create } from "@bufbuild/protobuf";
import {
  type Payload,
  PayloadSchema,
  StreamRequestSchema,
  type Summary,
} from "../../protos/gen/wirecall/bench/v1/bench_pb.ts";
import type { ClientPeer, PeerOptions, PingPongStream } from "../peer.ts";
import { benchServiceDefinition as def } from "./grpc-js-service.ts";

/** Connects the grpc-js client. */
export async function connectClient(port: number, _options: PeerOptions): Promise<ClientPeer> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    "grpc.max_receive_message_length": 8 << 20,
  });
  await new Promise<void>((resolve, reject) =>
    client.waitForReady(Date.now() + 5000, (e) => e ? reject(e) : resolve())
  );
  let lastBody: Uint8Array | undefined;
  let lastPayload: Payload | undefined;
  const payloadOf = (body: Uint8Array): Payload => {
    if (body !== lastBody) {
      lastBody = body;
      lastPayload = create(PayloadSchema, { body });
    }
    return lastPayload!;
  };
  return {
    unary(body) {
      const u = def.unary;
      return new Promise((resolve, reject) =>
        client.makeUnaryRequest(
          u.path,
          u.requestSerialize,
          u.responseDeserialize,
          payloadOf(body),
          (e: grpc.ServiceError | null, r?: Payload) => e ? reject(e) : resolve(r!.body.byteLength),
        )
      );
    },
    serverStream(count, size) {
      const s = def.serverStream;
      const call = client.makeServerStreamRequest(
        s.path,
        s.requestSerialize,
        s.responseDeserialize,
        create(StreamRequestSchema, { count, size }),
      );
      return new Promise((resolve, reject) => {
        let n = 0;
        call.on("data", () => n++);
        call.on("error", reject);
        call.on(
          "status",
          (st: grpc.StatusObject) => st.code === 0 ? resolve(n) : reject(new Error(st.details)),
        );
      });
    },
    async clientStream(count, body) {
      const c = def.clientStream;
      let call!: grpc.ClientWritableStream<Payload>;
      const done = new Promise<Summary>((resolve, reject) => {
        call = client.makeClientStreamRequest(
          c.path,
          c.requestSerialize,
          c.responseDeserialize,
          (e: grpc.ServiceError | null, r?: Summary) => e ? reject(e) : resolve(r!),
        );
      });
      const payload = payloadOf(body);
      for (let i = 0; i < count; i++) {
        if (!call.write(payload)) await new Promise((resolve) => call.once("drain", resolve));
      }
      call.end();
      return Number((await done).count);
    },
    openPingPong(body) {
      const p = def.pingPong;
      const call = client.makeBidiStreamRequest(p.path, p.requestSerialize, p.responseDeserialize);
      const payload = create(PayloadSchema, { body });
      const waiting: Array<() => void> = [];
      call.on("data", () => waiting.shift()?.());
      const ended = new Promise<void>((resolve, reject) => {
        call.on("error", reject);
        call.on(
          "status",
          (st: grpc.StatusObject) => st.code === 0 ? resolve() : reject(new Error(st.details)),
        );
      });
      ended.catch(() => {});
      const stream: PingPongStream = {
        roundTrip: () =>
          new Promise<void>((resolve) => {
            waiting.push(resolve);
            call.write(payload);
          }),
        close() {
          call.end();
          return ended;
        },
      };
      return Promise.resolve(stream);
    },
    close() {
      client.close();
      return Promise.resolve();
    },
  };
}
