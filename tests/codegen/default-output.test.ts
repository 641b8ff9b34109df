// The default output (target=ts, import_extension=ts, erasable_syntax=true)
// runs unchanged under Node 26's type stripping and type-checks with tsc
// under the settings codegen/README.md gives for it.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { main } from "../../codegen/cli.ts";
import { repoRoot } from "./support/repo.ts";

const node26 = join(repoRoot, ".tools", "node26", "node_modules", "node", "bin", "node");
const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");

const PROTOS: Record<string, string> = {
  "proto/acme/common/v1/common.proto": 'syntax = "proto3";\npackage acme.common.v1;\n' +
    "enum Priority { PRIORITY_UNSPECIFIED = 0; PRIORITY_HIGH = 1; }\n",
  "proto/acme/todo/v1/todo.proto": 'syntax = "proto3";\npackage acme.todo.v1;\n' +
    'import "acme/common/v1/common.proto";\n' +
    "message Todo { string title = 1; acme.common.v1.Priority priority = 2; }\n" +
    "service TodoService { rpc Add(Todo) returns (Todo); }\n",
};

const MAIN = `import { create, toBinary } from "@bufbuild/protobuf";
import { createRouter } from "wirecall";
import { createLoopbackTransport } from "wirecall/transports/loopback";
import { Priority } from "./gen/acme/common/v1/common_pb.ts";
import { TodoSchema, TodoService } from "./gen/acme/todo/v1/todo_pb.ts";
import { createTodoServiceClient, type TodoServiceImpl } from "./gen/acme/todo/v1/todo_wirecall.ts";

const impl: TodoServiceImpl = {
  add(req) {
    return { title: req.title.toUpperCase(), priority: req.priority };
  },
};
const router = createRouter().service(TodoService, impl);
const client = createTodoServiceClient(createLoopbackTransport(router));
const res = await client.add({ title: "milk", priority: Priority.HIGH });
const bytes: Uint8Array = toBinary(TodoSchema, create(TodoSchema, res));
console.log(JSON.stringify({ title: res.title, priority: res.priority, bytes: Array.from(bytes) }));
`;

/** The tsc settings codegen/README.md documents for Node (plus what linking the source tree needs). */
const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    erasableSyntaxOnly: true,
    verbatimModuleSyntax: true,
    skipLibCheck: true,
    lib: ["ES2022", "DOM"],
    types: [],
    // The test links wirecall's source tree, not a built package.
    customConditions: ["wirecall-source"],
  },
  files: ["main.ts"],
};

/** A project using the default output, with wirecall and @bufbuild linked from this repository. */
async function project(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "wirecall-codegen-default-"));
  for (const [name, text] of Object.entries(PROTOS)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module", private: true }));
  writeFileSync(join(dir, "main.ts"), MAIN);
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(TSCONFIG));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(join(repoRoot, "node_modules", "@bufbuild"), join(dir, "node_modules", "@bufbuild"));
  symlinkSync(repoRoot, join(dir, "node_modules", "wirecall"));
  const code = await main([
    "-I",
    join(dir, "proto"),
    join(dir, "proto/acme/todo/v1/todo.proto"),
    join(dir, "proto/acme/common/v1/common.proto"),
    `--ts_out=${join(dir, "gen")}`,
    "--quiet",
  ]);
  assert.equal(code, 0);
  return dir;
}

describe("the default output", () => {
  test(
    "runs under Node 26 type stripping with no flag (erasable enums, .ts imports)",
    { timeout: 120_000, skip: existsSync(node26) ? false : "Node 26 is not installed" },
    async () => {
      const dir = await project();
      try {
        const r = spawnSync(node26, ["--conditions=wirecall-source", "main.ts"], {
          cwd: dir,
          encoding: "utf8",
          timeout: 60_000,
        });
        assert.equal(r.stderr, "");
        assert.equal(r.status, 0);
        assert.deepEqual(JSON.parse(r.stdout), {
          title: "MILK",
          priority: 1,
          bytes: [10, 4, 77, 73, 76, 75, 16, 1],
        });
      } finally {
        rmSync(dir, { recursive: true });
      }
    },
  );

  test(
    "type-checks with tsc --strict under the README's settings",
    { timeout: 180_000 },
    async () => {
      const dir = await project();
      try {
        const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json"], {
          cwd: dir,
          encoding: "utf8",
          timeout: 150_000,
        });
        assert.equal(r.stdout + r.stderr, "");
        assert.equal(r.status, 0);
      } finally {
        rmSync(dir, { recursive: true });
      }
    },
  );
});
