import { describe, test } from "./support/test.ts";
import assert from "node:assert/strict";
import { copyBytes } from "wirecall/protocol";

describe("copyBytes (pooled copies)", () => {
  test("a copy has the same bytes as its source", () => {
    assert.deepEqual([...copyBytes(new Uint8Array([1, 2, 3]))], [1, 2, 3]);
  });

  test("changing the source afterwards leaves the copy as it was", () => {
    const source = new Uint8Array([4, 5, 6]);
    const copy = copyBytes(source);
    source[0] = 99;
    assert.equal(copy[0], 4);
  });

  test("copies taken one after another do not overlap", () => {
    const a = copyBytes(new Uint8Array(10).fill(1));
    const b = copyBytes(new Uint8Array(10).fill(2));
    assert.deepEqual([...a], new Array(10).fill(1));
    assert.deepEqual([...b], new Array(10).fill(2));
  });

  test("an empty array copies to an empty array", () => {
    assert.equal(copyBytes(new Uint8Array(0)).byteLength, 0);
  });

  test("a large array gets a buffer of its own", () => {
    const copy = copyBytes(new Uint8Array(100_000).fill(7));
    assert.equal(copy.byteLength, 100_000);
    assert.equal(copy.buffer.byteLength, 100_000);
    assert.equal(copy[99_999], 7);
  });
});
