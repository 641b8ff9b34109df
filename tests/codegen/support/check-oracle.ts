// `buf breaking` and `buf lint` as oracles for wirecall's checks: runs buf
// on directories and returns its findings in wirecall's Annotation shape,
// caching results under the system temp directory by content hash.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Annotation } from "../../../codegen/checks/annotation.ts";
import { compile } from "../../../codegen/compile.ts";
import type { FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { packageVersion } from "./buf-oracle.ts";
import { diskReader, repoRoot } from "./repo.ts";

const buf = join(repoRoot, "node_modules", ".bin", "buf");

/** Every .proto under `dir`, as import paths, sorted. */
export function protoFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).map((f) => f.split("\\").join("/"))
    .filter((f) => f.endsWith(".proto")).sort();
}

function hashDir(h: ReturnType<typeof createHash>, dir: string): void {
  for (const f of protoFiles(dir)) h.update(f).update("\0").update(readFileSync(join(dir, f)));
}

function parse(out: string): Annotation[] {
  return out.split("\n").filter((l) => l.trim()).map((l) => {
    const j = JSON.parse(l);
    return {
      type: j.type,
      message: j.message,
      path: j.path,
      startLine: j.start_line,
      startColumn: j.start_column,
      endLine: j.end_line,
      endColumn: j.end_column,
    };
  });
}

function cached(key: string, run: () => string): Annotation[] {
  const dir = join(tmpdir(), "wirecall-codegen-oracle", "checks");
  const file = join(dir, `buf-${packageVersion("@bufbuild/buf")}-${key}.jsonl`);
  if (existsSync(file)) return parse(readFileSync(file, "utf8"));
  const out = run();
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, out);
  return parse(out);
}

function runBuf(args: string[], cwd: string): string {
  try {
    return execFileSync(buf, args, {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 1 << 30,
    });
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    // 100 is "findings"; compile errors also exit 100, with nothing on stdout.
    if (err.status === 100 && (err.stdout ?? "").trim()) return err.stdout ?? "";
    throw new Error(`buf ${args.join(" ")} failed (${err.status}): ${err.stderr}`);
  }
}

/** `buf breaking <current> --against <previous>` with a v2 `breaking` config. */
export function bufBreaking(current: string, previous: string, config: object): Annotation[] {
  const h = createHash("sha256").update(JSON.stringify(config));
  hashDir(h, current);
  h.update("\0against\0");
  hashDir(h, previous);
  const cfg = JSON.stringify({ version: "v2", breaking: config });
  return cached(
    "breaking-" + h.digest("hex").slice(0, 24),
    () =>
      runBuf(
        ["breaking", ".", "--against", previous, "--error-format=json", "--config", cfg],
        current,
      ),
  );
}

/** `buf lint <dir>` with a v2 `lint` config. */
export function bufLint(dir: string, config: object, extraArgs: string[] = []): Annotation[] {
  const h = createHash("sha256").update(JSON.stringify(config)).update(extraArgs.join(" "));
  hashDir(h, dir);
  const cfg = JSON.stringify({ version: "v2", lint: config });
  return cached(
    "lint-" + h.digest("hex").slice(0, 24),
    () => runBuf(["lint", ".", "--error-format=json", "--config", cfg, ...extraArgs], dir),
  );
}

/**
 * Compiles every .proto under `dir` with source info; throws on errors.
 * With `withImports`, the imports too (buf breaking compares them unless
 * told `--exclude-imports`).
 */
export function compileDir(dir: string, withImports = false): FileDescriptorProto[] {
  const files = protoFiles(dir);
  const r = compile({ files, includePaths: [dir], readFile: diskReader });
  if (r.diagnostics.length) {
    throw new Error(
      r.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`).join("\n"),
    );
  }
  return withImports ? r.allFiles : r.files;
}

/** A finding as a comparable line: rule, file, line, column, message. */
export function key(a: Annotation): string {
  return `${a.path ?? "<input>"}:${a.startLine}:${a.startColumn}: ${a.type}: ${a.message}`;
}

/** Outcome of {@link breakingOracle}. */
export interface OracleResult {
  /** Mutations compared. */
  tried: number;
  /** Mutations where wirecall's findings equal buf's. */
  agreed: number;
  /** Mutations neither compiler accepts (not compared). */
  skipped: number;
  /** Mutations only one compiler accepts, with the other's first error. */
  compileDisagreements: string[];
  /** Findings per rule ID that both reported, over all agreeing mutations. */
  byRule: Map<string, number>;
  /** Descriptions of disagreements. */
  report: string[];
}

/**
 * Applies `mutations` one at a time to a copy of `files` (import path →
 * text) and compares `checkBreaking` with `buf breaking` for each, on every
 * breaking rule.
 */
export function breakingOracle(
  files: Map<string, string>,
  mutations: { file: string; mutation: { name: string; text: string | undefined } }[],
  check: (cur: FileDescriptorProto[], prev: FileDescriptorProto[], cfg: object) => Annotation[],
): OracleResult {
  const base = join(tmpdir(), "wirecall-codegen-oracle", "tree-" + treeHash(files));
  writeTree(base, files);
  const prev = compileDir(base, true);
  const cfg = { use: ["FILE", "PACKAGE", "WIRE_JSON", "WIRE"] };
  const res: OracleResult = {
    tried: 0,
    agreed: 0,
    skipped: 0,
    compileDisagreements: [],
    byRule: new Map(),
    report: [],
  };
  for (const { file, mutation } of mutations) {
    const next = new Map(files);
    if (mutation.text === undefined) next.delete(file);
    else next.set(file, mutation.text);
    const dir = join(tmpdir(), "wirecall-codegen-oracle", "tree-" + treeHash(next));
    writeTree(dir, next);
    let ours: string[] | Error;
    try {
      ours = check(compileDir(dir, true), prev, cfg).map(key).sort();
    } catch (e) {
      ours = e as Error;
    }
    let theirs: string[] | Error;
    try {
      theirs = bufBreaking(dir, base, cfg).map(key).sort();
    } catch (e) {
      theirs = e as Error;
    }
    const bufRejects = theirs instanceof Error || theirs.some((k) => k.includes(": COMPILE: "));
    if (ours instanceof Error && bufRejects) {
      res.skipped++;
      continue;
    }
    if (ours instanceof Error || theirs instanceof Error) {
      res.compileDisagreements.push(
        `${file}: ${mutation.name}: ${ours instanceof Error ? "wirecall" : "buf"} failed: ${
          (ours instanceof Error ? ours : theirs as Error).message.slice(0, 300)
        }`,
      );
      continue;
    }
    // buf reports what its compiler rejects as COMPILE findings.
    if (theirs.some((k) => k.includes(": COMPILE: "))) {
      res.compileDisagreements.push(`${file}: ${mutation.name}: only buf rejects it: ${theirs[0]}`);
      continue;
    }
    res.tried++;
    const t = theirs, o = ours;
    const onlyBuf = t.filter((x) => !o.includes(x)), onlyUs = o.filter((x) => !t.includes(x));
    if (onlyBuf.length === 0 && onlyUs.length === 0) {
      res.agreed++;
      for (const k of o) {
        const rule = k.split(": ")[1];
        res.byRule.set(rule, (res.byRule.get(rule) ?? 0) + 1);
      }
      continue;
    }
    res.report.push(
      `${file}: ${mutation.name}:\n    buf only: ${
        onlyBuf.join("\n              ")
      }\n    wirecall only: ${onlyUs.join("\n                   ")}`,
    );
  }
  return res;
}

function treeHash(files: Map<string, string>): string {
  const h = createHash("sha256");
  for (const [k, v] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    h.update(k).update("\0").update(v).update("\0");
  }
  return h.digest("hex").slice(0, 20);
}

function writeTree(dir: string, files: Map<string, string>): void {
  if (existsSync(join(dir, ".complete"))) return;
  for (const [name, text] of files) {
    const p = join(dir, name);
    mkdirSync(p.slice(0, p.lastIndexOf("/")), { recursive: true });
    writeFileSync(p, text);
  }
  writeFileSync(join(dir, ".complete"), "");
}

/** The import closure of `targets` under `root`, well-known types left out (both tools have them built in). */
export function closure(root: string, targets: string[]): Map<string, string> {
  const r = compile({
    files: targets,
    includePaths: [root],
    readFile: diskReader,
    sourceInfo: false,
  });
  if (r.diagnostics.length) throw new Error(`closure of ${targets.join(", ")} does not compile`);
  const out = new Map<string, string>();
  for (const f of r.allFiles) {
    if (f.name.startsWith("google/protobuf/")) continue;
    out.set(f.name, readFileSync(join(root, f.name), "utf8"));
  }
  return out;
}
