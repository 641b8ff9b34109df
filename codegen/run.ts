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
import { generateOpenApi } from "./openapi.ts";
import { type InputIO, joinPath as join, resolveInputs } from "./inputs.ts";

/** File access for {@link runTarget}; paths are joined with `/`. */
export interface CodegenIO extends InputIO {
  /** Writes a file, creating directories as needed. */
  writeFile(path: string, data: Uint8Array): void;
}

/** Outcome of {@link runTarget}. */
export interface RunResult {
  /** Output paths whose content changed (written, or stale in check mode). */
  changed: string[];
  /** Output paths already up to date. */
  unchanged: string[];
  /** Problems with the inputs or in the files; nothing is written when there are any. */
  diagnostics: Diagnostic[];
  /** protoc's warnings (unused imports); they do not stop generation. */
  warnings: Diagnostic[];
}

/** Options of {@link runTarget}. */
export interface RunOptions {
  /** Compare instead of writing. */
  check?: boolean;
  /** Progress sink (large inputs report every 10%). */
  progress?: (message: string) => void;
  /**
   * Names the target in messages about its inputs, e.g.
   * `deno.json#codegen.targets[0]` (input `i` is then `….inputs[i]`).
   * Without it, an input is named by itself, as protoc names its arguments.
   */
  origin?: string;
}

const encoder = new TextEncoder();

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
  const inputs = resolveInputs(
    target.inputs,
    target.includePaths,
    baseDir,
    io,
    options.origin === undefined
      ? target.inputs
      : target.inputs.map((_, i) => `${options.origin}.inputs[${i}]`),
  );
  if (inputs.errors.length) {
    return { changed: [], unchanged: [], diagnostics: inputs.errors, warnings: [] };
  }
  const files = inputs.files;
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
  const res: RunResult = {
    changed: [],
    unchanged: [],
    diagnostics: result.diagnostics,
    warnings: result.warnings,
  };
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
  if (target.openapiOut !== undefined) {
    for (const g of generateOpenApi(result.allFiles, files)) {
      outputs.push({
        path: join(join(baseDir, target.openapiOut), g.name),
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
