/**
 * `wirecall-codegen breaking` and `wirecall-codegen lint`: the contract
 * checks on the command line, shaped like `buf breaking` and `buf lint`
 * (inputs, `--against` a directory, a FileDescriptorSet or a git revision,
 * `--error-format=text|json`, exit code 100 on findings).
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import process from "node:process";
import { readArgs, UsageError } from "./argv.ts";
import { fromBinary } from "@bufbuild/protobuf";
import { type FileDescriptorProto, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { type AnnotationFormat, formatAnnotations } from "./checks/annotation.ts";
import { checkBreaking, CheckConfigError } from "./checks/breaking.ts";
import { lint, protovalidateUnchecked } from "./checks/lint.ts";
import { compile, type CompileResult } from "./compile.ts";
import { type BreakingSection, ConfigError, type LintSection } from "./config.ts";
import { formatDiagnostic } from "./diagnostic.ts";
import { type InputIO, joinPath, resolveInputs } from "./inputs.ts";
import { findConfig, nodeIO } from "./node-io.ts";

const USAGE = {
  breaking: `Usage: wirecall-codegen breaking [INPUT ...] --against REF [options]

Reports changes that break generated code, JSON or the wire format, with buf's
rules (categories FILE, PACKAGE, WIRE_JSON, WIRE). Exit 100 when there are any.

  INPUT                 a directory (a module root) or .proto files; default "."
  --against REF         the previous version: a directory, a FileDescriptorSet
                        (.binpb), or a git revision (main, HEAD~1, v1.2.0,
                        .git#branch=main, .git#tag=v1)`,
  lint: `Usage: wirecall-codegen lint [INPUT ...] [options]

Lints .proto files with buf's rules (categories MINIMAL, BASIC, STANDARD,
COMMENTS, UNARY_RPC; STANDARD by default). Exit 100 when there are findings.

  INPUT                 a directory (a module root) or .proto files; default "."`,
};
const COMMON = `
  -I DIR, --proto_path=DIR  include path (default: each INPUT directory)
  --error-format=FORMAT     text (path:line:col:message, default) or json
  --use=RULE,…              rule IDs or categories to run
  --except=RULE,…           rule IDs or categories not to run
  --ignore=PATH             drop findings in this file or directory (repeatable)
  --exclude-imports         breaking: compare only the inputs, not their imports
  --config=FILE             read the "breaking"/"lint" section from FILE
  -h, --help                show this help

Settings also come from the "breaking" and "lint" keys of wirecall.codegen.json
or of deno.json's "codegen" (use, except, ignore, ignoreOnly, …).`;

interface CheckArgs {
  inputs: string[];
  includePaths: string[];
  against?: string;
  format: AnnotationFormat;
  use?: string[];
  except?: string[];
  ignore: string[];
  excludeImports: boolean;
  config?: string;
  help: boolean;
}

function parseArgs(argv: string[]): CheckArgs {
  const a: CheckArgs = {
    inputs: [],
    includePaths: [],
    format: "text",
    ignore: [],
    excludeImports: false,
    help: false,
  };
  readArgs(argv, (x) => {
    const { arg, key, value, list } = x;
    const inc = x.includePath();
    if (inc !== undefined) a.includePaths.push(inc);
    else if (key === "--against") a.against = value();
    else if (key === "--error-format") {
      const f = value();
      if (f !== "text" && f !== "json") {
        throw new UsageError(`--error-format must be "text" or "json", not "${f}"`);
      }
      a.format = f;
    } else if (key === "--use") a.use = list();
    else if (key === "--except") a.except = list();
    else if (key === "--ignore") a.ignore.push(value());
    else if (arg === "--exclude-imports") a.excludeImports = true;
    else if (key === "--config") a.config = value();
    else if (arg === "-h" || arg === "--help") a.help = true;
    else if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg}`);
    else a.inputs.push(arg);
  });
  return a;
}

/** A set of inputs as resolved for one side of a check. */
interface Side {
  result: CompileResult;
  /** Import path → path as shown (as the input names it). */
  display: Map<string, string>;
}

/** Inputs and include paths as the command line gives them. */
function layout(a: CheckArgs, io: InputIO): { inputs: string[]; includePaths: string[] } {
  const inputs = a.inputs.length ? a.inputs : ["."];
  if (a.includePaths.length) return { inputs, includePaths: a.includePaths };
  const dirs = inputs.filter((i) => io.listProtos(i) !== undefined);
  // Directories are module roots, as buf takes them; files are relative to ".".
  return { inputs, includePaths: dirs.length === inputs.length ? dirs : ["."] };
}

function build(
  inputs: string[],
  includePaths: string[],
  io: InputIO,
  where: string,
): Side | string {
  const resolved = resolveInputs(inputs, includePaths, ".", io);
  if (resolved.errors.length) return resolved.errors.map(formatDiagnostic).join("\n");
  const result = compile({
    files: resolved.files,
    includePaths,
    readFile: (p) => io.readFile(p),
  });
  if (result.diagnostics.length) {
    return `${where}:\n` + result.diagnostics.map(formatDiagnostic).join("\n");
  }
  const display = new Map<string, string>();
  for (const f of resolved.files) {
    const inc = includePaths.find((d) => io.readFile(joinPath(d, f)) !== undefined);
    display.set(f, inc === undefined ? f : joinPath(inc, f));
  }
  return { result, display };
}

/** Reads files of a git revision, relative to the current directory. */
function gitIO(rev: string): InputIO {
  const cache = new Map<string, Uint8Array | undefined>();
  let listing: string[] | undefined;
  const git = (args: string[]) =>
    execFileSync("git", args, { encoding: "buffer", stdio: ["ignore", "pipe", "pipe"] });
  const all = () => {
    if (!listing) {
      listing = git(["ls-tree", "-r", "--name-only", "--full-name", rev, "."]).toString("utf8")
        .split("\n").filter((l) => l);
      const prefix = git(["rev-parse", "--show-prefix"]).toString("utf8").trim();
      listing = listing.map((p) => p.startsWith(prefix) ? p.slice(prefix.length) : p);
    }
    return listing;
  };
  const norm = (p: string) => p.replace(/^\.\/+/, "").replace(/\/+$/, "");
  return {
    readFile(path) {
      const p = norm(path);
      if (!cache.has(p)) {
        try {
          cache.set(p, new Uint8Array(git(["show", `${rev}:./${p}`])));
        } catch {
          cache.set(p, undefined);
        }
      }
      return cache.get(p);
    },
    listProtos(dir) {
      const d = norm(dir);
      const under = all().filter((p) => d === "" || d === "." || p.startsWith(d + "/"));
      const protos = under.filter((p) => p.endsWith(".proto"))
        .map((p) => (d === "" || d === "." ? p : p.slice(d.length + 1)));
      return protos.length ? protos : undefined;
    },
    resolvePath: (p) => resolve(p),
  };
}

function parseRev(ref: string): string {
  const m = /^\.git#(?:branch|ref|tag|commit)=(.+)$/.exec(ref);
  return m ? m[1] : ref;
}

/** Files of a FileDescriptorSet that buf marks as imports (buf.descriptor.v1, field 1 of extension 8042). */
function isMarkedImport(f: FileDescriptorProto): boolean {
  for (const u of f.$unknown ?? []) {
    if (u.no === 8042 && u.data.length > 1 && u.data[1] === 0x08 && u.data[2] === 1) return true;
  }
  return false;
}

function previousSide(
  ref: string,
  args: CheckArgs,
  cur: { inputs: string[]; includePaths: string[] },
): { files: FileDescriptorProto[]; imports: FileDescriptorProto[] } | string {
  let io: InputIO;
  let base: string;
  if (existsSync(ref) && statSync(ref).isFile()) {
    let set;
    try {
      set = fromBinary(FileDescriptorSetSchema, readFileSync(ref));
    } catch (e) {
      return `${ref}: not a FileDescriptorSet: ${(e as Error).message}`;
    }
    const files = set.file.filter((f) => !isMarkedImport(f));
    return { files, imports: set.file };
  }
  if (existsSync(ref) && statSync(ref).isDirectory()) {
    io = nodeIO;
    base = ref;
  } else {
    io = gitIO(parseRev(ref));
    base = ".";
    try {
      io.listProtos(".");
    } catch (e) {
      return `--against ${ref}: not a directory, a file or a git revision (${
        String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim()
      })`;
    }
  }
  let inputs: string[], includePaths: string[];
  if (io !== nodeIO) {
    // A git revision: the same paths, as they were then.
    inputs = cur.inputs;
    includePaths = cur.includePaths;
  } else if (args.includePaths.length) {
    // The directory stands for the root the include paths are relative to.
    inputs = cur.inputs.map((p) => joinPath(base, p));
    includePaths = cur.includePaths.map((p) => joinPath(base, p));
  } else {
    // The directory is the previous version of the module.
    inputs = [base];
    includePaths = [base];
  }
  const side = build(
    inputs.filter((i) => io.listProtos(i) || io.readFile(i)),
    includePaths,
    io,
    `--against ${ref}`,
  );
  if (typeof side === "string") return side;
  return { files: side.result.files, imports: side.result.allFiles };
}

/**
 * Runs `breaking` or `lint` with the arguments after the subcommand;
 * resolves to the exit code (0 clean, 100 findings, 1 errors, 2 usage).
 */
export function runCheckCommand(command: "breaking" | "lint", argv: string[]): number {
  let args: CheckArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(
      `wirecall-codegen ${command}: ${e.message}\n\n${USAGE[command]}\n${COMMON}\n`,
    );
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE[command]}\n${COMMON}\n`);
    return 0;
  }
  let section: BreakingSection & LintSection = {};
  try {
    const loaded = findConfig(args.config);
    section = { ...(command === "breaking" ? loaded?.config.breaking : loaded?.config.lint) };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`wirecall-codegen: ${e.message}\n`);
    return 2;
  }
  if (args.use) section.use = args.use;
  if (args.except) section.except = args.except;
  if (args.ignore.length) section.ignore = [...(section.ignore ?? []), ...args.ignore];
  if (args.excludeImports) section.excludeImports = true;
  if (command === "breaking" && !args.against) {
    process.stderr.write(`wirecall-codegen breaking: --against is required\n\n${USAGE.breaking}\n`);
    return 2;
  }
  const cur = layout(args, nodeIO);
  const side = build(cur.inputs, cur.includePaths, nodeIO, "input");
  if (typeof side === "string") {
    process.stderr.write(side + "\n");
    return 1;
  }
  for (const w of side.result.warnings) process.stderr.write(formatDiagnostic(w) + "\n");
  let annotations;
  try {
    if (command === "breaking") {
      const prev = previousSide(args.against!, args, cur);
      if (typeof prev === "string") {
        process.stderr.write(prev + "\n");
        return 1;
      }
      const current = section.excludeImports ? side.result.files : side.result.allFiles;
      const previous = section.excludeImports ? prev.files : prev.imports;
      annotations = checkBreaking(
        { files: current, imports: side.result.allFiles },
        { files: previous, imports: prev.imports },
        section,
      );
    } else {
      annotations = lint(side.result.files, {
        ...section,
        imports: side.result.allFiles,
        unusedImports: side.result.unusedImports,
      });
      for (const f of protovalidateUnchecked(side.result.files, section)) {
        process.stderr.write(
          `wirecall-codegen lint: ${
            side.display.get(f) ?? f
          }: PROTOVALIDATE not checked: the file uses buf.validate rules, which buf lint validates (rule types, ranges, CEL) and wirecall does not.\n`,
        );
      }
    }
  } catch (e) {
    if (!(e instanceof CheckConfigError)) throw e;
    process.stderr.write(`wirecall-codegen ${command}: ${e.message}\n`);
    return 2;
  }
  if (annotations.length === 0) return 0;
  process.stdout.write(
    formatAnnotations(annotations, args.format, (p) => side.display.get(p) ?? p) + "\n",
  );
  return 100;
}
