import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import process from "node:process";
import { BATCH_BYTES, DIRECT_BYTES, FrameBatcher } from "../../transports/http2/frame-batcher.ts";

/** A stand-in for an HTTP/2 stream that records what is written. */
class RecordingSink extends EventEmitter {
  writes: Uint8Array[] = [];
  corked = 0;
  destroyed = false;
  writableNeedDrain = false;
  accept = true;
  write(chunk: Uint8Array): boolean {
    this.writes.push(chunk);
    if (!this.accept) this.writableNeedDrain = true;
    return this.accept;
  }
  cork(): void {
    this.corked++;
  }
  uncork(): void {}
}

function frame(body: number[]): number[] {
  return [0, 0, 0, 0, body.length, ...body];
}

const afterTicks = () => new Promise<void>((resolve) => process.nextTick(resolve));

describe("FrameBatcher (http2 write coalescing)", () => {
  test("frames pushed together leave as one write with every frame in order", () => {
    const sink = new RecordingSink();
    const batcher = new FrameBatcher(sink);
    batcher.push(0, new Uint8Array([1]));
    batcher.push(0, new Uint8Array([2, 3]));
    batcher.push(0, new Uint8Array([]));
    assert.equal(sink.writes.length, 0);
    batcher.flush();
    assert.equal(sink.writes.length, 1);
    assert.deepEqual([...sink.writes[0]], [...frame([1]), ...frame([2, 3]), ...frame([])]);
  });

  test("a lone frame is written once the current run of microtasks ends", async () => {
    const sink = new RecordingSink();
    new FrameBatcher(sink).push(0, new Uint8Array([7]));
    await afterTicks();
    assert.deepEqual(sink.writes.map((w) => [...w]), [frame([7])]);
  });

  test("frames reaching the batch size are written at once", () => {
    const sink = new RecordingSink();
    const batcher = new FrameBatcher(sink);
    const body = new Uint8Array(1000);
    let pushed = 0;
    while (sink.writes.length === 0) {
      batcher.push(0, body);
      pushed += 1005;
    }
    assert.ok(pushed >= BATCH_BYTES);
    assert.equal(sink.writes[0].byteLength, pushed);
  });

  test("a large message is written after a 5-byte header without copying its body", () => {
    const sink = new RecordingSink();
    const body = new Uint8Array(DIRECT_BYTES);
    new FrameBatcher(sink).push(0, body);
    assert.equal(sink.writes.length, 2);
    assert.deepEqual([...sink.writes[0]], [0, 0, 0, DIRECT_BYTES >> 8, 0]);
    assert.equal(sink.writes[1], body);
    assert.equal(sink.corked, 1);
  });

  test("queued small frames go out before a large one", () => {
    const sink = new RecordingSink();
    const batcher = new FrameBatcher(sink);
    batcher.push(0, new Uint8Array([9]));
    batcher.push(0, new Uint8Array(DIRECT_BYTES));
    assert.deepEqual([...sink.writes[0]], frame([9]));
    assert.equal(sink.writes.length, 3);
  });

  test("many frames of mixed sizes across flushes arrive intact and in order", () => {
    const sink = new RecordingSink();
    const batcher = new FrameBatcher(sink);
    const expected: number[] = [];
    for (let i = 0; i < 600; i++) {
      const size = (i * 7919) % 3000 + (i % 97 === 0 ? DIRECT_BYTES : 0);
      const body = new Uint8Array(size).fill(i & 0xff);
      batcher.push(0, body);
      expected.push(
        0,
        size >>> 24,
        (size >>> 16) & 0xff,
        (size >>> 8) & 0xff,
        size & 0xff,
        ...body,
      );
      if (i % 13 === 0) batcher.flush();
    }
    batcher.flush();
    const written = sink.writes.flatMap((w) => [...w]);
    assert.equal(written.length, expected.length);
    assert.deepEqual(written, expected);
  });

  test("push asks the sender to wait until the stream drains", async () => {
    const sink = new RecordingSink();
    sink.accept = false;
    const batcher = new FrameBatcher(sink);
    const wait = batcher.push(0, new Uint8Array(DIRECT_BYTES));
    assert.ok(wait instanceof Promise);
    let resumed = false;
    void wait.then(() => (resumed = true));
    await afterTicks();
    assert.equal(resumed, false);
    sink.writableNeedDrain = false;
    sink.emit("drain");
    await wait;
    assert.equal(resumed, true);
  });

  test("nothing is written to a destroyed stream", async () => {
    const sink = new RecordingSink();
    const batcher = new FrameBatcher(sink);
    batcher.push(0, new Uint8Array([1]));
    sink.destroyed = true;
    await afterTicks();
    assert.equal(sink.writes.length, 0);
  });
});
