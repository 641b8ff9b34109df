// The wirecall-codegen command line and the protoc-gen-wirecall plugin.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  CodeGeneratorRequestSchema,
  CodeGeneratorResponseSchema,
  FileDescriptorSetSchema,
} from "@bufbuild/protobuf/wkt";
import { compile, ConfigError, parseCodegenConfig } from "../../codegen/mod.ts";
import { main } from "../../codegen/cli.ts";
import { runPlugin } from "../../codegen/protoc-plugin.ts";
import { repoRoot } from "./support/repo.ts";

function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "wirecall-codegen-cli-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const A =
  'syntax = "proto3";\nimport "b.proto";\n// A service.\nservice S { rpc Get(B) returns (B); }\n';
const B = 'syntax = "proto3";\nmessage B { string id = 1; }\n';

describe("wirecall-codegen", () => {
  test("the repository's generated code is up to date (codegen --check)", async () => {
    assert.equal(await main([`--config=${join(repoRoot, "deno.json")}`, "--check", "--quiet"]), 0);
  });

  test("--descriptor_set_out with --include_imports writes dependencies first and no source info", async () => {
    const dir = scratch({ "a.proto": A, "b.proto": B });
    try {
      const out = join(dir, "set.binpb");
      assert.equal(
        await main([
          "-I",
          dir,
          `--descriptor_set_out=${out}`,
          "--include_imports",
          "--quiet",
          "a.proto",
        ]),
        0,
      );
      const set = fromBinary(FileDescriptorSetSchema, readFileSync(out));
      assert.deepEqual(set.file.map((f) => f.name), ["b.proto", "a.proto"]);
      assert.equal(set.file[1].sourceCodeInfo, undefined);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test("--include_source_info keeps spans and comments, and only the named files are written without --include_imports", async () => {
    const dir = scratch({ "a.proto": A, "b.proto": B });
    try {
      const out = join(dir, "set.binpb");
      assert.equal(
        await main([`-I${dir}`, "-o", out, "--include_source_info", "-q", "a.proto"]),
        0,
      );
      const set = fromBinary(FileDescriptorSetSchema, readFileSync(out));
      assert.deepEqual(set.file.map((f) => f.name), ["a.proto"]);
      assert.ok(set.file[0].sourceCodeInfo!.location.length > 0);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test("--check exits 1 while outputs are stale and 0 once they are written", async () => {
    const dir = scratch({ "a.proto": A, "b.proto": B });
    try {
      const args = ["-I", dir, `--ts_out=${join(dir, "gen")}`, "--quiet", "a.proto", "b.proto"];
      assert.equal(await main([...args, "--check"]), 1);
      assert.equal(await main(args), 0);
      assert.equal(await main([...args, "--check"]), 0);
      assert.match(readFileSync(join(dir, "gen", "a_wirecall.ts"), "utf8"), /createSClient/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test("compile errors are printed as file:line:col and exit 1", async () => {
    const dir = scratch({ "bad.proto": 'syntax = "proto3";\nmessage M { Nope n = 1; }\n' });
    try {
      assert.equal(await main(["-I", dir, `--ts_out=${dir}`, "--quiet", "bad.proto"]), 1);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test("an unknown flag is a usage error (exit 2)", async () => {
    assert.equal(await main(["--frobnicate"]), 2);
  });

  test("a bad configuration names every offending key", () => {
    assert.throws(
      () =>
        parseCodegenConfig({ targets: [{ inputs: [], out: 3, extra: true }] }, "deno.json#codegen"),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message.includes(
          "deno.json#codegen.targets[0].inputs: list at least one .proto file or directory",
        ) &&
        e.message.includes("deno.json#codegen.targets[0].out:") &&
        e.message.includes('Unrecognized key: "extra"'),
    );
  });

  test("a valid configuration gets defaults for omitted keys", () => {
    const c = parseCodegenConfig({ targets: [{ inputs: ["a.proto"], out: "gen" }] }, "x.json");
    const t = c.targets![0];
    assert.deepEqual(t.includePaths, ["."]);
    assert.deepEqual(t.es, ["target=ts", "import_extension=ts", "erasable_syntax=true"]);
    assert.equal(t.clients, true);
  });
});

describe("protoc-gen-wirecall", () => {
  test("answers a CodeGeneratorRequest with schema and companion files", async () => {
    const r = compile({ files: ["a.proto"], sources: { "a.proto": A, "b.proto": B } });
    const request = create(CodeGeneratorRequestSchema, {
      fileToGenerate: ["a.proto"],
      parameter: "target=ts,clients=true",
      protoFile: r.allFiles,
    });
    const res = fromBinary(
      CodeGeneratorResponseSchema,
      await runPlugin(toBinary(CodeGeneratorRequestSchema, request)),
    );
    assert.equal(res.error, "");
    assert.deepEqual(res.file.map((f) => f.name), ["a_pb.ts", "a_wirecall.ts"]);
  });
});

describe("--include_imports and descriptor.proto", () => {
  test("the embedded descriptor.proto equals the one compiled from google-proto-files' source", {
    timeout: 30_000,
  }, async () => {
    const { descriptorProtoModule } = await import("../../codegen/embed-descriptor-proto.ts");
    const onDisk = readFileSync(join(repoRoot, "codegen", "gen", "descriptor_proto.ts"), "utf8");
    assert.equal(
      onDisk,
      descriptorProtoModule(),
      "run: deno run -A codegen/embed-descriptor-proto.ts",
    );
  });

  test(
    "--include_imports writes descriptor.proto exactly as buf build does, source info included",
    {
      timeout: 60_000,
    },
    async () => {
      const src = 'syntax = "proto3";\nimport "google/protobuf/descriptor.proto";\n' +
        "message M { google.protobuf.FileDescriptorProto d = 1; }\n";
      const dir = scratch({ "a.proto": src });
      try {
        const out = join(dir, "set.binpb");
        assert.equal(
          await main([
            "-I",
            dir,
            "-o",
            out,
            "--include_imports",
            "--include_source_info",
            "-q",
            "a.proto",
          ]),
          0,
        );
        const ours = fromBinary(FileDescriptorSetSchema, readFileSync(out));
        const { compareWithBuf } = await import("./support/compare.ts");
        const { bufBuild } = await import("./support/buf-oracle.ts");
        const r = compareWithBuf(
          ours.file,
          bufBuild(dir, { key: "include-imports-descriptor-v1", sourceInfo: true }),
        );
        assert.deepEqual(ours.file.map((f) => f.name), [
          "google/protobuf/descriptor.proto",
          "a.proto",
        ]);
        assert.equal(r.matched, 2, r.report.join("\n"));
      } finally {
        rmSync(dir, { recursive: true });
      }
    },
  );
});
