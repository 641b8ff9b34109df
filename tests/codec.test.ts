import { describe, test } from "./support/test.ts";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { Code, jsonCodec, protobufCodec, RpcError } from "wirecall";
import { SumResponseSchema } from "../protos/gen/wirecall/demo/v1/demo_pb.ts";

describe("codecs", () => {
  test("the protobuf codec writes the binary wire format", () => {
    const codec = protobufCodec(SumResponseSchema);
    const bytes = codec.encode(create(SumResponseSchema, { total: 300n, count: 2 }));
    assert.deepEqual(bytes, new Uint8Array([0x08, 0xac, 0x02, 0x10, 0x02]));
    assert.equal(codec.decode(bytes).total, 300n);
    assert.equal(codec.name, "proto");
  });

  test("the JSON codec writes canonical protobuf JSON", () => {
    const codec = jsonCodec(SumResponseSchema);
    const bytes = codec.encode(create(SumResponseSchema, { total: 300n, count: 2 }));
    assert.equal(new TextDecoder().decode(bytes), '{"total":"300","count":2}');
    assert.equal(codec.decode(bytes).count, 2);
  });

  test("malformed bytes are an INTERNAL error naming the message type", () => {
    assert.throws(
      () => protobufCodec(SumResponseSchema).decode(new Uint8Array([0x08])),
      (e: unknown) =>
        e instanceof RpcError && e.code === Code.INTERNAL && /SumResponse/.test(e.message),
    );
    assert.throws(
      () => jsonCodec(SumResponseSchema).decode(new TextEncoder().encode("{nope")),
      (e: unknown) => e instanceof RpcError && e.code === Code.INTERNAL,
    );
  });
});
