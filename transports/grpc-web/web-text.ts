import { Code, RpcError } from "../../mod.ts";
import { decodeBase64, encodeBase64 } from "../../protocol.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const PAD = 0x3d; // "="

/**
 * Decodes the base64 body of `application/grpc-web-text` as it streams in.
 * A chunk may end in the middle of a 4-character quantum, and every flush of
 * the peer may carry its own padding, so the text is decoded one quantum at a
 * time: the rest of an incomplete quantum is carried over to the next chunk,
 * and a padded quantum ends one base64 run and starts the next.
 *
 * @example
 * ```ts
 * import { GrpcWebTextDecoder } from "wirecall/transports/grpc-web";
 * const d = new GrpcWebTextDecoder();
 * d.push(new TextEncoder().encode("AQ")); // []
 * d.push(new TextEncoder().encode("==AQID")); // [1, 1, 2, 3]
 * d.end();
 * ```
 */
export class GrpcWebTextDecoder {
  #carry = "";

  /** Adds a chunk of base64 text and returns the bytes of its whole quanta. */
  push(chunk: Uint8Array): Uint8Array {
    // Line breaks and spaces are allowed between quanta; drop them first so
    // that the 4-character arithmetic below stays exact.
    const text = this.#carry + decoder.decode(chunk).replace(/[\s]/g, "");
    const whole = text.length - (text.length % 4);
    this.#carry = text.slice(whole);
    if (whole === 0) return new Uint8Array(0);
    // Each run of quanta up to a padded one decodes on its own, into one buffer.
    let out: Uint8Array | undefined;
    let length = 0;
    let start = 0;
    for (let end = 4; end <= whole; end += 4) {
      if (end < whole && text.charCodeAt(end - 1) !== PAD) continue;
      const run = decodeRun(text.slice(start, end));
      if (start === 0 && end === whole) return run;
      out ??= new Uint8Array((whole / 4) * 3);
      out.set(run, length);
      length += run.byteLength;
      start = end;
    }
    return out!.subarray(0, length);
  }

  /** Declares the end of the text; a quantum cut short is `INTERNAL`. */
  end(): void {
    if (this.#carry !== "") {
      throw new RpcError(
        Code.INTERNAL,
        `grpc-web-text body ended inside a base64 quantum ("${this.#carry}")`,
      );
    }
  }
}

function decodeRun(text: string): Uint8Array {
  try {
    return decodeBase64(text);
  } catch (e) {
    throw new RpcError(Code.INTERNAL, `invalid grpc-web-text body: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

/**
 * Encodes bytes for an `application/grpc-web-text` body: padded base64, as
 * ASCII bytes. Each call is a self-contained run, so frames can be flushed
 * one by one.
 */
export function encodeGrpcWebText(bytes: Uint8Array): Uint8Array {
  return encoder.encode(encodeBase64(bytes));
}
