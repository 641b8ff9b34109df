// The package manifests say what a new user gets: one exports map for npm and
// JSR, no install scripts, a files list that ships every export, engines that
// cover what the dependencies need, and code generation's dependencies kept
// out of the runtime package. tests/packaging/install.suite.ts installs the
// packed tarballs for real; these checks are the quick ones every run makes.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../support/repo-root.ts";

interface Manifest {
  name: string;
  license?: string;
  engines?: { node?: string };
  exports?: Record<string, string | Record<string, string>>;
  files?: string[];
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
  bin?: Record<string, string>;
}

interface DenoConfig {
  license?: string;
  exports: Record<string, string>;
  imports: Record<string, string>;
  publish?: { include?: string[]; exclude?: string[] };
}

function readJson<T>(...path: string[]): T {
  return JSON.parse(readFileSync(join(repoRoot, ...path), "utf8")) as T;
}

const pkg = readJson<Manifest>("package.json");
const codegenPkg = readJson<Manifest>("codegen", "package.json");
const deno = readJson<DenoConfig>("deno.json");

/** Lifecycle scripts npm runs in a project that installs the package. */
const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall", "prepare"];

/** `./dist/x/mod.js` for the source `./x/mod.ts`. */
function built(source: string, ext: ".js" | ".d.ts"): string {
  return source.replace(/^\.\//, "./dist/").replace(/\.ts$/, ext);
}

/** Whether a `files` entry (a file, or a folder ending in `/`) ships `path`. */
function ships(files: string[], path: string): boolean {
  const p = path.replace(/^\.\//, "");
  const included = files.some((f) => (f.endsWith("/") ? p.startsWith(f) : p === f));
  // `!dist/x/name.*` takes one file's outputs back out.
  const excluded = files.some((f) =>
    f.startsWith("!") && f.endsWith(".*") && p.startsWith(f.slice(1, -1)) &&
    !p.slice(f.length - 2).includes("/")
  );
  return included && !excluded;
}

/** The lowest Node version a `>=X[.Y[.Z]]` range admits, as [major, minor, patch]. */
function minimumNode(range: string): number[] {
  const m = /^>=\s*(\d+)(?:\.(\d+|\*))?(?:\.(\d+|\*))?$/.exec(range.trim());
  assert.ok(m, `engines range ${JSON.stringify(range)} is not of the form >=X.Y.Z`);
  return [1, 2, 3].map((i) => Number(m[i] === "*" ? 0 : m[i] ?? 0));
}

function atLeast(a: number[], b: number[]): boolean {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
}

function installedEngines(dep: string): string | undefined {
  const file = join(repoRoot, "node_modules", ...dep.split("/"), "package.json");
  return (JSON.parse(readFileSync(file, "utf8")) as Manifest).engines?.node;
}

describe("the wirecall package manifest", () => {
  test("package.json and deno.json export the same subpaths from the same sources", () => {
    const npmExports = pkg.exports ?? {};
    assert.deepEqual(Object.keys(npmExports).sort(), Object.keys(deno.exports).sort());
    for (const [subpath, target] of Object.entries(npmExports)) {
      assert.equal(typeof target, "object", `${subpath} has conditions`);
      const conditions = target as Record<string, string>;
      assert.equal(conditions["wirecall-source"], deno.exports[subpath], subpath);
      assert.deepEqual(Object.keys(conditions), ["wirecall-source", "types", "default"], subpath);
      assert.equal(conditions.types, built(deno.exports[subpath], ".d.ts"), subpath);
      assert.equal(conditions.default, built(deno.exports[subpath], ".js"), subpath);
    }
  });

  test("deno.json maps every bare wirecall import to the source its export names", () => {
    for (const [subpath, source] of Object.entries(deno.exports)) {
      const specifier = subpath === "." ? "wirecall" : `wirecall/${subpath.slice(2)}`;
      assert.equal(deno.imports[specifier], source, specifier);
    }
  });

  test("the npm files list ships the JavaScript and declarations of every export", () => {
    const files = pkg.files ?? [];
    for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
      const { types, default: js } = target as Record<string, string>;
      assert.ok(ships(files, types), `${subpath}: ${types} is not in "files"`);
      assert.ok(ships(files, js), `${subpath}: ${js} is not in "files"`);
    }
    for (const f of files) {
      assert.match(f, /^!?dist\//, `"files" ships ${f}, which is not built output`);
    }
  });

  test("the JSR publish list covers every export and leaves tests, bench and scripts out", () => {
    const include = deno.publish?.include ?? [];
    assert.equal(deno.license, "MIT");
    for (const source of Object.values(deno.exports)) {
      const p = source.replace(/^\.\//, "");
      const top = p.split("/")[0];
      assert.ok(
        include.some((g) => g === p || g.startsWith(`${top}/`)),
        `${source} is not in publish.include`,
      );
    }
    for (const g of include) {
      assert.doesNotMatch(g, /^(tests|bench|scripts|examples|codegen|protos|\.ci)\b/, g);
    }
  });

  test("neither package runs an install script in the project that installs it", () => {
    for (const m of [pkg, codegenPkg]) {
      for (const s of INSTALL_SCRIPTS) {
        assert.equal(m.scripts?.[s], undefined, `${m.name} has a "${s}" script`);
      }
      assert.ok(m.scripts?.prepack, `${m.name} builds before packing`);
    }
  });

  test("both packages carry the MIT licence text", () => {
    const license = readFileSync(join(repoRoot, "LICENSE"), "utf8");
    assert.match(license, /^MIT License\n/);
    assert.equal(readFileSync(join(repoRoot, "codegen", "LICENSE"), "utf8"), license);
    assert.equal(pkg.license, "MIT");
  });

  test("@bufbuild/protobuf is a required peer, so generated code and wirecall share one copy", () => {
    assert.ok(pkg.peerDependencies?.["@bufbuild/protobuf"]);
    assert.notEqual(pkg.peerDependenciesMeta?.["@bufbuild/protobuf"]?.optional, true);
    assert.equal(pkg.dependencies?.["@bufbuild/protobuf"], undefined);
    assert.ok(pkg.devDependencies?.["@bufbuild/protobuf"], "the repository itself installs it");
  });

  test("the runtime package depends on nothing of code generation's", () => {
    const runtime = { ...pkg.dependencies, ...pkg.peerDependencies };
    for (const heavy of ["@bufbuild/protoc-gen-es", "@bufbuild/protoplugin", "typescript"]) {
      assert.equal(runtime[heavy], undefined, `wirecall depends on ${heavy}`);
    }
    // The runtime's one command, `wirecall` (list, describe, call), ships the
    // compiler it uses for --proto, but not the generator.
    assert.deepEqual(pkg.bin, { wirecall: "./dist/cli/main.js" });
    const files = pkg.files ?? [];
    assert.ok(ships(files, "dist/cli/main.js") && ships(files, "dist/codegen/compile.js"));
    for (const generator of ["generate", "cli", "protoc-plugin", "openapi"]) {
      assert.ok(!ships(files, `dist/codegen/${generator}.js`), `ships ${generator}.js`);
    }
    assert.ok(codegenPkg.dependencies?.["@bufbuild/protoc-gen-es"]);
    assert.deepEqual(Object.keys(codegenPkg.bin ?? {}).sort(), [
      "protoc-gen-wirecall",
      "wirecall-codegen",
    ]);
  });

  test("engines admit no Node version that a dependency refuses", () => {
    for (const m of [pkg, codegenPkg]) {
      const ours = minimumNode(m.engines?.node ?? "");
      for (const dep of Object.keys(m.dependencies ?? {})) {
        const theirs = installedEngines(dep);
        if (theirs === undefined) continue;
        assert.ok(
          atLeast(ours, minimumNode(theirs)),
          `${m.name} says node ${m.engines?.node}, but ${dep} needs ${theirs}`,
        );
      }
    }
  });

  test("every export of the codegen package is built from a source its build includes", () => {
    const build = readJson<{ include: string[] }>("codegen", "tsconfig.build.json");
    const exports = (codegenPkg.exports ?? {}) as Record<string, Record<string, string>>;
    assert.ok(exports["./checks"], "wirecall-codegen/checks: the browser-safe entry");
    for (const [subpath, { types, default: js }] of Object.entries(exports)) {
      assert.match(js, /^\.\/dist\/codegen\/.+\.js$/, subpath);
      assert.equal(types, js.replace(/\.js$/, ".d.ts"), subpath);
      // dist/codegen/x.js comes from codegen/x.ts (codegen/tsconfig.build.json's rootDir is "..").
      const source = js.replace(/^\.\/dist\/codegen\//, "").replace(/\.js$/, ".ts");
      assert.ok(existsSync(join(repoRoot, "codegen", source)), `${subpath}: codegen/${source}`);
      assert.ok(
        build.include.includes(source) || (!source.includes("/") && build.include.includes("*.ts")),
        `${subpath}: codegen/${source} is not in codegen/tsconfig.build.json's include`,
      );
    }
  });

  test("the codegen package ships its built JavaScript and names files that the build makes", () => {
    assert.deepEqual(codegenPkg.files, ["dist/"]);
    for (const bin of Object.values(codegenPkg.bin ?? {})) assert.match(bin, /^\.\/dist\/.+\.js$/);
    for (const bin of Object.values(codegenPkg.bin ?? {})) {
      // codegen/tsconfig.build.json keeps the repository's layout under dist/.
      const source = join(repoRoot, bin.replace(/^\.\/dist\//, "").replace(/\.js$/, ".ts"));
      assert.ok(existsSync(source), `${bin} has no source ${source}`);
      assert.match(
        readFileSync(source, "utf8"),
        /^#!\/usr\/bin\/env node\n/,
        `${bin} has a shebang`,
      );
    }
  });
});
