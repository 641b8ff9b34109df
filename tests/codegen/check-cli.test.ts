// `wirecall-codegen breaking` and `wirecall-codegen lint` on the command
// line: buf's text and JSON output, exit code 100 on findings, --against a
// directory, a FileDescriptorSet and a git revision, and config sections.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { main } from "../../codegen/cli.ts";

const V1 = 'syntax = "proto3";\npackage acme.v1;\n' +
  "message Todo {\n  string title = 1;\n  int32 priority = 2;\n}\n" +
  "service TodoService {\n  rpc Get(Todo) returns (Todo);\n}\n";
const V2 = 'syntax = "proto3";\npackage acme.v1;\n' +
  "message Todo {\n  int64 title = 1;\n}\n" +
  "service TodoService {\n  rpc Get(Todo) returns (stream Todo);\n}\n";

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "wirecall-check-cli-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** Runs the CLI in `cwd`; returns the exit code and what it printed. */
async function run(cwd: string, args: string[]) {
  let stdout = "", stderr = "";
  const out = process.stdout.write, err = process.stderr.write;
  const before = process.cwd();
  process.stdout.write = ((c: string | Uint8Array) => (stdout += String(c), true)) as typeof out;
  process.stderr.write = ((c: string | Uint8Array) => (stderr += String(c), true)) as typeof err;
  process.chdir(cwd);
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    process.chdir(before);
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

const EXPECTED_TEXT = [
  'new/acme/v1/todo.proto:3:1:Previously present field "2" with name "priority" on message "Todo" was deleted.',
  'new/acme/v1/todo.proto:4:3:Field "1" with name "title" on message "Todo" changed type from "string" to "int64".',
  'new/acme/v1/todo.proto:7:3:RPC "Get" on service "TodoService" changed from server unary to server streaming.',
];

describe("wirecall-codegen breaking", () => {
  test(
    "prints buf's text findings and exits 100 against a directory",
    { timeout: 60_000 },
    async () => {
      const dir = tree({ "old/acme/v1/todo.proto": V1, "new/acme/v1/todo.proto": V2 });
      try {
        const r = await run(dir, ["breaking", "new", "--against", "old"]);
        assert.equal(r.code, 100);
        assert.deepEqual(r.stdout.trim().split("\n"), EXPECTED_TEXT);
      } finally {
        rmSync(dir, { recursive: true });
      }
    },
  );

  test("--error-format=json prints buf's JSON lines", { timeout: 60_000 }, async () => {
    const dir = tree({ "old/acme/v1/todo.proto": V1, "new/acme/v1/todo.proto": V2 });
    try {
      const r = await run(dir, ["breaking", "new", "--against=old", "--error-format=json"]);
      assert.equal(r.code, 100);
      assert.deepEqual(JSON.parse(r.stdout.trim().split("\n")[1]), {
        path: "new/acme/v1/todo.proto",
        start_line: 4,
        start_column: 3,
        end_line: 4,
        end_column: 8,
        type: "FIELD_SAME_TYPE",
        message:
          'Field "1" with name "title" on message "Todo" changed type from "string" to "int64".',
      });
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test(
    "compares against a FileDescriptorSet and exits 0 when nothing breaks",
    { timeout: 60_000 },
    async () => {
      const dir = tree({ "acme/v1/todo.proto": V1 });
      try {
        assert.equal(
          (await run(dir, ["-I", ".", "-o", "v1.binpb", "-q", "acme/v1/todo.proto"])).code,
          0,
        );
        const same = await run(dir, ["breaking", "--against", "v1.binpb"]);
        assert.deepEqual([same.code, same.stdout], [0, ""]);
        writeFileSync(join(dir, "acme/v1/todo.proto"), V2);
        const changed = await run(dir, ["breaking", "--against", "v1.binpb"]);
        assert.equal(changed.code, 100);
        assert.equal(changed.stdout.trim().split("\n").length, 3);
      } finally {
        rmSync(dir, { recursive: true });
      }
    },
  );

  test(
    "compares against a git revision, and --use/--except pick rules",
    { timeout: 60_000 },
    async () => {
      const dir = tree({ "proto/acme/v1/todo.proto": V1 });
      const git = (...a: string[]) => execFileSync("git", a, { cwd: dir, stdio: "ignore" });
      try {
        git("init", "-q");
        git("-c", "user.email=t@example.com", "-c", "user.name=t", "add", ".");
        git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "v1");
        writeFileSync(join(dir, "proto/acme/v1/todo.proto"), V2);
        const r = await run(dir, ["breaking", "proto", "--against", "HEAD"]);
        assert.equal(r.code, 100, r.stderr);
        assert.deepEqual(
          r.stdout.trim().split("\n"),
          EXPECTED_TEXT.map((l) => l.replace(/^new/, "proto")),
        );
        const wire = await run(dir, [
          "breaking",
          "proto",
          "--against",
          ".git#branch=HEAD",
          "--use=WIRE",
        ]);
        assert.deepEqual(wire.stdout.trim().split("\n").map((l) => l.split(":")[1]), [
          "3",
          "4",
          "7",
        ]);
        const none = await run(dir, [
          "breaking",
          "proto",
          "--against",
          "HEAD",
          "--except=FIELD_NO_DELETE,FIELD_SAME_TYPE,RPC_SAME_SERVER_STREAMING",
        ]);
        assert.deepEqual([none.code, none.stdout], [0, ""]);
      } finally {
        rmSync(dir, { recursive: true });
      }
    },
  );

  test(
    "an unknown rule or a missing --against is a usage error (exit 2)",
    { timeout: 30_000 },
    async () => {
      const dir = tree({ "acme/v1/todo.proto": V1 });
      try {
        assert.equal((await run(dir, ["breaking"])).code, 2);
        const r = await run(dir, ["breaking", "--against", ".", "--use=NO_SUCH_RULE"]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /"NO_SUCH_RULE" is not a known rule or category/);
      } finally {
        rmSync(dir, { recursive: true });
      }
    },
  );
});

describe("wirecall-codegen lint", () => {
  test("prints findings with buf's wording and exits 100; the config's lint section applies", {
    timeout: 60_000,
  }, async () => {
    const dir = tree({ "acme/v1/todo.proto": V1 });
    try {
      const r = await run(dir, ["lint"]);
      assert.equal(r.code, 100);
      assert.deepEqual(r.stdout.trim().split("\n"), [
        'acme/v1/todo.proto:8:3:RPC "Get" has the same type "acme.v1.Todo" for the request and response.',
        'acme/v1/todo.proto:8:11:RPC request type "Todo" should be named "GetRequest" or "TodoServiceGetRequest".',
        'acme/v1/todo.proto:8:26:RPC response type "Todo" should be named "GetResponse" or "TodoServiceGetResponse".',
      ]);
      writeFileSync(
        join(dir, "wirecall.codegen.json"),
        JSON.stringify({
          lint: {
            except: ["RPC_REQUEST_STANDARD_NAME", "RPC_RESPONSE_STANDARD_NAME"],
            rpcAllowSameRequestResponse: true,
          },
        }),
      );
      const clean = await run(dir, ["lint"]);
      assert.deepEqual([clean.code, clean.stdout, clean.stderr], [0, "", ""]);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test("says on stderr that PROTOVALIDATE is not checked where buf.validate is imported", {
    timeout: 60_000,
  }, async () => {
    const validated = V1.replace(
      "package acme.v1;\n",
      'package acme.v1;\nimport "buf/validate/validate.proto";\n',
    ).replace("string title = 1;", "string title = 1 [(buf.validate.field).string.min_len = 1];");
    const dir = tree({
      "acme/v1/todo.proto": validated,
      "acme/v1/plain.proto": 'syntax = "proto3";\npackage acme.v1;\nmessage Plain {}\n',
      // A stand-in for protovalidate's file: only its import is looked at.
      "buf/validate/validate.proto": 'syntax = "proto2";\npackage buf.validate;\n' +
        'import "google/protobuf/descriptor.proto";\n' +
        "message StringRules { optional uint64 min_len = 2; }\n" +
        "message FieldRules { optional StringRules string = 14; }\n" +
        "extend google.protobuf.FieldOptions { optional FieldRules field = 1159; }\n",
    });
    try {
      const r = await run(dir, ["lint", "acme", "-I", "."]);
      assert.match(
        r.stderr,
        /^wirecall-codegen lint: acme\/v1\/todo\.proto: PROTOVALIDATE not checked: /m,
      );
      assert.doesNotMatch(r.stderr, /plain\.proto/);
      const off = await run(dir, ["lint", "acme", "-I", ".", "--except=PROTOVALIDATE"]);
      assert.doesNotMatch(off.stderr, /PROTOVALIDATE/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
