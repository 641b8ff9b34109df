/**
 * BenchService handlers in the async-iterable style that Connect and
 * wirecall share; each framework's server peer registers these.
 *
 * @module
 */
import { create } from "@bufbuild/protobuf";
import {
  type Payload,
  PayloadSchema,
  type StreamRequest,
  type Summary,
  SummarySchema,
} from "../../protos/gen/wirecall/bench/v1/bench_pb.ts";

/** The handlers: echo, stream `count` payloads, count a stream, echo a stream. */
export const benchHandlers = {
  unary(request: Payload): Payload {
    return request;
  },
  async *serverStream(request: StreamRequest): AsyncGenerator<Payload> {
    const payload = create(PayloadSchema, { body: new Uint8Array(request.size) });
    for (let i = 0; i < request.count; i++) yield payload;
  },
  async clientStream(requests: AsyncIterable<Payload>): Promise<Summary> {
    let count = 0n;
    let bytes = 0n;
    for await (const p of requests) {
      count++;
      bytes += BigInt(p.body.byteLength);
    }
    return create(SummarySchema, { count, bytes });
  },
  async *pingPong(requests: AsyncIterable<Payload>): AsyncGenerator<Payload> {
    for await (const p of requests) yield p;
  },
};
