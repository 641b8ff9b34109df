/**
 * A {@link ClientPeer} over a typed BenchService client with promise and
 * async-iterable methods — the shape of both Connect's and wirecall's
 * generated clients, so both client peers share it.
 *
 * @module
 */
import { create } from "@bufbuild/protobuf";
import {
  type Payload,
  PayloadSchema,
  type StreamRequest,
  type Summary,
} from "../../protos/gen/wirecall/bench/v1/bench_pb.ts";
import type { ClientPeer, PingPongStream } from "../peer.ts";
import { AsyncQueue } from "./async-queue.ts";

/** The methods of a typed BenchService client. */
export interface TypedBenchClient {
  unary(request: Payload): Promise<Payload>;
  serverStream(request: StreamRequest): AsyncIterable<Payload>;
  clientStream(requests: AsyncIterable<Payload>): Promise<Summary>;
  pingPong(requests: AsyncIterable<Payload>): AsyncIterable<Payload>;
}

async function* repeat<T>(value: T, count: number): AsyncGenerator<T> {
  for (let i = 0; i < count; i++) yield value;
}

// Connect wants request streams with the full generator protocol (throw/return).
async function* generatorOf<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  yield* source;
}

/** Adapts a typed client; `close` releases its transport. */
export function typedClientPeer(client: TypedBenchClient, close: () => Promise<void>): ClientPeer {
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
    async unary(body) {
      return (await client.unary(payloadOf(body))).body.byteLength;
    },
    async serverStream(count, size) {
      let n = 0;
      const request = { $typeName: "wirecall.bench.v1.StreamRequest", count, size } as const;
      for await (const _ of client.serverStream(request)) n++;
      return n;
    },
    async clientStream(count, body) {
      return Number((await client.clientStream(repeat(payloadOf(body), count))).count);
    },
    openPingPong(body) {
      const payload = create(PayloadSchema, { body });
      const requests = new AsyncQueue<Payload>();
      const responses = client.pingPong(generatorOf(requests))[Symbol.asyncIterator]();
      const stream: PingPongStream = {
        async roundTrip() {
          requests.push(payload);
          const r = await responses.next();
          if (r.done) throw new Error("ping-pong stream ended early");
        },
        async close() {
          requests.end();
          const r = await responses.next();
          if (!r.done) throw new Error("ping-pong stream sent an extra message");
        },
      };
      return Promise.resolve(stream);
    },
    close,
  };
}
