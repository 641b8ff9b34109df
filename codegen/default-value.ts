/**
 * The `default_value` strings of FieldDescriptorProto, formatted as buf and
 * protoc write them (floats in Go's shortest `%g`, bytes C-escaped).
 *
 * @module
 */

/** Formats a float the way Go's `strconv.FormatFloat(v, 'g', -1, 64)` does. */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const e = v.toExponential();
  const i = e.indexOf("e");
  const exp = parseInt(e.slice(i + 1), 10);
  if (exp < -4 || exp >= 21 || exp >= 6) {
    const mant = e.slice(0, i);
    const sign = exp < 0 ? "-" : "+";
    const abs = Math.abs(exp);
    return `${mant}e${sign}${abs < 10 ? "0" + abs : abs}`;
  }
  return v.toString();
}

/** C-escapes bytes for the default value of a bytes field. */
export function escapeBytes(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) {
    switch (b) {
      case 10:
        out += "\\n";
        break;
      case 13:
        out += "\\r";
        break;
      case 9:
        out += "\\t";
        break;
      case 34:
        out += '\\"';
        break;
      case 39:
        out += "\\'";
        break;
      case 92:
        out += "\\\\";
        break;
      default:
        if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
        else out += "\\" + b.toString(8).padStart(3, "0");
    }
  }
  return out;
}
