// Run by scripts/test.mjs (the "packaging" suite) under Node: wirecall as a
// new user gets it. The tree is copied as a fresh clone would have it, packed
// with `npm pack` (wirecall and wirecall-codegen), and the tarballs are
// installed, with install scripts enabled, into fresh projects made from
// tests/packaging/project: with npm and with pnpm's strict layout (no
// hoisting), on Node 20 and on Node 26. The project generates code for its
// .proto with the installed CLI, type-checks it with `tsc --strict` under
// `nodenext` and `bundler` resolution, and makes unary and streaming calls
// over loopback and HTTP/2; Deno runs the same program through `npm:`
// specifiers. It needs the npm registry for the projects' dependencies.
import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { repoRoot } from "../support/repo-root.ts";

const node26 = join(repoRoot, ".tools", "node26", "node_modules", "node", "bin", "node");
const pnpm = join(repoRoot, "node_modules", ".bin", "pnpm");
const deno = join(repoRoot, "node_modules", ".bin", "deno");
const project = join(repoRoot, "tests", "packaging", "project");

/** Per step: an install or a type-check can take a while on a busy 2-core machine. */
const STEP_MS = 180_000;

const rootManifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
  devDependencies: Record<string, string>;
};
/** The user's own dev tools, at the versions this repository tests with. */
const userDevTools = {
  "@types/node": rootManifest.devDependencies["@types/node"],
  typescript: rootManifest.devDependencies.typescript,
};

/** Options of every test here: each runs a process or two. */
const slow = { timeout: STEP_MS };

const work = mkdtempSync(join(tmpdir(), "wirecall-packaging-"));

interface Result {
  status: number | null;
  output: string;
}

/**
 * Runs `cmd args` in `cwd` with `nodeBin` first on PATH (so `npm`, `npx`
 * and scripts run on that Node), without the npm_* variables of the
 * `npm test` that started us, and returns its status and combined output.
 */
function run(cmd: string, args: string[], cwd: string, nodeBin = process.execPath): Result {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^npm_/i.test(k)) env[k] = v;
  }
  env.PATH = [dirname(nodeBin), env.PATH ?? ""].join(delimiter);
  env.NO_COLOR = "1";
  env.npm_config_update_notifier = "false";
  env.npm_config_fund = "false";
  env.npm_config_audit = "false";
  const r = spawnSync(cmd, args, {
    cwd,
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: STEP_MS,
    maxBuffer: 1 << 26,
  });
  return {
    status: r.status,
    output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? `\n${r.error.message}` : ""}`,
  };
}

function ok(r: Result, what: string): string {
  assert.equal(r.status, 0, `${what} failed:\n${r.output}`);
  return r.output;
}

/**
 * Output lines that warn about one of wirecall's own packages. npm and pnpm
 * name the package on each warning line (npm's EBADENGINE block repeats
 * `npm warn EBADENGINE` on every line, the package's among them).
 */
function ownWarnings(output: string): string[] {
  return output.split("\n").filter((l) => /warn/i.test(l) && /\bwirecall(-codegen)?\b/.test(l))
    .map((l) => l.trim());
}

interface Packed {
  file: string;
  files: { path: string; size: number }[];
  size: number;
  unpackedSize: number;
}

/** `npm pack --json` in `dir`; returns the tarball's path and contents. */
function pack(dir: string): Packed {
  const out = ok(
    run("npm", ["pack", "--json", "--pack-destination", work], dir),
    `npm pack in ${dir}`,
  );
  const json = out.slice(out.indexOf("\n[") + 1 || out.indexOf("["));
  const [info] = JSON.parse(json.slice(0, json.lastIndexOf("]") + 1)) as (Packed & {
    filename: string;
  })[];
  return { ...info, file: join(work, info.filename) };
}

/** A copy of the tree as a fresh clone has it (tracked and new files), sharing node_modules. */
function cloneTree(): string {
  const dest = join(work, "clone");
  const listed = ok(
    run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], repoRoot),
    "git ls-files",
  );
  for (const rel of listed.split("\0")) {
    if (rel === "" || !existsSync(join(repoRoot, rel))) continue; // deleted, not yet committed
    mkdirSync(dirname(join(dest, rel)), { recursive: true });
    cpSync(join(repoRoot, rel), join(dest, rel));
  }
  symlinkSync(join(repoRoot, "node_modules"), join(dest, "node_modules"));
  return dest;
}

let wirecall: Packed;
let codegen: Packed;
let clone: string;

/** A fresh project: the fixture's proto/, src/ and tsconfigs, and a package.json. */
function makeProject(name: string, withCodegen: boolean, pnpmLayout: boolean): string {
  const dir = join(work, name);
  cpSync(project, dir, { recursive: true });
  const devDependencies: Record<string, string> = { ...userDevTools };
  if (withCodegen) devDependencies["wirecall-codegen"] = `file:${codegen.file}`;
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify(
      {
        name,
        version: "1.0.0",
        private: true,
        type: "module",
        dependencies: { "@bufbuild/protobuf": "^2.17.0", wirecall: `file:${wirecall.file}` },
        devDependencies,
      },
      null,
      2,
    ),
  );
  if (pnpmLayout) {
    // Strict: only declared dependencies are reachable, even inside the
    // virtual store (no hidden hoisting).
    writeFileSync(join(dir, "pnpm-workspace.yaml"), "hoist: false\nupdateNotifier: false\n");
  }
  return dir;
}

// As the README's codegen section gives it: the file under its -I directory, as protoc takes it.
const GENERATE = [
  "wirecall-codegen",
  "-I",
  "proto",
  "proto/echo/v1/echo.proto",
  "--ts_out=src/gen",
];

/** What src/main.ts prints when every call answered as it should. */
function assertCalls(output: string): void {
  const lines = output.trim().split("\n").filter((l) => l.startsWith("{"));
  const expected = (transport: string) => ({
    transport,
    say: "HELLO",
    repeat: ["1:ping", "2:ping", "3:ping"],
    error: "INVALID_ARGUMENT text is required",
  });
  assert.deepEqual(
    lines.map((l) => JSON.parse(l)),
    [expected("loopback"), expected("http2")],
    output,
  );
}

before(() => {
  assert.ok(existsSync(node26), `Node 26 is missing at ${node26} (scripts/node26.mjs installs it)`);
  assert.ok(existsSync(pnpm), "pnpm is missing from node_modules/.bin (a dev dependency)");
  clone = cloneTree();
  wirecall = pack(clone);
  codegen = pack(join(clone, "codegen"));
}, { timeout: STEP_MS });

after(() => rmSync(work, { recursive: true, force: true }));

describe("the packed tarballs", () => {
  test(
    "wirecall ships only the runtime's JavaScript and declarations, LICENSE and README",
    slow,
    (t) => {
      const paths = wirecall.files.map((f) => f.path).sort();
      const unexpected = paths.filter((p) =>
        !["LICENSE", "README.md", "package.json"].includes(p) &&
        !/^dist\/(mod|protocol|(src|transports|connect|otel|cli|codegen)\/.+)\.(js|d\.ts)$/.test(p)
      );
      assert.deepEqual(unexpected, []);
      assert.ok(paths.includes("LICENSE") && paths.includes("README.md"));
      assert.equal(paths.filter((p) => /test|bench|example/.test(p)).length, 0);
      // The `wirecall` command's compiler ships; the generator stays in wirecall-codegen.
      assert.ok(paths.includes("dist/cli/main.js") && paths.includes("dist/codegen/compile.js"));
      for (const generator of ["generate", "cli", "protoc-plugin", "openapi", "run", "config"]) {
        assert.ok(!paths.includes(`dist/codegen/${generator}.js`), `dist/codegen/${generator}.js`);
      }
      t.diagnostic(
        `wirecall: ${paths.length} files, ${wirecall.size} B packed, ${wirecall.unpackedSize} B unpacked`,
      );
    },
  );

  test("every export of the wirecall tarball names a file the tarball ships", slow, () => {
    const paths = new Set(wirecall.files.map((f) => f.path));
    const manifest = JSON.parse(readFileSync(join(clone, "package.json"), "utf8")) as {
      exports: Record<string, Record<string, string>>;
    };
    for (const [subpath, conditions] of Object.entries(manifest.exports)) {
      for (const c of ["types", "default"]) {
        const target = conditions[c].replace(/^\.\//, "");
        assert.ok(paths.has(target), `${subpath} (${c}) → ${target} is not in the tarball`);
      }
    }
  });

  test("wirecall-codegen ships its JavaScript, declarations, LICENSE and README", slow, (t) => {
    const paths = codegen.files.map((f) => f.path).sort();
    const unexpected = paths.filter((p) =>
      !["LICENSE", "README.md", "package.json"].includes(p) && !/^dist\/.+\.(js|d\.ts)$/.test(p)
    );
    assert.deepEqual(unexpected, []);
    assert.ok(
      paths.includes("dist/codegen/cli.js") && paths.includes("dist/codegen/protoc-plugin.js"),
    );
    t.diagnostic(
      `wirecall-codegen: ${paths.length} files, ${codegen.size} B packed, ${codegen.unpackedSize} B unpacked`,
    );
  });

  test("deno publish --dry-run passes and would publish the runtime sources only", slow, () => {
    const out = ok(run(deno, ["publish", "--dry-run"], clone), "deno publish --dry-run");
    const published = [...out.matchAll(/file:\/\/\S+?\/clone\/(\S+)/g)].map((m) => m[1]);
    assert.ok(published.includes("mod.ts") && published.includes("LICENSE"), out);
    const outside = published.filter((p) =>
      !/^(mod\.ts|deno\.json|LICENSE|README\.md|protocol\.ts|(src|transports|connect|otel)\/.+\.(ts|md))$/
        .test(
          p,
        )
    );
    assert.deepEqual(outside, []);
    assert.equal(published.filter((p) => p.endsWith(".test.ts")).length, 0);
  });
});

for (const pm of ["npm", "pnpm"] as const) {
  describe(`${pm}, Node 26: a project that generates its code with wirecall-codegen`, () => {
    let dir = "";
    let installOutput = "";
    const pmBin = pm === "npm" ? "npm" : pnpm;
    const exec = (args: string[]) =>
      pm === "npm" ? run("npx", args, dir, node26) : run(pnpm, ["exec", ...args], dir, node26);

    before(() => {
      dir = makeProject(`${pm}-node26`, true, pm === "pnpm");
      // CI=true makes pnpm insist on a lockfile; a new project has none.
      const args = pm === "npm" ? ["install"] : ["install", "--no-frozen-lockfile"];
      installOutput = ok(run(pmBin, args, dir, node26), `${pm} install`);
    }, { timeout: STEP_MS });

    test(`${pm} install prints no warning about wirecall's packages`, slow, () => {
      assert.deepEqual(ownWarnings(installOutput), [], installOutput);
      assert.ok(existsSync(join(dir, "node_modules", "wirecall", "dist", "mod.js")));
    });

    test("the installed wirecall-codegen writes the schema and client files", slow, () => {
      ok(exec(GENERATE), "wirecall-codegen");
      const client = readFileSync(join(dir, "src/gen/echo/v1/echo_wirecall.ts"), "utf8");
      assert.match(client, /export function createEchoServiceClient\(/);
      assert.match(client, /from "wirecall";/);
      const schema = readFileSync(join(dir, "src/gen/echo/v1/echo_pb.ts"), "utf8");
      assert.match(schema, /from "@bufbuild\/protobuf\/codegenv2";/);
    });

    test("the project type-checks with tsc --strict under nodenext resolution", slow, () => {
      ok(exec(["tsc", "-p", "tsconfig.json", "--noEmit"]), "tsc (nodenext)");
    });

    test("the project type-checks with tsc --strict under bundler resolution", slow, () => {
      ok(exec(["tsc", "-p", "tsconfig.bundler.json"]), "tsc (bundler)");
    });

    test(
      "unary and streaming calls answer over loopback and HTTP/2 (Node 26, from source)",
      slow,
      () => {
        assertCalls(ok(run(node26, ["src/main.ts"], dir, node26), "node src/main.ts"));
      },
    );

    if (pm === "npm") {
      test("Deno runs the same program through npm: specifiers into node_modules", slow, () => {
        writeFileSync(
          join(dir, "deno.json"),
          JSON.stringify({
            nodeModulesDir: "manual",
            imports: {
              wirecall: "npm:wirecall@^0.1.0",
              "wirecall/": "npm:/wirecall@^0.1.0/",
              "@bufbuild/protobuf": "npm:@bufbuild/protobuf@^2.17.0",
              "@bufbuild/protobuf/": "npm:/@bufbuild/protobuf@^2.17.0/",
            },
          }),
        );
        ok(run(deno, ["check", "src/main.ts"], dir, node26), "deno check");
        assertCalls(ok(run(deno, ["run", "-A", "src/main.ts"], dir, node26), "deno run"));
      });

      test("a runtime-only install is wirecall, @bufbuild/protobuf, undici and zod", slow, (t) => {
        const tree = ok(
          run("npm", ["ls", "--omit=dev", "--all", "--parseable"], dir, node26),
          "npm ls",
        );
        const names = tree.trim().split("\n").slice(1).map((p) =>
          p.slice(p.lastIndexOf("node_modules/") + "node_modules/".length)
        ).sort();
        assert.deepEqual(names, ["@bufbuild/protobuf", "undici", "wirecall", "zod"]);
        const du = run("du", ["-sk", ...names.map((n) => join("node_modules", n))], dir);
        const kib = du.output.trim().split("\n").reduce((s, l) => s + Number(l.split("\t")[0]), 0);
        t.diagnostic(`runtime dependency tree: ${names.length} packages, ${kib} KiB on disk`);
      });
    }
  });

  describe(`${pm}, Node 20: a project that uses the runtime only`, () => {
    let dir = "";
    let installOutput = "";
    const node20 = process.execPath;

    before(() => {
      assert.match(process.version, /^v20\./, "the packaging suite runs on the machine's Node 20");
      dir = makeProject(`${pm}-node20`, false, pm === "pnpm");
      // The code a Node 26 project generated: this project does not generate
      // (wirecall-codegen needs Node 22 or later, as protoc-gen-es does).
      cpSync(join(work, `${pm}-node26`, "src", "gen"), join(dir, "src", "gen"), {
        recursive: true,
      });
      const args = pm === "npm" ? ["install"] : ["install", "--no-frozen-lockfile"];
      installOutput = ok(run(pm === "npm" ? "npm" : pnpm, args, dir, node20), `${pm} install`);
    }, { timeout: STEP_MS });

    test(`${pm} install prints no warning about wirecall's packages`, slow, () => {
      assert.deepEqual(ownWarnings(installOutput), [], installOutput);
    });

    test("tsc --strict (nodenext) compiles the project and Node 20 runs its calls", slow, () => {
      // The declarations were checked in full by the Node 26 project; this
      // compile checks the program against them and emits JavaScript.
      ok(
        run(
          node20,
          [
            join(dir, "node_modules", "typescript", "bin", "tsc"),
            "-p",
            "tsconfig.json",
            "--skipLibCheck",
          ],
          dir,
          node20,
        ),
        "tsc",
      );
      assertCalls(ok(run(node20, ["dist/main.js"], dir, node20), "node dist/main.js"));
    });

    test(
      "the runtime's `wirecall` command compiles the project's .proto and describes it",
      slow,
      () => {
        const args = [
          "wirecall",
          "describe",
          "127.0.0.1:1", // never dialled: the schema comes from --proto
          "echo.v1.EchoService",
          "--proto",
          "proto/echo/v1/echo.proto",
          "-I",
          "proto",
        ];
        const out = ok(
          pm === "npm" ? run("npx", args, dir, node20) : run(pnpm, ["exec", ...args], dir, node20),
          "wirecall describe",
        );
        assert.match(
          out,
          /rpc Repeat \( \.echo\.v1\.RepeatRequest \) returns \( stream \.echo\.v1\.RepeatResponse \);/,
        );
      },
    );
  });
}
