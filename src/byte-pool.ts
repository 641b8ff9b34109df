/** Slabs hold this many bytes: small, as Node's Buffer pool, because a copy keeps its slab alive. */
const SLAB_BYTES = 8 * 1024;
/** Larger copies get their own buffer. */
const MAX_POOLED_BYTES = 4 * 1024;

let slab = new Uint8Array(0);
let offset = 0;

/**
 * Copies `bytes`, carving small copies out of shared 8 KiB slabs. A new
 * `Uint8Array` with its own backing store costs about ten times more to
 * allocate (and to collect) than a view on an existing buffer, which is what
 * an in-process transport that copies every message, as a network would,
 * pays per message. The copy may share its `buffer` with other copies:
 * respect `byteOffset`, as with Node's pooled `Buffer`s; and, as with them,
 * a small copy that lives long keeps its whole slab alive.
 *
 * @example
 * ```ts
 * import { copyBytes } from "wirecall/protocol";
 * const copy = copyBytes(new Uint8Array([1, 2, 3])); // Uint8Array [1, 2, 3]
 * ```
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const n = bytes.byteLength;
  if (n > MAX_POOLED_BYTES) return bytes.slice();
  const out = allocBytes(n);
  out.set(bytes);
  return out;
}

/**
 * A buffer of `n` bytes for the caller to fill entirely: small ones are
 * carved out of the same shared slabs as {@link copyBytes} (never handed out
 * twice), larger ones are their own. The bytes are not cleared.
 *
 * @example
 * ```ts
 * const b = allocBytes(3);
 * b.set([1, 2, 3]);
 * ```
 */
export function allocBytes(n: number): Uint8Array {
  if (n > MAX_POOLED_BYTES) return new Uint8Array(n);
  if (offset + n > slab.byteLength) {
    slab = new Uint8Array(SLAB_BYTES);
    offset = 0;
  }
  const out = slab.subarray(offset, offset + n);
  offset += (n + 7) & ~7;
  return out;
}
