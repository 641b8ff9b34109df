// The HttpRule path template grammar: what parses, what does not, and what matches.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { matchPathTemplate, parsePathTemplate, PathTemplateError } from "wirecall/transports/rest";

describe("REST path templates", () => {
  test("{var} is {var=*}: one segment", () => {
    const t = parsePathTemplate("/v1/shelves/{shelf}");
    assert.deepEqual(t.segments.map((s) => s.kind), ["literal", "literal", "wildcard"]);
    assert.deepEqual(matchPathTemplate(t, "/v1/shelves/7"), new Map([["shelf", "7"]]));
    assert.equal(matchPathTemplate(t, "/v1/shelves/7/books"), undefined);
    assert.equal(matchPathTemplate(t, "/v1/shelves/"), undefined);
  });

  test("** matches zero or more segments", () => {
    const t = parsePathTemplate("/files/{path=**}");
    assert.deepEqual(matchPathTemplate(t, "/files/a/b/c"), new Map([["path", "a/b/c"]]));
    assert.deepEqual(matchPathTemplate(t, "/files"), new Map([["path", ""]]));
  });

  test("a verb must end the path", () => {
    const t = parsePathTemplate("/v1/{name=ops/*}:cancel");
    assert.equal(t.verb, "cancel");
    assert.deepEqual(matchPathTemplate(t, "/v1/ops/1:cancel"), new Map([["name", "ops/1"]]));
    assert.equal(matchPathTemplate(t, "/v1/ops/1"), undefined);
  });

  for (
    const [bad, why] of [
      ["v1/x", /starts with "\/"/],
      ["/v1/{a", /expected "}"/],
      ["/v1/{a={b}}", /cannot nest/],
      ["/v1/**/x", /"\*\*" must be the last/],
      ["/v1/{1a}", /expected a field name/],
      ["/v1/{a}/{a}", /appears twice/],
      ["/v1/x?y", /unexpected "\?"/],
    ] as const
  ) {
    test(`"${bad}" is refused with a reason`, () => {
      assert.throws(
        () => parsePathTemplate(bad),
        (e) => e instanceof PathTemplateError && why.test(e.message),
      );
    });
  }
});
