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

import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import process from "node:process";
import {
  type CodegenConfig,
  type CodegenTarget,
  ConfigError,
  parseCodegenConfig,
} from "./config.ts";
import { DEFAULT_ES_OPTIONS } from "./generate.ts";
import { type CodegenIO, formatDiagnostics, runTarget } from "./run.ts";

const USAGE = `Usage: wirecall-codegen [options] [file.proto ...]

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
  --check                        write nothing; exit 1 if any output is stale
  --quiet                        print errors only
  -h, --help                     show this help`;

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
    quiet: false,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    const key = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const value = () => {
      if (eq > 0 && arg.startsWith("--")) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === "-I") a.includePaths.push(value());
    else if (arg.startsWith("-I")) a.includePaths.push(arg.slice(2));
    else if (key === "--proto_path") a.includePaths.push(value());
    else if (key === "--descriptor_set_out" || key === "-o") a.descriptorSetOut = value();
    else if (arg === "--include_imports") a.includeImports = true;
    else if (arg === "--include_source_info") a.includeSourceInfo = true;
    else if (key === "--ts_out") a.tsOut = value();
    else if (key === "--openapi_out") a.openapiOut = value();
    else if (key === "--es_opt") a.es.push(...value().split(","));
    else if (arg === "--no_clients") a.clients = false;
    else if (key === "--config") a.config = value();
    else if (arg === "--check") a.check = true;
    else if (arg === "--quiet" || arg === "-q") a.quiet = true;
    else if (arg === "-h" || arg === "--help") a.help = true;
    else if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg}`);
    else a.files.push(arg);
  }
  return a;
}

class UsageError extends Error {}

const nodeIO: CodegenIO = {
  readFile(path) {
    try {
      return readFileSync(path);
    } catch {
      return undefined;
    }
  },
  writeFile(path, data) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
  },
  listProtos(dir) {
    try {
      if (!statSync(dir).isDirectory()) return undefined;
    } catch {
      return undefined;
    }
    const out: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith(".proto")) out.push(relative(dir, p).split("\\").join("/"));
      }
    };
    walk(dir);
    return out;
  },
  resolvePath: (path) => resolve(path),
};

interface LoadedConfig {
  config: CodegenConfig;
  /** Directory the config's paths are relative to. */
  baseDir: string;
  /** Names the config in messages, e.g. `deno.json#codegen`. */
  where: string;
}

function loadConfig(path: string | undefined): LoadedConfig {
  const tryRead = (p: string) => {
    try {
      return readFileSync(p, "utf8");
    } catch {
      return undefined;
    }
  };
  const parse = (text: string, where: string) => {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new ConfigError(`${where}: not valid JSON: ${(e as Error).message}`);
    }
  };
  if (path) {
    const text = tryRead(path);
    if (text === undefined) throw new ConfigError(`${path}: file not found`);
    const json = parse(text, path);
    const isDeno = path.endsWith("deno.json") || path.endsWith("deno.jsonc");
    const where = isDeno ? `${path}#codegen` : path;
    return {
      config: parseCodegenConfig(isDeno ? json.codegen : json, where),
      baseDir: dirname(path),
      where,
    };
  }
  const own = tryRead("wirecall.codegen.json");
  if (own !== undefined) {
    const where = "wirecall.codegen.json";
    return { config: parseCodegenConfig(parse(own, where), where), baseDir: ".", where };
  }
  const deno = tryRead("deno.json");
  if (deno !== undefined) {
    const json = parse(deno, "deno.json");
    if (json.codegen !== undefined) {
      const where = "deno.json#codegen";
      return { config: parseCodegenConfig(json.codegen, where), baseDir: ".", where };
    }
  }
  throw new ConfigError(
    'no configuration: pass .proto files, or add wirecall.codegen.json or a "codegen" key to deno.json',
  );
}

/** Runs the CLI with the given arguments; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
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
  let failed = false;
  const stale: string[] = [];
  for (const [i, t] of targets.entries()) {
    const started = Date.now();
    const r = await runTarget(t, baseDir, nodeIO, {
      check: args.check,
      progress: log,
      origin: where === undefined ? undefined : `${where}.targets[${i}]`,
    });
    if (r.diagnostics.length) {
      process.stderr.write(formatDiagnostics(r.diagnostics) + "\n");
      failed = true;
      continue;
    }
    stale.push(...r.changed);
    const what = args.check ? "stale" : "written";
    log(
      `${
        t.out ?? t.descriptorSetOut ?? t.openapiOut
      }: ${r.changed.length} ${what}, ${r.unchanged.length} up to date (${
        Date.now() - started
      } ms)`,
    );
  }
  if (failed) return 1;
  if (args.check && stale.length) {
    process.stderr.write(
      `wirecall-codegen: generated files are stale; run the codegen and commit:\n${
        stale.map((s) => "  " + s).join("\n")
      }\n`,
    );
    return 1;
  }
  return 0;
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
