// The generation workflow: --check notices generated files whose .proto is
// gone (and a run removes them), --watch regenerates on change with one line
// per run, and `init` writes a config and a tsconfig the output works with.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { main } from "../../codegen/cli.ts";

const A = 'syntax = "proto3";\npackage acme.v1;\nmessage A { string x = 1; }\n';
const B = 'syntax = "proto3";\npackage acme.v1;\nmessage B { string y = 1; }\n';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "wirecall-workflow-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

async function run(cwd: string, args: string[], signal?: AbortSignal) {
  let stderr = "";
  const err = process.stderr.write;
  const before = process.cwd();
  process.stderr.write = ((c: string | Uint8Array) => (stderr += String(c), true)) as typeof err;
  process.chdir(cwd);
  try {
    return { code: await main(args, { signal }), stderr };
  } finally {
    process.chdir(before);
    process.stderr.write = err;
  }
}

describe("generation workflow", () => {
  test("--check fails on a generated file whose .proto is gone; a run removes it", {
    timeout: 60_000,
  }, async () => {
    const dir = tree({ "proto/acme/v1/a.proto": A, "proto/acme/v1/b.proto": B });
    try {
      const args = [
        "-I",
        "proto",
        "proto/acme/v1/a.proto",
        "proto/acme/v1/b.proto",
        "--ts_out=gen",
      ];
      assert.equal((await run(dir, args)).code, 0);
      assert.ok(existsSync(join(dir, "gen/acme/v1/b_pb.ts")));
      const onlyA = ["-I", "proto", "proto/acme/v1/a.proto", "--ts_out=gen"];
      unlinkSync(join(dir, "proto/acme/v1/b.proto"));
      const check = await run(dir, [...onlyA, "--check"]);
      assert.equal(check.code, 1);
      assert.match(
        check.stderr,
        /gen\/acme\/v1\/b_pb\.ts \(orphaned: its \.proto is no longer an input\)/,
      );
      // A file without wirecall-codegen's header is never touched.
      writeFileSync(join(dir, "gen/acme/v1/handwritten.ts"), "export const x = 1;\n");
      assert.equal((await run(dir, onlyA)).code, 0);
      assert.equal(existsSync(join(dir, "gen/acme/v1/b_pb.ts")), false);
      assert.ok(existsSync(join(dir, "gen/acme/v1/handwritten.ts")));
      assert.equal((await run(dir, [...onlyA, "--check"])).code, 0);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test(
    "--watch regenerates when a .proto changes, one line per run",
    { timeout: 60_000 },
    async () => {
      const dir = tree({ "proto/acme/v1/a.proto": A });
      const abort = new AbortController();
      try {
        const out = join(dir, "gen/acme/v1/a_pb.ts");
        const running = run(dir, [
          "-I",
          "proto",
          "proto/acme/v1/a.proto",
          "--ts_out=gen",
          "--watch",
          "--watch-interval=50",
          "-q",
        ], abort.signal);
        const until = async (ok: () => boolean) => {
          for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
          assert.ok(ok());
        };
        await until(() => existsSync(out));
        await new Promise((r) => setTimeout(r, 100));
        writeFileSync(
          join(dir, "proto/acme/v1/a.proto"),
          A.replace("string x = 1;", "string x = 1; int32 z = 2;"),
        );
        await until(() => readFileSync(out, "utf8").includes("z: number"));
        abort.abort();
        const r = await running;
        assert.equal(r.code, 0);
        const lines = r.stderr.trim().split("\n");
        assert.match(lines[0], /^wirecall-codegen: watching proto/);
        assert.match(lines[1], /^wirecall-codegen: \d\d:\d\d:\d\d regenerated \(\d+ ms\)$/);
      } finally {
        abort.abort();
        rmSync(dir, { recursive: true });
      }
    },
  );

  test("init writes wirecall.codegen.json and a tsconfig; the codegen then runs from it", {
    timeout: 60_000,
  }, async () => {
    const dir = tree({ "proto/acme/v1/a.proto": A });
    try {
      assert.equal((await run(dir, ["init"])).code, 0);
      assert.deepEqual(JSON.parse(readFileSync(join(dir, "wirecall.codegen.json"), "utf8")), {
        targets: [{ inputs: ["proto"], includePaths: ["proto"], out: "gen" }],
        breaking: { use: ["FILE"] },
        lint: { use: ["STANDARD"] },
      });
      const ts = JSON.parse(readFileSync(join(dir, "tsconfig.json"), "utf8"));
      assert.equal(ts.compilerOptions.rewriteRelativeImportExtensions, true);
      assert.equal((await run(dir, ["-q"])).code, 0);
      assert.ok(existsSync(join(dir, "gen/acme/v1/a_pb.ts")));
      const again = await run(dir, ["init"]);
      assert.match(again.stderr, /wirecall\.codegen\.json exists; leaving it as it is/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
