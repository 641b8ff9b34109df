import { describe, test } from "./support/test.ts";
import assert from "node:assert/strict";
import { Code, codeName, Metadata, RpcError } from "wirecall";
import {
  codeFromHttpStatus,
  decodeGrpcMessage,
  decodeStatusDetails,
  encodeGrpcMessage,
  encodeStatusDetails,
  parseStatusCode,
  readTrailerStatus,
  writeTrailerFields,
} from "wirecall/protocol";
import { anyPack, DurationSchema } from "@bufbuild/protobuf/wkt";
import { create } from "@bufbuild/protobuf";

describe("status codes and errors", () => {
  test("there are 17 codes numbered 0 to 16 with their gRPC names", () => {
    assert.equal(Object.keys(Code).length, 17);
    assert.deepEqual(Object.values(Code), [...Array(17).keys()]);
    assert.equal(codeName(4), "DEADLINE_EXCEEDED");
    assert.equal(codeName(16), "UNAUTHENTICATED");
    assert.equal(codeName(99), "CODE_99");
  });

  test("HTTP statuses map to codes exactly as the gRPC spec gives them", () => {
    const table: Array<[number, number]> = [
      [400, Code.INTERNAL],
      [401, Code.UNAUTHENTICATED],
      [403, Code.PERMISSION_DENIED],
      [404, Code.UNIMPLEMENTED],
      [429, Code.UNAVAILABLE],
      [431, Code.INTERNAL],
      [502, Code.UNAVAILABLE],
      [503, Code.UNAVAILABLE],
      [504, Code.UNAVAILABLE],
      [200, Code.UNKNOWN],
      [500, Code.UNKNOWN],
      [418, Code.UNKNOWN],
    ];
    for (const [http, code] of table) assert.equal(codeFromHttpStatus(http), code, `HTTP ${http}`);
  });

  test("grpc-message percent-encodes non-ASCII, control characters and percent", () => {
    assert.equal(encodeGrpcMessage("plain text"), "plain text");
    assert.equal(encodeGrpcMessage("50% off"), "50%25 off");
    assert.equal(encodeGrpcMessage("line\nbreak"), "line%0Abreak");
    assert.equal(encodeGrpcMessage("☺"), "%E2%98%BA");
  });

  test("grpc-message decoding inverts encoding for any text", () => {
    const samples = [
      "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n",
      "%",
      "100%",
      "",
    ];
    for (const s of samples) assert.equal(decodeGrpcMessage(encodeGrpcMessage(s)), s);
  });

  test("grpc-message decoding never throws on malformed input", () => {
    assert.equal(decodeGrpcMessage("%"), "%");
    assert.equal(decodeGrpcMessage("%4"), "%4");
    assert.equal(decodeGrpcMessage("%zz ok"), "%zz ok");
    assert.equal(decodeGrpcMessage("%FF"), "\uFFFD");
    assert.equal(decodeGrpcMessage("a%E2%98"), "a\uFFFD");
  });

  test("grpc-status values outside the 17 codes read as UNKNOWN", () => {
    assert.equal(parseStatusCode("5"), Code.NOT_FOUND);
    assert.equal(parseStatusCode("17"), Code.UNKNOWN);
    assert.equal(parseStatusCode("abc"), Code.UNKNOWN);
    assert.equal(parseStatusCode("-1"), Code.UNKNOWN);
  });

  test("google.rpc.Status details round-trip through their binary form", () => {
    const any = anyPack(DurationSchema, create(DurationSchema, { seconds: 7n }));
    const bytes = encodeStatusDetails({ code: 5, message: "gone", details: [any] });
    const back = decodeStatusDetails(bytes);
    assert.equal(back?.code, 5);
    assert.equal(back?.message, "gone");
    assert.equal(back?.details[0].typeUrl, "type.googleapis.com/google.protobuf.Duration");
    assert.equal(decodeStatusDetails(new Uint8Array([0xff, 0xff, 0xff])), undefined);
  });

  test("an error's status, message, details and metadata survive the trailer fields", () => {
    const error = new RpcError(Code.FAILED_PRECONDITION, "not now ☺", {
      metadata: new Metadata({ "x-why": "maintenance", "x-blob-bin": new Uint8Array([0, 255]) }),
      details: [{ desc: DurationSchema, value: { seconds: 30n } }],
    });
    const fields: Array<[string, string]> = [];
    writeTrailerFields(error, new Metadata({ "x-trailer": "t" }), (k, v) => fields.push([k, v]));
    const map = new Map(fields);
    assert.equal(map.get("grpc-status"), "9");
    assert.equal(map.get("grpc-message"), "not now %E2%98%BA");
    const back = readTrailerStatus((k) => map.get(k), fields)!;
    assert.equal(back.code, Code.FAILED_PRECONDITION);
    assert.equal(back.rawMessage, "not now ☺");
    assert.equal(back.metadata.get("x-why"), "maintenance");
    assert.deepEqual(back.metadata.get("x-blob-bin"), new Uint8Array([0, 255]));
    assert.equal(back.metadata.get("x-trailer"), "t");
    assert.equal(back.findDetails(DurationSchema)[0].seconds, 30n);
  });

  test("an OK status reads as no error and a missing status as null", () => {
    assert.equal(readTrailerStatus((k) => (k === "grpc-status" ? "0" : undefined), []), undefined);
    assert.equal(readTrailerStatus(() => undefined, []), null);
  });

  test("RpcError.from keeps RpcErrors and maps abort and timeout reasons", () => {
    const original = new RpcError(Code.ABORTED, "x");
    assert.equal(RpcError.from(original), original);
    assert.equal(RpcError.from(new DOMException("stop", "AbortError")).code, Code.CANCELLED);
    assert.equal(
      RpcError.from(new DOMException("late", "TimeoutError")).code,
      Code.DEADLINE_EXCEEDED,
    );
    assert.equal(RpcError.from(new Error("boom")).code, Code.UNKNOWN);
    assert.equal(RpcError.from("text", Code.INTERNAL).code, Code.INTERNAL);
  });

  test("an error's message carries its code name for logs", () => {
    assert.equal(new RpcError(Code.NOT_FOUND, "no user 42").message, "[NOT_FOUND] no user 42");
  });
});
