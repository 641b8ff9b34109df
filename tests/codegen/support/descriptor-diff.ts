// Field-by-field difference of two decoded protobuf messages, as a list of
// paths ("file.messageType[3].field[0].jsonName: buf=… wirecall=…"), so a
// mismatch with the oracle says exactly where it is.

const show = (v: unknown): string => {
  const s = JSON.stringify(
    v,
    (_k, x) => typeof x === "bigint" ? x.toString() : x instanceof Uint8Array ? Array.from(x) : x,
  );
  return s === undefined ? "unset" : s.length > 120 ? s.slice(0, 117) + "..." : s;
};

/** Paths where `expected` and `actual` differ, at most `limit` of them. */
export function diffPaths(expected: unknown, actual: unknown, path: string, limit = 5): string[] {
  const out: string[] = [];
  walk(expected, actual, path, out, limit);
  return out;
}

function walk(a: unknown, b: unknown, path: string, out: string[], limit: number): void {
  if (out.length >= limit || a === b) return;
  const objA = typeof a === "object" && a !== null;
  const objB = typeof b === "object" && b !== null;
  if (!objA || !objB) {
    if (typeof a === "bigint" && typeof b === "bigint" && a === b) return;
    out.push(`${path}: buf=${show(a)} wirecall=${show(b)}`);
    return;
  }
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    const x = a as Uint8Array, y = b as Uint8Array;
    if (x.length !== y.length || x.some((v, i) => v !== y[i])) {
      out.push(`${path}: buf=${show(a)} wirecall=${show(b)}`);
    }
    return;
  }
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  for (const k of keys) {
    if (k === "$typeName") continue;
    const key = Array.isArray(a) ? `[${k}]` : `.${k}`;
    walk(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      path + key,
      out,
      limit,
    );
  }
}
