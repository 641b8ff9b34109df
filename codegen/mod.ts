/**
 * wirecall's .proto compiler and TypeScript generator.
 *
 * @example
 * ```ts
 * import { compile } from "wirecall-codegen";
 * const { files } = compile({
 *   files: ["ping.proto"],
 *   sources: { "ping.proto": 'syntax = "proto3"; message Ping { string text = 1; }' },
 * });
 * ```
 *
 * @module
 */

export {
  compile,
  compileAsync,
  type CompileOptions,
  compileOrThrow,
  type CompileResult,
  type ReadFile,
  type ReadFileAsync,
} from "./compile.ts";
export { CompileError, type Diagnostic, formatDiagnostic } from "./diagnostic.ts";
export {
  DEFAULT_ES_OPTIONS,
  generate,
  type GeneratedFile,
  type GenerateOptions,
} from "./generate.ts";
export { type DescriptorSetOptions, toDescriptorSet } from "./descriptor-set.ts";
export { generateOpenApi, openApiDocument } from "./openapi.ts";
export {
  type CodegenConfig,
  type CodegenTarget,
  ConfigError,
  parseCodegenConfig,
} from "./config.ts";
export { type CodegenIO, type RunOptions, type RunResult, runTarget } from "./run.ts";
export {
  type Annotation,
  type AnnotationFormat,
  formatAnnotations,
  sortAnnotations,
} from "./checks/annotation.ts";
export {
  BREAKING_RULES,
  type BreakingOptions,
  checkBreaking,
  CheckConfigError,
  type CheckInput,
} from "./checks/breaking.ts";
export { lint, LINT_RULES, type LintOptions } from "./checks/lint.ts";
export type { CheckConfig, RuleSpec } from "./checks/rules-config.ts";
