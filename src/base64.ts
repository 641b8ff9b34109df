const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const lookup = new Int16Array(256).fill(-1);
for (let i = 0; i < 64; i++) lookup[alphabet.charCodeAt(i)] = i;
// The URL-safe alphabet is accepted too, since some peers send it.
lookup["-".charCodeAt(0)] = 62;
lookup["_".charCodeAt(0)] = 63;

/**
 * Encodes bytes as standard, padded base64.
 *
 * @example
 * ```ts
 * import { encodeBase64 } from "wirecall/protocol";
 * encodeBase64(new Uint8Array([1, 2, 3])); // "AQID"
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + alphabet[(n >> 6) & 63] +
      alphabet[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + "==";
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + alphabet[(n >> 6) & 63] + "=";
  }
  return out;
}

/**
 * Decodes base64, padded or not, standard or URL-safe. Whitespace is skipped;
 * any other character outside the alphabet is an error.
 *
 * @example
 * ```ts
 * import { decodeBase64 } from "wirecall/protocol";
 * decodeBase64("AQI"); // Uint8Array [1, 2]
 * ```
 */
export function decodeBase64(text: string): Uint8Array {
  const out = new Uint8Array(Math.floor((text.length * 3) / 4) + 3);
  let length = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3d) break; // "=": padding ends the data
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    const v = c < 256 ? lookup[c] : -1;
    if (v < 0) throw new SyntaxError(`invalid base64 character at offset ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[length++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, length);
}
