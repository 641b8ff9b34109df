// Semantic and syntax checks: each broken input yields protoc-style
// `file:line:col: message` diagnostics, several at once, and never a crash.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { compile, CompileError, compileOrThrow, formatDiagnostic } from "../../codegen/mod.ts";

function errors(source: string, extra: Record<string, string> = {}): string[] {
  const r = compile({ files: ["t.proto"], sources: { "t.proto": source, ...extra } });
  return r.diagnostics.map(formatDiagnostic);
}

describe("diagnostics", () => {
  test("a name defined twice is reported at the second definition", () => {
    assert.deepEqual(errors('syntax = "proto3";\nmessage A {}\nmessage A {}\n'), [
      't.proto:3:9: "A" is already defined.',
    ]);
  });

  test("a field named like a nested type clashes in the message's scope", () => {
    assert.deepEqual(
      errors('syntax = "proto3";\nmessage A {\n  message B {}\n  int32 B = 1;\n}\n'),
      [
        't.proto:4:9: "B" is already defined in "A".',
      ],
    );
  });

  test("a field number used twice names the first field", () => {
    assert.deepEqual(
      errors('syntax = "proto3";\nmessage A {\n  int32 x = 1;\n  int32 y = 1;\n}\n'),
      [
        't.proto:4:13: Field number 1 has already been used in "A" by field "x".',
      ],
    );
  });

  test("an unknown type is reported where it is used", () => {
    assert.deepEqual(errors('syntax = "proto3";\nmessage A {\n  Foo x = 1;\n}\n'), [
      't.proto:3:3: "Foo" is not defined.',
    ]);
  });

  test("a partly resolved dotted name explains protoc's scoping rule", () => {
    const src =
      'syntax = "proto3";\npackage p;\nmessage A { message B {} }\nmessage C { A.X x = 1; }\n';
    assert.deepEqual(errors(src), [
      't.proto:4:13: "A.X" is resolved to "p.A.X", which is not defined. The innermost scope is searched first in name resolution. Consider using a leading \'.\'(i.e., ".A.X") to start from the outermost scope.',
    ]);
  });

  test("a type from a file that is not imported is not visible", () => {
    const errs = errors('syntax = "proto3";\nimport "b.proto";\nmessage A { C c = 1; }\n', {
      "b.proto": 'syntax = "proto3";\nimport "c.proto";\n',
      "c.proto": 'syntax = "proto3";\nmessage C {}\n',
    });
    assert.deepEqual(errs, [
      't.proto:3:13: "C" seems to be defined in "c.proto", which is not imported by "t.proto".  To use it here, please add the necessary import.',
    ]);
  });

  test("a field using a reserved number or name is rejected", () => {
    const src =
      'syntax = "proto3";\nmessage A {\n  reserved 2;\n  reserved "y";\n  int32 x = 2;\n  int32 y = 3;\n}\n';
    assert.deepEqual(errors(src), [
      't.proto:5:13: Field "x" uses reserved number 2.',
      't.proto:6:9: Field name "y" is reserved.',
    ]);
  });

  test("map keys cannot be floating point, bytes or messages", () => {
    assert.deepEqual(errors('syntax = "proto3";\nmessage A {\n  map<double, string> m = 1;\n}\n'), [
      "t.proto:3:7: Key in map fields cannot be float/double, bytes or message types.",
    ]);
  });

  test("an invalid default value names the expected kind", () => {
    assert.deepEqual(
      errors('syntax = "proto2";\nmessage A {\n  optional int32 x = 1 [default = "no"];\n}\n'),
      ["t.proto:3:35: Expected integer for field default value."],
    );
  });

  test("an enum default must name a value of the enum", () => {
    const src =
      'syntax = "proto2";\nenum E { A = 0; }\nmessage M { optional E e = 1 [default = B]; }\n';
    assert.deepEqual(errors(src), ['t.proto:3:41: Enum type "E" has no value named "B".']);
  });

  test("proto3 rejects required fields, default values and a non-zero first enum value", () => {
    const src = 'syntax = "proto3";\nenum E { A = 1; }\nmessage M { required int32 x = 1; }\n';
    assert.deepEqual(errors(src), [
      "t.proto:2:14: The first enum value must be zero for open enums.",
      "t.proto:3:13: Required fields are not allowed in proto3.",
    ]);
  });

  test("enum values sharing a number need allow_alias", () => {
    assert.deepEqual(errors('syntax = "proto3";\nenum E { A = 0; B = 0; }\n'), [
      `t.proto:2:21: "E.B" uses the same enum value as "E.A". If this is intended, set 'option allow_alias = true;' to the enum definition. The next available enum value is 1.`,
    ]);
  });

  test("field numbers must be positive and outside 19000-19999", () => {
    assert.deepEqual(errors('syntax = "proto3";\nmessage A { int32 x = 19000; int32 y = 0; }\n'), [
      "t.proto:2:23: Field numbers 19000 through 19999 are reserved for the protocol buffer library implementation.",
      "t.proto:2:40: Field numbers must be positive integers.",
    ]);
  });

  test("conflicting JSON names are rejected in proto3", () => {
    assert.deepEqual(
      errors('syntax = "proto3";\nmessage A { int32 foo_bar = 1; int32 fooBar = 2; }\n'),
      [
        't.proto:2:38: The default JSON name of field "fooBar" ("fooBar") conflicts with the default JSON name of field "foo_bar".',
      ],
    );
  });

  test("an extension number must lie in an extension range", () => {
    const src =
      'syntax = "proto2";\nmessage A { extensions 10 to 20; }\nextend A { optional int32 x = 30; }\n';
    assert.deepEqual(errors(src), [
      't.proto:3:31: "A" does not declare 30 as an extension number.',
    ]);
  });

  test("an extension number used twice for the same message names the first extension", () => {
    const src = 'syntax = "proto2";\nmessage A { extensions 10 to 20; }\n' +
      "extend A { optional int32 x = 10; }\nextend A { optional int32 y = 10; }\n";
    assert.deepEqual(errors(src), [
      't.proto:4:31: Extension number 10 has already been used in "A" by extension "x".',
    ]);
  });

  test("a repeated field cannot have a default value", () => {
    assert.deepEqual(
      errors('syntax = "proto2";\nmessage A { repeated int32 x = 1 [default = 1]; }\n'),
      [
        "t.proto:2:35: Repeated fields can't have default values.",
      ],
    );
  });

  test("a proto3 message cannot use a closed (proto2) enum", () => {
    const errs = errors('syntax = "proto3";\nimport "e.proto";\nmessage M { E e = 1; }\n', {
      "e.proto": 'syntax = "proto2";\nenum E { A = 0; }\n',
    });
    assert.deepEqual(errs, [
      't.proto:3:13: Enum type "E" is not an open enum, but is used in "M" which is a proto3 message type.',
    ]);
  });

  test("proto3 extensions are only allowed on options messages", () => {
    const src = 'syntax = "proto3";\nmessage A {}\nextend A { int32 x = 1; }\n';
    const errs = errors(src);
    assert.ok(
      errs.includes("t.proto:3:8: Extensions in proto3 are only allowed for defining options."),
      errs.join("\n"),
    );
  });

  test("an option restricted to other targets is rejected", () => {
    const src =
      'edition = "2023";\nmessage M {\n  option features.message_encoding = DELIMITED;\n}\n';
    assert.deepEqual(errors(src), [
      "t.proto:3:19: Option message_encoding cannot be set on an entity of type `message`.",
    ]);
  });

  test("enum values cannot use reserved numbers or names", () => {
    const src =
      'syntax = "proto3";\nenum E {\n  reserved 2, 5 to 7;\n  reserved "C";\n  A = 0;\n  B = 6;\n  C = 8;\n}\n';
    assert.deepEqual(errors(src), [
      't.proto:6:7: Enum value "B" uses reserved number 6.',
      't.proto:7:3: Enum value "C" is reserved.',
    ]);
  });

  test("overlapping reserved and extension ranges are rejected", () => {
    const src = 'syntax = "proto2";\nmessage M {\n  reserved 5 to 10;\n  extensions 8 to 12;\n}\n';
    assert.deepEqual(errors(src), [
      "t.proto:4:14: Extension range 8 to 12 overlaps with reserved range 5 to 10.",
    ]);
  });

  test("proto3 rejects extension ranges and explicit defaults", () => {
    assert.deepEqual(errors('syntax = "proto3";\nmessage M { extensions 10 to 20; }\n'), [
      "t.proto:2:13: Extension ranges are not allowed in proto3.",
    ]);
    assert.deepEqual(errors('syntax = "proto3";\nmessage M { int32 a = 1 [default = 5]; }\n'), [
      "t.proto:2:26: Explicit default values are not allowed in proto3.",
    ]);
  });

  test("an enum needs at least one value", () => {
    assert.deepEqual(errors('syntax = "proto3";\nenum E {}\n'), [
      "t.proto:2:6: Enums must contain at least one value.",
    ]);
  });

  test("group names must start with a capital letter", () => {
    assert.deepEqual(errors('syntax = "proto2";\nmessage M { optional group foo = 1 {} }\n'), [
      "t.proto:2:28: Group names must start with a capital letter.",
    ]);
  });

  test("rpc types must be messages and field types must be types", () => {
    const src =
      'syntax = "proto3";\nenum E { A = 0; }\nmessage M { S s = 1; }\nservice S { rpc X(E) returns (M); }\n';
    assert.deepEqual(errors(src), [
      't.proto:3:13: "S" is not a type.',
      't.proto:4:19: "E" is not a message type.',
    ]);
  });

  test("an import cycle is reported at the import that closes it", () => {
    const errs = errors('syntax = "proto3";\nimport "u.proto";\n', {
      "u.proto": 'syntax = "proto3";\nimport "t.proto";\n',
    });
    assert.deepEqual(errs, [
      "u.proto:2:1: File recursively imports itself: t.proto -> u.proto -> t.proto",
    ]);
  });

  test("json_name is not allowed on extensions", () => {
    const src =
      'syntax = "proto2";\nmessage M { extensions 1 to 10; }\nextend M { optional int32 x = 1 [json_name = "y"]; }\n';
    assert.deepEqual(errors(src), [
      "t.proto:3:34: option json_name is not allowed on extension fields.",
    ]);
  });

  test("an unknown option is reported with protoc's hint", () => {
    assert.deepEqual(errors('syntax = "proto3";\noption foo_bar = 1;\n'), [
      't.proto:2:8: Option "foo_bar" unknown. Ensure that your proto definition file imports the proto which defines the option.',
    ]);
  });

  test("an option value of the wrong type names the option", () => {
    assert.deepEqual(errors('syntax = "proto3";\noption java_package = 5;\n'), [
      't.proto:2:23: Value must be quoted string for string option "java_package".',
    ]);
  });

  test("a missing import is reported at the import statement", () => {
    assert.deepEqual(errors('syntax = "proto3";\nimport "nope.proto";\n'), [
      't.proto:2:1: Import "nope.proto" was not found or had errors.',
    ]);
  });

  test("an unknown syntax is rejected", () => {
    assert.deepEqual(errors('syntax = "proto4";\n'), [
      't.proto:1:10: Unrecognized syntax identifier "proto4".  This parser only recognizes "proto2" and "proto3".',
    ]);
  });

  test("several syntax errors are reported in one run and parsing resumes after each", () => {
    const src =
      'syntax = "proto3";\nmessage A {\n  int32 x = ;\n  string y = 2\n}\nmessage B { int32 z = 1; }\n';
    const r = compile({ files: ["t.proto"], sources: { "t.proto": src } });
    assert.deepEqual(r.diagnostics.map(formatDiagnostic), [
      "t.proto:3:13: Expected field number.",
      't.proto:5:1: Expected ";".',
    ]);
    assert.equal(r.files[0].messageType[1].name, "B");
  });

  test("a message left open at end of file is reported", () => {
    assert.deepEqual(errors('syntax = "proto3";\nmessage A {\n'), [
      "t.proto:3:1: Reached end of input in message definition (missing '}').",
    ]);
  });

  test("garbage input yields diagnostics, not a crash or a hang", () => {
    const errs = errors('\u0000 }} {{{ message ;;; "open\n');
    assert.equal(errs[0], 't.proto:1:1: Invalid character "\u0000".');
    assert.ok(errs.length > 2);
  });

  test("compileOrThrow throws a CompileError listing every diagnostic", () => {
    assert.throws(
      () =>
        compileOrThrow({
          files: ["t.proto"],
          sources: { "t.proto": 'syntax = "proto3";\nmessage A { B b = 1; C c = 2; }\n' },
        }),
      (e: unknown) =>
        e instanceof CompileError && e.diagnostics.length === 2 &&
        e.message === 't.proto:2:13: "B" is not defined.\nt.proto:2:22: "C" is not defined.',
    );
  });
});

describe("robustness", () => {
  test("two hundred mutated real files compile to diagnostics without throwing", async () => {
    const { readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { repoRoot } = await import("./support/repo.ts");
    const dir = join(repoRoot, "node_modules", "google-proto-files");
    const names = [
      "google/api/http.proto",
      "google/api/resource.proto",
      "google/api/annotations.proto",
    ];
    const texts: Record<string, string> = {};
    for (const n of names) texts[n] = readFileSync(join(dir, n), "utf8");
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    let withDiagnostics = 0;
    for (let i = 0; i < 200; i++) {
      const target = names[i % names.length];
      let t = texts[target];
      const p = Math.floor(rnd() * t.length);
      const r = rnd();
      if (r < 0.4) t = t.slice(0, p);
      else if (r < 0.7) t = t.slice(0, p) + t.slice(p + 1 + Math.floor(rnd() * 20));
      else t = t.slice(0, p) + "{}[]()<>;=,.\"'/*-"[Math.floor(rnd() * 17)] + t.slice(p);
      const result = compile({ files: [target], sources: { ...texts, [target]: t } });
      if (result.diagnostics.length > 0) withDiagnostics++;
    }
    assert.ok(withDiagnostics > 50, `${withDiagnostics} of 200 mutations reported problems`);
  });

  test("deeply nested input is rejected with a diagnostic instead of overflowing the stack", () => {
    const deep = "{a ".repeat(5000) + "}".repeat(5000);
    const msgs = "message M { ".repeat(5000) + "}".repeat(5000);
    const a = errors(`syntax = "proto3";\noption (x) = ${deep};\n`);
    const b = errors(`syntax = "proto3";\n${msgs}\n`);
    assert.ok(
      a.includes("t.proto:2:314: Aggregate value nested too deeply."),
      a.slice(0, 3).join("\n"),
    );
    assert.ok(b.some((e) => e.endsWith("Reached maximum recursion limit for nested messages.")));
  });
});

describe("diagnostics found by the breaking-change oracle", () => {
  test("an empty oneof is rejected at its name", { timeout: 10_000 }, () => {
    assert.deepEqual(errors('syntax = "proto3";\nmessage A {\n  oneof choice {}\n}\n'), [
      "t.proto:3:9: Oneof must have at least one field.",
    ]);
  });

  test("editions fields may set only the features that apply to them", { timeout: 10_000 }, () => {
    const src = 'edition = "2023";\nmessage A {\n' +
      "  repeated int32 a = 1 [features.field_presence = EXPLICIT];\n" +
      "  int32 b = 2 [features.repeated_field_encoding = EXPANDED];\n" +
      "  int32 c = 3 [features.utf8_validation = NONE];\n" +
      "  int32 d = 4 [features.message_encoding = DELIMITED];\n" +
      "  repeated string e = 5 [features.repeated_field_encoding = PACKED];\n" +
      "  A f = 6 [features.field_presence = IMPLICIT];\n" +
      "  oneof o { int32 g = 7 [features.field_presence = EXPLICIT]; }\n" +
      "  int32 h = 8 [features.field_presence = IMPLICIT, default = 3];\n" +
      "}\n";
    assert.deepEqual(errors(src), [
      "t.proto:3:18: Repeated fields can't specify field presence.",
      "t.proto:4:9: Only repeated fields can specify repeated field encoding.",
      "t.proto:5:9: Only string fields can specify utf8 validation.",
      "t.proto:6:9: Only message fields can specify message encoding.",
      "t.proto:7:19: Only repeated primitive fields can specify PACKED repeated field encoding.",
      "t.proto:8:5: Message fields can't specify implicit presence.",
      "t.proto:9:19: Oneof fields can't specify field presence.",
      "t.proto:10:9: Implicit presence fields can't specify defaults.",
    ]);
  });

  test("editions files cannot require presence by default nor use java_string_check_utf8", {
    timeout: 10_000,
  }, () => {
    const src = 'edition = "2023";\noption features.field_presence = LEGACY_REQUIRED;\n' +
      "option java_string_check_utf8 = true;\n";
    assert.deepEqual(errors(src), [
      "t.proto:1:1: Required presence can't be specified by default.",
      "t.proto:1:1: File option java_string_check_utf8 is not allowed under editions. Use the (pb.java).utf8_validation feature to control this behavior.",
    ]);
  });
});
