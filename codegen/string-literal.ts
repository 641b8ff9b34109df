/**
 * Decoding of .proto string literals (C-style escapes) into bytes.
 *
 * @module
 */

const encoder = new TextEncoder();

/**
 * Decodes the raw text of a string literal, quotes included, into bytes.
 * Unknown escapes are kept as the escaped character, as protoc does.
 */
export function decodeStringLiteral(raw: string): Uint8Array {
  const body = raw.slice(1, raw.length > 1 && raw[raw.length - 1] === raw[0] ? -1 : undefined);
  if (body.indexOf("\\") < 0) return encoder.encode(body);
  const out: number[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body.charCodeAt(i);
    if (c !== 92) {
      const cp = body.codePointAt(i)!;
      const n = cp > 0xffff ? 2 : 1;
      if (cp < 0x80) out.push(cp);
      else for (const b of encoder.encode(body.slice(i, i + n))) out.push(b);
      i += n;
      continue;
    }
    const e = body[i + 1];
    i += 2;
    switch (e) {
      case "n":
        out.push(10);
        break;
      case "r":
        out.push(13);
        break;
      case "t":
        out.push(9);
        break;
      case "a":
        out.push(7);
        break;
      case "b":
        out.push(8);
        break;
      case "f":
        out.push(12);
        break;
      case "v":
        out.push(11);
        break;
      case "x":
      case "X": {
        let v = 0, k = 0;
        while (k < 2 && isHex(body.charCodeAt(i))) {
          v = v * 16 + parseInt(body[i], 16);
          i++;
          k++;
        }
        out.push(v & 0xff);
        break;
      }
      case "u":
      case "U": {
        const len = e === "u" ? 4 : 8;
        let k = 0;
        while (k < len && isHex(body.charCodeAt(i + k))) k++;
        const cp = k === len ? parseInt(body.slice(i, i + len), 16) : NaN;
        if (!(cp <= 0x10ffff)) {
          // Too few hex digits or past Unicode: the lexer reports it; the
          // escape stays as written rather than throwing here.
          out.push(e.charCodeAt(0));
          break;
        }
        i += len;
        for (const b of encoder.encode(String.fromCodePoint(cp))) out.push(b);
        break;
      }
      default:
        if (e >= "0" && e <= "7") {
          let v = e.charCodeAt(0) - 48, k = 1;
          while (k < 3 && body[i] >= "0" && body[i] <= "7") {
            v = v * 8 + body.charCodeAt(i) - 48;
            i++;
            k++;
          }
          out.push(v & 0xff);
        } else if (e !== undefined) {
          out.push(e.charCodeAt(0));
        }
    }
  }
  return Uint8Array.from(out);
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102);
}
