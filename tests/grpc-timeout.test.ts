import { describe, test } from "./support/test.ts";
import assert from "node:assert/strict";
import { formatGrpcTimeout, parseGrpcTimeout } from "wirecall/protocol";

describe("grpc-timeout", () => {
  test("parses every unit into milliseconds", () => {
    assert.equal(parseGrpcTimeout("2H"), 7_200_000);
    assert.equal(parseGrpcTimeout("3M"), 180_000);
    assert.equal(parseGrpcTimeout("4S"), 4_000);
    assert.equal(parseGrpcTimeout("1500m"), 1_500);
    assert.equal(parseGrpcTimeout("2500u"), 2.5);
    assert.equal(parseGrpcTimeout("1000000n"), 1);
  });

  test("refuses more than eight digits, a missing unit, an unknown unit and signs", () => {
    assert.equal(parseGrpcTimeout("123456789S"), undefined);
    assert.equal(parseGrpcTimeout("100"), undefined);
    assert.equal(parseGrpcTimeout("10x"), undefined);
    assert.equal(parseGrpcTimeout("-1S"), undefined);
    assert.equal(parseGrpcTimeout("S"), undefined);
    assert.equal(parseGrpcTimeout(""), undefined);
  });

  test("accepts exactly eight digits", () => {
    assert.equal(parseGrpcTimeout("99999999m"), 99_999_999);
  });

  test("formats in the finest unit that fits eight digits and round-trips", () => {
    for (const ms of [0.0005, 1, 99, 250, 99_999, 1_000_000, 86_400_000, 10 ** 11]) {
      const text = formatGrpcTimeout(ms);
      assert.match(text, /^\d{1,8}[HMSmun]$/);
      assert.ok(parseGrpcTimeout(text)! >= ms, `${text} must not shorten ${ms} ms`);
    }
    assert.equal(formatGrpcTimeout(250), "250000u");
    assert.equal(formatGrpcTimeout(0), "1n");
  });
});
