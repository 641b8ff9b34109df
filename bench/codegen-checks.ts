// Wall time of wirecall's compiler and contract checks beside buf's on the
// googleapis corpus (npm google-proto-files): build (compile with source
// info + serialize a FileDescriptorSet), breaking (the corpus against a copy
// of itself) and lint (buf's v2 defaults). Runs alternate wirecall and buf
// (the order flips every repetition) and report medians and ratios.
//
//   deno run -A bench/codegen-checks.ts [--runs=N] [--only=build,breaking,lint]
//   node --conditions=wirecall-source bench/codegen-checks.ts …   (Node ≥ 23)
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { checkBreaking } from "../codegen/checks/breaking.ts";
import { lint } from "../codegen/checks/lint.ts";
import { compile } from "../codegen/compile.ts";
import { toDescriptorSet } from "../codegen/descriptor-set.ts";
import { corpusFiles, corpusRoot, UNBUILDABLE } from "../tests/codegen/support/corpus.ts";
import { diskReader, repoRoot } from "../tests/codegen/support/repo.ts";

const args = process.argv.slice(2);
const runs = Number(args.find((a) => a.startsWith("--runs="))?.split("=")[1] ?? 3);
const only = args.find((a) => a.startsWith("--only="))?.split("=")[1]?.split(",") ??
  ["build", "breaking", "lint"];
const buf = join(repoRoot, "node_modules", ".bin", "buf");
const MESSAGE_SETS = [
  "google/protobuf/bridge/message_set.proto",
  "google/protobuf/sample_messages_edition.proto",
];
const excluded = ["node_modules", "build", ...UNBUILDABLE];
const excludeArgs = (extra: string[] = []) =>
  [...excluded, ...extra].flatMap((p) => ["--exclude-path", p]);

function time(f: () => void): number {
  const t = performance.now();
  f();
  return performance.now() - t;
}

function runBuf(a: string[], cwd: string): void {
  try {
    execFileSync(buf, a, { cwd, stdio: ["ignore", "ignore", "ignore"], maxBuffer: 1 << 30 });
  } catch (e) {
    if ((e as { status?: number }).status !== 100) throw e;
  }
}

const files = corpusFiles();
const compileAll = () => compile({ files, includePaths: [corpusRoot], readFile: diskReader });
let copy: string | undefined;
let current: string | undefined;
const tasks: Record<string, { ours: () => void; buf: () => void }> = {
  build: {
    ours: () => {
      toDescriptorSet(compileAll(), { includeSourceInfo: true });
    },
    buf: () =>
      runBuf(["build", ".", ...excludeArgs(), "-o", join(tmpdir(), "bench-buf.binpb")], corpusRoot),
  },
  breaking: {
    ours: () => {
      // The same files buf compares: the corpus less its MessageSet files.
      const some = files.filter((f) => !MESSAGE_SETS.includes(f));
      const cur = compile({ files: some, includePaths: [current!], readFile: diskReader });
      const prev = compile({ files: some, includePaths: [copy!], readFile: diskReader });
      checkBreaking({ files: cur.allFiles }, { files: prev.allFiles });
    },
    buf: () =>
      runBuf(["breaking", current!, "--against", copy!, "--config", '{"version":"v2"}'], tmpdir()),
  },
  lint: {
    ours: () => {
      const r = compileAll();
      const targets = r.files.filter((f) => !MESSAGE_SETS.includes(f.name));
      lint(targets, { imports: r.allFiles, unusedImports: r.unusedImports });
    },
    buf: () =>
      runBuf(
        [
          "lint",
          ".",
          ...excludeArgs(MESSAGE_SETS),
          "--error-format=json",
          "--config",
          '{"version":"v2"}',
        ],
        corpusRoot,
      ),
  },
};

if (only.includes("breaking")) {
  // Two clean copies for buf (buf applies --exclude-path to the --against
  // input too, where node_modules/ is outside its context): the corpus less
  // node_modules/, build/ and the excluded files, which buf cannot build.
  copy = mkdtempSync(join(tmpdir(), "bench-against-"));
  current = mkdtempSync(join(tmpdir(), "bench-current-"));
  const left = [...excluded, ...MESSAGE_SETS].map((f) => join(corpusRoot, f));
  for (const dir of [copy, current]) {
    cpSync(corpusRoot, dir, { recursive: true, filter: (p) => !left.includes(p) });
  }
}
console.log(
  `codegen checks on googleapis (${files.length} files), ${runs} alternated run(s), load average before: ${
    loadavg().map((l) => l.toFixed(2)).join(" ")
  }`,
);
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const name of only) {
  const t = tasks[name];
  const ours: number[] = [], theirs: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      ours.push(time(t.ours));
      theirs.push(time(t.buf));
    } else {
      theirs.push(time(t.buf));
      ours.push(time(t.ours));
    }
  }
  const o = median(ours), b = median(theirs);
  console.log(
    `${name.padEnd(9)} wirecall ${o.toFixed(0)} ms  buf ${b.toFixed(0)} ms  ratio ${
      (o / b).toFixed(2)
    }×  (runs: ${ours.map((x) => x.toFixed(0)).join("/")} vs ${
      theirs.map((x) => x.toFixed(0)).join("/")
    })`,
  );
}
for (const dir of [copy, current]) if (dir && existsSync(dir)) rmSync(dir, { recursive: true });
