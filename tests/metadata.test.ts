import { describe, test } from "./support/test.ts";
import assert from "node:assert/strict";
import { Metadata } from "wirecall";
import {
  decodeBase64,
  encodeBase64,
  metadataFromHeaders,
  metadataToHeaders,
} from "wirecall/protocol";

describe("metadata", () => {
  test("keeps values in order, several per key, with keys lower-cased", () => {
    const md = new Metadata();
    md.append("X-Trace", "a").append("x-trace", "b").append("x-other", "c");
    assert.deepEqual(md.getAll("x-trace"), ["a", "b"]);
    assert.deepEqual([...md], [["x-trace", "a"], ["x-trace", "b"], ["x-other", "c"]]);
    md.set("x-trace", "z");
    assert.deepEqual(md.getAll("X-TRACE"), ["z"]);
  });

  test("-bin keys carry bytes and other keys carry text", () => {
    const md = new Metadata({ "x-bytes-bin": new Uint8Array([1, 2, 3]) });
    assert.deepEqual(md.get("x-bytes-bin"), new Uint8Array([1, 2, 3]));
    assert.throws(() => md.set("x-bytes-bin", "text"), /needs a Uint8Array/);
    assert.throws(() => md.set("x-text", new Uint8Array([1])), /ending in "-bin"/);
  });

  test("refuses reserved protocol headers", () => {
    for (
      const key of [
        "grpc-timeout",
        "grpc-status",
        ":path",
        "content-type",
        "te",
        "connection",
        "transfer-encoding",
      ]
    ) {
      assert.throws(() => new Metadata().set(key, "x"), /reserved/, key);
    }
  });

  test("lets the two retry keys of gRFC A6 through, in both directions", () => {
    const md = new Metadata().set("grpc-retry-pushback-ms", "250");
    md.set("grpc-previous-rpc-attempts", "2");
    assert.equal(md.get("grpc-retry-pushback-ms"), "250");
    const read = metadataFromHeaders([["grpc-previous-rpc-attempts", "1"], ["grpc-status", "0"]]);
    assert.deepEqual([...read], [["grpc-previous-rpc-attempts", "1"]]);
  });

  test("refuses invalid keys and non-printable text values", () => {
    assert.throws(() => new Metadata().set("bad key", "x"), /invalid/);
    assert.throws(() => new Metadata().set("x-a", "line\nbreak"), /printable ASCII/);
    assert.throws(() => new Metadata().set("x-a", "é"), /printable ASCII/);
  });

  test("-bin values go out as padded base64 and come back as the same bytes", () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 251, 252, 253, 254, 255]);
    const fields: Array<[string, string]> = [];
    metadataToHeaders(
      new Metadata({ "x-data-bin": bytes, "x-t": "v" }),
      (k, v) => fields.push([k, v]),
    );
    assert.deepEqual(fields, [["x-data-bin", "AAEC+vv8/f7/"], ["x-t", "v"]]);
    assert.deepEqual(metadataFromHeaders(fields).get("x-data-bin"), bytes);
  });

  test("received -bin values are accepted unpadded and comma-joined", () => {
    const md = metadataFromHeaders([["x-a-bin", "AQI"], ["x-b-bin", "AQ==,Ag"]]);
    assert.deepEqual(md.get("x-a-bin"), new Uint8Array([1, 2]));
    assert.deepEqual(md.getAll("x-b-bin"), [new Uint8Array([1]), new Uint8Array([2])]);
  });

  test("received protocol headers are not exposed as metadata", () => {
    const md = metadataFromHeaders([
      [":status", "200"],
      ["content-type", "application/grpc"],
      ["grpc-encoding", "gzip"],
      ["x-user", "ada"],
    ]);
    assert.deepEqual([...md.keys()], ["x-user"]);
  });

  test("base64 encodes standard padded and decodes URL-safe and unpadded", () => {
    assert.equal(
      encodeBase64(new TextEncoder().encode("any carnal pleas")),
      "YW55IGNhcm5hbCBwbGVhcw==",
    );
    assert.equal(
      new TextDecoder().decode(decodeBase64("YW55IGNhcm5hbCBwbGVhcw")),
      "any carnal pleas",
    );
    assert.deepEqual(decodeBase64("-_8"), new Uint8Array([251, 255]));
    assert.throws(() => decodeBase64("a$b"), /invalid base64/);
  });
});
