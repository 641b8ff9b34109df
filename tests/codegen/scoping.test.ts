// protoc's name resolution (descriptor.cc, FindSymbol / LookupSymbol): a
// name's first component binds to the innermost scope that defines it, but a
// package only counts when the file's own package or a dependency's package
// lies in it. Other files of the same compilation are not seen.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { compile, formatDiagnostic } from "../../codegen/mod.ts";
import { diskReader, repoRoot } from "./support/repo.ts";

const root = join(repoRoot, "tests", "codegen", "fixtures");

function errors(sources: Record<string, string>, files = ["t.proto"]): string[] {
  return compile({ files, sources }).diagnostics.map(formatDiagnostic);
}

describe("protoc's scoping rules", () => {
  test(
    "a package declared by a file that is not imported does not capture a name's first component",
    { timeout: 30_000 },
    () => {
      const r = compile({
        // trace.proto (package a.x.config.trace.v3) is built first, so the
        // package a.x.config exists when upstream.proto is resolved.
        files: [
          "scoping/a/x/config/trace/v3/trace.proto",
          "scoping/a/x/q/v3/upstream.proto",
        ],
        includePaths: [root],
        readFile: diskReader,
      });
      assert.deepEqual(r.diagnostics.map(formatDiagnostic), []);
      const upstream = r.files[1];
      assert.deepEqual(upstream.messageType[0].field.map((f) => f.typeName), [
        ".a.config.core.v3.SocketAddress",
        ".a.config.core.v3.SocketAddress",
      ]);
      assert.equal(upstream.service[0].method[0].inputType, ".a.config.core.v3.SocketAddress");
    },
  );

  test(
    "a package that an import lies in does capture the name, with protoc's error",
    { timeout: 30_000 },
    () => {
      const errs = errors({
        "t.proto": 'syntax = "proto3";\npackage a.x.q.v3;\nimport "addr.proto";\n' +
          'import "trace.proto";\nmessage M { config.core.v3.SocketAddress a = 1; }\n',
        "addr.proto": 'syntax = "proto3";\npackage a.config.core.v3;\nmessage SocketAddress {}\n',
        "trace.proto": 'syntax = "proto3";\npackage a.x.config.trace.v3;\nmessage Tracing {}\n',
      });
      assert.deepEqual(errs, [
        `t.proto:5:13: "config.core.v3.SocketAddress" is resolved to "a.x.config.core.v3.SocketAddress", which is not defined. The innermost scope is searched first in name resolution. Consider using a leading '.'(i.e., ".config.core.v3.SocketAddress") to start from the outermost scope.`,
      ]);
    },
  );

  test("a package reached through a public import is visible", { timeout: 30_000 }, () => {
    const r = compile({
      files: ["scoping/b/user/user.proto"],
      includePaths: [root],
      readFile: diskReader,
    });
    assert.deepEqual(r.diagnostics.map(formatDiagnostic), []);
    assert.equal(r.files[0].messageType[0].field[0].typeName, ".b.inner.Thing");
  });

  test(
    "a type of a file imported only by an import is reported as not imported, by its full name",
    { timeout: 30_000 },
    () => {
      const errs = errors({
        "t.proto": 'syntax = "proto3";\npackage p;\nimport "b.proto";\nmessage M { C c = 1; }\n',
        "b.proto": 'syntax = "proto3";\npackage p;\nimport "c.proto";\n',
        "c.proto": 'syntax = "proto3";\npackage p;\nmessage C {}\n',
      });
      assert.deepEqual(errs, [
        't.proto:4:13: "p.C" seems to be defined in "c.proto", which is not imported by "t.proto".  To use it here, please add the necessary import.',
      ]);
    },
  );

  test(
    "option names resolve from the parent scope of the declaration, as protoc's name_scope",
    { timeout: 30_000 },
    () => {
      // (opt) on message p.M is looked up as p.opt first, not p.M.opt.
      const r = compile({
        files: ["t.proto"],
        sources: {
          "t.proto":
            'syntax = "proto2";\npackage p;\nimport "google/protobuf/descriptor.proto";\n' +
            "extend google.protobuf.MessageOptions { optional int32 opt = 50000; }\n" +
            "message M {\n  option (opt) = 7;\n" +
            "  extend google.protobuf.MessageOptions { optional int32 opt = 50001; }\n}\n",
        },
      });
      assert.deepEqual(r.diagnostics.map(formatDiagnostic), []);
      const unknown = r.files[0].messageType[0].options!.$unknown!;
      assert.deepEqual(unknown.map((u) => u.no), [50000]);
    },
  );
});
