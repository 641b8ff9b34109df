/**
 * The compiler entry point: loads files and their imports through an
 * injectable `readFile`, builds every file in dependency order, and returns
 * FileDescriptorProtos equal to those of `buf build`. No `node:*` imports:
 * it runs in Deno, Node, Bun and browsers.
 *
 * @module
 */

import type {
  DescriptorProto,
  EnumDescriptorProto,
  FieldDescriptorProto,
  FileDescriptorProto,
} from "@bufbuild/protobuf/wkt";
import type { FileAst } from "./ast.ts";
import { DescriptorBuilder } from "./builder.ts";
import { CompileError, type Diagnostic } from "./diagnostic.ts";
import { parseFile } from "./parser.ts";
import { fieldSyntax } from "./options.ts";
import { FileScope, type Sym, SymbolTable } from "./symbols.ts";
import { wellKnownFile } from "./well-known.ts";

/** Reads a file by path; returns undefined when it does not exist. */
export type ReadFile = (path: string) => string | Uint8Array | undefined;

/** Input of {@link compile}. */
export interface CompileOptions {
  /** The files to compile, as import paths relative to an include path (e.g. `foo/v1/foo.proto`). */
  files: string[];
  /** Directories searched for files and imports, in order. Defaults to `["."]`. */
  includePaths?: string[];
  /** File access. Defaults to nothing but `sources` and the well-known types. */
  readFile?: ReadFile;
  /** In-memory sources by import path; consulted before `readFile`. */
  sources?: Record<string, string>;
  /** Record SourceCodeInfo (spans and comments). Defaults to true. */
  sourceInfo?: boolean;
  /** Called after each file is built, for progress reporting. */
  onFile?: (name: string, done: number, total: number) => void;
}

/** Output of {@link compile}. */
export interface CompileResult {
  /** The requested files, in the order requested. */
  files: FileDescriptorProto[];
  /** Every file of the compilation, dependencies first (well-known types included). */
  allFiles: FileDescriptorProto[];
  /** Problems found; empty on success. */
  diagnostics: Diagnostic[];
  /** protoc's warnings (`Import x is unused.`); they do not fail a compilation. */
  warnings: Diagnostic[];
  /** For each requested file, the imports it does not use (what buf lint's IMPORT_USED reports). */
  unusedImports: Map<string, string[]>;
}

const decoder = new TextDecoder();

/**
 * Compiles .proto files to FileDescriptorProtos. Reports every problem it
 * finds in `diagnostics` instead of stopping at the first; use
 * {@link compileOrThrow} to get a {@link CompileError} instead.
 *
 * @example
 * ```ts
 * import { compile } from "wirecall-codegen";
 * const { files, diagnostics } = compile({
 *   files: ["demo.proto"],
 *   sources: { "demo.proto": 'syntax = "proto3"; message Ping { string text = 1; }' },
 * });
 * files[0].messageType[0].name; // "Ping"
 * ```
 */
export function compile(options: CompileOptions): CompileResult {
  return new Compilation(options).run();
}

/** Reads a file asynchronously (e.g. with `fetch` in a browser); undefined when missing. */
export type ReadFileAsync = (path: string) => Promise<string | Uint8Array | undefined>;

/**
 * Like {@link compile}, with asynchronous file access: fetches every file and
 * its imports first, then compiles them.
 *
 * @example
 * ```ts
 * const result = await compileAsync({
 *   files: ["shop/v1/shop.proto"],
 *   includePaths: ["/protos"],
 *   readFile: async (p) => { const r = await fetch(p); return r.ok ? await r.text() : undefined; },
 * });
 * ```
 */
export async function compileAsync(
  options: Omit<CompileOptions, "readFile"> & { readFile: ReadFileAsync },
): Promise<CompileResult> {
  const sources: Record<string, string> = { ...options.sources };
  const queue = [...options.files];
  const seen = new Set<string>();
  while (queue.length) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    let text = sources[name];
    if (text === undefined) {
      for (const dir of options.includePaths ?? ["."]) {
        const path = dir === "." || dir === "" ? name : dir.replace(/\/+$/, "") + "/" + name;
        const data = await options.readFile(path);
        if (data !== undefined) {
          text = typeof data === "string" ? data : decoder.decode(data);
          sources[name] = text;
          break;
        }
      }
    }
    if (text === undefined) continue;
    for (const imp of parseFile(name, text, []).imports) queue.push(imp.path);
  }
  const { readFile: _unused, ...rest } = options;
  return compile({ ...rest, sources });
}

/** Like {@link compile}, but throws a {@link CompileError} listing every diagnostic. */
export function compileOrThrow(options: CompileOptions): CompileResult {
  const result = compile(options);
  if (result.diagnostics.length) throw new CompileError(result.diagnostics);
  return result;
}

interface Loaded {
  name: string;
  ast?: FileAst;
  proto?: FileDescriptorProto;
  /** Imported files (`import option` ones excluded). */
  deps: string[];
  /** `import option` files. */
  optionDeps: string[];
  publicDeps: string[];
}

class Compilation {
  readonly options: CompileOptions;
  readonly diagnostics: Diagnostic[] = [];
  readonly loaded = new Map<string, Loaded | null>();
  readonly order: Loaded[] = [];
  readonly symbols = new SymbolTable();

  constructor(options: CompileOptions) {
    this.options = options;
  }

  read(name: string): string | undefined {
    const src = this.options.sources?.[name];
    if (src !== undefined) return src;
    const read = this.options.readFile;
    if (!read) return undefined;
    for (const dir of this.options.includePaths ?? ["."]) {
      const path = dir === "." || dir === "" ? name : dir.replace(/\/+$/, "") + "/" + name;
      const data = read(path);
      if (data !== undefined) return typeof data === "string" ? data : decoder.decode(data);
    }
    return undefined;
  }

  load(name: string, stack: string[]): Loaded | null {
    const have = this.loaded.get(name);
    if (have !== undefined) {
      return have;
    }
    this.loaded.set(name, null);
    const text = this.read(name);
    let entry: Loaded;
    if (text === undefined) {
      const wk = wellKnownFile(name);
      if (!wk) return null;
      entry = {
        name,
        proto: wk,
        deps: wk.dependency,
        optionDeps: [],
        publicDeps: wk.publicDependency.map((i) => wk.dependency[i]),
      };
      for (const d of entry.deps) this.load(d, stack.concat(name));
    } else {
      const ast = parseFile(name, text, this.diagnostics);
      entry = { name, ast, deps: [], optionDeps: [], publicDeps: [] };
      for (const imp of ast.imports) {
        (imp.isOption ? entry.optionDeps : entry.deps).push(imp.path);
        if (imp.publicTok !== undefined) entry.publicDeps.push(imp.path);
        const dep = this.load(imp.path, stack.concat(name));
        if (!dep) {
          // protoc places import errors at the `import` keyword.
          const ts = ast.tokens;
          const t = imp.span.s;
          const line = ts.line[t];
          this.diagnostics.push({
            file: name,
            line: line + 1,
            column: ts.column(ts.start[t], line) + 1,
            message: this.loaded.get(imp.path) === null && stack.includes(imp.path)
              ? `File recursively imports itself: ${
                stack.slice(stack.indexOf(imp.path)).concat(name, imp.path).join(" -> ")
              }`
              : `Import "${imp.path}" was not found or had errors.`,
          });
        }
      }
    }
    this.loaded.set(name, entry);
    this.order.push(entry);
    return entry;
  }

  /** protoc's `RecordPublicDependencies`: the files and every public import they reach. */
  withPublicImports(files: string[]): Set<string> {
    const out = new Set<string>();
    const add = (name: string) => {
      if (out.has(name)) return;
      out.add(name);
      for (const p of this.loaded.get(name)?.publicDeps ?? []) add(p);
    };
    for (const f of files) add(f);
    return out;
  }

  /** What `entry` can see while it is built (its dependencies are built already). */
  scopeOf(entry: Loaded): FileScope {
    const deps = this.withPublicImports(entry.deps);
    const optionDeps = this.withPublicImports(entry.optionDeps);
    const packages = [entry.ast?.pkg?.name ?? ""];
    for (const set of [deps, optionDeps]) {
      for (const d of set) packages.push(this.loaded.get(d)?.proto?.package ?? "");
    }
    return new FileScope(entry.name, deps, optionDeps, packages);
  }

  run(): CompileResult {
    for (const f of this.options.files) {
      if (!this.load(f, [])) {
        this.diagnostics.push({ file: f, line: 0, column: 0, message: "File not found." });
      }
    }
    const total = this.order.length;
    const requested = new Set(this.options.files);
    let done = 0;
    for (const entry of this.order) {
      if (entry.proto) registerProto(this.symbols, entry.proto);
      else {
        const scope = this.scopeOf(entry);
        const errorsBefore = this.diagnostics.length;
        const builder = new DescriptorBuilder(entry.ast!, this.symbols, scope, this.diagnostics);
        builder.fileOf = (name) => this.loaded.get(name)?.proto;
        entry.proto = builder.build(this.options.sourceInfo !== false);
        if (requested.has(entry.name) && this.diagnostics.length === errorsBefore) {
          this.unusedImports(entry, scope);
        }
        // The syntax tree is only needed while building; free it early.
        entry.ast = undefined;
      }
      this.options.onFile?.(entry.name, ++done, total);
    }
    const files = this.options.files.map((f) => this.loaded.get(f)?.proto).filter((p) =>
      p !== undefined
    );
    const fileOrder = new Map(this.order.map((e, i) => [e.name, i]));
    this.diagnostics.sort((a, b) =>
      (fileOrder.get(a.file) ?? -1) - (fileOrder.get(b.file) ?? -1) || a.line - b.line ||
      a.column - b.column
    );
    this.warnings.sort((a, b) =>
      (fileOrder.get(a.file) ?? -1) - (fileOrder.get(b.file) ?? -1) || a.line - b.line ||
      a.column - b.column
    );
    return {
      files,
      allFiles: this.order.map((e) => e.proto!),
      diagnostics: this.diagnostics,
      warnings: this.warnings,
      unusedImports: this.unused,
    };
  }

  readonly warnings: Diagnostic[] = [];
  readonly unused: Map<string, string[]> = new Map();

  /**
   * protoc's unused-import warning (`LogUnusedDependency`), for files asked
   * for by name that built without errors: a direct, non-public import
   * whose own file has no public imports, and in which no lookup found a
   * symbol.
   */
  unusedImports(entry: Loaded, scope: FileScope): void {
    const ast = entry.ast!;
    const ts = ast.tokens;
    const list: string[] = [];
    for (const imp of ast.imports) {
      if (imp.isOption || imp.publicTok !== undefined) continue;
      const dep = this.loaded.get(imp.path);
      if (!dep || dep.publicDeps.length > 0 || scope.used.has(imp.path)) continue;
      list.push(imp.path);
      const t = imp.span.s;
      const line = ts.line[t];
      this.warnings.push({
        file: entry.name,
        line: line + 1,
        column: ts.column(ts.start[t], line) + 1,
        message: `Import ${imp.path} is unused.`,
        severity: "warning",
      });
    }
    if (list.length) this.unused.set(entry.name, list);
  }
}

/** Registers the symbols of an already-built descriptor (the embedded well-known types). */
function registerProto(symbols: SymbolTable, file: FileDescriptorProto): void {
  const pkg = file.package;
  if (pkg) symbols.addPackage(pkg, file.name);
  const syntax = file.syntax || "proto2";
  const add = (kind: Sym["kind"], scope: string, name: string, extra: Partial<Sym>) =>
    symbols.add({ kind, file: file.name, fullName: scope ? scope + "." + name : name, ...extra });
  const enums = (list: EnumDescriptorProto[], scope: string) => {
    for (const e of list) {
      add("enum", scope, e.name, { enum: e, syntax });
      for (const v of e.value) add("enumValue", scope, v.name, { enum: e });
    }
  };
  const extensions = (list: FieldDescriptorProto[], scope: string) => {
    for (const f of list) {
      fieldSyntax.set(f, syntax);
      add("field", scope, f.name, { field: f, isExtension: true });
      symbols.addExtension(f.extendee.slice(1), f);
    }
  };
  const message = (m: DescriptorProto, scope: string) => {
    const full = scope ? scope + "." + m.name : m.name;
    add("message", scope, m.name, { message: m });
    for (const f of m.field) fieldSyntax.set(f, syntax);
    extensions(m.extension, full);
    for (const n of m.nestedType) message(n, full);
    enums(m.enumType, full);
  };
  for (const m of file.messageType) message(m, pkg);
  enums(file.enumType, pkg);
  extensions(file.extension, pkg);
  for (const s of file.service) {
    add("service", pkg, s.name, {});
    for (const m of s.method) add("method", pkg ? pkg + "." + s.name : s.name, m.name, {});
  }
}
