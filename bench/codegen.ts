/**
 * Codegen speed: compile the whole googleapis corpus (npm
 * `google-proto-files`) with wirecall's compiler and with `buf build`, and
 * parse it with protobufjs, in the same run, on the same files.
 *
 * - wirecall: read every file, parse, link, interpret options, record
 *   SourceCodeInfo, serialize the FileDescriptorSet (what `buf build -o`
 *   does).
 * - buf: `buf build <corpus> -o <tmp>.binpb` as a process (wall time; buf
 *   uses every core).
 * - protobufjs: `Root.loadSync()` of every file (read, parse, build its
 *   reflection tree: its nearest thing to a compile), and `protobuf.parse()`
 *   of every text (parsing only, texts read beforehand) beside wirecall's
 *   parse-only time.
 *
 * Run: `deno run -A bench/codegen.ts` or
 * `node --conditions=wirecall-source bench/codegen.ts` (Node ≥ 23).
 * `--runs=N` repeats each measurement and reports medians (default 1).
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import protobuf from "protobufjs";
import { compile, toDescriptorSet } from "../codegen/mod.ts";
import { parseFile } from "../codegen/parser.ts";
import { corpusFiles, corpusRoot, UNBUILDABLE } from "../tests/codegen/support/corpus.ts";

/** What {@link runCodegenBench} measured. */
export interface CodegenBenchResult {
  /** Files compiled (the corpus minus the 4 files buf cannot build either). */
  files: number;
  /** Megabytes of .proto source. */
  sourceMB: number;
  /** wirecall: read + compile (with source info) + serialize, median ms. */
  wirecallMs: number;
  /** `buf build` process wall time, median ms. */
  bufMs: number;
  /** wirecall ÷ buf (target: ≤ 2). */
  ratioToBuf: number;
  /** wirecall parse only (texts in memory), median ms. */
  wirecallParseMs: number;
  /** protobufjs `parse()` (texts in memory), median ms. */
  protobufjsParseMs: number;
  /** protobufjs parse ÷ wirecall parse (> 1 means wirecall is faster). */
  protobufjsParseRatio: number;
  /** protobufjs `Root.loadSync` of every file, median ms. */
  protobufjsLoadMs: number;
  /** wirecall compile without source info and without serializing (what protobufjs's load does), median ms. */
  wirecallNoSourceInfoMs: number;
  /** protobufjs load ÷ wirecall compile without source info (> 1 means wirecall is faster). */
  protobufjsLoadRatio: number;
  /** Files protobufjs could not parse. */
  protobufjsFailures: number;
  /** Repetitions per measurement. */
  runs: number;
}

function read(path: string): Uint8Array | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(f: () => void): number {
  const t = performance.now();
  f();
  return performance.now() - t;
}

/**
 * Runs the codegen benchmark and returns its numbers.
 *
 * @example
 * ```ts
 * const r = await runCodegenBench();
 * console.log(`${r.ratioToBuf.toFixed(2)}× buf`);
 * ```
 */
export function runCodegenBench(options: { runs?: number } = {}): Promise<CodegenBenchResult> {
  const runs = options.runs ?? 1;
  const corpus = corpusRoot;
  const buf = join(corpus, "..", ".bin", "buf");
  const files = corpusFiles();
  const texts = files.map((f) => readFileSync(join(corpus, f), "utf8"));
  const sourceMB = texts.reduce((n, t) => n + t.length, 0) / 1e6;
  const tmp = mkdtempSync(join(tmpdir(), "wirecall-bench-codegen-"));
  const wirecall: number[] = [];
  const bufTimes: number[] = [];
  const parse: number[] = [];
  const noSourceInfo: number[] = [];
  const pbjs: number[] = [];
  const pbjsLoad: number[] = [];
  let failures = 0;
  try {
    for (let r = 0; r < runs; r++) {
      bufTimes.push(time(() => {
        execFileSync(buf, [
          "build",
          corpus,
          "--exclude-path",
          join(corpus, "node_modules"),
          "--exclude-path",
          join(corpus, "build"),
          ...UNBUILDABLE.flatMap((f) => ["--exclude-path", join(corpus, f)]),
          "-o",
          join(tmp, "buf.binpb"),
        ], { stdio: ["ignore", "ignore", "inherit"] });
      }));
      wirecall.push(time(() => {
        const result = compile({
          files,
          includePaths: [corpus],
          readFile: read,
        });
        if (result.diagnostics.length) throw new Error("corpus did not compile");
        toDescriptorSet(result, { includeImports: true, includeSourceInfo: true });
      }));
      noSourceInfo.push(time(() => {
        const result = compile({
          files,
          includePaths: [corpus],
          readFile: read,
          sourceInfo: false,
        });
        if (result.diagnostics.length) throw new Error("corpus did not compile");
      }));
      parse.push(time(() => {
        for (let i = 0; i < files.length; i++) parseFile(files[i], texts[i], []);
      }));
      pbjsLoad.push(time(() => {
        const pbRoot = new protobuf.Root();
        pbRoot.resolvePath = (_origin: string, target: string) =>
          target.startsWith(corpus) ? target : join(corpus, target);
        pbRoot.loadSync(files.map((f) => join(corpus, f)), { keepCase: true });
      }));
      failures = 0;
      pbjs.push(time(() => {
        for (const t of texts) {
          try {
            protobuf.parse(t, { keepCase: true });
          } catch {
            failures++;
          }
        }
      }));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const wirecallMs = median(wirecall);
  const bufMs = median(bufTimes);
  const wirecallParseMs = median(parse);
  const protobufjsParseMs = median(pbjs);
  return Promise.resolve({
    files: files.length,
    sourceMB: Math.round(sourceMB * 10) / 10,
    wirecallMs: Math.round(wirecallMs),
    bufMs: Math.round(bufMs),
    ratioToBuf: Math.round((wirecallMs / bufMs) * 100) / 100,
    wirecallParseMs: Math.round(wirecallParseMs),
    protobufjsParseMs: Math.round(protobufjsParseMs),
    protobufjsParseRatio: Math.round((protobufjsParseMs / wirecallParseMs) * 100) / 100,
    protobufjsLoadMs: Math.round(median(pbjsLoad)),
    wirecallNoSourceInfoMs: Math.round(median(noSourceInfo)),
    protobufjsLoadRatio: Math.round((median(pbjsLoad) / median(noSourceInfo)) * 100) / 100,
    protobufjsFailures: failures,
    runs,
  });
}

const entry = process.argv[1] ?? "";
if (entry.endsWith("bench/codegen.ts") || entry.endsWith("bench/codegen.js")) {
  const arg = process.argv.find((a) => a.startsWith("--runs="));
  const r = await runCodegenBench({ runs: arg ? Number(arg.slice(7)) : 1 });
  console.log(JSON.stringify(r, null, 2));
  console.log(
    `wirecall ${r.wirecallMs} ms vs buf ${r.bufMs} ms: ${r.ratioToBuf}× buf; ` +
      `protobufjs load ${r.protobufjsLoadMs} ms vs wirecall without source info ` +
      `${r.wirecallNoSourceInfoMs} ms (${r.protobufjsLoadRatio}×); ` +
      `protobufjs parse ${r.protobufjsParseMs} ms vs wirecall parse ${r.wirecallParseMs} ms ` +
      `(${r.protobufjsParseRatio}×)`,
  );
}
