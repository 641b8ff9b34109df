/**
 * Running one codegen target: compile its inputs, generate TypeScript and/or
 * a descriptor set, then write the outputs — or, in check mode, report which
 * outputs are stale. File access is injected, so this runs anywhere.
 *
 * @module
 */

import { compile } from "./compile.ts";
import type { CodegenTarget } from "./config.ts";
import { toDescriptorSet } from "./descriptor-set.ts";
import { type Diagnostic, formatDiagnostic } from "./diagnostic.ts";
import { generate } from "./generate.ts";

/** File access for {@link runTarget}; paths are joined with `/`. */
export interface CodegenIO {
  /** Reads a file; undefined when it does not exist. */
  readFile(path: string): Uint8Array | undefined;
  /** Writes a file, creating directories as needed. */
  writeFile(path: string, data: Uint8Array): void;
  /** Lists `.proto` files under a directory, recursively, as paths relative to it; undefined if not a directory. */
  listProtos(dir: string): string[] | undefined;
}

/** Outcome of {@link runTarget}. */
export interface RunResult {
  /** Output paths whose content changed (written, or stale in check mode). */
  changed: string[];
  /** Output paths already up to date. */
  unchanged: string[];
  /** Compiler problems; nothing is written when there are any. */
  diagnostics: Diagnostic[];
}

/** Options of {@link runTarget}. */
export interface RunOptions {
  /** Compare instead of writing. */
  check?: boolean;
  /** Progress sink (large inputs report every 10%). */
  progress?: (message: string) => void;
}

const encoder = new TextEncoder();

function join(dir: string, path: string): string {
  if (!dir || dir === ".") return path;
  return dir.replace(/\/+$/, "") + "/" + path;
}

/** Resolves a target's inputs (files or directories) to import paths. */
export function resolveInputs(target: CodegenTarget, baseDir: string, io: CodegenIO): string[] {
  const out: string[] = [];
  for (const input of target.inputs) {
    const clean = input.replace(/\/+$/, "");
    let found = false;
    for (const inc of target.includePaths) {
      const listed = io.listProtos(join(baseDir, join(inc, clean)));
      if (listed) {
        for (const p of listed.sort()) out.push(join(clean, p));
        found = true;
        break;
      }
    }
    if (!found) out.push(clean);
  }
  return [...new Set(out)];
}

/**
 * Compiles and generates one target. Paths in the target are relative to
 * `baseDir` (the directory of the configuration file).
 */
export async function runTarget(
  target: CodegenTarget,
  baseDir: string,
  io: CodegenIO,
  options: RunOptions = {},
): Promise<RunResult> {
  const files = resolveInputs(target, baseDir, io);
  let lastStep = -1;
  const result = compile({
    files,
    includePaths: target.includePaths.map((p) => join(baseDir, p)),
    readFile: (p) => io.readFile(p),
    sourceInfo: true,
    onFile: (_name, done, total) => {
      if (!options.progress || total < 200) return;
      const step = Math.floor((done * 10) / total);
      if (step !== lastStep) {
        lastStep = step;
        options.progress(`compiled ${done}/${total} files`);
      }
    },
  });
  const res: RunResult = { changed: [], unchanged: [], diagnostics: result.diagnostics };
  if (result.diagnostics.length) return res;
  const outputs: { path: string; data: Uint8Array }[] = [];
  if (target.out !== undefined) {
    const generated = await generate(result.allFiles, files, {
      es: target.es,
      clients: target.clients,
      runtimeImport: target.runtimeImport,
    });
    for (const g of generated) {
      outputs.push({
        path: join(join(baseDir, target.out), g.name),
        data: encoder.encode(g.content),
      });
    }
  }
  if (target.descriptorSetOut !== undefined) {
    outputs.push({
      path: join(baseDir, target.descriptorSetOut),
      data: toDescriptorSet(result, {
        includeImports: target.includeImports,
        includeSourceInfo: target.includeSourceInfo,
      }),
    });
  }
  for (const o of outputs) {
    const old = io.readFile(o.path);
    if (old && sameBytes(old, o.data)) {
      res.unchanged.push(o.path);
      continue;
    }
    res.changed.push(o.path);
    if (!options.check) io.writeFile(o.path, o.data);
  }
  return res;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Formats diagnostics one per line. */
export function formatDiagnostics(diagnostics: Diagnostic[]): string {
  return diagnostics.map(formatDiagnostic).join("\n");
}
