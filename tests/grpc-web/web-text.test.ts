import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { Code, RpcError } from "wirecall";
import { encodeBase64 } from "wirecall/protocol";
import { encodeGrpcWebText, GrpcWebTextDecoder } from "wirecall/transports/grpc-web";

const ascii = (s: string) => new TextEncoder().encode(s);

function decodeChunks(chunks: string[]): number[] {
  const d = new GrpcWebTextDecoder();
  const out: number[] = [];
  for (const c of chunks) out.push(...d.push(ascii(c)));
  d.end();
  return out;
}

describe("grpc-web-text decoding", () => {
  test("decodes the same bytes whatever the chunk boundaries", () => {
    const bytes = Uint8Array.from({ length: 23 }, (_, i) => (i * 37) & 0xff);
    const text = encodeBase64(bytes);
    for (let cut = 0; cut <= text.length; cut++) {
      assert.deepEqual(
        decodeChunks([text.slice(0, cut), text.slice(cut)]),
        [...bytes],
        `cut at ${cut}`,
      );
    }
    assert.deepEqual(decodeChunks(text.split("")), [...bytes]);
  });

  test("decodes flushes that each carry their own padding", () => {
    const parts = [[1], [2, 3], [4, 5, 6], [7]].map((p) => encodeBase64(Uint8Array.from(p)));
    assert.deepEqual(parts, ["AQ==", "AgM=", "BAUG", "Bw=="]);
    assert.deepEqual(decodeChunks([parts.join("")]), [1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(decodeChunks(["AQ", "==Ag", "M=BAUGBw", "=="]), [1, 2, 3, 4, 5, 6, 7]);
  });

  test("skips line breaks between quanta", () => {
    assert.deepEqual(decodeChunks(["AQ==\r\n", "AgM=\n"]), [1, 2, 3]);
  });

  test("reports a body cut inside a quantum as INTERNAL", () => {
    const d = new GrpcWebTextDecoder();
    d.push(ascii("AQI"));
    assert.throws(() => d.end(), (e) => e instanceof RpcError && e.code === Code.INTERNAL);
  });

  test("reports a character outside base64 as INTERNAL", () => {
    const d = new GrpcWebTextDecoder();
    assert.throws(
      () => d.push(ascii("A*==")),
      (e) => e instanceof RpcError && e.code === Code.INTERNAL,
    );
  });

  test("encodes a frame as padded base64 text", () => {
    assert.equal(
      new TextDecoder().decode(encodeGrpcWebText(Uint8Array.from([0, 0, 0, 0, 1, 42]))),
      "AAAAAAEq",
    );
  });
});
