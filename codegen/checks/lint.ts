/**
 * Lint with buf's rules (categories `MINIMAL`, `BASIC`, `STANDARD`,
 * `COMMENTS`, `UNARY_RPC`), rule IDs, messages and locations, buf's
 * configuration (`use`, `except`, `ignore`, `ignore_only`, the rule options)
 * and `// buf:lint:ignore RULE` comments. No `node:*` import: it runs in
 * browsers too.
 *
 * @module
 */

import type { FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { FieldDescriptorProto_Label } from "@bufbuild/protobuf/wkt";
import { type Annotation, sortAnnotations } from "./annotation.ts";
import { CheckConfigError } from "./breaking.ts";
import {
  DescriptorIndex,
  type EnumEl,
  type FieldEl,
  type FileEl,
  type MessageEl,
  type MethodEl,
  P,
  type ServiceEl,
  type Span,
} from "./descriptor-index.ts";
import { type CheckConfig, isIgnored, type RuleSpec, selectRules } from "./rules-config.ts";

/** Options of {@link lint}: buf's `lint` configuration and rule options. */
export interface LintOptions extends CheckConfig {
  /** Do not honour `// buf:lint:ignore RULE` comments. */
  disallowCommentIgnores?: boolean;
  /** ENUM_ZERO_VALUE_SUFFIX's suffix. Default `_UNSPECIFIED`. */
  enumZeroValueSuffix?: string;
  /** RPC_REQUEST_RESPONSE_UNIQUE: allow one message as request and response. */
  rpcAllowSameRequestResponse?: boolean;
  /** Allow `google.protobuf.Empty` requests. */
  rpcAllowGoogleProtobufEmptyRequests?: boolean;
  /** Allow `google.protobuf.Empty` responses. */
  rpcAllowGoogleProtobufEmptyResponses?: boolean;
  /** SERVICE_SUFFIX's suffix. Default `Service`. */
  serviceSuffix?: string;
  /** COMMENT_* rules: comment lines starting with one of these do not count. */
  commentExcludes?: string[];
  /** Imports each file does not use (from `compile()`'s `unusedImports`), for IMPORT_USED. */
  unusedImports?: Map<string, string[]>;
}

const R = (id: string, cats: string, purpose: string): RuleSpec => ({
  id,
  categories: cats ? cats.split(",").map((c) => c.trim()) : [],
  isDefault: cats.includes("STANDARD"),
  purpose,
});

/** buf's lint rules (v2) with their categories; the STANDARD ones run by default. */
export const LINT_RULES: RuleSpec[] = [
  R(
    "DIRECTORY_SAME_PACKAGE",
    "MINIMAL, BASIC, STANDARD",
    "Checks that all files in a given directory are in the same package.",
  ),
  R("PACKAGE_DEFINED", "MINIMAL, BASIC, STANDARD", "Checks that all files have a package defined."),
  R(
    "PACKAGE_DIRECTORY_MATCH",
    "MINIMAL, BASIC, STANDARD",
    "Checks that all files are in a directory that matches their package name.",
  ),
  R(
    "PACKAGE_NO_IMPORT_CYCLE",
    "MINIMAL, BASIC, STANDARD",
    "Checks that packages do not have import cycles.",
  ),
  R(
    "PACKAGE_SAME_DIRECTORY",
    "MINIMAL, BASIC, STANDARD",
    "Checks that all files with a given package are in the same directory.",
  ),
  R(
    "ENUM_FIRST_VALUE_ZERO",
    "BASIC, STANDARD",
    "Checks that all first values of enums have a numeric value of 0.",
  ),
  R(
    "ENUM_NO_ALLOW_ALIAS",
    "BASIC, STANDARD",
    "Checks that enums do not have the allow_alias option set.",
  ),
  R("ENUM_PASCAL_CASE", "BASIC, STANDARD", "Checks that enums are PascalCase."),
  R(
    "ENUM_VALUE_UPPER_SNAKE_CASE",
    "BASIC, STANDARD",
    "Checks that enum values are UPPER_SNAKE_CASE.",
  ),
  R("FIELD_LOWER_SNAKE_CASE", "BASIC, STANDARD", "Checks that field names are lower_snake_case."),
  R(
    "FIELD_NOT_REQUIRED",
    "BASIC, STANDARD",
    "Checks that fields are not configured to be required.",
  ),
  R("IMPORT_NO_PUBLIC", "BASIC, STANDARD", "Checks that imports are not public."),
  R("IMPORT_USED", "BASIC, STANDARD", "Checks that imports are used."),
  R("MESSAGE_PASCAL_CASE", "BASIC, STANDARD", "Checks that messages are PascalCase."),
  R("ONEOF_LOWER_SNAKE_CASE", "BASIC, STANDARD", "Checks that oneof names are lower_snake_case."),
  R("PACKAGE_LOWER_SNAKE_CASE", "BASIC, STANDARD", "Checks that packages are lower_snake.case."),
  ...[
    ["CSHARP_NAMESPACE", "csharp_namespace"],
    ["GO_PACKAGE", "go_package"],
    ["JAVA_MULTIPLE_FILES", "java_multiple_files"],
    ["JAVA_PACKAGE", "java_package"],
    ["PHP_NAMESPACE", "php_namespace"],
    ["RUBY_PACKAGE", "ruby_package"],
    ["SWIFT_PREFIX", "swift_prefix"],
  ].map(([id, o]) =>
    R(
      `PACKAGE_SAME_${id}`,
      "BASIC, STANDARD",
      `Checks that all files with a given package have the same value for the ${o} option.`,
    )
  ),
  R("RPC_PASCAL_CASE", "BASIC, STANDARD", "Checks that RPCs are PascalCase."),
  R("SERVICE_PASCAL_CASE", "BASIC, STANDARD", "Checks that services are PascalCase."),
  R("SYNTAX_SPECIFIED", "BASIC, STANDARD", "Checks that all files have a syntax specified."),
  R(
    "ENUM_VALUE_PREFIX",
    "STANDARD",
    "Checks that enum values are prefixed with ENUM_NAME_UPPER_SNAKE_CASE.",
  ),
  R(
    "ENUM_ZERO_VALUE_SUFFIX",
    "STANDARD",
    'Checks that enum zero values have a consistent suffix (configurable, default suffix is "_UNSPECIFIED").',
  ),
  R("FILE_LOWER_SNAKE_CASE", "STANDARD", "Checks that filenames are lower_snake_case."),
  R(
    "PACKAGE_VERSION_SUFFIX",
    "STANDARD",
    "Checks that the last component of all packages is a version of the form v\\d+, v\\d+test.*, v\\d+(alpha|beta)\\d+, or v\\d+p\\d+(alpha|beta)\\d+, where numbers are >=1.",
  ),
  R(
    "PROTOVALIDATE",
    "STANDARD",
    "Checks that protovalidate rules are valid and all CEL expressions compile.",
  ),
  R(
    "RPC_REQUEST_RESPONSE_UNIQUE",
    "STANDARD",
    "Checks that RPC request and response types are only used in one RPC (configurable).",
  ),
  R(
    "RPC_REQUEST_STANDARD_NAME",
    "STANDARD",
    "Checks that RPC request type names are RPCNameRequest or ServiceNameRPCNameRequest (configurable).",
  ),
  R(
    "RPC_RESPONSE_STANDARD_NAME",
    "STANDARD",
    "Checks that RPC response type names are RPCNameResponse or ServiceNameRPCNameResponse (configurable).",
  ),
  R(
    "SERVICE_SUFFIX",
    "STANDARD",
    'Checks that services have a consistent suffix (configurable, default suffix is "Service").',
  ),
  R("COMMENT_ENUM", "COMMENTS", "Checks that enums have non-empty comments."),
  R("COMMENT_ENUM_VALUE", "COMMENTS", "Checks that enum values have non-empty comments."),
  R("COMMENT_FIELD", "COMMENTS", "Checks that fields have non-empty comments."),
  R("COMMENT_MESSAGE", "COMMENTS", "Checks that messages have non-empty comments."),
  R("COMMENT_ONEOF", "COMMENTS", "Checks that oneofs have non-empty comments."),
  R("COMMENT_RPC", "COMMENTS", "Checks that RPCs have non-empty comments."),
  R("COMMENT_SERVICE", "COMMENTS", "Checks that services have non-empty comments."),
  R("RPC_NO_CLIENT_STREAMING", "UNARY_RPC", "Checks that RPCs are not client streaming."),
  R("RPC_NO_SERVER_STREAMING", "UNARY_RPC", "Checks that RPCs are not server streaming."),
  R(
    "STABLE_PACKAGE_NO_IMPORT_UNSTABLE",
    "",
    "Checks that all files that have stable versioned packages do not import packages with unstable version packages.",
  ),
];

/** The file buf's PROTOVALIDATE rule checks the use of. */
export const PROTOVALIDATE_PROTO = "buf/validate/validate.proto";

/**
 * The files among `files` whose `buf.validate` rules buf's PROTOVALIDATE
 * rule would check and wirecall does not (it has no CEL compiler nor
 * protovalidate's rule semantics): those importing
 * `buf/validate/validate.proto`, when the rule is selected. A file that
 * does not import it has no protovalidate rules, and the rule finds
 * nothing there in buf either.
 *
 * @example
 * ```ts
 * for (const f of protovalidateUnchecked(result.files, {})) console.warn(f);
 * ```
 */
export function protovalidateUnchecked(
  files: FileDescriptorProto[],
  options: LintOptions = {},
): string[] {
  const rules = selectRules(LINT_RULES, options);
  if (rules instanceof Error || !rules.has("PROTOVALIDATE")) return [];
  return files.filter((f) =>
    f.dependency.includes(PROTOVALIDATE_PROTO) &&
    !isIgnored(LINT_RULES, options, "PROTOVALIDATE", f.name)
  ).map((f) => f.name);
}

/**
 * Lints `files` (the module's own files; `imports` only resolve types and
 * package import cycles) and returns the findings sorted as buf sorts them.
 * SourceCodeInfo gives the locations and the `// buf:lint:ignore` comments.
 *
 * @example
 * ```ts
 * const r = compile({ files: ["acme/v1/a.proto"], sources });
 * lint(r.files, { imports: r.allFiles, unusedImports: r.unusedImports });
 * ```
 */
export function lint(
  files: FileDescriptorProto[],
  options: LintOptions & { imports?: FileDescriptorProto[] } = {},
): Annotation[] {
  const rules = selectRules(LINT_RULES, options);
  if (rules instanceof Error) throw new CheckConfigError(rules.message);
  const idx = new DescriptorIndex(files, options.imports);
  const all = options.imports ?? files;
  const out: Annotation[] = [];
  const emit = (rule: string) => {
    if (!rules.has(rule)) return undefined;
    return (span: Span | undefined, path: string, message: string) => {
      if (isIgnored(LINT_RULES, options, rule, path)) return;
      if (!options.disallowCommentIgnores && span && commentIgnores(idx, span, rule)) return;
      out.push({
        type: rule,
        message,
        path,
        startLine: span?.startLine ?? 1,
        startColumn: span?.startColumn ?? 1,
        endLine: span?.endLine ?? 1,
        endColumn: span?.endColumn ?? 1,
      });
    };
  };
  packageRules(idx, all, emit, options);
  for (const f of idx.list) fileRules(f, emit, options);
  rpcUniqueness(idx, emit, options);
  return sortAnnotations(out);
}

type EmitFor = (
  rule: string,
) => ((span: Span | undefined, path: string, message: string) => void) | undefined;

const q = (s: string) => JSON.stringify(s);

function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : path.slice(0, i);
}

/** `// buf:lint:ignore RULE` in the leading comments of the declaration or an enclosing one. */
function commentIgnores(idx: DescriptorIndex, span: Span, rule: string): boolean {
  const file = idx.files.get(span.path);
  if (!file) return false;
  const path = span.location.path;
  const paths: number[][] = [];
  if (path.length === 1 || (path.length === 2 && path[0] === P.file.dependency.number)) {
    paths.push(path);
  } else {
    for (let n = 2; n <= path.length; n += 2) paths.push(path.slice(0, n));
    if (path.length % 2 === 1) paths.push(path);
  }
  for (const p of paths) {
    const loc = file.span(p)?.location;
    for (const line of (loc?.leadingComments ?? "").split("\n")) {
      if (line.trim().startsWith("buf:lint:ignore " + rule)) return true;
    }
  }
  return false;
}

function packageRules(
  idx: DescriptorIndex,
  all: FileDescriptorProto[],
  emit: EmitFor,
  o: LintOptions,
): void {
  const pkgLoc = (f: FileEl) => f.span([P.file.package.number]);
  const byDir = group(idx.list, (f) => dirOf(f.path));
  const sameDir = emit("DIRECTORY_SAME_PACKAGE");
  if (sameDir) {
    for (const [dir, files] of byDir) {
      const pkgs = new Set(files.map((f) => f.pkg));
      if (pkgs.size <= 1) continue;
      let prefix: string;
      if (pkgs.has("")) {
        pkgs.delete("");
        const list = [...pkgs].sort().join(",");
        prefix = pkgs.size > 1
          ? `Multiple packages ${q(list)} and file with no package`
          : `Package ${q(list)} and file with no package`;
      } else prefix = `Multiple packages ${q([...pkgs].sort().join(","))}`;
      for (const f of files) {
        sameDir(pkgLoc(f), f.path, `${prefix} detected within directory ${q(dir)}.`);
      }
    }
  }
  const byPkg = group(idx.list, (f) => f.pkg);
  const samePkgDir = emit("PACKAGE_SAME_DIRECTORY");
  if (samePkgDir) {
    for (const [pkg, files] of byPkg) {
      const dirs = [...new Set(files.map((f) => dirOf(f.path)))].sort();
      if (dirs.length <= 1) continue;
      for (const f of files) {
        samePkgDir(
          pkgLoc(f),
          f.path,
          `Multiple directories ${q(dirs.join(","))} contain files with package ${q(pkg)}.`,
        );
      }
    }
  }
  const options: [string, string, (f: FileEl) => string][] = [
    ["CSHARP_NAMESPACE", "csharp_namespace", (f) => f.proto.options?.csharpNamespace ?? ""],
    ["GO_PACKAGE", "go_package", (f) => f.proto.options?.goPackage ?? ""],
    [
      "JAVA_MULTIPLE_FILES",
      "java_multiple_files",
      (f) =>
        f.proto.options &&
          Object.prototype.hasOwnProperty.call(f.proto.options, "javaMultipleFiles")
          ? String(f.proto.options.javaMultipleFiles)
          : "",
    ],
    ["JAVA_PACKAGE", "java_package", (f) => f.proto.options?.javaPackage ?? ""],
    ["PHP_NAMESPACE", "php_namespace", (f) => f.proto.options?.phpNamespace ?? ""],
    ["RUBY_PACKAGE", "ruby_package", (f) => f.proto.options?.rubyPackage ?? ""],
    ["SWIFT_PREFIX", "swift_prefix", (f) => f.proto.options?.swiftPrefix ?? ""],
  ];
  const optionNumber: Record<string, number> = {
    csharp_namespace: P.fileOptions.csharpNamespace.number,
    go_package: P.fileOptions.goPackage.number,
    java_multiple_files: P.fileOptions.javaMultipleFiles.number,
    java_package: P.fileOptions.javaPackage.number,
    php_namespace: P.fileOptions.phpNamespace.number,
    ruby_package: P.fileOptions.rubyPackage.number,
    swift_prefix: P.fileOptions.swiftPrefix.number,
  };
  for (const [id, name, value] of options) {
    const e = emit(`PACKAGE_SAME_${id}`);
    if (!e) continue;
    for (const [pkg, files] of byPkg) {
      const values = new Set(files.map(value));
      if (values.size <= 1) continue;
      const none = values.delete("");
      const list = q([...values].sort().join(","));
      const message = none
        ? `Files in package ${q(pkg)} have both values ${list} and no value for option ${
          q(name)
        } and all values must be equal.`
        : `Files in package ${q(pkg)} have multiple values ${list} for option ${
          q(name)
        } and all values must be equal.`;
      for (const f of files) {
        e(f.span([P.file.options.number, optionNumber[name]]), f.path, message);
      }
    }
  }
  const cycle = emit("PACKAGE_NO_IMPORT_CYCLE");
  if (cycle) importCycles(idx, all, cycle);
  const stable = emit("STABLE_PACKAGE_NO_IMPORT_UNSTABLE");
  if (stable) {
    for (const f of idx.list) {
      const v = packageVersion(f.pkg);
      if (!v || v !== "stable") continue;
      f.proto.dependency.forEach((d, i) => {
        const imported = idx.files.get(d);
        if (!imported) return;
        const iv = packageVersion(imported.pkg);
        if (iv && iv !== "stable") {
          stable(
            f.span([P.file.dependency.number, i]),
            f.path,
            `This file is in stable package ${q(f.pkg)}, so it should not depend on ${
              q(d)
            } from unstable package ${q(imported.pkg)}.`,
          );
        }
      });
    }
  }
  void o;
}

function importCycles(
  idx: DescriptorIndex,
  all: FileDescriptorProto[],
  emit: (span: Span | undefined, path: string, message: string) => void,
): void {
  const pkgOf = new Map<string, string>();
  for (const f of all) pkgOf.set(f.name, f.package);
  for (const f of idx.list) pkgOf.set(f.path, f.pkg);
  const protos = new Map(all.map((f) => [f.name, f]));
  for (const f of idx.list) protos.set(f.path, f.proto);
  // package → imported package → [file, dependency index]
  const graph = new Map<string, Map<string, [string, number][]>>();
  for (const f of protos.values()) {
    f.dependency.forEach((d, i) => {
      const dp = pkgOf.get(d);
      if (dp === undefined || dp === f.package) return;
      let m = graph.get(f.package);
      if (!m) graph.set(f.package, m = new Map());
      let l = m.get(dp);
      if (!l) m.set(dp, l = []);
      l.push([f.name, i]);
    });
  }
  const find = (pkg: string, used: Set<string>, list: string[]): string[] | undefined => {
    list = [...list, pkg];
    if (used.has(pkg)) return list[0] === list[list.length - 1] ? list : undefined;
    used.add(pkg);
    for (const next of graph.get(pkg)?.keys() ?? []) {
      if (next === "") continue;
      const c = find(next, used, list);
      if (c) return c;
    }
    used.delete(pkg);
    return undefined;
  };
  for (const [pkg, imported] of graph) {
    if (pkg === "") continue;
    for (const [next, imports] of imported) {
      if (next === "") continue;
      const c = find(next, new Set([pkg]), [pkg]);
      if (!c) continue;
      for (const [name, i] of imports) {
        const f = idx.files.get(name);
        if (!f) continue;
        emit(
          f.span([P.file.dependency.number, i]),
          f.path,
          `Package import cycle: ${c.join(" -> ")}`,
        );
      }
    }
  }
}

function group<T>(list: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const t of list) {
    const k = key(t);
    let l = m.get(k);
    if (!l) m.set(k, l = []);
    l.push(t);
  }
  return m;
}

function fileRules(f: FileEl, emit: EmitFor, o: LintOptions): void {
  const path = f.path;
  const pkgLoc = f.span([P.file.package.number]);
  if (f.pkg === "") {
    emit("PACKAGE_DEFINED")?.(undefined, path, "Files must have a package defined.");
  }
  if (f.pkg !== "") {
    const expected = f.pkg.split(".").join("/");
    const dir = dirOf(path);
    if (dir !== expected) {
      emit("PACKAGE_DIRECTORY_MATCH")?.(
        pkgLoc,
        path,
        `Files with package ${
          q(f.pkg)
        } must be within a directory "${expected}" relative to root but were in directory "${dir}".`,
      );
    }
    const lower = f.pkg.split(".").map(toLowerSnakeCase).join(".");
    if (lower !== f.pkg) {
      emit("PACKAGE_LOWER_SNAKE_CASE")?.(
        pkgLoc,
        path,
        `Package name ${q(f.pkg)} should be lower_snake.case, such as ${q(lower)}.`,
      );
    }
    if (!packageVersion(f.pkg)) {
      emit("PACKAGE_VERSION_SUFFIX")?.(
        pkgLoc,
        path,
        `Package name ${q(f.pkg)} should be suffixed with a correctly formed version, such as ${
          q(f.pkg + ".v1")
        }.`,
      );
    }
  }
  if (!f.span([P.file.syntax.number]) && f.syntax === "proto2" && f.proto.syntax === "") {
    emit("SYNTAX_SPECIFIED")?.(
      undefined,
      path,
      `Files must have a syntax explicitly specified. If no syntax is specified, the file defaults to "proto2".`,
    );
  }
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  const ext = dot < 0 ? "" : base.slice(dot);
  const stem = base.slice(0, base.length - ext.length);
  const expectedStem = toLowerSnakeCase(stem);
  if (stem !== expectedStem) {
    emit("FILE_LOWER_SNAKE_CASE")?.(
      undefined,
      path,
      `Filename ${q(base)} should be lower_snake_case${ext}, such as "${expectedStem}${ext}".`,
    );
  }
  const unused = new Set(o.unusedImports?.get(path) ?? []);
  f.proto.dependency.forEach((d, i) => {
    const loc = f.span([P.file.dependency.number, i]);
    if (f.proto.publicDependency.includes(i)) {
      emit("IMPORT_NO_PUBLIC")?.(loc, path, `Import ${q(d)} must not be public.`);
    }
    if (unused.has(d)) emit("IMPORT_USED")?.(loc, path, `Import ${q(d)} is unused.`);
  });
  for (const m of f.messages) messageRules(m, emit, o);
  for (const e of f.enums) enumRules(e, emit, o);
  for (const x of f.extensions) fieldRules(x, emit, o);
  for (const s of f.services) serviceRules(s, emit, o);
}

function validComment(comment: string | undefined, excludes: string[]): boolean {
  for (const line of (comment ?? "").split("\n")) {
    const l = line.trim();
    if (l !== "" && !excludes.some((e) => l.startsWith(e))) return true;
  }
  return false;
}

function commentRule(
  emit: EmitFor,
  rule: string,
  what: string,
  name: string,
  span: () => Span | undefined,
  o: LintOptions,
): void {
  const e = emit(rule);
  if (!e) return;
  const loc = span();
  if (!loc) return;
  // A comment that only holds lint directives does not document anything.
  const excludes = ["buf:lint:ignore", ...(o.commentExcludes ?? [])];
  if (validComment(loc.location.leadingComments, excludes)) return;
  e(loc, loc.path, `${what} ${q(name)} should have a non-empty comment for documentation.`);
}

function messageRules(m: MessageEl, emit: EmitFor, o: LintOptions): void {
  if (!m.isMapEntry) {
    const name = m.proto.name;
    const expected = toPascalCase(name);
    if (name !== expected) {
      emit("MESSAGE_PASCAL_CASE")?.(
        m.file.span([...m.path, P.message.name.number]),
        m.file.path,
        `Message name ${q(name)} should be PascalCase, such as ${q(expected)}.`,
      );
    }
    commentRule(emit, "COMMENT_MESSAGE", "Message", name, () => m.file.span(m.path), o);
  }
  for (const f of m.fields) fieldRules(f, emit, o);
  for (const oneof of m.oneofs) {
    const name = oneof.proto.name;
    const expected = toLowerSnakeCase(name);
    if (name !== expected && !oneof.isSynthetic) {
      emit("ONEOF_LOWER_SNAKE_CASE")?.(
        m.file.span([...oneof.path, P.oneof.name.number]),
        m.file.path,
        `Oneof name ${q(name)} should be lower_snake_case, such as ${q(expected)}.`,
      );
    }
    if (!oneof.isSynthetic) {
      commentRule(emit, "COMMENT_ONEOF", "Oneof", name, () => m.file.span(oneof.path), o);
    }
  }
}

function fieldRules(f: FieldEl, emit: EmitFor, o: LintOptions): void {
  const path = f.file.path;
  const name = f.proto.name;
  if (!f.parent?.isMapEntry || f.isExtension) {
    const expected = toLowerSnakeCase(name);
    if (name !== expected) {
      emit("FIELD_LOWER_SNAKE_CASE")?.(
        f.nameLocation,
        path,
        `Field name ${q(name)} should be lower_snake_case, such as ${q(expected)}.`,
      );
    }
  }
  const required = f.proto.label === FieldDescriptorProto_Label.REQUIRED ||
    (f.file.syntax === "editions" && f.proto.label !== FieldDescriptorProto_Label.REPEATED &&
      f.features.fieldPresence === 3);
  if (required) {
    emit("FIELD_NOT_REQUIRED")?.(
      f.nameLocation,
      path,
      `Field named ${q(name)} should not be required.`,
    );
  }
  if (!(f.parent?.isMapEntry && !f.isExtension) && f.proto.type !== 10) {
    commentRule(emit, "COMMENT_FIELD", "Field", name, () => f.file.span(f.path), o);
  }
}

function enumRules(e: EnumEl, emit: EmitFor, o: LintOptions): void {
  const path = e.file.path;
  const name = e.proto.name;
  const expected = toPascalCase(name);
  if (name !== expected) {
    emit("ENUM_PASCAL_CASE")?.(
      e.file.span([...e.path, P.enum.name.number]),
      path,
      `Enum name ${q(name)} should be PascalCase, such as ${q(expected)}.`,
    );
  }
  if (e.proto.options?.allowAlias) {
    emit("ENUM_NO_ALLOW_ALIAS")?.(
      e.file.span([...e.path, P.enum.options.number, P.enumOptions.allowAlias.number]),
      path,
      `Enum option "allow_alias" on enum ${q(name)} must be false.`,
    );
  }
  commentRule(emit, "COMMENT_ENUM", "Enum", name, () => e.location, o);
  const first = e.values[0];
  if (first && first.proto.number !== 0) {
    emit("ENUM_FIRST_VALUE_ZERO")?.(
      first.numberLocation,
      path,
      `First enum value ${q(first.proto.name)} should have a numeric value of 0`,
    );
  }
  const prefix = toUpperSnakeCase(name) + "_";
  const suffix = o.enumZeroValueSuffix ?? "_UNSPECIFIED";
  for (const v of e.values) {
    const vn = v.proto.name;
    const nameLoc = () => e.file.span([...v.path, P.enumValue.name.number]);
    const upper = toUpperSnakeCase(vn);
    if (vn !== upper) {
      emit("ENUM_VALUE_UPPER_SNAKE_CASE")?.(
        nameLoc(),
        path,
        `Enum value name ${q(vn)} should be UPPER_SNAKE_CASE, such as ${q(upper)}.`,
      );
    }
    if (!vn.startsWith(prefix)) {
      emit("ENUM_VALUE_PREFIX")?.(
        nameLoc(),
        path,
        `Enum value name ${q(vn)} should be prefixed with ${q(prefix)}.`,
      );
    }
    if (v.proto.number === 0 && !vn.endsWith(suffix)) {
      emit("ENUM_ZERO_VALUE_SUFFIX")?.(
        nameLoc(),
        path,
        `Enum zero value name ${q(vn)} should be suffixed with ${q(suffix)}.`,
      );
    }
    commentRule(emit, "COMMENT_ENUM_VALUE", "Enum value", vn, () => e.file.span(v.path), o);
  }
}

function serviceRules(s: ServiceEl, emit: EmitFor, o: LintOptions): void {
  const path = s.file.path;
  const name = s.proto.name;
  const nameLoc = s.file.span([...s.path, P.service.name.number]);
  const expected = toPascalCase(name);
  if (name !== expected) {
    emit("SERVICE_PASCAL_CASE")?.(
      nameLoc,
      path,
      `Service name ${q(name)} should be PascalCase, such as ${q(expected)}.`,
    );
  }
  const suffix = o.serviceSuffix ?? "Service";
  if (!name.endsWith(suffix)) {
    emit("SERVICE_SUFFIX")?.(
      nameLoc,
      path,
      `Service name ${q(name)} should be suffixed with ${q(suffix)}.`,
    );
  }
  commentRule(emit, "COMMENT_SERVICE", "Service", name, () => s.location, o);
  for (const m of s.methods) methodRules(s, m, emit, o);
}

function methodRules(s: ServiceEl, m: MethodEl, emit: EmitFor, o: LintOptions): void {
  const path = s.file.path;
  const name = m.proto.name;
  const expected = toPascalCase(name);
  if (name !== expected) {
    emit("RPC_PASCAL_CASE")?.(
      m.loc(P.method.name.number),
      path,
      `RPC name ${q(name)} should be PascalCase, such as ${q(expected)}.`,
    );
  }
  if (m.proto.clientStreaming) {
    emit("RPC_NO_CLIENT_STREAMING")?.(m.loc(), path, `RPC ${q(name)} is client streaming.`);
  }
  if (m.proto.serverStreaming) {
    emit("RPC_NO_SERVER_STREAMING")?.(m.loc(), path, `RPC ${q(name)} is server streaming.`);
  }
  commentRule(emit, "COMMENT_RPC", "RPC", name, () => m.loc(), o);
  for (
    const [rule, side, typeName, allowEmpty, locTag] of [
      [
        "RPC_REQUEST_STANDARD_NAME",
        "Request",
        m.proto.inputType,
        o.rpcAllowGoogleProtobufEmptyRequests,
        P.method.inputType.number,
      ],
      [
        "RPC_RESPONSE_STANDARD_NAME",
        "Response",
        m.proto.outputType,
        o.rpcAllowGoogleProtobufEmptyResponses,
        P.method.outputType.number,
      ],
    ] as const
  ) {
    const full = typeName.replace(/^\./, "");
    if (allowEmpty && full === "google.protobuf.Empty") continue;
    const short = full.slice(full.lastIndexOf(".") + 1);
    const e1 = toPascalCase(name) + side;
    const e2 = toPascalCase(s.proto.name) + e1;
    if (short !== e1 && short !== e2) {
      emit(rule)?.(
        m.loc(locTag),
        path,
        `RPC ${side.toLowerCase()} type ${q(short)} should be named ${q(e1)} or ${q(e2)}.`,
      );
    }
  }
}

function rpcUniqueness(idx: DescriptorIndex, emitFor: EmitFor, o: LintOptions): void {
  const emit = emitFor("RPC_REQUEST_RESPONSE_UNIQUE");
  if (!emit) return;
  const methods: { m: MethodEl; path: string; full: string }[] = [];
  for (const f of idx.list) {
    for (const s of f.services) {
      for (const m of s.methods) {
        methods.push({ m, path: f.path, full: s.fullName + "." + m.proto.name });
      }
    }
  }
  const EMPTY = "google.protobuf.Empty";
  const allowReq = o.rpcAllowGoogleProtobufEmptyRequests ?? false;
  const allowRes = o.rpcAllowGoogleProtobufEmptyResponses ?? false;
  const t = (s: string) => s.replace(/^\./, "");
  if (!o.rpcAllowSameRequestResponse) {
    for (const { m, path } of methods) {
      const i = t(m.proto.inputType);
      if (i === t(m.proto.outputType) && !(i === EMPTY && allowReq && allowRes)) {
        emit(
          m.loc(),
          path,
          `RPC ${q(m.proto.name)} has the same type ${q(i)} for the request and response.`,
        );
      }
    }
  }
  const users = new Map<string, Map<string, { m: MethodEl; path: string }>>();
  for (const x of methods) {
    for (const type of [t(x.m.proto.inputType), t(x.m.proto.outputType)]) {
      let u = users.get(type);
      if (!u) users.set(type, u = new Map());
      u.set(x.full, x);
    }
  }
  for (const [type, u] of users) {
    if (u.size === 1) continue;
    if (type === EMPTY && (allowReq || allowRes)) {
      if (allowReq && allowRes) continue;
      const list = [...u.values()];
      const req = list.filter((x) => t(x.m.proto.inputType) === EMPTY);
      const res = list.filter((x) => t(x.m.proto.outputType) === EMPTY);
      if (!allowReq && req.length > 1) {
        for (const x of req) {
          emit(x.m.loc(), x.path, `${q(type)} is used as the request for multiple RPCs.`);
        }
      }
      if (!allowRes && res.length > 1) {
        for (const x of res) {
          emit(x.m.loc(), x.path, `${q(type)} is used as the response for multiple RPCs.`);
        }
      }
      continue;
    }
    for (const x of u.values()) {
      emit(
        x.m.loc(),
        x.path,
        `${q(type)} is used as the request or response type for multiple RPCs.`,
      );
    }
  }
}

/** buf's version suffix check: "stable", "alpha", "beta", "test", or undefined when malformed. */
export function packageVersion(pkg: string): string | undefined {
  if (!pkg) return undefined;
  const parts = pkg.split(".");
  if (parts.length < 2) return undefined;
  const c = parts[parts.length - 1];
  if (c.length < 2 || c[0] !== "v") return undefined;
  const version = c.slice(1);
  const num = (s: string, min: number) => {
    if (!/^[+-]?\d+$/.test(s)) return undefined;
    const n = Number(s);
    return n >= min && n <= 2147483647 ? n : undefined;
  };
  if (version.includes("test")) {
    const at = version.indexOf("test");
    return num(version.slice(0, at), 1) === undefined ? undefined : "test";
  }
  const alpha = version.includes("alpha"), beta = version.includes("beta");
  if (alpha && beta) return undefined;
  if (!alpha && !beta) return num(version, 1) === undefined ? undefined : "stable";
  const level = alpha ? "alpha" : "beta";
  const at = version.indexOf(level);
  const rest = version.slice(at + level.length);
  if (rest !== "" && num(rest, 1) === undefined) return undefined;
  const head = version.slice(0, at);
  if (head.includes("p")) {
    const p = head.indexOf("p");
    if (num(head.slice(0, p), 1) === undefined || num(head.slice(p + 1), 1) === undefined) {
      return undefined;
    }
    return level;
  }
  return num(head, 1) === undefined ? undefined : level;
}

const isDelimiter = (c: string) =>
  c === "." || c === "-" || c === "_" || c === " " || c === "\t" || c === "\n" || c === "\r";
const isUpper = (c: string) => c !== c.toLowerCase() && c === c.toUpperCase();
const isLower = (c: string) => c !== c.toUpperCase() && c === c.toLowerCase();

/** buf's PascalCase: splits on delimiters, keeps capitals. */
export function toPascalCase(s: string): string {
  let out = "";
  let prev = "";
  const t = s.trim();
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (!isDelimiter(c)) {
      out += i === 0 || isDelimiter(prev) || isUpper(c) ? c.toUpperCase() : c.toLowerCase();
    }
    prev = c;
  }
  return out;
}

function toSnakeCase(input: string): string {
  let s = input;
  while (s.length && isDelimiter(s[0])) s = s.slice(1);
  while (s.length && isDelimiter(s[s.length - 1])) s = s.slice(0, -1);
  let out = "";
  for (let i = 0; i < s.length; i++) {
    let c = s[i];
    if (isDelimiter(c)) c = "_";
    if (i === 0) out += c;
    else if (
      isUpper(c) && out[out.length - 1] !== "_" &&
      ((i < s.length - 1 && !isUpper(s[i + 1]) && !/\d/.test(s[i + 1]) && !isDelimiter(s[i + 1])) ||
        isLower(s[i - 1]))
    ) {
      out += "_" + c;
    } else if (!(c === "_" && out[out.length - 1] === "_")) out += c;
  }
  return out;
}

/** buf's lower_snake_case. */
export function toLowerSnakeCase(s: string): string {
  return toSnakeCase(s).toLowerCase();
}

/** buf's UPPER_SNAKE_CASE. */
export function toUpperSnakeCase(s: string): string {
  return toSnakeCase(s).toUpperCase();
}
