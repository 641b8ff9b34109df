#!/usr/bin/env node
/**
 * `wirecall-codegen`: the command line. Runs under Deno (`deno task
 * codegen`) and Node (`npx wirecall-codegen`). Without file arguments it
 * runs every target of the configuration (`wirecall.codegen.json`, or the
 * `"codegen"` key of `deno.json`); with file arguments it behaves like
 * protoc (`-I`, `--descriptor_set_out`, `--include_imports`,
 * `--include_source_info`, plus `--ts_out` for TypeScript).
 *
 * @module
 */

import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import process from "node:process";
import { readArgs, UsageError } from "./argv.ts";
import { runCheckCommand } from "./check-cli.ts";
import { type CodegenTarget, ConfigError } from "./config.ts";
import { DEFAULT_ES_OPTIONS } from "./generate.ts";
import { runInit } from "./init.ts";
import { joinPath } from "./inputs.ts";
import { loadConfig, nodeIO } from "./node-io.ts";
import { formatDiagnostics, runTarget } from "./run.ts";

const USAGE = `Usage: wirecall-codegen [options] [file.proto ...]
       wirecall-codegen breaking [inputs] --against REF [options]
       wirecall-codegen lint [inputs] [options]
       wirecall-codegen init [--proto=DIR] [--out=DIR]

Without files, runs the targets configured in wirecall.codegen.json or in the
"codegen" key of deno.json. With files, compiles them like protoc:

  -I DIR, --proto_path=DIR       search DIR for files and imports (repeatable)
  --descriptor_set_out=FILE      write a binary FileDescriptorSet to FILE
  --include_imports              with --descriptor_set_out: add all dependencies
  --include_source_info          with --descriptor_set_out: keep SourceCodeInfo
  --ts_out=DIR                   write TypeScript (protoc-gen-es schemas + clients)
  --es_opt=KEY=VALUE             protoc-gen-es option (repeatable; default
                                 target=ts,import_extension=ts,erasable_syntax=true)
  --no_clients                   do not write *_wirecall.ts companions
  --openapi_out=DIR              write OpenAPI 3.1 documents of google.api.http routes

  --config=FILE                  read targets from FILE
  --check                        write nothing; exit 1 if any output is stale or
                                 a generated file's .proto is gone (orphaned)
  --watch                        run again whenever a .proto changes
  --quiet                        print errors only
  -h, --help                     show this help

"breaking" and "lint" check the contract with buf's rules; see
wirecall-codegen breaking --help.`;

/** Parsed command line. */
interface Args {
  files: string[];
  includePaths: string[];
  descriptorSetOut?: string;
  includeImports: boolean;
  includeSourceInfo: boolean;
  tsOut?: string;
  openapiOut?: string;
  es: string[];
  clients: boolean;
  config?: string;
  check: boolean;
  watch: boolean;
  watchIntervalMs: number;
  quiet: boolean;
  help: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    files: [],
    includePaths: [],
    includeImports: false,
    includeSourceInfo: false,
    es: [],
    clients: true,
    check: false,
    watch: false,
    watchIntervalMs: 300,
    quiet: false,
    help: false,
  };
  readArgs(argv, (x) => {
    const { arg, key, value } = x;
    const inc = x.includePath();
    if (inc !== undefined) a.includePaths.push(inc);
    else if (key === "--descriptor_set_out" || key === "-o") a.descriptorSetOut = value();
    else if (arg === "--include_imports") a.includeImports = true;
    else if (arg === "--include_source_info") a.includeSourceInfo = true;
    else if (key === "--ts_out") a.tsOut = value();
    else if (key === "--openapi_out") a.openapiOut = value();
    else if (key === "--es_opt") a.es.push(...value().split(","));
    else if (arg === "--no_clients") a.clients = false;
    else if (key === "--config") a.config = value();
    else if (arg === "--check") a.check = true;
    else if (arg === "--watch") a.watch = true;
    else if (key === "--watch-interval") a.watchIntervalMs = Number(value());
    else if (arg === "--quiet" || arg === "-q") a.quiet = true;
    else if (arg === "-h" || arg === "--help") a.help = true;
    else if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg}`);
    else a.files.push(arg);
  });
  return a;
}

/** Options of {@link main} for embedding and tests. */
export interface MainOptions {
  /** Ends `--watch`. */
  signal?: AbortSignal;
}

/** Runs the CLI with the given arguments; resolves to the exit code. */
export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  if (argv[0] === "init") return runInit(argv.slice(1));
  if (argv[0] === "breaking" || argv[0] === "lint") return runCheckCommand(argv[0], argv.slice(1));
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`wirecall-codegen: ${e.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  let targets: CodegenTarget[];
  let baseDir = ".";
  let where: string | undefined;
  if (args.files.length) {
    if (!args.tsOut && !args.descriptorSetOut && !args.openapiOut) {
      process.stderr.write(
        "wirecall-codegen: give --ts_out=DIR, --openapi_out=DIR and/or --descriptor_set_out=FILE\n",
      );
      return 2;
    }
    targets = [{
      inputs: args.files,
      includePaths: args.includePaths.length ? args.includePaths : ["."],
      out: args.tsOut,
      es: args.es.length ? args.es : [...DEFAULT_ES_OPTIONS],
      clients: args.clients,
      runtimeImport: "wirecall",
      descriptorSetOut: args.descriptorSetOut,
      openapiOut: args.openapiOut,
      includeImports: args.includeImports,
      includeSourceInfo: args.includeSourceInfo,
    }];
  } else {
    try {
      const loaded = loadConfig(args.config);
      if (!loaded.config.targets) {
        throw new ConfigError(`${loaded.where}: no "targets" to generate`);
      }
      targets = loaded.config.targets;
      baseDir = loaded.baseDir;
      where = loaded.where;
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      process.stderr.write(`wirecall-codegen: ${e.message}\n`);
      return 2;
    }
  }
  const log = (m: string) => {
    if (!args.quiet) process.stderr.write(`wirecall-codegen: ${m}\n`);
  };
  const once = () => generateAll(targets, baseDir, where, args.check, log);
  const code = await once();
  if (!args.watch) return code;
  return watch(targets, baseDir, once, options.signal, args.watchIntervalMs);
}

/** Runs every target; resolves to the exit code. Orphans are checked across targets sharing an `out`. */
async function generateAll(
  targets: CodegenTarget[],
  baseDir: string,
  where: string | undefined,
  check: boolean,
  log: (m: string) => void,
): Promise<number> {
  let failed = false;
  const stale: string[] = [];
  const produced = new Set<string>();
  const outDirs = new Set<string>();
  for (const [i, t] of targets.entries()) {
    const started = Date.now();
    const r = await runTarget(t, baseDir, nodeIO, {
      check,
      progress: log,
      origin: where === undefined ? undefined : `${where}.targets[${i}]`,
    });
    for (const w of r.warnings) process.stderr.write(formatDiagnostics([w]) + "\n");
    if (r.diagnostics.length) {
      process.stderr.write(formatDiagnostics(r.diagnostics) + "\n");
      failed = true;
      continue;
    }
    for (const p of [...r.changed, ...r.unchanged]) produced.add(p);
    if (t.out !== undefined) outDirs.add(joinPath(baseDir, t.out));
    stale.push(...r.changed);
    const what = check ? "stale" : "written";
    log(
      `${
        t.out ?? t.descriptorSetOut ?? t.openapiOut
      }: ${r.changed.length} ${what}, ${r.unchanged.length} up to date (${
        Date.now() - started
      } ms)`,
    );
  }
  if (failed) return 1;
  const orphans = [...outDirs].flatMap((d) => orphanedFiles(d, produced));
  if (!check && orphans.length) {
    for (const o of orphans) rmSync(o);
    log(`removed ${orphans.length} generated file(s) whose .proto is gone: ${orphans.join(", ")}`);
  }
  if (check && (stale.length || orphans.length)) {
    const lines = [
      ...stale.map((s) => "  " + s),
      ...orphans.map((o) => `  ${o} (orphaned: its .proto is no longer an input)`),
    ];
    process.stderr.write(
      `wirecall-codegen: generated files are stale; run the codegen and commit:\n${
        lines.join("\n")
      }\n`,
    );
    return 1;
  }
  return 0;
}

const GENERATED_HEADER = "// @generated by wirecall-codegen from ";

/** Files under `dir` that wirecall-codegen wrote (by their header) and this run did not produce. */
function orphanedFiles(dir: string, produced: Set<string>): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = joinPath(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|js|mts|mjs)$/.test(e.name) && !produced.has(p)) {
        const head = readFileSync(p, "utf8").slice(0, GENERATED_HEADER.length);
        if (head === GENERATED_HEADER) out.push(p);
      }
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * `--watch`: after the first run, checks the .proto files under every
 * target's include paths every `intervalMs` and runs again when one was
 * added, removed or changed, printing one line per run. Ends when `signal`
 * aborts (tests) or the process is interrupted.
 */
async function watch(
  targets: CodegenTarget[],
  baseDir: string,
  run: () => Promise<number>,
  signal: AbortSignal | undefined,
  intervalMs: number,
): Promise<number> {
  const dirs = [
    ...new Set(targets.flatMap((t) => t.includePaths.map((p) => joinPath(baseDir, p)))),
  ];
  const snapshot = () => {
    const parts: string[] = [];
    for (const d of dirs) {
      for (const f of (nodeIO.listProtos(d) ?? []).sort()) {
        try {
          const st = statSync(joinPath(d, f));
          parts.push(`${d}/${f}:${st.mtimeMs}:${st.size}`);
        } catch {
          // removed between listing and stat: the next snapshot sees it
        }
      }
    }
    return parts.join("\n");
  };
  let last = snapshot();
  let code = 0;
  process.stderr.write(`wirecall-codegen: watching ${dirs.join(", ")} (Ctrl-C to stop)\n`);
  while (!signal?.aborted) {
    await new Promise((r) => setTimeout(r, intervalMs));
    const now = snapshot();
    if (now === last) continue;
    last = now;
    const started = Date.now();
    code = await run();
    process.stderr.write(
      `wirecall-codegen: ${new Date().toISOString().slice(11, 19)} ${
        code === 0 ? "regenerated" : "failed"
      } (${Date.now() - started} ms)\n`,
    );
  }
  return code;
}

const isMain = (() => {
  const entry = process.argv[1];
  if (!entry) return false;
  const url = import.meta.url;
  return url.endsWith("/cli.ts") || url.endsWith("/cli.js")
    ? entry.endsWith("cli.ts") || entry.endsWith("cli.js") || entry.endsWith("wirecall-codegen")
    : false;
})();

if (isMain) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
