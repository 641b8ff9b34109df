// protoc's ValidateOptions checks (codegen/validate-options.ts) and the
// range bound of the parser: message sets, extension declarations and
// `[packed = true]`, each with protoc's message and position (descriptor.cc,
// parser.cc), and `buf build` rejecting the same input (buf's wording and
// positions are its own, so only the rejection is compared).
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile, formatDiagnostic } from "../../codegen/mod.ts";
import { repoRoot } from "./support/repo.ts";

/** `t.proto` (imports in `extra`) compiled: protoc-style diagnostics. */
function errors(source: string, extra: Record<string, string> = {}): string[] {
  const r = compile({ files: ["t.proto"], sources: { "t.proto": source, ...extra } });
  return r.diagnostics.map(formatDiagnostic);
}

const DECLARED = 'syntax = "proto2";\npackage p;\nmessage M {\n  extensions 10 to 20 [\n' +
  '    declaration = { number: 10, full_name: ".p.foo", type: "int32" },\n' +
  '    declaration = { number: 11, full_name: ".p.bar", type: ".p.M", repeated: true },\n' +
  "    declaration = { number: 12, reserved: true }\n  ];\n}\n";

/** [what, source of t.proto, protoc's diagnostics, other files] */
const CASES: [string, string, string[], Record<string, string>?][] = [
  [
    "a MessageSet cannot have fields",
    'syntax = "proto2";\nmessage M {\n  option message_set_wire_format = true;\n' +
    "  extensions 4 to max;\n  optional int32 x = 1;\n}\n",
    ["t.proto:5:18: MessageSets cannot have fields, only extensions."],
  ],
  [
    "extensions of a MessageSet must be optional messages",
    'syntax = "proto2";\nmessage M {\n  option message_set_wire_format = true;\n' +
    "  extensions 4 to max;\n}\nmessage P {}\nextend M {\n  optional P ok = 5;\n" +
    "  optional int32 scalar = 6;\n  repeated P list = 7;\n}\n",
    [
      "t.proto:9:12: Extensions of MessageSets must be optional messages.",
      "t.proto:10:12: Extensions of MessageSets must be optional messages.",
    ],
  ],
  [
    "proto3 has no MessageSets",
    'syntax = "proto3";\nmessage M {\n  option message_set_wire_format = true;\n}\n',
    ["t.proto:2:9: MessageSet is not supported in proto3."],
  ],
  [
    "an extension range of a plain message ends at 536870911",
    'syntax = "proto2";\nmessage N {\n  extensions 4 to 536870912;\n}\n',
    ["t.proto: Extension numbers cannot be greater than 536870911."],
  ],
  [
    "a message range cannot reach 2147483647",
    'syntax = "proto2";\nmessage M {\n  option message_set_wire_format = true;\n' +
    "  extensions 4 to 2147483647;\n}\n",
    ["t.proto:4:29: Field number out of bounds."],
  ],
  [
    "an extension must match its declaration (type, name, repeated, reserved)",
    DECLARED +
    "extend M {\n  optional string foo = 10;\n  optional M baz = 11;\n" +
    "  optional int32 r = 12;\n}\n",
    [
      // Only the first extension of a block has an EXTENDEE location.
      't.proto: "p.M" extension field 11 is expected to have field name ".p.bar", not ".p.baz".',
      't.proto: "p.M" extension field 11 is expected to be repeated.',
      "t.proto: Cannot use number 12 for extension field p.r, as it is reserved in the extension declarations for message p.M.",
      't.proto:10:8: "p.M" extension field 10 is expected to be type "int32", not "string".',
    ],
  ],
  [
    "a range with declarations must declare every extension in it",
    DECLARED + "extend M {\n  optional int32 other = 13;\n}\n",
    [
      "t.proto:10:8: Missing extension declaration for field p.other with number 13 in extendee message p.M. An extension range must declare for all extension fields if its verification state is DECLARATION or there's any declaration in the range already. Otherwise, consider splitting up the range.",
    ],
  ],
  [
    "declarations must lie in their range, once each, with full_name and type",
    'syntax = "proto2";\npackage p;\nmessage M {\n  extensions 10 to 20 [\n' +
    '    declaration = { number: 30, full_name: ".p.a", type: "int32" },\n' +
    '    declaration = { number: 11, full_name: ".p.b", type: "int32" },\n' +
    '    declaration = { number: 11, full_name: ".p.c", type: "int32" },\n' +
    '    declaration = { number: 12, full_name: ".p.d" }\n  ];\n}\n',
    [
      't.proto: Extension declaration #12 should have both "full_name" and "type" set.',
      "t.proto:4:14: Extension declaration number 30 is not in the extension range.",
      "t.proto:4:14: Extension declaration number 11 is declared multiple times.",
    ],
  ],
  [
    "[packed = true] only on repeated primitive fields (proto2)",
    'syntax = "proto2";\nmessage M {\n  optional int32 a = 1 [packed = true];\n' +
    "  repeated string b = 2 [packed = true];\n  repeated int32 c = 3 [packed = true];\n" +
    "  optional int32 d = 4 [packed = false];\n}\n",
    [
      "t.proto:3:12: [packed = true] can only be specified for repeated primitive fields.",
      "t.proto:4:12: [packed = true] can only be specified for repeated primitive fields.",
    ],
  ],
  [
    "[packed = true] only on repeated primitive fields (proto3)",
    'syntax = "proto3";\nmessage M {\n  int32 a = 1 [packed = true];\n  M b = 2 [packed = true];\n}\n',
    [
      "t.proto:3:3: [packed = true] can only be specified for repeated primitive fields.",
      "t.proto:4:3: [packed = true] can only be specified for repeated primitive fields.",
    ],
  ],
  [
    "[lazy = true] only on message fields, unverified_lazy not on extensions",
    'syntax = "proto2";\nmessage M {\n  optional int32 a = 1 [lazy = true];\n' +
    "  optional M b = 2 [lazy = true];\n  extensions 10 to 20;\n}\n" +
    "extend M { optional M c = 10 [unverified_lazy = true]; }\n",
    [
      "t.proto:3:12: [lazy = true] can only be specified for submessage fields.",
      "t.proto:7:21: Extensions cannot be marked as unverified_lazy.",
    ],
  ],
  [
    "a file that is not lite cannot import a lite one",
    'syntax = "proto2";\nimport "l.proto";\nmessage N { optional L l = 1; }\n',
    [
      't.proto:2:1: Files that do not use optimize_for = LITE_RUNTIME cannot import files which do use this option.  This file is not lite, but it imports "l.proto" which is.',
    ],
    { "l.proto": 'syntax = "proto2";\noption optimize_for = LITE_RUNTIME;\nmessage L {}\n' },
  ],
  [
    "a lite file cannot extend a type of a file that is not lite",
    'syntax = "proto2";\noption optimize_for = LITE_RUNTIME;\nimport "n.proto";\n' +
    "extend N {\n  optional int32 x = 10;\n  optional int32 y = 11;\n}\n",
    [
      "t.proto: Extensions to non-lite types can only be declared in non-lite files.  Note that you cannot extend a non-lite type to contain a lite type, but the reverse is allowed.",
      "t.proto:4:8: Extensions to non-lite types can only be declared in non-lite files.  Note that you cannot extend a non-lite type to contain a lite type, but the reverse is allowed.",
    ],
    { "n.proto": 'syntax = "proto2";\nmessage N { extensions 10 to 20; }\n' },
  ],
  [
    "a lite file defines services only without generic services",
    'syntax = "proto2";\noption optimize_for = LITE_RUNTIME;\n' +
    "option java_generic_services = true;\nservice S {}\n",
    [
      "t.proto:4:9: Files with optimize_for = LITE_RUNTIME cannot define services unless you set both options cc_generic_services and java_generic_services to false.",
    ],
  ],
];

/** Cases protoc rejects and buf 1.75 accepts (buf does not check these). */
const PROTOC_ONLY = new Set([
  "a range with declarations must declare every extension in it",
  "a lite file cannot extend a type of a file that is not lite",
  "a lite file defines services only without generic services",
]);

describe("protoc's option validation", () => {
  for (const [what, source, expected, extra] of CASES) {
    test(what, { timeout: 10_000 }, () => {
      assert.deepEqual(errors(source, extra), expected);
    });
  }

  test(
    "valid MessageSets and declared extensions compile",
    { timeout: 10_000 },
    () => {
      const src = DECLARED.replace(
        "package p;",
        "package p;\nmessage S {\n" +
          "  option message_set_wire_format = true;\n  extensions 4 to max;\n}",
      ) +
        "extend M {\n  optional int32 foo = 10;\n  repeated M bar = 11;\n}\n" +
        "extend S { optional M s = 2147483646; }\n";
      assert.deepEqual(errors(src), []);
    },
  );

  test(
    "buf build rejects every one of these inputs too",
    { timeout: 120_000 },
    () => {
      const buf = join(repoRoot, "node_modules", ".bin", "buf");
      for (const [what, source, , extra] of CASES) {
        const dir = mkdtempSync(join(tmpdir(), "wirecall-validate-"));
        try {
          writeFileSync(join(dir, "t.proto"), source);
          for (const [name, text] of Object.entries(extra ?? {})) {
            writeFileSync(join(dir, name), text);
          }
          const r = spawnSync(
            buf,
            ["build", dir, "-o", join(dir, "out.binpb")],
            { encoding: "utf8" },
          );
          if (PROTOC_ONLY.has(what)) {
            assert.equal(r.status, 0, `${what}: ${r.stderr}`);
          } else {
            assert.notEqual(r.status, 0, `buf accepted: ${what}`);
            assert.match(r.stderr, /t\.proto:\d+:\d+:/, what);
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    },
  );
});
