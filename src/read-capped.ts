/**
 * Reads a byte stream to its end into one buffer, refusing it once it passes
 * a byte limit: the stream is cancelled at the chunk that crosses the limit,
 * so no more than `maxBytes` plus one chunk is ever held. Used for request
 * and response bodies and for decompression output alike.
 *
 * @module
 */

/**
 * Reads `reader` to its end and returns its bytes in one buffer (the chunk
 * itself when there is only one). Once more than `maxBytes` have arrived it
 * cancels the stream and throws what `onTooLarge(total)` returns. The reader's
 * lock is released when done, either way.
 */
export async function readCapped(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  maxBytes: number,
  onTooLarge: (bytes: number) => Error,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        reader.cancel().catch(() => {});
        throw onTooLarge(total);
      }
      parts.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}
