/**
 * Loopback calls per second against a direct function call that does the
 * same serialization work (encode and decode the request and the response,
 * with the codec wirecall uses) without any RPC machinery: the cost of
 * wirecall's in-process path. `toBinaryCallsPerS` is the same direct call
 * with `toBinary`, for reference.
 *
 * @module
 */
import { performance } from "node:perf_hooks";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { createClient, createRouter, protobufCodec } from "wirecall";
import { createLoopbackTransport } from "wirecall/transports/loopback";
import {
  BenchService,
  type Payload,
  PayloadSchema,
} from "../protos/gen/wirecall/bench/v1/bench_pb.ts";

/** Calls per second of each, and their ratio. */
export interface LoopbackResult {
  loopbackCallsPerS: number;
  directCallsPerS: number;
  toBinaryCallsPerS: number;
  ratio: number;
}

async function rate(call: () => Promise<unknown>, ms: number): Promise<number> {
  const end = performance.now() + ms;
  const start = performance.now();
  let n = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 64; i++) await call();
    n += 64;
  }
  return n / ((performance.now() - start) / 1000);
}

/** Measures both for `ms` each (after a warm-up), alternating five times; medians win. */
export async function loopbackVsDirect(ms: number): Promise<LoopbackResult> {
  const handler = (request: Payload): Payload => request;
  const router = createRouter().service(BenchService, { unary: handler });
  const client = createClient(BenchService, createLoopbackTransport(router));
  const request = create(PayloadSchema, { body: new Uint8Array(64).fill(0x61) });
  const viaLoopback = () => client.unary(request);
  const codec = protobufCodec(PayloadSchema);
  const direct = async () => {
    const received = codec.decode(codec.encode(request));
    const response = await handler(received);
    return codec.decode(codec.encode(response));
  };
  const viaToBinary = async () => {
    const received = fromBinary(PayloadSchema, toBinary(PayloadSchema, request));
    const response = await handler(received);
    return fromBinary(PayloadSchema, toBinary(PayloadSchema, response));
  };
  await rate(viaLoopback, ms / 2);
  await rate(direct, ms / 2);
  const loop: number[] = [];
  const dir: number[] = [];
  for (let i = 0; i < 5; i++) {
    loop.push(await rate(viaLoopback, ms));
    dir.push(await rate(direct, ms));
  }
  const ratios = loop.map((l, i) => l / dir[i]);
  const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
  const plain = await rate(viaToBinary, ms);
  return {
    loopbackCallsPerS: med(loop),
    directCallsPerS: med(dir),
    toBinaryCallsPerS: plain,
    ratio: med(ratios),
  };
}
