import { describe, test } from "./support/test.ts";
import assert from "node:assert/strict";
import { builtinCompressions, Code, gzip, identity, RpcError } from "wirecall";
import { compressionFor, negotiateResponseEncoding, parseAcceptEncoding } from "wirecall/protocol";

const isCode = (code: number) => (e: unknown) => e instanceof RpcError && e.code === code;

describe("compression", () => {
  test("gzip round-trips a message and really shrinks repetitive data", async () => {
    const data = new TextEncoder().encode("wirecall ".repeat(1000));
    const packed = await gzip.compress(data);
    assert.ok(packed.byteLength < data.byteLength / 10);
    assert.deepEqual(packed.subarray(0, 2), new Uint8Array([0x1f, 0x8b]));
    assert.deepEqual(await gzip.decompress(packed, data.byteLength), data);
  });

  test("a gzip bomb is refused with RESOURCE_EXHAUSTED at the size cap", async () => {
    const bomb = await gzip.compress(new Uint8Array(64 * 1024 * 1024)); // 64 MiB of zeros, ~64 KiB packed
    assert.ok(bomb.byteLength < 100_000);
    await assert.rejects(gzip.decompress(bomb, 4 * 1024 * 1024), isCode(Code.RESOURCE_EXHAUSTED));
  });

  test("corrupt gzip data is INTERNAL", async () => {
    await assert.rejects(
      gzip.decompress(new Uint8Array([0x1f, 0x8b, 1, 2, 3, 4]), 1024),
      isCode(Code.INTERNAL),
    );
  });

  test("identity passes data through and enforces the cap", async () => {
    const data = new Uint8Array([1, 2, 3]);
    assert.equal(await identity.decompress(data, 3), data);
    await assert.rejects(identity.decompress(data, 2), isCode(Code.RESOURCE_EXHAUSTED));
  });

  test("the response encoding follows the request's, then the client's accept list", () => {
    assert.equal(negotiateResponseEncoding("gzip", null, builtinCompressions).name, "gzip");
    assert.equal(
      negotiateResponseEncoding(null, "deflate, gzip", builtinCompressions).name,
      "gzip",
    );
    assert.equal(
      negotiateResponseEncoding("snappy", "snappy", builtinCompressions).name,
      "identity",
    );
    assert.equal(
      negotiateResponseEncoding(undefined, undefined, builtinCompressions).name,
      "identity",
    );
    assert.deepEqual(parseAcceptEncoding(" gzip ,identity,, "), ["gzip", "identity"]);
  });

  test("an unsupported grpc-encoding is UNIMPLEMENTED and names what is accepted", () => {
    assert.throws(
      () => compressionFor("br", builtinCompressions),
      (e: unknown) =>
        isCode(Code.UNIMPLEMENTED)(e) && /accepted: gzip, identity/.test((e as Error).message),
    );
    assert.equal(compressionFor(undefined, builtinCompressions), identity);
  });
});
