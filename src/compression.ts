import { Code } from "./code.ts";
import { RpcError } from "./rpc-error.ts";
import { readCapped } from "./read-capped.ts";

/** A message compression algorithm, named as in `grpc-encoding`. */
export interface Compression {
  /** The `grpc-encoding` name, such as `"gzip"`. */
  readonly name: string;
  /** Compresses one message body. */
  compress(data: Uint8Array): Promise<Uint8Array>;
  /**
   * Decompresses one message body, failing with `RESOURCE_EXHAUSTED` as soon
   * as the output passes `maxBytes` (a compression bomb never fills memory)
   * and with `INTERNAL` on corrupt input.
   */
  decompress(data: Uint8Array, maxBytes: number): Promise<Uint8Array>;
}

// deflate expands at most ~1032:1, so an input slice of maxBytes/1024 inflates
// to about maxBytes. Some runtimes (Deno) inflate a whole written chunk at
// once: fed in slices, a bomb stops within a slice of the limit instead of
// filling memory first.
const MIN_SLICE = 1024;
const MAX_SLICE = 64 * 1024;

function sliceFor(maxBytes: number): number {
  if (!Number.isFinite(maxBytes)) return Infinity;
  return Math.min(MAX_SLICE, Math.max(MIN_SLICE, Math.floor(maxBytes / 1024)));
}

async function feed(
  writer: WritableStreamDefaultWriter<BufferSource>,
  data: Uint8Array,
  slice: number,
): Promise<void> {
  if (data.byteLength <= slice) {
    writer.write(data as Uint8Array<ArrayBuffer>).catch(() => {});
  } else {
    for (let offset = 0; offset < data.byteLength; offset += slice) {
      // Each write waits for the reader to take the output of the one before.
      await writer.write(data.subarray(offset, offset + slice) as Uint8Array<ArrayBuffer>);
    }
  }
  await writer.close();
}

async function pipeThrough(
  data: Uint8Array,
  transform: { readable: ReadableStream<Uint8Array>; writable: WritableStream<BufferSource> },
  maxBytes: number,
  what: string,
): Promise<Uint8Array> {
  const writer = transform.writable.getWriter();
  // Errors surface through the reader; the writer's promises are observed so
  // that a refused or corrupt input never becomes an unhandled rejection.
  feed(writer, data, sliceFor(maxBytes)).catch(() => {});
  try {
    return await readCapped(
      transform.readable.getReader(),
      maxBytes,
      () =>
        new RpcError(
          Code.RESOURCE_EXHAUSTED,
          `${what} message exceeds the limit of ${maxBytes} bytes`,
        ),
    );
  } catch (e) {
    if (e instanceof RpcError) throw e;
    throw new RpcError(Code.INTERNAL, `${what} failed: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * gzip, on the `CompressionStream` every target runtime has.
 *
 * @example
 * ```ts
 * import { gzip } from "wirecall";
 * const packed = await gzip.compress(new TextEncoder().encode("hello hello hello"));
 * await gzip.decompress(packed, 1024);
 * ```
 */
export const gzip: Compression = {
  name: "gzip",
  compress: (data) => pipeThrough(data, new CompressionStream("gzip"), Infinity, "compressing"),
  decompress: (data, maxBytes) =>
    pipeThrough(data, new DecompressionStream("gzip"), maxBytes, "decompressed"),
};

/** The identity encoding: no compression. */
export const identity: Compression = {
  name: "identity",
  compress: (data) => Promise.resolve(data),
  decompress: (data, maxBytes) => {
    if (data.byteLength > maxBytes) {
      return Promise.reject(
        new RpcError(Code.RESOURCE_EXHAUSTED, `message exceeds the limit of ${maxBytes} bytes`),
      );
    }
    return Promise.resolve(data);
  },
};

/** The compressions wirecall supports out of the box, by name. */
export const builtinCompressions: ReadonlyMap<string, Compression> = new Map([
  ["gzip", gzip],
  ["identity", identity],
]);

/**
 * Parses a `grpc-accept-encoding` header into a list of names.
 *
 * @example
 * ```ts
 * import { parseAcceptEncoding } from "wirecall/protocol";
 * parseAcceptEncoding("gzip, identity"); // ["gzip", "identity"]
 * ```
 */
export function parseAcceptEncoding(header: string | null | undefined): string[] {
  if (!header) return [];
  return header.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/**
 * Picks how a server compresses its responses: the request's own encoding
 * when the server supports it, else the first supported name in the client's
 * `grpc-accept-encoding`, else identity.
 *
 * @example
 * ```ts
 * import { builtinCompressions } from "wirecall";
 * import { negotiateResponseEncoding } from "wirecall/protocol";
 * negotiateResponseEncoding("identity", "gzip", builtinCompressions).name; // "gzip"
 * ```
 */
export function negotiateResponseEncoding(
  requestEncoding: string | null | undefined,
  acceptEncoding: string | null | undefined,
  supported: ReadonlyMap<string, Compression>,
): Compression {
  if (requestEncoding && requestEncoding !== "identity") {
    const same = supported.get(requestEncoding);
    if (same) return same;
  }
  for (const name of parseAcceptEncoding(acceptEncoding)) {
    if (name === "identity") continue;
    const c = supported.get(name);
    if (c) return c;
  }
  return identity;
}

/**
 * Finds the compression for a received `grpc-encoding`. An unsupported name
 * is `UNIMPLEMENTED`, and the error says which encodings are accepted.
 */
export function compressionFor(
  name: string | null | undefined,
  supported: ReadonlyMap<string, Compression>,
): Compression {
  if (!name || name === "identity") return identity;
  const c = supported.get(name);
  if (c) return c;
  throw new RpcError(
    Code.UNIMPLEMENTED,
    `unsupported grpc-encoding "${name}"; accepted: ${[...supported.keys()].join(", ")}`,
  );
}

/**
 * The built-in compressions with the given names, in order: what a server
 * option such as `acceptCompression: ["gzip", "identity"]` stands for.
 *
 * @example
 * ```ts
 * import { compressionsNamed } from "wirecall/protocol";
 * [...compressionsNamed(["gzip", "identity"]).keys()].join(","); // "gzip,identity"
 * ```
 */
export function compressionsNamed(names: readonly string[]): Map<string, Compression> {
  const out = new Map<string, Compression>();
  for (const name of names) {
    const c = builtinCompressions.get(name);
    if (c === undefined) throw new TypeError(`unknown compression "${name}"`);
    out.set(name, c);
  }
  return out;
}
