const hex = "0123456789ABCDEF";
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: false });

/**
 * Percent-encodes a status message for the `grpc-message` header: every byte
 * of its UTF-8 form outside printable ASCII (0x20–0x7E), and `%` itself,
 * becomes `%XX`. A space at either end is encoded too (`%20`): HTTP field
 * values lose surrounding whitespace on the way (gRPC-Web trailers, HTTP/1.1),
 * so it would not otherwise arrive.
 *
 * @example
 * ```ts
 * import { encodeGrpcMessage } from "wirecall/protocol";
 * encodeGrpcMessage("50% off ☺"); // "50%25 off %E2%98%BA"
 * ```
 */
export function encodeGrpcMessage(message: string): string {
  const last = message.length - 1;
  let plain = last < 0 || (message.charCodeAt(0) !== 0x20 && message.charCodeAt(last) !== 0x20);
  for (let i = 0; i < message.length; i++) {
    const c = message.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x25) {
      plain = false;
      break;
    }
  }
  if (plain) return message;
  let out = "";
  const utf8 = encoder.encode(message);
  for (let i = 0; i < utf8.length; i++) {
    const byte = utf8[i];
    const edgeSpace = byte === 0x20 && (i === 0 || i === utf8.length - 1);
    if (byte < 0x20 || byte > 0x7e || byte === 0x25 || edgeSpace) {
      out += "%" + hex[byte >> 4] + hex[byte & 15];
    } else {
      out += String.fromCharCode(byte);
    }
  }
  return out;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Decodes a `grpc-message` header value. Never throws: a `%` not followed by
 * two hex digits is kept as it is, and bytes that are not valid UTF-8 become
 * U+FFFD, as the gRPC specification asks of receivers.
 *
 * @example
 * ```ts
 * import { decodeGrpcMessage } from "wirecall/protocol";
 * decodeGrpcMessage("50%25 off %E2%98%BA"); // "50% off ☺"
 * ```
 */
export function decodeGrpcMessage(value: string): string {
  if (!value.includes("%")) return value;
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25 && i + 2 < value.length) {
      const hi = hexValue(value.charCodeAt(i + 1));
      const lo = hexValue(value.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        bytes.push((hi << 4) | lo);
        i += 2;
        continue;
      }
    }
    if (c > 0x7f) {
      for (const b of encoder.encode(value[i])) bytes.push(b);
    } else {
      bytes.push(c);
    }
  }
  return decoder.decode(new Uint8Array(bytes));
}
