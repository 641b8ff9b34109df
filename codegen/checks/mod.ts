/**
 * wirecall-codegen's contract checks without its generator: the compiler,
 * buf's breaking-change rules and buf's lint rules. Nothing here imports a
 * `node:*` module or `@bufbuild/protoc-gen-es`, so this entry bundles for
 * browsers (the package's main entry carries the generator, which does not).
 *
 * @example
 * ```ts
 * import { checkBreaking, compile, formatAnnotations } from "wirecall-codegen/checks";
 * const before = compile({ files: ["a.proto"], sources: { "a.proto": 'syntax = "proto3"; message A { string x = 1; }' } });
 * const after = compile({ files: ["a.proto"], sources: { "a.proto": 'syntax = "proto3"; message A {}' } });
 * console.log(formatAnnotations(checkBreaking(after.files, before.files), "text"));
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
} from "../compile.ts";
export { CompileError, type Diagnostic, formatDiagnostic } from "../diagnostic.ts";
export {
  type Annotation,
  type AnnotationFormat,
  formatAnnotations,
  sortAnnotations,
} from "./annotation.ts";
export {
  BREAKING_RULES,
  type BreakingOptions,
  checkBreaking,
  CheckConfigError,
  type CheckInput,
} from "./breaking.ts";
export { lint, LINT_RULES, type LintOptions, protovalidateUnchecked } from "./lint.ts";
export type { CheckConfig, RuleSpec } from "./rules-config.ts";
