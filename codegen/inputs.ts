/**
 * Turning inputs (command-line files, config `inputs`) into import paths the
 * way protoc's command line does (`MakeProtoProtoPathRelative`): an input
 * that is a path on disk lying under an include path becomes its path below
 * that include path (`-I proto proto/acme/v1/todo.proto` compiles
 * `acme/v1/todo.proto`); any other input is taken as an import path and
 * searched on the include paths. Directories stand for every `.proto` file
 * under them. Problems are explained with the include paths searched.
 *
 * @module
 */

import type { Diagnostic } from "./diagnostic.ts";

/** What {@link resolveInputs} needs of the file system. */
export interface InputIO {
  /** Reads a file; undefined when it does not exist. */
  readFile(path: string): Uint8Array | undefined;
  /** Lists `.proto` files under a directory, recursively, relative to it; undefined if not a directory. */
  listProtos(dir: string): string[] | undefined;
  /**
   * The absolute, normalized form of a path (Node: `path.resolve`), so that
   * `./proto` and `/home/me/proj/proto` compare equal. Without it, paths are
   * compared as written, after normalizing `.` and `..` segments.
   */
  resolvePath?(path: string): string;
}

/** Outcome of {@link resolveInputs}. */
export interface ResolvedInputs {
  /** Import paths, in input order, without duplicates. */
  files: string[];
  /** One per input that could not be resolved; `file` is the input's origin, `line` 0. */
  errors: Diagnostic[];
}

/** Joins a directory and a relative path with `/`; an absolute path stays as it is. */
export function joinPath(dir: string, path: string): string {
  if (path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path)) return path;
  if (!dir || dir === ".") return path;
  return dir.replace(/\/+$/, "") + "/" + path;
}

/** Removes `.` segments, empty segments and `..` after a named segment. */
export function normalizePath(path: string): string {
  const p = path.split("\\").join("/");
  const absolute = p.startsWith("/");
  const out: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === ".." && out.length > 0 && out[out.length - 1] !== "..") out.pop();
    else if (seg === ".." && absolute) continue;
    else out.push(seg);
  }
  const joined = out.join("/");
  return absolute ? "/" + joined : joined || ".";
}

/** `file` relative to `dir` when it lies under it (both normalized), else undefined. */
function below(dir: string, file: string): string | undefined {
  if (file === dir) return ".";
  if (dir === ".") {
    return file.startsWith("/") || file === ".." || file.startsWith("../") ? undefined : file;
  }
  if (file.startsWith(dir + "/")) return file.slice(dir.length + 1);
  if (dir === "/" && file.startsWith("/")) return file.slice(1);
  return undefined;
}

const quote = (s: string) => JSON.stringify(s);

function includeList(includePaths: string[]): string {
  return includePaths.length === 1
    ? `include path ${quote(includePaths[0])}`
    : `any include path (${includePaths.map(quote).join(", ")})`;
}

/**
 * Resolves inputs to import paths. `baseDir` is what relative paths in
 * inputs and include paths are relative to (the configuration's directory;
 * `.` on the command line); `origins[i]` names input `i` in messages (e.g.
 * `deno.json#codegen.targets[0].inputs[1]`, or the argument itself).
 *
 * @example
 * ```ts
 * resolveInputs(["proto/acme/v1/todo.proto"], ["proto"], ".", io).files;
 * // ["acme/v1/todo.proto"]
 * ```
 */
export function resolveInputs(
  inputs: string[],
  includePaths: string[],
  baseDir: string,
  io: InputIO,
  origins: string[] = inputs,
): ResolvedInputs {
  const abs = (p: string) => normalizePath(io.resolvePath ? io.resolvePath(p) : p);
  const includes = includePaths.map((inc) => ({ inc, disk: abs(joinPath(baseDir, inc)) }));
  const files: string[] = [];
  const errors: Diagnostic[] = [];
  const fail = (i: number, message: string) =>
    errors.push({ file: origins[i], line: 0, column: 0, message });
  const exists = (path: string) => io.readFile(path) !== undefined;

  inputs.forEach((input, i) => {
    const clean = normalizePath(input).replace(/\/+$/, "");
    const onDisk = joinPath(baseDir, clean);
    const dirListing = io.listProtos(onDisk);
    if (dirListing || exists(onDisk)) {
      // A path on disk: map it below the first include path that holds it.
      const disk = abs(onDisk);
      const k = includes.findIndex((m) => below(m.disk, disk) !== undefined);
      if (k >= 0) {
        const virtual = below(includes[k].disk, disk)!;
        if (dirListing) {
          for (const p of dirListing.sort()) files.push(virtual === "." ? p : virtual + "/" + p);
          return;
        }
        const earlier = includes.slice(0, k).find((m) => exists(joinPath(m.disk, virtual)));
        if (earlier) {
          fail(
            i,
            `Input is shadowed in the --proto_path by ${
              quote(joinPath(earlier.inc, virtual))
            }.  Either use the latter file as your input or reorder the --proto_path so that the former file's location comes first.`,
          );
          return;
        }
        files.push(virtual);
        return;
      }
    }
    // An import path (relative, no `..`): the first include path that has it.
    const importPath = below(".", clean) !== undefined && !/^[A-Za-z]:/.test(clean);
    for (const m of importPath ? includes : []) {
      const listed = io.listProtos(joinPath(m.disk, clean));
      if (listed) {
        for (const p of listed.sort()) files.push(clean === "." ? p : clean + "/" + p);
        return;
      }
      if (exists(joinPath(m.disk, clean))) {
        files.push(clean);
        return;
      }
    }
    if (dirListing || exists(onDisk)) {
      fail(
        i,
        `${quote(input)} is not under ${
          includeList(includePaths)
        }. A file is compiled by its path below an include path: add the directory its imports are relative to as an include path (-I, "includePaths").`,
      );
      return;
    }
    fail(
      i,
      `${quote(input)} is not found under ${includeList(includePaths)}${
        baseDir && baseDir !== "." ? ` (relative to ${quote(baseDir)})` : ""
      }, nor as a file on disk.`,
    );
  });
  return { files: [...new Set(files)], errors };
}
