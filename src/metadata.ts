import { decodeBase64, encodeBase64 } from "./base64.ts";

/** A metadata value: text for ordinary keys, bytes for keys ending in `-bin`. */
export type MetadataValue = string | Uint8Array;

/**
 * What {@link Metadata} can be built from: another `Metadata`, a record whose
 * values are a value or a list of values, or an iterable of `[key, value]` pairs.
 */
export type MetadataInit =
  | Metadata
  | Record<string, MetadataValue | readonly MetadataValue[]>
  | Iterable<readonly [string, MetadataValue]>;

const validKey = /^[0-9a-z_.-]+$/;

/** Headers that belong to the HTTP/2 connection or to gRPC itself. */
const reservedKeys = new Set([
  "content-type",
  "te",
  "host",
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "content-length",
  "accept-encoding",
  "content-encoding",
]);

/**
 * The `grpc-*` keys that are application metadata (gRFC A6): a server sets
 * `grpc-retry-pushback-ms` in its trailers to steer client retries, and sees
 * `grpc-previous-rpc-attempts` on a retried call. grpc-go lets both through too.
 */
const applicationGrpcKeys = new Set(["grpc-previous-rpc-attempts", "grpc-retry-pushback-ms"]);

/**
 * Tells whether a header belongs to the protocol (HTTP/2 pseudo and connection
 * headers, `grpc-*` but for the two retry keys of gRFC A6, `content-type`,
 * `te`), so that user metadata can neither set it nor see it.
 *
 * @example
 * ```ts
 * import { isReservedHeader } from "wirecall/protocol";
 * isReservedHeader("grpc-timeout"); // true
 * isReservedHeader("x-request-id"); // false
 * ```
 */
export function isReservedHeader(key: string): boolean {
  return key.charCodeAt(0) === 0x3a /* ":" */ ||
    (key.startsWith("grpc-") && !applicationGrpcKeys.has(key)) || reservedKeys.has(key);
}

function isBinaryKey(key: string): boolean {
  return key.endsWith("-bin");
}

function checkText(key: string, value: string): void {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) {
      throw new TypeError(
        `metadata value for "${key}" has a character outside printable ASCII at index ${i}; ` +
          `send text as printable ASCII or use a key ending in "-bin" for bytes`,
      );
    }
  }
}

const noEntries: ReadonlyMap<string, MetadataValue[]> = new Map();

let appendUnchecked: (md: Metadata, key: string, value: MetadataValue) => void;

/**
 * gRPC metadata: an ordered multi-map from lower-case ASCII keys to values.
 * Keys ending in `-bin` carry bytes (base64 on the wire); other keys carry
 * printable-ASCII text. Protocol headers (`grpc-*`, `:path`, `te`,
 * `content-type`, …) cannot be set.
 *
 * @example
 * ```ts
 * import { Metadata } from "wirecall";
 * const md = new Metadata({ "x-user": "ada" });
 * md.append("trace-bin", new Uint8Array([1, 2, 3]));
 * md.get("x-user"); // "ada"
 * ```
 */
export class Metadata implements Iterable<[string, MetadataValue]> {
  // Created on the first write: most calls carry no metadata, and a Map is
  // one of the costlier objects a call would otherwise allocate several of.
  #map: Map<string, MetadataValue[]> | undefined;

  get #read(): ReadonlyMap<string, MetadataValue[]> {
    return this.#map ?? noEntries;
  }

  #write(): Map<string, MetadataValue[]> {
    return this.#map ??= new Map();
  }

  static {
    appendUnchecked = (md, key, value) => md.#push(key, value);
  }

  /** Creates metadata, optionally filled from `init`. */
  constructor(init?: MetadataInit) {
    if (init === undefined) return;
    if (init instanceof Metadata) {
      for (const [k, v] of init.#read) this.#write().set(k, v.slice());
      return;
    }
    if (Symbol.iterator in init) {
      for (const [k, v] of init as Iterable<readonly [string, MetadataValue]>) this.append(k, v);
      return;
    }
    for (const [k, v] of Object.entries(init)) {
      if (Array.isArray(v)) { for (const item of v) this.append(k, item); }
      else this.append(k, v as MetadataValue);
    }
  }

  #push(key: string, value: MetadataValue): void {
    const list = this.#map?.get(key);
    if (list === undefined) this.#write().set(key, [value]);
    else list.push(value);
  }

  #check(rawKey: string, value: MetadataValue): string {
    const key = rawKey.toLowerCase();
    if (isReservedHeader(key)) {
      throw new TypeError(`metadata key "${key}" is reserved for the protocol and cannot be set`);
    }
    if (!validKey.test(key)) {
      throw new TypeError(
        `metadata key "${rawKey}" is invalid: use only a-z, 0-9, "-", "_" and "."`,
      );
    }
    if (isBinaryKey(key)) {
      if (!(value instanceof Uint8Array)) {
        throw new TypeError(`metadata key "${key}" ends in "-bin" and needs a Uint8Array value`);
      }
    } else if (typeof value !== "string") {
      throw new TypeError(
        `metadata key "${key}" carries text; bytes need a key ending in "-bin"`,
      );
    } else {
      checkText(key, value);
    }
    return key;
  }

  /** Adds a value for `key`, keeping the values already there. */
  append(key: string, value: MetadataValue): this {
    this.#push(this.#check(key, value), value);
    return this;
  }

  /** Replaces every value of `key` with `value`. */
  set(key: string, value: MetadataValue): this {
    this.#write().set(this.#check(key, value), [value]);
    return this;
  }

  /** The first value of `key`, or `undefined`. */
  get(key: string): MetadataValue | undefined {
    return this.#read.get(key.toLowerCase())?.[0];
  }

  /** Every value of `key`, in order (empty when absent). */
  getAll(key: string): MetadataValue[] {
    return this.#read.get(key.toLowerCase())?.slice() ?? [];
  }

  /** Tells whether `key` has a value. */
  has(key: string): boolean {
    return this.#read.has(key.toLowerCase());
  }

  /** Removes every value of `key`. Returns whether there was one. */
  delete(key: string): boolean {
    return this.#map?.delete(key.toLowerCase()) ?? false;
  }

  /** The number of distinct keys. */
  get size(): number {
    return this.#read.size;
  }

  /** The distinct keys, in insertion order. */
  keys(): IterableIterator<string> {
    return this.#read.keys() as IterableIterator<string>;
  }

  /** Every `[key, value]` pair in order; a key with two values yields two pairs. */
  *[Symbol.iterator](): IterableIterator<[string, MetadataValue]> {
    for (const [k, list] of this.#read) for (const v of list) yield [k, v];
  }

  /** Appends every pair of `other` to this metadata. */
  merge(other: Metadata): this {
    for (const [k, list] of other.#read) for (const v of list) this.#push(k, v);
    return this;
  }

  /** A plain object view, for logging: bytes shown as base64. */
  toJSON(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [k, list] of this.#read) {
      out[k] = list.map((v) => typeof v === "string" ? v : encodeBase64(v));
    }
    return out;
  }
}

/**
 * Reads metadata from received header fields, skipping protocol headers. A
 * `-bin` value is base64 (padded or not; several values may be joined by
 * commas); a value that cannot be decoded is dropped rather than failing the
 * call.
 *
 * @example
 * ```ts
 * import { metadataFromHeaders } from "wirecall/protocol";
 * metadataFromHeaders([["x-a", "1"], ["grpc-status", "0"]]).has("grpc-status"); // false
 * ```
 */
export function metadataFromHeaders(
  fields: Iterable<readonly [string, string | string[] | undefined]>,
): Metadata {
  const md = new Metadata();
  for (const [rawKey, raw] of fields) {
    if (raw === undefined) continue;
    const key = rawKey.toLowerCase();
    if (isReservedHeader(key)) continue;
    const values = Array.isArray(raw) ? raw : [raw];
    for (const value of values) {
      if (isBinaryKey(key)) {
        for (const part of value.split(",")) {
          try {
            appendUnchecked(md, key, decodeBase64(part.trim()));
          } catch {
            // An undecodable binary header is dropped, as other gRPC peers do.
          }
        }
      } else {
        appendUnchecked(md, key, value);
      }
    }
  }
  return md;
}

/**
 * Writes metadata as header fields: text as is, bytes as padded base64. Calls
 * `add` once per value so that the caller decides how repeated keys are sent.
 *
 * @example
 * ```ts
 * import { Metadata } from "wirecall";
 * import { metadataToHeaders } from "wirecall/protocol";
 * const h = new Headers();
 * metadataToHeaders(new Metadata({ "x-a": "1" }), (k, v) => h.append(k, v));
 * ```
 */
export function metadataToHeaders(md: Metadata, add: (key: string, value: string) => void): void {
  if (md.size === 0) return;
  for (const [key, value] of md) {
    add(key, typeof value === "string" ? value : encodeBase64(value));
  }
}
