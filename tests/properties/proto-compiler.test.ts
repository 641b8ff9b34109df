// Property tests of the .proto compiler: random text and mutations of valid
// files end in diagnostics (file:line:col), never a throw or a hang.
import assert from "node:assert/strict";
import fc from "fast-check";
import { compile } from "../../codegen/compile.ts";
import { tokenize } from "../../codegen/lexer.ts";
import { describe, test } from "../support/test.ts";
import { check } from "./fast-check-run.ts";

const VALID = `syntax = "proto3";
package acme.todo.v1;
import "google/protobuf/timestamp.proto";
option java_package = "com.acme.todo";

// A task.
message Task {
  string id = 1;
  string title = 2 [json_name = "name"];
  repeated string tags = 3;
  map<string, int64> counts = 4;
  google.protobuf.Timestamp due = 5;
  oneof owner { string user = 6; int32 team = 7; }
  enum State { STATE_UNSPECIFIED = 0; OPEN = 1; DONE = 2; }
  State state = 8;
  reserved 10 to 12;
  message Note { bytes body = 1; }
}

service TodoService {
  rpc Get(Task) returns (Task);
  rpc Watch(Task) returns (stream Task) { option deprecated = true; }
}
`;

const PROTO2 = `syntax = "proto2";
package p2;
message A { optional int32 x = 1 [default = 5]; extensions 100 to 199; required string y = 2; }
extend A { optional string z = 100; }
`;

/** Compiles `text` as one file; checks the outcome is descriptors or diagnostics, never a throw. */
function compilesOrExplains(text: string): void {
  const result = compile({ files: ["fuzz.proto"], sources: { "fuzz.proto": text } });
  assert.ok(Array.isArray(result.diagnostics));
  for (const d of result.diagnostics) {
    assert.equal(typeof d.message, "string");
    assert.ok(d.message.length > 0);
    assert.ok(d.line >= 0 && d.column >= 0, JSON.stringify(d));
  }
  if (result.diagnostics.length === 0) assert.equal(result.files.length, 1);
}

const protoish = fc.string({
  unit: fc.constantFrom(
    ..."{}[]()<>;=,.\"'/\\*-+ \n\t0123456789abcxyzABCXYZ_".split(""),
    "message ",
    "enum ",
    "service ",
    "rpc ",
    "returns ",
    "stream ",
    "oneof ",
    "map<",
    "option ",
    'syntax = "proto3";',
    'syntax = "proto2";',
    'edition = "2023";',
    'import "',
    "package ",
    "reserved ",
    "extensions ",
    "extend ",
    "repeated ",
    "optional ",
    "required ",
    "group ",
    "0x",
    "1e",
    "inf",
    "nan",
    "/*",
    "*/",
    "//",
    "\\x",
    "\\u",
  ),
  maxLength: 120,
});

/** `text` with one edit: a deletion, an insertion, or a replacement of a span. */
const mutated = (text: string) =>
  fc.tuple(
    fc.nat({ max: text.length }),
    fc.nat({ max: 30 }),
    fc.string({ unit: fc.constantFrom(..."{}[]();=\"'/*\n x1_.<>-".split("")), maxLength: 6 }),
  ).map(([at, cut, insert]) => text.slice(0, at) + insert + text.slice(at + cut));

describe("properties of the .proto compiler", () => {
  test("the lexer never throws on any text", () => {
    check(fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
      tokenize(text);
    }));
  });

  test("random proto-like text compiles or ends in diagnostics, never a throw", () => {
    check(fc.property(protoish, compilesOrExplains), 3000);
  });

  test("every single mutation of a valid proto3 file compiles or ends in diagnostics", () => {
    check(fc.property(mutated(VALID), compilesOrExplains), 2000);
  });

  test("every single mutation of a valid proto2 file compiles or ends in diagnostics", () => {
    check(fc.property(mutated(PROTO2), compilesOrExplains), 2000);
  });

  test("the unmutated files compile cleanly (the mutations start from valid input)", () => {
    for (const text of [VALID, PROTO2]) {
      const r = compile({ files: ["fuzz.proto"], sources: { "fuzz.proto": text } });
      assert.deepEqual(r.diagnostics, []);
    }
  });
});
