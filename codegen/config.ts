/**
 * The codegen configuration (`"codegen"` in deno.json, or
 * `wirecall.codegen.json`), validated with zod so that a mistake is reported
 * with the path of the offending key.
 *
 * @module
 */

import { z } from "zod";
import { DEFAULT_ES_OPTIONS } from "./generate.ts";

const targetSchema: z.ZodType = z.object({
  inputs: z.array(z.string().min(1)).min(1, "list at least one .proto file or directory"),
  includePaths: z.array(z.string()).default(["."]),
  out: z.string().min(1).optional(),
  es: z.array(z.string().regex(/^[a-z_]+(=.*)?$/, "expected key=value")).default(() => [
    ...DEFAULT_ES_OPTIONS,
  ]),
  clients: z.boolean().default(true),
  runtimeImport: z.string().min(1).default("wirecall"),
  descriptorSetOut: z.string().min(1).optional(),
  includeImports: z.boolean().default(false),
  includeSourceInfo: z.boolean().default(false),
  openapiOut: z.string().min(1).optional(),
}).strict().refine(
  (t) => t.out !== undefined || t.descriptorSetOut !== undefined || t.openapiOut !== undefined,
  { message: 'set "out" (TypeScript output directory), "descriptorSetOut" or "openapiOut"' },
);

const ruleList = z.array(z.string().regex(/^[A-Z0-9_]+$/, "expected a rule ID or category"));
const checkSchema = z.object({
  use: ruleList.optional(),
  except: ruleList.optional(),
  ignore: z.array(z.string().min(1)).optional(),
  ignoreOnly: z.record(z.string(), z.array(z.string().min(1))).optional(),
});
const breakingSchema = checkSchema.extend({
  ignoreUnstablePackages: z.boolean().optional(),
  excludeImports: z.boolean().optional(),
}).strict();
const lintSchema = checkSchema.extend({
  disallowCommentIgnores: z.boolean().optional(),
  enumZeroValueSuffix: z.string().optional(),
  rpcAllowSameRequestResponse: z.boolean().optional(),
  rpcAllowGoogleProtobufEmptyRequests: z.boolean().optional(),
  rpcAllowGoogleProtobufEmptyResponses: z.boolean().optional(),
  serviceSuffix: z.string().optional(),
}).strict();

const configSchema: z.ZodType = z.object({
  targets: z.array(targetSchema).min(1, "list at least one target").optional(),
  breaking: breakingSchema.optional(),
  lint: lintSchema.optional(),
}).strict();

/** One codegen target: what to compile and where to write it. */
export interface CodegenTarget {
  /** .proto files or directories, relative to an include path. */
  inputs: string[];
  /** Directories searched for inputs and imports (default `["."]`). */
  includePaths: string[];
  /** Directory for generated TypeScript. */
  out?: string;
  /** protoc-gen-es options (default {@link DEFAULT_ES_OPTIONS}: `target=ts`, `import_extension=ts`, `erasable_syntax=true`). */
  es: string[];
  /** Generate `*_wirecall.ts` client/server companions (default true). */
  clients: boolean;
  /** Module the companions import from (default `"wirecall"`). */
  runtimeImport: string;
  /** Write a binary FileDescriptorSet here. */
  descriptorSetOut?: string;
  /** Descriptor set: include dependencies. */
  includeImports: boolean;
  /** Descriptor set: keep SourceCodeInfo. */
  includeSourceInfo: boolean;
  /** Directory for OpenAPI 3.1 documents of the services' `google.api.http` routes. */
  openapiOut?: string;
}

/** buf-style rule selection and ignores, shared by `breaking` and `lint`. */
export interface CheckSection {
  /** Rule IDs and categories to run (default: buf's defaults). */
  use?: string[];
  /** Rule IDs and categories not to run. */
  except?: string[];
  /** Files or directories (import paths) whose findings are dropped. */
  ignore?: string[];
  /** Per rule ID or category, files or directories whose findings of it are dropped. */
  ignoreOnly?: Record<string, string[]>;
}

/** The `breaking` section, as buf.yaml's `breaking`. */
export interface BreakingSection extends CheckSection {
  /** Drop findings in unstable packages (`v1alpha1`, `v1beta1`, `v1test`). */
  ignoreUnstablePackages?: boolean;
  /** Compare only the inputs, not their imports (buf's `--exclude-imports`). */
  excludeImports?: boolean;
}

/** The `lint` section, as buf.yaml's `lint`. */
export interface LintSection extends CheckSection {
  /** Ignore `// buf:lint:ignore RULE` comments. */
  disallowCommentIgnores?: boolean;
  /** ENUM_ZERO_VALUE_SUFFIX's suffix (default `_UNSPECIFIED`). */
  enumZeroValueSuffix?: string;
  /** Let RPCs share one message for request and response. */
  rpcAllowSameRequestResponse?: boolean;
  /** Allow `google.protobuf.Empty` requests. */
  rpcAllowGoogleProtobufEmptyRequests?: boolean;
  /** Allow `google.protobuf.Empty` responses. */
  rpcAllowGoogleProtobufEmptyResponses?: boolean;
  /** SERVICE_SUFFIX's suffix (default `Service`). */
  serviceSuffix?: string;
}

/** The whole codegen configuration. */
export interface CodegenConfig {
  /** Targets, run in order. */
  targets?: CodegenTarget[];
  /** `wirecall-codegen breaking` settings. */
  breaking?: BreakingSection;
  /** `wirecall-codegen lint` settings. */
  lint?: LintSection;
}

/** A configuration that failed validation; the message lists every problem. */
export class ConfigError extends Error {
  /** Creates the error with the full, multi-line message. */
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/**
 * Validates a configuration value. `where` names its origin for messages,
 * e.g. `deno.json#codegen`.
 *
 * @example
 * ```ts
 * parseCodegenConfig({ targets: [{ inputs: ["a.proto"], out: "gen" }] }, "wirecall.codegen.json");
 * ```
 */
export function parseCodegenConfig(value: unknown, where: string): CodegenConfig {
  const r = configSchema.safeParse(value);
  if (r.success) return r.data as CodegenConfig;
  const lines = r.error.issues.map((i) => {
    const path = i.path.map((p) => typeof p === "number" ? `[${p}]` : `.${String(p)}`).join("");
    return `  ${where}${path}: ${i.message}`;
  });
  throw new ConfigError(`invalid codegen configuration:\n${lines.join("\n")}`);
}
