/**
 * The Node glue of the command line: file access for {@link runTarget} and
 * loading the configuration from `wirecall.codegen.json` or `deno.json`.
 *
 * @module
 */

import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { type CodegenConfig, ConfigError, parseCodegenConfig } from "./config.ts";
import type { CodegenIO } from "./run.ts";

/** File access on the local file system. */
export const nodeIO: CodegenIO = {
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

/** A configuration and where it came from. */
export interface LoadedConfig {
  /** The validated configuration. */
  config: CodegenConfig;
  /** Directory the config's paths are relative to. */
  baseDir: string;
  /** Names the config in messages, e.g. `deno.json#codegen`. */
  where: string;
}

/**
 * Reads the configuration at `path`, or else `wirecall.codegen.json`, or else
 * the `"codegen"` key of `deno.json`, in the current directory.
 */
export function loadConfig(path: string | undefined): LoadedConfig {
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

/** Like {@link loadConfig}, but undefined when there is no configuration at all. */
export function findConfig(path: string | undefined): LoadedConfig | undefined {
  try {
    return loadConfig(path);
  } catch (e) {
    if (e instanceof ConfigError && e.message.startsWith("no configuration")) return undefined;
    throw e;
  }
}
