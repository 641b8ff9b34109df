/**
 * Bytes of the same message as protobuf binary and as (protobuf) JSON.
 *
 * @module
 */
import { create, toBinary, toJsonString } from "@bufbuild/protobuf";
import { EventSchema, PayloadSchema } from "../protos/gen/wirecall/bench/v1/bench_pb.ts";

/** One message's sizes. */
export interface PayloadSize {
  message: string;
  protobufBytes: number;
  jsonBytes: number;
}

/** Sizes of the benchmark's 64 B payload and of a typical API record. */
export function payloadSizes(): PayloadSize[] {
  const payload = create(PayloadSchema, { body: new Uint8Array(64).fill(0x61) });
  const event = create(EventSchema, {
    id: "evt_01J9Z8Q4W6K2M3N4P5R6S7T8V9",
    timestampMs: 1_764_072_000_123n,
    value: 98.625,
    ok: true,
    tags: ["checkout", "eu-west-1", "canary"],
    labels: { service: "payments", version: "2.14.1", region: "eu-west-1" },
    samples: [12, 15, 11, 240, 13, 12, 18, 16],
    actor: { name: "ada", id: 4_221_337n },
  });
  const utf8 = new TextEncoder();
  return [
    {
      message: "Payload (64 B body)",
      protobufBytes: toBinary(PayloadSchema, payload).byteLength,
      jsonBytes: utf8.encode(toJsonString(PayloadSchema, payload)).byteLength,
    },
    {
      message: "Event (typical API record)",
      protobufBytes: toBinary(EventSchema, event).byteLength,
      jsonBytes: utf8.encode(toJsonString(EventSchema, event)).byteLength,
    },
  ];
}
