// The compiler's descriptors for each language feature, checked through the
// fields a code generator reads.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { create, createFileRegistry, getExtension } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { compile, compileAsync } from "../../codegen/mod.ts";

function one(source: string, extra: Record<string, string> = {}) {
  const r = compile({ files: ["t.proto"], sources: { "t.proto": source, ...extra } });
  assert.deepEqual(r.diagnostics, []);
  return { file: r.files[0], all: r.allFiles };
}

describe("compile", () => {
  test("a proto3 optional field gets a synthetic oneof after the real ones", () => {
    const { file } = one(
      'syntax = "proto3";\nmessage M { oneof k { int32 a = 1; } optional string name = 2; }\n',
    );
    const m = file.messageType[0];
    assert.deepEqual(m.oneofDecl.map((o) => o.name), ["k", "_name"]);
    assert.equal(m.field[1].proto3Optional, true);
    assert.equal(m.field[1].oneofIndex, 1);
  });

  test("a map field is backed by a synthesized entry message", () => {
    const { file } = one('syntax = "proto3";\nmessage M { map<string, M> child_by_id = 1; }\n');
    const m = file.messageType[0];
    assert.equal(m.field[0].typeName, ".M.ChildByIdEntry");
    assert.equal(m.field[0].label, 3);
    const entry = m.nestedType[0];
    assert.equal(entry.name, "ChildByIdEntry");
    assert.equal(entry.options?.mapEntry, true);
    assert.deepEqual(entry.field.map((f) => [f.name, f.number, f.type, f.typeName]), [
      ["key", 1, 9, ""],
      ["value", 2, 11, ".M"],
    ]);
  });

  test("a proto2 group becomes a lower-cased field and a nested message", () => {
    const { file } = one(
      'syntax = "proto2";\nmessage M { optional group Item = 1 { optional int32 x = 2; } }\n',
    );
    const m = file.messageType[0];
    assert.deepEqual([m.field[0].name, m.field[0].type, m.field[0].typeName], [
      "item",
      10,
      ".M.Item",
    ]);
    assert.equal(m.nestedType[0].name, "Item");
  });

  test("json_name is explicit when given and camel-cased otherwise", () => {
    const { file } = one(
      'syntax = "proto3";\nmessage M { int32 foo_bar = 1; int32 x = 2 [json_name = "Why"]; }\n',
    );
    assert.deepEqual(file.messageType[0].field.map((f) => f.jsonName), ["fooBar", "Why"]);
  });

  test("default values are normalized like protoc's", () => {
    const src = 'syntax = "proto2";\nenum E { A = 0; B = 1; }\nmessage M {\n' +
      "  optional double d = 1 [default = 1e10];\n  optional float f = 2 [default = -inf];\n" +
      '  optional bytes b = 3 [default = "a\\001\\n"];\n  optional E e = 4 [default = B];\n' +
      "  optional uint64 u = 5 [default = 0x10];\n}\n";
    const { file } = one(src);
    assert.deepEqual(file.messageType[0].field.map((f) => f.defaultValue), [
      "1e+10",
      "-inf",
      "a\\001\\n",
      "B",
      "16",
    ]);
  });

  test("names resolve from the innermost scope outwards", () => {
    const src =
      'syntax = "proto3";\npackage a.b;\nmessage T {}\nmessage O {\n  message T {}\n  T inner = 1;\n  .a.b.T outer = 2;\n}\n';
    const { file } = one(src);
    assert.deepEqual(file.messageType[1].field.map((f) => f.typeName), [".a.b.O.T", ".a.b.T"]);
  });

  test("well-known types resolve from the embedded descriptors", () => {
    const { file, all } = one(
      'syntax = "proto3";\nimport "google/protobuf/timestamp.proto";\nmessage M { google.protobuf.Timestamp at = 1; }\n',
    );
    assert.equal(file.messageType[0].field[0].typeName, ".google.protobuf.Timestamp");
    assert.deepEqual(all.map((f) => f.name), ["google/protobuf/timestamp.proto", "t.proto"]);
  });

  test("a public import makes the re-exported file's types visible", () => {
    const { file } = one('syntax = "proto3";\nimport "b.proto";\nmessage M { C c = 1; }\n', {
      "b.proto": 'syntax = "proto3";\nimport public "c.proto";\n',
      "c.proto": 'syntax = "proto3";\nmessage C {}\n',
    });
    assert.equal(file.messageType[0].field[0].typeName, ".C");
  });

  test("custom options, aggregate values included, read back as extensions", () => {
    const src = 'syntax = "proto3";\npackage p;\nimport "google/protobuf/descriptor.proto";\n' +
      "message Rule { string get = 1; repeated string tags = 2; Rule nested = 3; }\n" +
      "extend google.protobuf.MethodOptions { Rule rule = 50000; }\n" +
      "extend google.protobuf.FieldOptions { repeated int32 marks = 50001; }\n" +
      "message Req { string id = 1 [(marks) = 1, (marks) = 2]; }\n" +
      'service S { rpc Get(Req) returns (Req) { option (rule) = { get: "/v1" tags: ["a", "b"] nested { get: "/x" } }; } }\n';
    const { all } = one(src);
    const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: all }));
    const rule = registry.getExtension("p.rule")!;
    const marks = registry.getExtension("p.marks")!;
    const file = all[all.length - 1];
    const value = getExtension(file.service[0].method[0].options!, rule) as unknown as {
      get: string;
      tags: string[];
      nested: { get: string };
    };
    assert.deepEqual([value.get, value.tags, value.nested.get], ["/v1", ["a", "b"], "/x"]);
    assert.deepEqual(getExtension(file.messageType[1].field[0].options!, marks), [1, 2]);
  });

  test("descriptor.proto options are interpreted into typed fields", () => {
    const { file } = one(
      'syntax = "proto3";\noption java_package = "x.y";\nmessage M { int32 a = 1 [deprecated = true]; }\n',
    );
    assert.equal(file.options?.javaPackage, "x.y");
    assert.equal(file.messageType[0].field[0].options?.deprecated, true);
  });

  test("editions files record the edition", () => {
    const { file } = one(
      'edition = "2023";\nmessage M { int32 a = 1 [features.field_presence = IMPLICIT]; }\n',
    );
    assert.deepEqual([file.syntax, file.edition], ["editions", 1000]);
    assert.equal(file.messageType[0].field[0].options?.features?.fieldPresence, 2);
  });

  test("source info carries leading, trailing and detached comments with spans", () => {
    const src =
      'syntax = "proto3";\n\n// detached\n\n// leading\nmessage M { // trailing\n  int32 a = 1;\n}\n';
    const { file } = one(src);
    const loc = file.sourceCodeInfo!.location.find((l) => l.path.join(",") === "4,0")!;
    assert.deepEqual(loc.span, [5, 0, 7, 1]);
    assert.equal(loc.leadingComments, " leading\n");
    assert.equal(loc.trailingComments, " trailing");
    assert.deepEqual(loc.leadingDetachedComments, [" detached\n"]);
  });

  test("source info can be turned off", () => {
    const r = compile({
      files: ["t.proto"],
      sources: { "t.proto": 'syntax = "proto3";\nmessage M {}\n' },
      sourceInfo: false,
    });
    assert.equal(r.files[0].sourceCodeInfo, undefined);
  });

  test("compileAsync fetches files and their imports through an async reader", async () => {
    const files: Record<string, string> = {
      "/p/a.proto": 'syntax = "proto3";\nimport "b.proto";\nmessage A { B b = 1; }\n',
      "/p/b.proto": 'syntax = "proto3";\nmessage B {}\n',
    };
    const asked: string[] = [];
    const r = await compileAsync({
      files: ["a.proto"],
      includePaths: ["/p"],
      readFile: (p) => {
        asked.push(p);
        return Promise.resolve(files[p]);
      },
    });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(asked, ["/p/a.proto", "/p/b.proto"]);
    assert.equal(r.files[0].messageType[0].field[0].typeName, ".B");
  });
});
