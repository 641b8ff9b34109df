// Property tests of every wire-format parser and encoder: round trips under
// any input and any chunking, and no throw (other than a wirecall RpcError
// where one is the answer) on arbitrary bytes or text.
import assert from "node:assert/strict";
import fc from "fast-check";
import { Code, Metadata, RpcError } from "wirecall";
import {
  codeFromHttpStatus,
  decodeBase64,
  decodeGrpcMessage,
  encodeBase64,
  encodeEnvelope,
  encodeGrpcMessage,
  EnvelopeDecoder,
  formatGrpcTimeout,
  metadataFromHeaders,
  metadataToHeaders,
  parseGrpcTimeout,
  parseStatusCode,
} from "wirecall/protocol";
import {
  encodeGrpcWebText,
  encodeTrailerFrame,
  GrpcWebTextDecoder,
  parseTrailerFrame,
} from "wirecall/transports/grpc-web";
import { describe, test } from "../support/test.ts";
import { check } from "./fast-check-run.ts";

const bytes = (max = 300) => fc.uint8Array({ maxLength: max });

/** Splits `data` at the given (sorted, deduplicated) cut points. */
function split(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (data.byteLength + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let start = 0;
  for (const p of points) {
    out.push(data.subarray(start, p));
    start = p;
  }
  out.push(data.subarray(start));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

describe("properties of the wire formats", () => {
  test("frames survive any chunking: decode(split(encode(frames))) = frames", () => {
    check(fc.property(
      fc.array(fc.tuple(fc.constantFrom(0, 1), bytes()), { maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      (frames, cuts) => {
        const wire = concat(frames.map(([f, d]) => encodeEnvelope(f, d)));
        const decoder = new EnvelopeDecoder(1 << 20);
        const got = split(wire, cuts).flatMap((chunk) => decoder.push(chunk));
        decoder.end();
        assert.equal(got.length, frames.length);
        got.forEach((g, i) => {
          assert.equal(g.flags, frames[i][0]);
          assert.deepEqual([...g.data], [...frames[i][1]]);
        });
      },
    ));
  });

  test("a length prefix over the limit (up to 4 GiB) is RESOURCE_EXHAUSTED on its 5 header bytes, nothing buffered", () => {
    check(fc.property(
      fc.integer({ min: 1, max: 1 << 16 }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.constantFrom(0, 1),
      (limit, length, flags) => {
        fc.pre(length > limit);
        const header = new Uint8Array(5);
        header[0] = flags;
        new DataView(header.buffer).setUint32(1, length);
        const decoder = new EnvelopeDecoder(limit);
        assert.throws(
          () => decoder.push(header),
          (e: unknown) => e instanceof RpcError && e.code === Code.RESOURCE_EXHAUSTED,
        );
      },
    ));
  });

  test("arbitrary bytes never make the frame decoder throw anything but an RpcError", () => {
    check(fc.property(bytes(64), fc.array(fc.nat(), { maxLength: 6 }), (data, cuts) => {
      const decoder = new EnvelopeDecoder(32);
      try {
        for (const chunk of split(data, cuts)) decoder.push(chunk);
        decoder.end();
      } catch (e) {
        assert.ok(e instanceof RpcError, String(e));
      }
    }));
  });

  test("base64 round-trips, padded or not", () => {
    check(fc.property(bytes(), (data) => {
      const text = encodeBase64(data);
      assert.deepEqual([...decodeBase64(text)], [...data]);
      assert.deepEqual([...decodeBase64(text.replace(/=+$/, ""))], [...data]);
    }));
  });

  test("-bin metadata round-trips through headers", () => {
    check(fc.property(
      fc.stringMatching(/^[a-z][a-z0-9_.-]{0,20}$/),
      fc.array(bytes(64), { minLength: 1, maxLength: 4 }),
      (name, values) => {
        fc.pre(!name.startsWith("grpc-"));
        const key = `${name}-bin`;
        const md = new Metadata();
        for (const v of values) md.append(key, v);
        const headers: Array<[string, string]> = [];
        metadataToHeaders(md, (k, v) => headers.push([k, v]));
        const back = metadataFromHeaders(headers).getAll(key) as Uint8Array[];
        assert.deepEqual(back.map((b) => [...b]), values.map((v) => [...v]));
      },
    ));
  });

  test("grpc-timeout: format then parse never loses time, and any text parses or is refused", () => {
    check(fc.property(fc.integer({ min: 0, max: 10 ** 12 }), (ms) => {
      const text = formatGrpcTimeout(ms);
      assert.match(text, /^\d{1,8}[HMSmun]$/);
      const back = parseGrpcTimeout(text)!;
      assert.ok(back >= ms, `${ms} → ${text} → ${back}`);
      assert.ok(back - ms <= Math.max(1, ms * 0.01), `${ms} → ${text} → ${back}`);
    }));
    check(fc.property(fc.string({ maxLength: 12 }), (text) => {
      const v = parseGrpcTimeout(text);
      if (/^\d{1,8}[HMSmun]$/.test(text)) assert.ok(typeof v === "number" && v >= 0);
      else assert.equal(v, undefined, text);
    }));
  });

  test("grpc-message: decode(encode(s)) = s for any Unicode text, and the encoding is printable ASCII", () => {
    check(fc.property(fc.string({ unit: "grapheme", maxLength: 80 }), (s) => {
      const wire = encodeGrpcMessage(s);
      assert.match(wire, /^[\x20-\x7e]*$/);
      assert.equal(decodeGrpcMessage(wire), s);
    }));
    check(fc.property(fc.string({ maxLength: 40 }), (s) => {
      assert.equal(typeof decodeGrpcMessage(s), "string");
    }));
  });

  test("gRPC-Web trailers frame: status, message and metadata round-trip", () => {
    check(fc.property(
      fc.integer({ min: 1, max: 16 }),
      fc.string({ unit: "grapheme", maxLength: 40 }),
      fc.dictionary(fc.stringMatching(/^x-k[a-z0-9]{0,9}$/), fc.stringMatching(/^[!-~]{1,20}$/), {
        maxKeys: 4,
      }),
      (code, message, extra) => {
        const md = new Metadata();
        for (const [k, v] of Object.entries(extra)) md.set(k, v);
        const frame = encodeTrailerFrame(new RpcError(code as Code, message), md);
        assert.equal(frame[0], 0x80);
        const fields = new Map(parseTrailerFrame(frame.subarray(5)));
        assert.equal(parseStatusCode(fields.get("grpc-status")!), code);
        assert.equal(decodeGrpcMessage(fields.get("grpc-message") ?? ""), message);
        for (const [k, v] of Object.entries(extra)) assert.equal(fields.get(k), v);
      },
    ));
    check(fc.property(bytes(100), (body) => {
      try {
        parseTrailerFrame(body);
      } catch (e) {
        assert.ok(e instanceof RpcError && e.code === Code.INTERNAL, String(e));
      }
    }));
  });

  test("grpc-web-text: any bytes, padded segments concatenated, any chunking of the text", () => {
    check(fc.property(
      fc.array(bytes(80), { minLength: 1, maxLength: 4 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (segments, cuts) => {
        const text = concat(segments.map(encodeGrpcWebText));
        const decoder = new GrpcWebTextDecoder();
        const out = concat(split(text, cuts).map((c) => decoder.push(c)));
        decoder.end();
        assert.deepEqual([...out], [...concat(segments)]);
      },
    ));
  });

  test("every HTTP status maps to a gRPC code; the spec's table holds", () => {
    check(fc.property(fc.integer({ min: 0, max: 999 }), (status) => {
      const code = codeFromHttpStatus(status);
      assert.ok(Number.isInteger(code) && code >= 0 && code <= 16);
      const table: Record<number, Code> = {
        400: Code.INTERNAL,
        401: Code.UNAUTHENTICATED,
        403: Code.PERMISSION_DENIED,
        404: Code.UNIMPLEMENTED,
        429: Code.UNAVAILABLE,
        502: Code.UNAVAILABLE,
        503: Code.UNAVAILABLE,
        504: Code.UNAVAILABLE,
      };
      if (status in table) assert.equal(code, table[status]);
      else if (status !== 431) assert.equal(code, Code.UNKNOWN);
    }));
  });

  test("grpc-status: only a known code's decimal is that code, anything else UNKNOWN", () => {
    check(fc.property(fc.string({ maxLength: 6 }), (text) => {
      const code = parseStatusCode(text);
      const n = Number(text.trim());
      if (/^\d{1,2}$/.test(text.trim()) && n <= 16) assert.equal(code, n);
      else assert.equal(code, Code.UNKNOWN);
    }));
  });
});
