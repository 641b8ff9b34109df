import { describe, test } from "./support/test.ts";
import assert from "node:assert/strict";
import { Code, gzip, identity, RpcError } from "wirecall";
import {
  decodeEnvelopes,
  decompressEnvelope,
  encodeEnvelope,
  encodeMessage,
  EnvelopeDecoder,
  FLAG_COMPRESSED,
} from "wirecall/protocol";
import { from } from "./support/demo-router.ts";

function frames(...bodies: number[][]): Uint8Array {
  const parts = bodies.map((b, i) =>
    encodeEnvelope(i % 2 === 0 ? 0 : FLAG_COMPRESSED, new Uint8Array(b))
  );
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (const c of [...cuts, bytes.byteLength]) {
    out.push(bytes.slice(start, c));
    start = c;
  }
  return out;
}

describe("gRPC framing", () => {
  test("a frame is a flag byte, a big-endian length and the body", () => {
    assert.deepEqual(
      encodeEnvelope(FLAG_COMPRESSED, new Uint8Array([7, 8, 9])),
      new Uint8Array([1, 0, 0, 0, 3, 7, 8, 9]),
    );
    const big = encodeEnvelope(0, new Uint8Array(0x010203));
    assert.deepEqual(big.subarray(0, 5), new Uint8Array([0, 0, 1, 2, 3]));
  });

  test("decodes the same frames whatever the chunking", () => {
    const wire = frames([1, 2, 3], [], [4], new Array(300).fill(9));
    const expected = [
      { flags: 0, data: [1, 2, 3] },
      { flags: 1, data: [] },
      { flags: 0, data: [4] },
      { flags: 1, data: new Array(300).fill(9) },
    ];
    const chunkings = [
      [wire],
      [...wire].map((b) => new Uint8Array([b])),
      split(wire, [3, 7, 8, 9, 20]),
      split(wire, [5, 13, 14]),
    ];
    for (let seed = 1; seed < 30; seed++) {
      const cuts: number[] = [];
      for (let at = (seed * 7) % 11 + 1; at < wire.byteLength; at += (seed * 13) % 17 + 1) {
        cuts.push(at);
      }
      chunkings.push(split(wire, cuts));
    }
    for (const chunks of chunkings) {
      const decoder = new EnvelopeDecoder();
      const got = chunks.flatMap((c) => decoder.push(c)).map((f) => ({
        flags: f.flags,
        data: [...f.data],
      }));
      decoder.end();
      assert.deepEqual(got, expected);
    }
  });

  test("refuses an over-limit length from the header alone, before the body arrives", () => {
    const decoder = new EnvelopeDecoder(1024);
    // Only the 5 header bytes claiming 4 GiB - 1: no body, so nothing could be allocated yet.
    assert.throws(
      () => decoder.push(new Uint8Array([0, 0xff, 0xff, 0xff, 0xff])),
      (e: unknown) =>
        e instanceof RpcError && e.code === Code.RESOURCE_EXHAUSTED &&
        /4294967295 bytes/.test(e.message),
    );
  });

  test("refuses an over-limit length split across chunks", () => {
    const decoder = new EnvelopeDecoder(10);
    decoder.push(new Uint8Array([0, 0]));
    assert.throws(
      () => decoder.push(new Uint8Array([0, 0, 11])),
      (e: unknown) => e instanceof RpcError && e.code === Code.RESOURCE_EXHAUSTED,
    );
  });

  test("accepts a message of exactly the limit", () => {
    const decoder = new EnvelopeDecoder(10);
    assert.equal(decoder.push(encodeEnvelope(0, new Uint8Array(10)))[0].data.byteLength, 10);
  });

  test("a stream that ends inside a frame is INTERNAL", () => {
    const decoder = new EnvelopeDecoder();
    decoder.push(new Uint8Array([0, 0, 0, 0, 5, 1, 2]));
    assert.throws(
      () => decoder.end(),
      (e: unknown) => e instanceof RpcError && e.code === Code.INTERNAL,
    );
  });

  test("decodes frames from a ReadableStream", async () => {
    const wire = frames([1], [2, 3]);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const part of split(wire, [2, 7])) c.enqueue(part);
        c.close();
      },
    });
    const got = [];
    for await (const f of decodeEnvelopes(stream)) got.push([...f.data]);
    assert.deepEqual(got, [[1], [2, 3]]);
  });

  test("a message is framed compressed only when its encoding is not identity and it is large enough", async () => {
    const message = new TextEncoder().encode("hello ".repeat(100));
    assert.equal((encodeMessage(message, identity) as Uint8Array)[0], 0);
    assert.equal((encodeMessage(message, gzip, 10_000) as Uint8Array)[0], 0);
    const packed = await encodeMessage(message, gzip);
    assert.equal(packed[0], FLAG_COMPRESSED);
    const [frame] = new EnvelopeDecoder().push(packed);
    assert.deepEqual(await decompressEnvelope(frame, gzip, 1 << 20), message);
  });

  test("a compressed frame on a call without grpc-encoding is INTERNAL", () => {
    assert.throws(
      () => decompressEnvelope({ flags: FLAG_COMPRESSED, data: new Uint8Array(3) }, identity, 100),
      (e: unknown) =>
        e instanceof RpcError && e.code === Code.INTERNAL && /grpc-encoding/.test(e.message),
    );
  });

  test("a frame that inflates past the limit is RESOURCE_EXHAUSTED", async () => {
    const packed = await encodeMessage(new Uint8Array(10_000), gzip);
    const [frame] = new EnvelopeDecoder().push(packed);
    await assert.rejects(
      Promise.resolve(decompressEnvelope(frame, gzip, 1_000)),
      (e: unknown) => e instanceof RpcError && e.code === Code.RESOURCE_EXHAUSTED,
    );
  });

  test("decoding decodes the body first when given a body decoder, and stops with the signal", async () => {
    const wire = frames([1], [2, 3]);
    const doubled = { push: (c: Uint8Array) => c.filter((_, i) => i % 2 === 0), end() {} };
    const spread = new Uint8Array(wire.length * 2);
    wire.forEach((b, i) => (spread[2 * i] = b));
    const got = [];
    for await (const f of decodeEnvelopes(from(spread), undefined, { bodyDecoder: doubled })) {
      got.push([...f.data]);
    }
    assert.deepEqual(got, [[1], [2, 3]]);
    const controller = new AbortController();
    controller.abort(new RpcError(Code.CANCELLED, "stop"));
    await assert.rejects(
      decodeEnvelopes(from(wire), undefined, { signal: controller.signal }).next(),
      (e: unknown) => e instanceof RpcError && e.code === Code.CANCELLED,
    );
  });
});
