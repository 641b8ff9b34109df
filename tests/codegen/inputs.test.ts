// Inputs follow protoc's command line: a file on disk under an include path
// is compiled by its path below it; anything else is an import path searched
// on the include paths; a problem names the input and the paths searched.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import process from "node:process";
import { main } from "../../codegen/cli.ts";
import { resolveInputs } from "../../codegen/inputs.ts";

const COMMON = 'syntax = "proto3";\npackage acme.common.v1;\nmessage Note { string text = 1; }\n';
const TODO = 'syntax = "proto3";\npackage acme.todo.v1;\nimport "acme/common/v1/common.proto";\n' +
  "message Todo { acme.common.v1.Note note = 1; }\n" +
  "service TodoService { rpc Add(Todo) returns (Todo); }\n";

/** A project with proto/acme/{common,todo}/v1/*.proto; returns its directory. */
function project(extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "wirecall-codegen-inputs-"));
  const files: Record<string, string> = {
    "proto/acme/common/v1/common.proto": COMMON,
    "proto/acme/todo/v1/todo.proto": TODO,
    ...extra,
  };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** Runs the CLI and returns its exit code and what it wrote to stderr. */
async function run(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await main(args), stderr };
  } finally {
    process.stderr.write = write;
  }
}

function listing(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).map((f) => f.split("\\").join("/"))
    .filter((f) => f.endsWith(".ts")).sort();
}

describe("inputs on the command line, as protoc takes them", () => {
  test(
    "a file argument under an -I directory compiles by its path below it (relative paths)",
    { timeout: 60_000 },
    async () => {
      const dir = project();
      try {
        // The issue's command: wirecall-codegen -I proto proto/acme/todo/v1/todo.proto
        const rel = relative(process.cwd(), dir) || ".";
        const r = await run([
          "-I",
          join(rel, "proto"),
          join(rel, "proto/acme/todo/v1/todo.proto"),
          `--ts_out=${join(rel, "gen")}`,
          "--quiet",
        ]);
        assert.equal(r.stderr, "");
        assert.equal(r.code, 0);
        assert.deepEqual(listing(join(dir, "gen")), [
          "acme/todo/v1/todo_pb.ts",
          "acme/todo/v1/todo_wirecall.ts",
        ]);
      } finally {
        rmSync(dir, { recursive: true });
      }
    },
  );

  test(
    "an absolute include path and a relative file argument are matched after resolving both",
    { timeout: 60_000 },
    async () => {
      const dir = project();
      try {
        const rel = relative(process.cwd(), dir) || ".";
        const r = await run([
          `--proto_path=${join(dir, "proto")}`,
          join(rel, "proto/acme/todo/v1/todo.proto"),
          `--ts_out=${join(dir, "gen")}`,
          "-q",
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(listing(join(dir, "gen")), [
          "acme/todo/v1/todo_pb.ts",
          "acme/todo/v1/todo_wirecall.ts",
        ]);
      } finally {
        rmSync(dir, { recursive: true });
      }
    },
  );

  test(
    "an import path argument is still searched on the include paths",
    { timeout: 60_000 },
    async () => {
      const dir = project();
      try {
        const r = await run([
          "-I",
          join(dir, "proto"),
          "acme/todo/v1/todo.proto",
          `--ts_out=${join(dir, "gen")}`,
          "-q",
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(listing(join(dir, "gen")).length, 2);
      } finally {
        rmSync(dir, { recursive: true });
      }
    },
  );

  test("a file shadowed by an earlier include path is refused with protoc's message", {
    timeout: 60_000,
  }, async () => {
    const dir = project({ "other/acme/todo/v1/todo.proto": TODO });
    try {
      const arg = join(dir, "proto/acme/todo/v1/todo.proto");
      const r = await run([
        `-I${join(dir, "other")}`,
        `-I${join(dir, "proto")}`,
        arg,
        `--ts_out=${join(dir, "gen")}`,
      ]);
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr.trim(),
        `${arg}: Input is shadowed in the --proto_path by "${
          join(dir, "other")
        }/acme/todo/v1/todo.proto".  Either use the latter file as your input or reorder the --proto_path so that the former file's location comes first.`,
      );
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test("a file outside every include path is refused, naming the include paths", {
    timeout: 60_000,
  }, async () => {
    const dir = project();
    try {
      const arg = join(dir, "proto/acme/todo/v1/todo.proto");
      const inc = join(dir, "proto/acme/common");
      const r = await run(["-I", inc, arg, `--ts_out=${join(dir, "gen")}`]);
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr.trim(),
        `${arg}: "${arg}" is not under include path "${inc}". A file is compiled by its path below an include path: add the directory its imports are relative to as an include path (-I, "includePaths").`,
      );
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test("a config input that does not exist names the config key and the include path", {
    timeout: 60_000,
  }, async () => {
    const dir = project();
    try {
      const config = join(dir, "wirecall.codegen.json");
      writeFileSync(config, JSON.stringify({ targets: [{ inputs: ["proto"], out: "gen" }] }));
      // "proto" is a directory on disk under ".", so it works: every file, by its path below ".".
      const ok = await run([`--config=${config}`, "--check", "-q"]);
      assert.match(ok.stderr, /proto\/acme\/todo\/v1\/todo\.proto:3:1: Import "acme\/common/);
      writeFileSync(
        config,
        JSON.stringify({
          targets: [{ inputs: ["protos/x.proto"], includePaths: ["proto"], out: "gen" }],
        }),
      );
      const r = await run([`--config=${config}`, "-q"]);
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr.trim(),
        `${config}.targets[0].inputs[0]: "protos/x.proto" is not found under include path "proto" (relative to "${dir}"), nor as a file on disk.`,
      );
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe("resolveInputs", () => {
  const files: Record<string, string> = {
    "p/a/x.proto": "",
    "p/a/y.proto": "",
    "q/b/z.proto": "",
  };
  const io = {
    readFile: (path: string) => files[path] === undefined ? undefined : new Uint8Array(),
    listProtos: (dir: string) => {
      const d = dir.replace(/\/$/, "") + "/";
      const out = Object.keys(files).filter((f) => f.startsWith(d)).map((f) => f.slice(d.length));
      return out.length ? out : undefined;
    },
  };

  test("maps disk paths and directories below the include path that holds them", () => {
    assert.deepEqual(resolveInputs(["p/a/x.proto", "q/b", "a/y.proto"], ["p", "q"], ".", io), {
      files: ["a/x.proto", "b/z.proto", "a/y.proto"],
      errors: [],
    });
  });

  test("relative paths in a config are relative to its directory", () => {
    const nested: typeof io = {
      readFile: (p) => io.readFile(p.replace(/^cfg\//, "")),
      listProtos: (d) => io.listProtos(d.replace(/^cfg\//, "")),
    };
    assert.deepEqual(resolveInputs(["a/x.proto"], ["p"], "cfg", nested).files, ["a/x.proto"]);
  });
});
