import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  create,
  createFileRegistry,
  type DescMethod,
  type DescService,
  type FileRegistry,
  fromBinary,
} from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import type { CliArgs } from "./args.ts";
import { CliFailure } from "./cli-failure.ts";
import type { ReflectionClient } from "./reflection-client.ts";

/** Where schemas come from: local files (`--proto`, `--protoset`) or the server's reflection. */
export interface SchemaSource {
  /** Fully qualified service names. */
  services(): Promise<string[]>;
  /** A registry that can resolve `symbols` (services, messages, …). */
  registry(symbols: readonly string[]): Promise<FileRegistry>;
}

/**
 * Compiles `--proto` files with wirecall's compiler, or reads `--protoset`
 * files. The compiler is loaded only then: a call by reflection never
 * imports it.
 */
export async function localSchema(args: CliArgs): Promise<SchemaSource | undefined> {
  if (args.protos.length === 0 && args.protosets.length === 0) return undefined;
  const files = [];
  for (const path of args.protosets) {
    files.push(...fromBinary(FileDescriptorSetSchema, readFileSync(path)).file);
  }
  if (args.protos.length > 0) {
    // The compiler alone, not codegen/mod.ts: this command ships in the
    // runtime package, which carries the compiler but not the generator.
    const [{ compile }, { formatDiagnostic }] = await Promise.all([
      import("../codegen/compile.ts"),
      import("../codegen/diagnostic.ts"),
    ]);
    const includePaths = args.importPaths.length > 0 ? args.importPaths : ["."];
    // A --proto path is taken relative to the first include path that holds it.
    const names = args.protos.map((p) => {
      for (const dir of includePaths) {
        const abs = resolve(dir);
        const file = resolve(p);
        if (file.startsWith(abs + "/")) return file.slice(abs.length + 1);
      }
      return p;
    });
    const result = compile({
      files: names,
      includePaths,
      readFile: (path) => {
        try {
          return readFileSync(path, "utf8");
        } catch {
          return undefined;
        }
      },
    });
    if (result.diagnostics.length > 0) {
      throw new CliFailure(result.diagnostics.map((d) => formatDiagnostic(d)).join("\n"));
    }
    files.push(...result.allFiles);
  }
  const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: files }));
  return {
    services: () => {
      const names: string[] = [];
      for (const t of registry) if (t.kind === "service") names.push(t.typeName);
      return Promise.resolve(names.sort());
    },
    registry: () => Promise.resolve(registry),
  };
}

/** Schemas from gRPC server reflection. */
export function reflectionSchema(client: ReflectionClient): SchemaSource {
  return {
    services: async () => (await client.listServices()).sort(),
    registry: (symbols) => client.registryFor(symbols),
  };
}

/**
 * Finds a method named `pkg.Service/Method` or `pkg.Service.Method`.
 */
export function parseMethodName(name: string): { service: string; method: string } {
  const slash = name.lastIndexOf("/");
  const at = slash >= 0 ? slash : name.lastIndexOf(".");
  if (at <= 0) throw new CliFailure(`"${name}" is not a method; write pkg.Service/Method`);
  return { service: name.slice(0, at).replace(/^\//, ""), method: name.slice(at + 1) };
}

/** The method of a registry, or a failure naming what exists. */
export function findMethod(registry: FileRegistry, name: string): DescMethod {
  const { service, method } = parseMethodName(name);
  const s: DescService | undefined = registry.getService(service);
  if (s === undefined) throw new CliFailure(`service "${service}" not found`);
  const m = s.methods.find((x) => x.name === method);
  if (m === undefined) {
    throw new CliFailure(
      `service "${service}" has no method "${method}" (it has ${
        s.methods.map((x) => x.name).join(", ")
      })`,
    );
  }
  return m;
}
