/**
 * Breaking-change detection with buf's rules: compares the current
 * FileDescriptorProtos with a previous version and reports what breaks
 * generated code (categories `FILE`, `PACKAGE`), JSON (`WIRE_JSON`) or the
 * wire format (`WIRE`), under buf's rule IDs, messages and locations. No
 * `node:*` import: it runs in browsers too.
 *
 * @module
 */

import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FieldOptions_CType,
  FieldOptions_JSType,
  type FileDescriptorProto,
  FileOptions_OptimizeMode,
  MethodOptions_IdempotencyLevel,
} from "@bufbuild/protobuf/wkt";
import { type Annotation, sortAnnotations } from "./annotation.ts";
import {
  DescriptorIndex,
  editionOf,
  type EnumEl,
  type FieldEl,
  type FileEl,
  type MessageEl,
  P,
  type ServiceEl,
  type Span,
} from "./descriptor-index.ts";
import {
  type CheckConfig,
  isIgnored,
  isUnstablePackage,
  type RuleSpec,
  selectRules,
} from "./rules-config.ts";

const T = FieldDescriptorProto_Type;
const L = FieldDescriptorProto_Label;

/** The files of one side of a comparison: the checked files, and their imports for types. */
export interface CheckInput {
  /** Files checked (a module's own files). */
  files: FileDescriptorProto[];
  /** Their dependencies, used only to resolve types (maps, enum defaults). */
  imports?: FileDescriptorProto[];
}

/** Options of {@link checkBreaking}: buf's `breaking` configuration. */
export type BreakingOptions = CheckConfig;

const R = (id: string, cats: string, purpose: string, isDefault = true): RuleSpec => ({
  id,
  categories: cats.split(",").map((c) => c.trim()),
  isDefault,
  purpose,
});

/** buf's breaking rules (v2), with their categories. */
export const BREAKING_RULES: RuleSpec[] = [
  R("EXTENSION_NO_DELETE", "FILE", "Checks that extensions are not deleted from a given file."),
  R("SERVICE_NO_DELETE", "FILE", "Checks that services are not deleted from a given file."),
  R("ENUM_NO_DELETE", "CSR, FILE", "Checks that enums are not deleted from a given file."),
  R("FILE_NO_DELETE", "CSR, FILE", "Checks that files are not deleted."),
  R("MESSAGE_NO_DELETE", "CSR, FILE", "Checks that messages are not deleted from a given file."),
  R("ENUM_SAME_TYPE", "FILE, PACKAGE", "Checks that enums have the same type (open vs closed)."),
  R(
    "FIELD_SAME_CARDINALITY",
    "FILE, PACKAGE",
    "Checks that fields have the same cardinalities in a given message.",
  ),
  R(
    "FIELD_SAME_CPP_STRING_TYPE",
    "FILE, PACKAGE",
    "Checks that fields have the same C++ string type, based on ctype field option or (pb.cpp).string_type feature.",
  ),
  R(
    "FIELD_SAME_JAVA_UTF8_VALIDATION",
    "FILE, PACKAGE",
    "Checks that fields have the same Java string UTF8 validation, based on java_string_check_utf8 file option or (pb.java).utf8_validation feature.",
  ),
  R(
    "FIELD_SAME_JSTYPE",
    "FILE, PACKAGE",
    "Checks that fields have the same value for the jstype option.",
  ),
  R(
    "FIELD_SAME_UTF8_VALIDATION",
    "FILE, PACKAGE",
    "Checks that string fields have the same UTF8 validation mode.",
  ),
  ...[
    "cc_enable_arenas",
    "cc_generic_services",
    "csharp_namespace",
    "go_package",
    "java_generic_services",
    "java_multiple_files",
    "java_outer_classname",
    "java_package",
    "objc_class_prefix",
    "optimize_for",
    "php_class_prefix",
    "php_metadata_namespace",
    "php_namespace",
    "py_generic_services",
    "ruby_package",
    "swift_prefix",
  ].map((o) =>
    R(
      `FILE_SAME_${o.toUpperCase()}`,
      "FILE, PACKAGE",
      `Checks that files have the same value for the ${o} option.`,
    )
  ),
  R("RPC_NO_DELETE", "FILE, PACKAGE", "Checks that rpcs are not deleted from a given service."),
  R(
    "ENUM_VALUE_NO_DELETE",
    "CSR, FILE, PACKAGE",
    "Checks that enum values are not deleted from a given enum.",
  ),
  R(
    "EXTENSION_MESSAGE_NO_DELETE",
    "CSR, FILE, PACKAGE",
    "Checks that extension ranges are not deleted from a given message.",
  ),
  R(
    "FIELD_NO_DELETE",
    "CSR, FILE, PACKAGE",
    "Checks that fields are not deleted from a given message.",
  ),
  R(
    "FIELD_SAME_TYPE",
    "CSR, FILE, PACKAGE",
    "Checks that fields have the same types in a given message.",
  ),
  R("FILE_SAME_SYNTAX", "CSR, FILE, PACKAGE", "Checks that files have the same syntax."),
  R(
    "MESSAGE_NO_REMOVE_STANDARD_DESCRIPTOR_ACCESSOR",
    "CSR, FILE, PACKAGE",
    "Checks that messages do not change the no_standard_descriptor_accessor option from false or unset to true.",
  ),
  R(
    "ONEOF_NO_DELETE",
    "CSR, FILE, PACKAGE",
    "Checks that oneofs are not deleted from a given message.",
  ),
  R(
    "ENUM_SAME_JSON_FORMAT",
    "CSR, FILE, PACKAGE, WIRE_JSON",
    "Checks that enums have the same JSON format support.",
  ),
  R(
    "ENUM_VALUE_SAME_NAME",
    "CSR, FILE, PACKAGE, WIRE_JSON",
    "Checks that enum values have the same name.",
  ),
  R(
    "FIELD_SAME_JSON_NAME",
    "CSR, FILE, PACKAGE, WIRE_JSON",
    "Checks that fields have the same value for the json_name option.",
  ),
  R(
    "FIELD_SAME_NAME",
    "CSR, FILE, PACKAGE, WIRE_JSON",
    "Checks that fields have the same names in a given message.",
  ),
  R(
    "MESSAGE_SAME_JSON_FORMAT",
    "CSR, FILE, PACKAGE, WIRE_JSON",
    "Checks that messages have the same JSON format support.",
  ),
  R(
    "FIELD_SAME_DEFAULT",
    "CSR, FILE, PACKAGE, WIRE_JSON, WIRE",
    "Checks that fields have the same default value, if a default is specified.",
  ),
  R(
    "FIELD_SAME_ONEOF",
    "CSR, FILE, PACKAGE, WIRE_JSON, WIRE",
    "Checks that fields have the same oneofs in a given message.",
  ),
  R(
    "FILE_SAME_PACKAGE",
    "CSR, FILE, PACKAGE, WIRE_JSON, WIRE",
    "Checks that files have the same package.",
  ),
  R(
    "MESSAGE_SAME_REQUIRED_FIELDS",
    "CSR, FILE, PACKAGE, WIRE_JSON, WIRE",
    "Checks that messages have no added or deleted required fields.",
  ),
  R(
    "RESERVED_ENUM_NO_DELETE",
    "CSR, FILE, PACKAGE, WIRE_JSON, WIRE",
    "Checks that reserved ranges and names are not deleted from a given enum.",
  ),
  R(
    "RESERVED_MESSAGE_NO_DELETE",
    "CSR, FILE, PACKAGE, WIRE_JSON, WIRE",
    "Checks that reserved ranges and names are not deleted from a given message.",
  ),
  R(
    "RPC_SAME_CLIENT_STREAMING",
    "CSR, FILE, PACKAGE, WIRE_JSON, WIRE",
    "Checks that rpcs have the same client streaming value.",
  ),
  R(
    "RPC_SAME_IDEMPOTENCY_LEVEL",
    "CSR, FILE, PACKAGE, WIRE_JSON, WIRE",
    "Checks that rpcs have the same value for the idempotency_level option.",
  ),
  R(
    "RPC_SAME_REQUEST_TYPE",
    "CSR, FILE, PACKAGE, WIRE_JSON, WIRE",
    "Checks that rpcs are have the same request type.",
  ),
  R(
    "RPC_SAME_RESPONSE_TYPE",
    "CSR, FILE, PACKAGE, WIRE_JSON, WIRE",
    "Checks that rpcs are have the same response type.",
  ),
  R(
    "RPC_SAME_SERVER_STREAMING",
    "CSR, FILE, PACKAGE, WIRE_JSON, WIRE",
    "Checks that rpcs have the same server streaming value.",
  ),
  R(
    "PACKAGE_ENUM_NO_DELETE",
    "PACKAGE",
    "Checks that enums are not deleted from a given package.",
    false,
  ),
  R(
    "PACKAGE_EXTENSION_NO_DELETE",
    "PACKAGE",
    "Checks that extensions are not deleted from a given package.",
    false,
  ),
  R(
    "PACKAGE_MESSAGE_NO_DELETE",
    "PACKAGE",
    "Checks that messages are not deleted from a given package.",
    false,
  ),
  R("PACKAGE_NO_DELETE", "PACKAGE", "Checks that packages are not deleted.", false),
  R(
    "PACKAGE_SERVICE_NO_DELETE",
    "PACKAGE",
    "Checks that services are not deleted from a given package.",
    false,
  ),
  R(
    "ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED",
    "CSR, WIRE_JSON",
    "Checks that enum values are not deleted from a given enum unless the name is reserved.",
    false,
  ),
  R(
    "FIELD_NO_DELETE_UNLESS_NAME_RESERVED",
    "CSR, WIRE_JSON",
    "Checks that fields are not deleted from a given message unless the name is reserved.",
    false,
  ),
  R(
    "FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY",
    "CSR, WIRE_JSON",
    "Checks that fields have wire and JSON compatible cardinalities in a given message.",
    false,
  ),
  R(
    "FIELD_WIRE_JSON_COMPATIBLE_TYPE",
    "CSR, WIRE_JSON",
    "Checks that fields have wire and JSON compatible types in a given message.",
    false,
  ),
  R(
    "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED",
    "CSR, WIRE_JSON, WIRE",
    "Checks that enum values are not deleted from a given enum unless the number is reserved.",
    false,
  ),
  R(
    "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED",
    "CSR, WIRE_JSON, WIRE",
    "Checks that fields are not deleted from a given message unless the number is reserved.",
    false,
  ),
  R(
    "FIELD_WIRE_COMPATIBLE_CARDINALITY",
    "WIRE",
    "Checks that fields have wire-compatible cardinalities in a given message.",
    false,
  ),
  R(
    "FIELD_WIRE_COMPATIBLE_TYPE",
    "WIRE",
    "Checks that fields have wire-compatible types in a given message.",
    false,
  ),
];

/** Thrown for a configuration naming an unknown rule or category. */
export class CheckConfigError extends Error {
  /** Wraps the problem. */
  constructor(message: string) {
    super(message);
    this.name = "CheckConfigError";
  }
}

/**
 * Compares `current` with `previous` and returns what breaks, sorted as buf
 * sorts it. Both sides are FileDescriptorProtos (from `compile()`, or a
 * decoded FileDescriptorSet); the current side needs SourceCodeInfo for
 * locations. Runs anywhere, browsers included.
 *
 * @example
 * ```ts
 * const now = compile({ files: ["a.proto"], sources: { "a.proto": next } });
 * const then = compile({ files: ["a.proto"], sources: { "a.proto": before } });
 * for (const a of checkBreaking(now.files, then.files)) console.log(a.type, a.message);
 * ```
 */
export function checkBreaking(
  current: FileDescriptorProto[] | CheckInput,
  previous: FileDescriptorProto[] | CheckInput,
  options: BreakingOptions = {},
): Annotation[] {
  const rules = selectRules(BREAKING_RULES, options);
  if (rules instanceof Error) throw new CheckConfigError(rules.message);
  const cur = Array.isArray(current) ? { files: current } : current;
  const prev = Array.isArray(previous) ? { files: previous } : previous;
  const ctx = new Context(
    new DescriptorIndex(cur.files, cur.imports),
    new DescriptorIndex(prev.files, prev.imports),
    rules,
    options,
  );
  ctx.run();
  return sortAnnotations(ctx.out);
}

type Emit = (
  span: Span | undefined,
  fallbackPath: string | undefined,
  against: { path: string; pkg: string } | undefined,
  message: string,
) => void;

const q = (s: string | number) => JSON.stringify(String(s));
const quoteList = (names: string[]) => names.map(q).join(", ");

class Context {
  readonly cur: DescriptorIndex;
  readonly prev: DescriptorIndex;
  readonly rules: Set<string>;
  readonly config: CheckConfig;
  readonly out: Annotation[] = [];

  constructor(
    cur: DescriptorIndex,
    prev: DescriptorIndex,
    rules: Set<string>,
    config: CheckConfig,
  ) {
    this.cur = cur;
    this.prev = prev;
    this.rules = rules;
    this.config = config;
  }

  emitter(rule: string): Emit | undefined {
    if (!this.rules.has(rule)) return undefined;
    return (span, fallbackPath, against, message) => {
      const path = span?.path ?? fallbackPath;
      const file = path === undefined ? undefined : this.cur.files.get(path);
      if (path !== undefined && this.ignored(rule, path, file?.pkg ?? "")) return;
      if (against && this.ignored(rule, against.path, against.pkg)) return;
      this.out.push({
        type: rule,
        message,
        path: path || undefined,
        startLine: span?.startLine ?? 1,
        startColumn: span?.startColumn ?? 1,
        endLine: span?.endLine ?? 1,
        endColumn: span?.endColumn ?? 1,
      });
    };
  }

  ignored(rule: string, path: string, pkg: string): boolean {
    if (isIgnored(BREAKING_RULES, this.config, rule, path)) return true;
    return this.config.ignoreUnstablePackages === true && pkg !== "" && isUnstablePackage(pkg);
  }

  run(): void {
    this.files();
    this.packages();
    this.enums();
    this.messages();
    this.fields();
    this.services();
  }

  // --- files -----------------------------------------------------------------

  files(): void {
    const noDelete = this.emitter("FILE_NO_DELETE");
    for (const pf of this.prev.list) {
      const f = this.cur.files.get(pf.path);
      if (!f) {
        noDelete?.(
          undefined,
          undefined,
          { path: pf.path, pkg: pf.pkg },
          `Previously present file ${q(pf.path)} was deleted.`,
        );
        continue;
      }
      this.filePair(f, pf);
    }
  }

  filePair(f: FileEl, pf: FileEl): void {
    const against = { path: pf.path, pkg: pf.pkg };
    const deleted = (
      rule: string,
      what: string,
      prevNames: Map<string, unknown>,
      names: Set<string>,
    ) => {
      const emit = this.emitter(rule);
      if (!emit) return;
      for (const name of prevNames.keys()) {
        if (names.has(name)) continue;
        emit(
          deletedElementLocation(f, name),
          f.path,
          against,
          `Previously present ${what} ${q(name)} was deleted from file.`,
        );
      }
    };
    deleted(
      "ENUM_NO_DELETE",
      "enum",
      byName(pf.enums, (e) => e.nestedName),
      new Set(f.enums.map((e) => e.nestedName)),
    );
    deleted(
      "EXTENSION_NO_DELETE",
      "extension",
      byName(pf.extensions, (e) => e.nestedName),
      new Set(f.extensions.map((e) => e.nestedName)),
    );
    deleted(
      "MESSAGE_NO_DELETE",
      "message",
      byName(pf.messages, (m) => m.nestedName),
      new Set(f.messages.map((m) => m.nestedName)),
    );
    const svc = this.emitter("SERVICE_NO_DELETE");
    if (svc) {
      const names = new Set(f.services.map((s) => s.proto.name));
      for (const s of pf.services) {
        if (!names.has(s.proto.name)) {
          svc(
            undefined,
            f.path,
            against,
            `Previously present service ${q(s.proto.name)} was deleted from file.`,
          );
        }
      }
    }
    const fo = f.proto.options, po = pf.proto.options;
    const option = (
      name: string,
      key: keyof typeof P.fileOptions,
      value: (o: typeof fo) => string,
    ) => {
      const emit = this.emitter(`FILE_SAME_${name.toUpperCase()}`);
      if (!emit) return;
      const a = value(po), b = value(fo);
      if (a === b) return;
      emit(
        f.span([P.file.options.number, P.fileOptions[key].number]),
        f.path,
        against,
        `File option ${q(name)} changed from ${q(a)} to ${q(b)}.`,
      );
    };
    const str = (
      k:
        | "csharpNamespace"
        | "goPackage"
        | "javaOuterClassname"
        | "javaPackage"
        | "objcClassPrefix"
        | "phpClassPrefix"
        | "phpMetadataNamespace"
        | "phpNamespace"
        | "rubyPackage"
        | "swiftPrefix",
    ) =>
    (o: typeof fo) => o?.[k] ?? "";
    const bool = (
      k: "ccGenericServices" | "javaGenericServices" | "javaMultipleFiles" | "pyGenericServices",
    ) =>
    (o: typeof fo) => String(o?.[k] ?? false);
    option(
      "cc_enable_arenas",
      "ccEnableArenas",
      (o) =>
        String(
          o && Object.prototype.hasOwnProperty.call(o, "ccEnableArenas") ? o.ccEnableArenas : true,
        ),
    );
    option("cc_generic_services", "ccGenericServices", bool("ccGenericServices"));
    option("csharp_namespace", "csharpNamespace", str("csharpNamespace"));
    option("go_package", "goPackage", str("goPackage"));
    option("java_generic_services", "javaGenericServices", bool("javaGenericServices"));
    option("java_multiple_files", "javaMultipleFiles", bool("javaMultipleFiles"));
    option("java_outer_classname", "javaOuterClassname", str("javaOuterClassname"));
    option("java_package", "javaPackage", str("javaPackage"));
    option("objc_class_prefix", "objcClassPrefix", str("objcClassPrefix"));
    option("optimize_for", "optimizeFor", (o) => FileOptions_OptimizeMode[o?.optimizeFor || 1]);
    option("php_class_prefix", "phpClassPrefix", str("phpClassPrefix"));
    option("php_metadata_namespace", "phpMetadataNamespace", str("phpMetadataNamespace"));
    option("php_namespace", "phpNamespace", str("phpNamespace"));
    option("py_generic_services", "pyGenericServices", bool("pyGenericServices"));
    option("ruby_package", "rubyPackage", str("rubyPackage"));
    option("swift_prefix", "swiftPrefix", str("swiftPrefix"));
    const same = (rule: string, what: string, a: string, b: string, path: number[]) => {
      if (a === b) return;
      this.emitter(rule)?.(
        f.span(path),
        f.path,
        against,
        `File ${what} changed from ${q(a)} to ${q(b)}.`,
      );
    };
    same("FILE_SAME_SYNTAX", "syntax", pf.syntax, f.syntax, [P.file.syntax.number]);
    same("FILE_SAME_PACKAGE", "package", pf.pkg, f.pkg, [P.file.package.number]);
  }

  // --- packages --------------------------------------------------------------

  packages(): void {
    const pkgs = (idx: DescriptorIndex) => {
      const m = new Map<string, FileEl[]>();
      for (const f of idx.list) {
        let l = m.get(f.pkg);
        if (!l) m.set(f.pkg, l = []);
        l.push(f);
      }
      return m;
    };
    const prevPkgs = pkgs(this.prev), curPkgs = pkgs(this.cur);
    const noDelete = this.emitter("PACKAGE_NO_DELETE");
    for (const [pkg, files] of prevPkgs) {
      if (curPkgs.has(pkg)) continue;
      const first = files.map((f) => f.path).sort()[0];
      noDelete?.(
        undefined,
        undefined,
        { path: first, pkg },
        `Previously present package ${q(pkg)} was deleted.`,
      );
    }
    const inPackage = <E extends { file: FileEl }>(
      rule: string,
      what: string,
      list: (f: FileEl) => E[],
      name: (e: E) => string,
      locate: (file: FileEl, name: string) => Span | undefined,
    ) => {
      const emit = this.emitter(rule);
      if (!emit) return;
      for (const [pkg, files] of prevPkgs) {
        const curFiles = curPkgs.get(pkg);
        if (!curFiles) continue;
        const names = new Set(curFiles.flatMap((f) => list(f).map(name)));
        // buf only compares packages that still hold an element of this kind
        // (services excepted: every package of the current files counts).
        if (names.size === 0 && rule !== "PACKAGE_SERVICE_NO_DELETE") continue;
        for (const pf of files) {
          for (const e of list(pf)) {
            const n = name(e);
            if (names.has(n)) continue;
            const file = this.cur.files.get(pf.path);
            emit(
              file ? locate(file, n) : undefined,
              file?.path,
              { path: pf.path, pkg },
              `Previously present ${what} ${q(n)} was deleted from package ${q(pkg)}.`,
            );
          }
        }
      }
    };
    inPackage(
      "PACKAGE_ENUM_NO_DELETE",
      "enum",
      (f) => f.enums,
      (e) => e.nestedName,
      deletedElementLocation,
    );
    inPackage(
      "PACKAGE_EXTENSION_NO_DELETE",
      "extension",
      (f) => f.extensions,
      (e) => e.nestedName,
      deletedElementLocation,
    );
    inPackage(
      "PACKAGE_MESSAGE_NO_DELETE",
      "message",
      (f) => f.messages,
      (m) => m.nestedName,
      deletedElementLocation,
    );
    inPackage(
      "PACKAGE_SERVICE_NO_DELETE",
      "service",
      (f) => f.services,
      (s) => s.proto.name,
      () => undefined,
    );
  }

  // --- enums -----------------------------------------------------------------

  enums(): void {
    const curEnums = new Map<string, EnumEl>();
    for (const f of this.cur.list) for (const e of f.enums) curEnums.set(e.fullName, e);
    for (const pf of this.prev.list) {
      for (const pe of pf.enums) {
        const e = curEnums.get(pe.fullName);
        if (e) this.enumPair(e, pe);
      }
    }
  }

  enumPair(e: EnumEl, pe: EnumEl): void {
    const against = { path: pe.file.path, pkg: pe.file.pkg };
    const name = e.proto.name;
    const featureLoc = (el: EnumEl, n: number) =>
      el.file.optionSpan(
        [...el.path, P.enum.options.number, P.enumOptions.features.number, n],
        el.path.length + 2,
      );
    if (pe.isClosed !== e.isClosed) {
      const [a, b] = e.isClosed ? ["open", "closed"] : ["closed", "open"];
      this.emitter("ENUM_SAME_TYPE")?.(
        featureLoc(e, P.features.enumType.number) ?? e.location,
        e.file.path,
        against,
        `Enum ${q(name)} changed from ${a} to ${b}.`,
      );
    }
    if (pe.features.jsonFormat === 1 && e.features.jsonFormat !== 1) {
      this.emitter("ENUM_SAME_JSON_FORMAT")?.(
        featureLoc(e, P.features.jsonFormat.number) ?? e.location,
        e.file.path,
        against,
        `Enum ${q(name)} JSON format support changed from ALLOW to ${
          jsonFormatName(e.features.jsonFormat)
        }.`,
      );
    }
    const byNumber = (el: EnumEl) => {
      const m = new Map<number, string[]>();
      for (const v of el.proto.value) {
        let l = m.get(v.number);
        if (!l) m.set(v.number, l = []);
        l.push(v.name);
      }
      return m;
    };
    const prevNums = byNumber(pe), curNums = byNumber(e);
    const reservedNum = (n: number) =>
      e.proto.reservedRange.some((r) => n >= r.start && n <= r.end);
    const reservedName = (n: string) => e.proto.reservedName.includes(n);
    for (
      const [rule, allowNumber, allowName] of [
        ["ENUM_VALUE_NO_DELETE", false, false],
        ["ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED", true, false],
        ["ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED", false, true],
      ] as const
    ) {
      const emit = this.emitter(rule);
      if (!emit) continue;
      for (const [n, names] of prevNums) {
        if (curNums.has(n)) continue;
        if (allowNumber && reservedNum(n)) continue;
        if (allowName && names.every(reservedName)) continue;
        let suffix = "";
        if (allowNumber) suffix = ` without reserving the number "${n}"`;
        if (allowName) {
          suffix = ` without reserving the name${names.length > 1 ? "s" : ""} ${
            quoteList([...names].sort())
          }`;
        }
        emit(
          e.location,
          pe.file.path,
          against,
          `Previously present enum value "${n}" on enum ${q(name)} was deleted${suffix}.`,
        );
      }
    }
    const sameName = this.emitter("ENUM_VALUE_SAME_NAME");
    if (sameName) {
      for (const [n, prevNames] of prevNums) {
        const names = curNums.get(n);
        if (!names) continue;
        // buf's condition: every previous name of the number is still one of its names.
        if (prevNames.every((x) => names.includes(x))) continue;
        const ps = [...new Set(prevNames)].sort(), cs = [...new Set(names)].sort();
        const s = ps.length > 1 && cs.length > 1 ? "s" : "";
        for (const v of e.values) {
          if (v.proto.number !== n) continue;
          sameName(
            v.numberLocation,
            e.file.path,
            against,
            `Enum value "${n}" on enum ${q(name)} changed name${s} from ${quoteList(ps)} to ${
              quoteList(cs)
            }.`,
          );
        }
      }
    }
    const reserved = this.emitter("RESERVED_ENUM_NO_DELETE");
    if (reserved) {
      const incl = (el: EnumEl) =>
        el.proto.reservedRange.map((r) => [r.start, r.end] as [number, number]);
      checkTagRanges(
        reserved,
        "reserved",
        "enum",
        name,
        e.location,
        e.file.path,
        against,
        incl(pe),
        incl(e),
        ENUM_MAX,
        ENUM_MAX,
      );
      for (const n of new Set(pe.proto.reservedName)) {
        if (!e.proto.reservedName.includes(n)) {
          reserved(
            e.location,
            e.file.path,
            against,
            `Previously present reserved name ${q(n)} on enum ${q(name)} was deleted.`,
          );
        }
      }
    }
  }

  // --- messages --------------------------------------------------------------

  messages(): void {
    const cur = new Map<string, MessageEl>();
    for (const f of this.cur.list) for (const m of f.messages) cur.set(m.fullName, m);
    for (const pf of this.prev.list) {
      for (const pm of pf.messages) {
        const m = cur.get(pm.fullName);
        if (m) this.messagePair(m, pm);
      }
    }
  }

  messagePair(m: MessageEl, pm: MessageEl): void {
    const against = { path: pm.file.path, pkg: pm.file.pkg };
    const name = m.proto.name;
    const loc = m.location;
    const ranges = this.emitter("EXTENSION_MESSAGE_NO_DELETE");
    const excl = (rs: { start: number; end: number }[]) =>
      rs.map((r) => [r.start, r.end - 1] as [number, number]);
    if (ranges) {
      checkTagRanges(
        ranges,
        "extension",
        "message",
        name,
        loc,
        m.file.path,
        against,
        excl(pm.proto.extensionRange),
        excl(m.proto.extensionRange),
        messageMax(pm),
        messageMax(m),
      );
    }
    const prevByNum = new Map(pm.fields.map((f) => [f.proto.number, f]));
    const curByNum = new Map(m.fields.map((f) => [f.proto.number, f]));
    for (
      const [rule, allowNumber, allowName] of [
        ["FIELD_NO_DELETE", false, false],
        ["FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED", true, false],
        ["FIELD_NO_DELETE_UNLESS_NAME_RESERVED", false, true],
      ] as const
    ) {
      const emit = this.emitter(rule);
      if (!emit) continue;
      for (const [n, pf] of prevByNum) {
        if (curByNum.has(n)) continue;
        if (allowNumber && m.proto.reservedRange.some((r) => n >= r.start && n <= r.end - 1)) {
          continue;
        }
        if (allowName && m.proto.reservedName.includes(pf.proto.name)) continue;
        let suffix = "";
        if (allowNumber) suffix = ` without reserving the number "${n}"`;
        if (allowName) suffix = ` without reserving the name ${q(pf.proto.name)}`;
        const d = fieldDescription(pf);
        emit(
          loc,
          m.file.path,
          against,
          `Previously present ${d[0].toLowerCase() + d.slice(1)} was deleted${suffix}.`,
        );
      }
    }
    const nsda = (x: MessageEl) => String(x.proto.options?.noStandardDescriptorAccessor ?? false);
    if (nsda(pm) === "false" && nsda(m) === "true") {
      this.emitter("MESSAGE_NO_REMOVE_STANDARD_DESCRIPTOR_ACCESSOR")?.(
        m.file.span([
          ...m.path,
          P.message.options.number,
          P.messageOptions.noStandardDescriptorAccessor.number,
        ]),
        m.file.path,
        against,
        `Message option "no_standard_descriptor_accessor" changed from "false" to "true".`,
      );
    }
    const oneofs = this.emitter("ONEOF_NO_DELETE");
    if (oneofs) {
      const names = new Set(m.oneofs.map((o) => o.proto.name));
      for (const o of pm.oneofs) {
        if (names.has(o.proto.name) || o.isSynthetic) continue;
        oneofs(
          loc,
          m.file.path,
          against,
          `Previously present oneof ${q(o.proto.name)} on message ${q(name)} was deleted.`,
        );
      }
    }
    if (pm.features.jsonFormat === 1 && m.features.jsonFormat !== 1) {
      this.emitter("MESSAGE_SAME_JSON_FORMAT")?.(
        m.file.optionSpan(
          [
            ...m.path,
            P.message.options.number,
            P.messageOptions.features.number,
            P.features.jsonFormat.number,
          ],
          m.path.length + 2,
        ) ?? loc,
        m.file.path,
        against,
        `Message ${q(name)} JSON format support changed from ALLOW to ${
          jsonFormatName(m.features.jsonFormat)
        }.`,
      );
    }
    const required = this.emitter("MESSAGE_SAME_REQUIRED_FIELDS");
    if (required) {
      const req = (x: MessageEl) =>
        new Map(
          x.fields.filter((f) => f.proto.label === L.REQUIRED).map((f) => [f.proto.number, f]),
        );
      const pr = req(pm), cr = req(m);
      const tail =
        "Required fields must always be sent, so if one side does not know about the required field, this will result in a breakage.";
      for (const n of pr.keys()) {
        if (!cr.has(n)) {
          required(
            loc,
            m.file.path,
            against,
            `Message ${q(pm.proto.name)} had required field "${n}" deleted. ${tail}`,
          );
        }
      }
      for (const [n, f] of cr) {
        if (!pr.has(n)) {
          required(
            f.location,
            f.file.path,
            undefined,
            `Message ${q(name)} had required field "${n}" added. ${tail}`,
          );
        }
      }
    }
    const reserved = this.emitter("RESERVED_MESSAGE_NO_DELETE");
    if (reserved) {
      checkTagRanges(
        reserved,
        "reserved",
        "message",
        name,
        loc,
        m.file.path,
        against,
        excl(pm.proto.reservedRange),
        excl(m.proto.reservedRange),
        messageMax(pm),
        messageMax(m),
      );
      for (const n of new Set(pm.proto.reservedName)) {
        if (!m.proto.reservedName.includes(n)) {
          reserved(
            loc,
            m.file.path,
            against,
            `Previously present reserved name ${q(n)} on message ${q(name)} was deleted.`,
          );
        }
      }
    }
  }

  // --- fields ----------------------------------------------------------------

  fields(): void {
    const cur = new Map<string, MessageEl>();
    for (const f of this.cur.list) for (const m of f.messages) cur.set(m.fullName, m);
    for (const pf of this.prev.list) {
      for (const pm of pf.messages) {
        const m = cur.get(pm.fullName);
        if (!m) continue;
        const byNum = new Map(m.fields.map((f) => [f.proto.number, f]));
        for (const pfld of pm.fields) {
          const f = byNum.get(pfld.proto.number);
          if (f) this.fieldPair(f, pfld);
        }
      }
    }
    const exts = (idx: DescriptorIndex) => {
      const m = new Map<string, FieldEl>();
      for (const f of idx.list) {
        for (const x of f.extensions) m.set(x.proto.extendee + "#" + x.proto.number, x);
      }
      return m;
    };
    const ce = exts(this.cur);
    for (const [key, px] of exts(this.prev)) {
      const x = ce.get(key);
      if (x) this.fieldPair(x, px);
    }
  }

  fieldPair(f: FieldEl, pf: FieldEl): void {
    const against = { path: pf.file.path, pkg: pf.file.pkg };
    const desc = fieldDescription(f);
    const path = f.file.path;
    const bothMapEntries = !f.isExtension && f.parent?.isMapEntry && pf.parent?.isMapEntry;
    const kind = this.cur.kind(f), pkind = this.prev.kind(pf);
    if (!bothMapEntries) {
      const c = cardinality(this.cur, f), pc = cardinality(this.prev, pf);
      const changed = `${desc} changed cardinality from ${q(pc)} to ${q(c)}.`;
      if (c !== pc) this.emitter("FIELD_SAME_CARDINALITY")?.(f.location, path, against, changed);
      if (WIRE_CARDINALITY[c] !== WIRE_CARDINALITY[pc]) {
        this.emitter("FIELD_WIRE_COMPATIBLE_CARDINALITY")?.(f.location, path, against, changed);
      }
      if (WIRE_JSON_CARDINALITY[c] !== WIRE_JSON_CARDINALITY[pc]) {
        this.emitter("FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY")?.(
          f.location,
          path,
          against,
          changed,
        );
      }
      const stringy = (k: string) => k === "string" || k === "bytes";
      if (stringy(kind) && stringy(pkind)) this.cppStringType(f, pf, desc, against);
    }
    if (kind === "string" && pkind === "string") {
      const jv = javaUtf8(f), pjv = javaUtf8(pf);
      if (jv !== pjv) {
        this.emitter("FIELD_SAME_JAVA_UTF8_VALIDATION")?.(
          f.file.span([P.file.options.number, P.fileOptions.javaStringCheckUtf8.number]) ??
            javaFeatureLocation(f) ?? f.location,
          path,
          against,
          `${desc} changed Java string UTF8 validation from ${q(utf8Name(pjv))} to ${
            q(utf8Name(jv))
          }.`,
        );
      }
      if (f.features.utf8Validation !== pf.features.utf8Validation) {
        this.emitter("FIELD_SAME_UTF8_VALIDATION")?.(
          fieldFeatureLocation(f, P.features.utf8Validation.number) ?? f.location,
          path,
          against,
          `${desc} changed UTF8 validation from ${utf8Name(pf.features.utf8Validation)} to ${
            utf8Name(f.features.utf8Validation)
          }.`,
        );
      }
    }
    if (is64(pf.proto.type) && is64(f.proto.type)) {
      const js = (x: FieldEl) => FieldOptions_JSType[x.proto.options?.jstype ?? 0];
      if (js(pf) !== js(f)) {
        this.emitter("FIELD_SAME_JSTYPE")?.(
          f.sub(P.field.options.number, P.fieldOptions.jstype.number) ?? f.location,
          path,
          against,
          `${desc} changed option "jstype" from ${q(js(pf))} to ${q(js(f))}.`,
        );
      }
    }
    this.fieldTypes(f, pf, kind, pkind, against);
    if (!pf.isExtension && pf.proto.jsonName !== f.proto.jsonName) {
      this.emitter("FIELD_SAME_JSON_NAME")?.(
        f.sub(P.field.jsonName.number) ?? f.location,
        path,
        against,
        `${desc} changed option "json_name" from ${q(pf.proto.jsonName)} to ${
          q(f.proto.jsonName)
        }.`,
      );
    }
    const nm = (x: FieldEl) => x.isExtension ? x.fullName : x.proto.name;
    if (nm(pf) !== nm(f)) {
      this.emitter("FIELD_SAME_NAME")?.(
        f.nameLocation,
        path,
        against,
        `${fieldDescription(f, "")} changed name from ${q(nm(pf))} to ${q(nm(f))}.`,
      );
    }
    this.defaults(f, pf, desc, against);
    if (!pf.isExtension) {
      const real = (x: FieldEl) => {
        const o = x.oneof;
        return o && !o.isSynthetic ? o : undefined;
      };
      const po = real(pf), o = real(f);
      const emit = this.emitter("FIELD_SAME_ONEOF");
      if (po && o) {
        if (po.proto.name !== o.proto.name) {
          emit?.(
            f.location,
            path,
            against,
            `${desc}q moved from oneof ${q(po.proto.name)} to oneof ${q(o.proto.name)}.`,
          );
        }
      } else if (po || o) {
        const [a, b] = o ? ["outside", "inside"] : ["inside", "outside"];
        emit?.(f.location, path, against, `${desc} moved from ${a} to ${b} a oneof.`);
      }
    }
  }

  fieldTypes(
    f: FieldEl,
    pf: FieldEl,
    kind: string,
    pkind: string,
    against: { path: string; pkg: string },
  ): void {
    const desc = fieldDescription(f);
    const path = f.file.path;
    const named = (k: string) => k === "message" || k === "enum" || k === "group";
    const typeLoc = (x: FieldEl, k: string) => named(k) ? x.typeNameLocation : x.typeLocation;
    const changedType = (rule: string, extra: string) => {
      this.emitter(rule)?.(
        typeLoc(f, kind),
        path,
        against,
        `${desc} changed type from ${q(prettyKind(pf, pkind))} to ${
          q(prettyKind(f, kind))
        }.${extra}`,
      );
    };
    const changedTypeName = (rule: string) => {
      this.emitter(rule)?.(
        f.typeNameLocation,
        path,
        against,
        `${desc} changed type from ${q(pf.proto.typeName.replace(/^\./, ""))} to ${
          q(f.proto.typeName.replace(/^\./, ""))
        }.`,
      );
    };
    // FIELD_SAME_TYPE
    if (pkind !== kind) changedType("FIELD_SAME_TYPE", "");
    else if (named(kind) && pf.proto.typeName !== f.proto.typeName) {
      changedTypeName("FIELD_SAME_TYPE");
    }
    // FIELD_WIRE_COMPATIBLE_TYPE
    if (WIRE_GROUP[pkind] !== WIRE_GROUP[kind]) {
      if (!(pkind === "string" && kind === "bytes")) {
        let extra =
          " See https://developers.google.com/protocol-buffers/docs/proto3#updating for wire compatibility rules.";
        if (pkind === "bytes" && kind === "string") {
          extra +=
            " Note that while string and bytes are compatible if the data is valid UTF-8, there is no way to enforce that a bytes field is UTF-8, so these fields may be incompatible.";
        }
        changedType("FIELD_WIRE_COMPATIBLE_TYPE", extra);
      }
    } else if (f.proto.type === T.ENUM && pf.proto.typeName !== f.proto.typeName) {
      if (!this.enumCompatible(f, pf)) changedTypeName("FIELD_WIRE_COMPATIBLE_TYPE");
    } else if (
      (f.proto.type === T.GROUP || f.proto.type === T.MESSAGE) &&
      pf.proto.typeName !== f.proto.typeName
    ) {
      changedTypeName("FIELD_WIRE_COMPATIBLE_TYPE");
    }
    // FIELD_WIRE_JSON_COMPATIBLE_TYPE
    if (WIRE_JSON_GROUP[pkind] !== WIRE_JSON_GROUP[kind]) {
      changedType(
        "FIELD_WIRE_JSON_COMPATIBLE_TYPE",
        " See https://developers.google.com/protocol-buffers/docs/proto3#updating for wire compatibility rules and https://developers.google.com/protocol-buffers/docs/proto3#json for JSON compatibility rules.",
      );
    } else if (kind === "enum" && pf.proto.typeName !== f.proto.typeName) {
      if (!this.enumCompatible(f, pf)) changedTypeName("FIELD_WIRE_JSON_COMPATIBLE_TYPE");
    } else if ((kind === "group" || kind === "message") && pf.proto.typeName !== f.proto.typeName) {
      changedTypeName("FIELD_WIRE_JSON_COMPATIBLE_TYPE");
    }
  }

  /** buf's rule for an enum field whose enum changed: same short name and the old values all kept. */
  enumCompatible(f: FieldEl, pf: FieldEl): boolean {
    const pe = this.prev.enums.get(pf.proto.typeName.slice(1));
    const e = this.cur.enums.get(f.proto.typeName.slice(1));
    if (!pe || !e) return false;
    if (pe.proto.name !== e.proto.name) return false;
    const byName = new Map(e.proto.value.map((v) => [v.name, v.number]));
    return pe.proto.value.every((v) => byName.get(v.name) === v.number);
  }

  cppStringType(
    f: FieldEl,
    pf: FieldEl,
    desc: string,
    against: { path: string; pkg: string },
  ): void {
    const [t, piece] = cppStringType(f), [pt, ppiece] = cppStringType(pf);
    if ((pt === t && ppiece === piece) || (ppiece && t === "STRING" && !piece)) return;
    this.emitter("FIELD_SAME_CPP_STRING_TYPE")?.(
      f.sub(P.field.options.number, P.fieldOptions.ctype.number) ?? cppFeatureLocation(f) ??
        f.location,
      f.file.path,
      against,
      `${desc} changed C++ string type from ${q(ppiece ? "STRING_PIECE" : pt)} to ${
        q(piece ? "STRING_PIECE" : t)
      }.`,
    );
  }

  defaults(f: FieldEl, pf: FieldEl, desc: string, against: { path: string; pkg: string }): void {
    const emit = this.emitter("FIELD_SAME_DEFAULT");
    if (!emit) return;
    const can = (idx: DescriptorIndex, x: FieldEl) =>
      x.proto.label !== L.REPEATED && x.proto.type !== T.MESSAGE && x.proto.type !== T.GROUP &&
      !idx.isMap(x);
    if (!can(this.prev, pf) || !can(this.cur, f)) return;
    const pd = defaultOf(this.prev, pf), d = defaultOf(this.cur, f);
    if (pd.zero && d.zero) return;
    if (defaultsEqual(pd, d)) return;
    emit(
      f.sub(P.field.defaultValue.number) ?? f.location,
      f.file.path,
      against,
      `${desc} changed default value from ${pd.printable} to ${d.printable}.`,
    );
  }

  // --- services --------------------------------------------------------------

  services(): void {
    const cur = new Map<string, ServiceEl>();
    for (const f of this.cur.list) for (const s of f.services) cur.set(s.fullName, s);
    for (const pf of this.prev.list) {
      for (const ps of pf.services) {
        const s = cur.get(ps.fullName);
        if (!s) continue;
        const against = { path: ps.file.path, pkg: ps.file.pkg };
        const sname = s.proto.name;
        const methods = new Map(s.methods.map((m) => [m.proto.name, m]));
        for (const pm of ps.methods) {
          const m = methods.get(pm.proto.name);
          if (!m) {
            this.emitter("RPC_NO_DELETE")?.(
              s.location,
              s.file.path,
              against,
              `Previously present RPC ${q(pm.proto.name)} on service ${q(sname)} was deleted.`,
            );
            continue;
          }
          const mname = m.proto.name;
          const path = s.file.path;
          const streaming = (rule: string, side: string, a: boolean, b: boolean) => {
            if (a === b) return;
            const [x, y] = b ? ["unary", "streaming"] : ["streaming", "unary"];
            this.emitter(rule)?.(
              m.loc(),
              path,
              against,
              `RPC ${q(mname)} on service ${q(sname)} changed from ${side} ${x} to ${side} ${y}.`,
            );
          };
          streaming(
            "RPC_SAME_CLIENT_STREAMING",
            "client",
            pm.proto.clientStreaming,
            m.proto.clientStreaming,
          );
          streaming(
            "RPC_SAME_SERVER_STREAMING",
            "server",
            pm.proto.serverStreaming,
            m.proto.serverStreaming,
          );
          const il = (x: typeof m) =>
            MethodOptions_IdempotencyLevel[x.proto.options?.idempotencyLevel ?? 0];
          if (il(pm) !== il(m)) {
            this.emitter("RPC_SAME_IDEMPOTENCY_LEVEL")?.(
              m.loc(P.method.options.number, 34),
              path,
              against,
              `RPC ${q(mname)} on service ${q(sname)} changed option "idempotency_level" from ${
                q(il(pm))
              } to ${q(il(m))}.`,
            );
          }
          const trim = (s: string) => s.replace(/^\./, "");
          if (trim(pm.proto.inputType) !== trim(m.proto.inputType)) {
            this.emitter("RPC_SAME_REQUEST_TYPE")?.(
              m.loc(P.method.inputType.number),
              path,
              against,
              `RPC ${q(mname)} on service ${q(sname)} changed request type from ${
                q(trim(pm.proto.inputType))
              } to ${q(trim(m.proto.inputType))}.`,
            );
          }
          if (trim(pm.proto.outputType) !== trim(m.proto.outputType)) {
            this.emitter("RPC_SAME_RESPONSE_TYPE")?.(
              m.loc(P.method.outputType.number),
              path,
              against,
              `RPC ${q(mname)} on service ${q(sname)} changed response type from ${
                q(trim(pm.proto.outputType))
              } to ${q(trim(m.proto.outputType))}.`,
            );
          }
        }
      }
    }
  }
}

function byName<E>(list: E[], name: (e: E) => string): Map<string, E> {
  return new Map(list.map((e) => [name(e), e]));
}

/** Where buf reports a deleted nested element: its closest surviving enclosing message. */
function deletedElementLocation(file: FileEl, nestedName: string): Span | undefined {
  const parts = nestedName.split(".");
  for (let i = parts.length - 1; i > 0; i--) {
    const parent = parts.slice(0, i).join(".");
    const m = file.messages.find((x) => x.nestedName === parent);
    if (m) return m.location;
  }
  return undefined;
}

/** buf's description of a field: `Field "1" with name "x" on message "M"`. */
function fieldDescription(f: FieldEl, name?: string): string {
  const n = name ?? (f.isExtension ? f.fullName : f.proto.name);
  const withName = n ? ` with name ${q(n)}` : "";
  const kind = f.isExtension ? "Extension" : "Field";
  const on = f.isExtension ? f.proto.extendee.replace(/^\./, "") : (f.parent?.proto.name ?? "");
  return `${kind} "${f.proto.number}"${withName} on message ${q(on)}`;
}

function cardinality(idx: DescriptorIndex, f: FieldEl): string {
  if (f.proto.label === L.REPEATED) return idx.isMap(f) ? "map" : "repeated";
  if (idx.isRequired(f)) return "required";
  return idx.hasPresence(f) ? "optional with explicit presence" : "optional with implicit presence";
}

const WIRE_CARDINALITY: Record<string, number> = {
  "optional with explicit presence": 1,
  "optional with implicit presence": 1,
  required: 2,
  repeated: 3,
  map: 3,
};
const WIRE_JSON_CARDINALITY: Record<string, number> = { ...WIRE_CARDINALITY, map: 4 };

const WIRE_GROUP: Record<string, number> = {
  int32: 1,
  int64: 1,
  uint32: 1,
  uint64: 1,
  bool: 1,
  sint32: 2,
  sint64: 2,
  string: 3,
  bytes: 4,
  fixed32: 5,
  sfixed32: 5,
  fixed64: 6,
  sfixed64: 6,
  double: 7,
  float: 8,
  group: 9,
  message: 10,
  enum: 11,
};
const WIRE_JSON_GROUP: Record<string, number> = {
  int32: 1,
  uint32: 1,
  int64: 2,
  uint64: 2,
  fixed32: 3,
  sfixed32: 3,
  fixed64: 4,
  sfixed64: 4,
  bool: 5,
  sint32: 6,
  sint64: 7,
  string: 8,
  bytes: 9,
  double: 10,
  float: 11,
  group: 12,
  message: 13,
  enum: 14,
};

function prettyKind(f: FieldEl, kind: string): string {
  return kind === "group" && f.file.syntax !== "proto2" ? "message (delimited encoding)" : kind;
}

function is64(t: number): boolean {
  return t === T.INT64 || t === T.SINT64 || t === T.UINT64 || t === T.FIXED64 || t === T.SFIXED64;
}

function jsonFormatName(v: number): string {
  return v === 1 ? "ALLOW" : v === 2 ? "LEGACY_BEST_EFFORT" : "JSON_FORMAT_UNKNOWN";
}

function utf8Name(v: number): string {
  return v === 2 ? "VERIFY" : v === 3 ? "NONE" : "UTF8_VALIDATION_UNKNOWN";
}

function fieldFeatureLocation(f: FieldEl, feature: number): Span | undefined {
  return f.file.optionSpan(
    [...f.path, P.field.options.number, P.fieldOptions.features.number, feature],
    f.path.length + 2,
  );
}

/** A custom feature extension's field in a FeatureSet's unknown fields (pb.cpp = 1000, pb.java = 1001). */
function customFeature(f: FieldEl, ext: number, field: number): number | undefined {
  let value: number | undefined;
  const chain: ({ $unknown?: { no: number; data: Uint8Array }[] } | undefined)[] = [
    f.file.proto.options?.features,
  ];
  for (let m = f.parent; m; m = m.parent) chain.splice(1, 0, m.proto.options?.features);
  chain.push(f.proto.options?.features);
  for (const fs of chain) {
    for (const u of fs?.$unknown ?? []) {
      if (u.no !== ext) continue;
      const v = varintField(u.data, field);
      if (v !== undefined) value = v;
    }
  }
  return value;
}

function varintField(data: Uint8Array, field: number): number | undefined {
  // `data` is the length-delimited payload with its length prefix.
  let i = 0;
  const varint = () => {
    let r = 0, s = 0;
    while (i < data.length) {
      const b = data[i++];
      r += (b & 0x7f) * 2 ** s;
      s += 7;
      if (b < 0x80) break;
    }
    return r;
  };
  const len = varint();
  const end = Math.min(data.length, i + len);
  let found: number | undefined;
  while (i < end) {
    const tag = varint();
    const no = Math.floor(tag / 8), wt = tag & 7;
    if (wt === 0) {
      const v = varint();
      if (no === field) found = v;
    } else if (wt === 2) i += varint();
    else if (wt === 5) i += 4;
    else if (wt === 1) i += 8;
    else break;
  }
  return found;
}

function cppStringType(f: FieldEl): [string, boolean] {
  if (editionOf(f.file) < 1001) {
    const o = f.proto.options;
    if (o && Object.prototype.hasOwnProperty.call(o, "ctype")) {
      if (o.ctype === FieldOptions_CType.CORD) return ["CORD", false];
      if (o.ctype === FieldOptions_CType.STRING_PIECE) return ["STRING", true];
      if (o.ctype === FieldOptions_CType.STRING) return ["STRING", false];
    }
    if (f.file.syntax !== "editions") return ["STRING", false];
  }
  const v = customFeature(f, 1000, 2);
  const names = ["TYPE_UNKNOWN", "VIEW", "CORD", "STRING"];
  if (v !== undefined) return [names[v] ?? String(v), false];
  return [editionOf(f.file) >= 1001 ? "VIEW" : "STRING", false];
}

function cppFeatureLocation(f: FieldEl): Span | undefined {
  return f.file.optionSpan(
    [...f.path, P.field.options.number, P.fieldOptions.features.number, 1000, 2],
    f.path.length + 3,
  );
}

function javaFeatureLocation(f: FieldEl): Span | undefined {
  return f.file.optionSpan(
    [...f.path, P.field.options.number, P.fieldOptions.features.number, 1001, 1],
    f.path.length + 3,
  );
}

function javaUtf8(f: FieldEl): number {
  const base = f.features.utf8Validation;
  const o = f.file.proto.options;
  const explicit = o !== undefined &&
    Object.prototype.hasOwnProperty.call(o, "javaStringCheckUtf8");
  if (f.file.syntax !== "editions" || explicit) return o?.javaStringCheckUtf8 ? 2 : base;
  return customFeature(f, 1001, 1) === 2 ? 2 : base;
}

interface DefaultValue {
  /** What Go compares: strings for strings and bytes, numbers otherwise. */
  kind: "string" | "float32" | "float64" | "int" | "bool";
  /** The value. */
  value: string | number | bigint | boolean;
  /** As buf prints it. */
  printable: string;
  /** Go's reflect IsZero of the value. */
  zero: boolean;
}

function defaultOf(idx: DescriptorIndex, f: FieldEl): DefaultValue {
  const t = f.proto.type;
  const s = f.proto.defaultValue;
  const has = Object.prototype.hasOwnProperty.call(f.proto, "defaultValue");
  switch (t) {
    case T.BYTES: {
      const bytes = has ? unescapeBytes(s) : [];
      const str = String.fromCharCode(...bytes);
      return {
        kind: "string",
        value: str,
        printable: "[" + bytes.map((b) => "0x" + b.toString(16).toUpperCase()).join(",") + "]",
        zero: str === "",
      };
    }
    case T.STRING: {
      const v = has ? s : "";
      return { kind: "string", value: v, printable: goQuote(v), zero: v === "" };
    }
    case T.ENUM: {
      const en = idx.enums.get(f.proto.typeName.slice(1));
      const named = has ? en?.proto.value.find((v) => v.name === s) : en?.proto.value[0];
      const n = named?.number ?? 0;
      // Printed by number, as protoreflect finds it: the first value with it.
      const value = en?.proto.value.find((v) => v.number === n);
      return {
        kind: "int",
        value: BigInt(n),
        printable: en && value
          ? `${en.proto.name}.${value.name}`
          : `${en?.proto.name ?? ""}.${n}(?)`,
        zero: n === 0,
      };
    }
    case T.BOOL: {
      const v = has && s === "true";
      return { kind: "bool", value: v, printable: String(v), zero: !v };
    }
    case T.FLOAT:
    case T.DOUBLE: {
      let v = 0;
      if (has) {
        v = s === "inf" ? Infinity : s === "-inf" ? -Infinity : s === "nan" ? NaN : Number(s);
      }
      if (t === T.FLOAT) v = Math.fround(v);
      return {
        kind: t === T.FLOAT ? "float32" : "float64",
        value: v,
        printable: goFloat(v, t === T.FLOAT),
        zero: v === 0 && !Object.is(v, -0),
      };
    }
    default: {
      const v = has ? BigInt(s) : 0n;
      return { kind: "int", value: v, printable: v.toString(), zero: v === 0n };
    }
  }
}

/** buf's comparison: strings exactly, float32 against float64 as float32, other numbers exactly. */
function defaultsEqual(a: DefaultValue, b: DefaultValue): boolean {
  if (a.kind === "string" || b.kind === "string") {
    return a.kind === b.kind && a.value === b.value;
  }
  const isFloat = (k: string) => k === "float32" || k === "float64";
  if (isFloat(a.kind) && isFloat(b.kind) && a.kind !== b.kind) {
    const x = a.value as number, y = b.value as number;
    return (Number.isNaN(x) && Number.isNaN(y)) || Math.fround(x) === Math.fround(y);
  }
  const num = (d: DefaultValue) =>
    d.kind === "bool" ? (d.value ? 1n : 0n) : d.value as number | bigint;
  const x = num(a), y = num(b);
  const nan = (v: number | bigint) => typeof v === "number" && Number.isNaN(v);
  if (nan(x) || nan(y)) return nan(x) && nan(y);
  if (typeof x === "bigint" && typeof y === "bigint") return x === y;
  const integral = (v: number | bigint) => typeof v === "bigint" || Number.isInteger(v);
  if (integral(x) && integral(y) && Number.isFinite(Number(x)) && Number.isFinite(Number(y))) {
    return BigInt(x) === BigInt(y);
  }
  return Number(x) === Number(y);
}

/** Go's `%q` for the ASCII-printable strings descriptors hold. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Go's `%v` for a float32 or float64. */
function goFloat(v: number, is32: boolean): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  let digits = v.toString();
  if (is32) {
    for (let p = 1; p <= 9; p++) {
      const s = v.toPrecision(p);
      if (Math.fround(Number(s)) === v) {
        digits = String(Number(s));
        break;
      }
    }
  }
  const n = Number(digits);
  if (n === 0) return Object.is(n, -0) ? "-0" : "0";
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 21) {
    const [m, e] = n.toExponential().split("e");
    const en = Number(e);
    return `${m}e${en < 0 ? "-" : "+"}${String(Math.abs(en)).padStart(2, "0")}`;
  }
  return digits.includes("e") ? n.toFixed(Math.max(0, -exp + 16)).replace(/\.?0+$/, "") : digits;
}

/** Decodes protoc's C-escaped bytes default. */
function unescapeBytes(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== "\\") {
      out.push(s.charCodeAt(i) & 0xff);
      continue;
    }
    const n = s[++i];
    const simple: Record<string, number> = {
      n: 10,
      r: 13,
      t: 9,
      '"': 34,
      "'": 39,
      "\\": 92,
      a: 7,
      b: 8,
      f: 12,
      v: 11,
      "?": 63,
    };
    if (n in simple) out.push(simple[n]);
    else if (n === "x") {
      let h = "";
      while (h.length < 2 && /[0-9a-fA-F]/.test(s[i + 1] ?? "")) h += s[++i];
      out.push(parseInt(h, 16));
    } else if (/[0-7]/.test(n)) {
      let o = n;
      while (o.length < 3 && /[0-7]/.test(s[i + 1] ?? "")) o += s[++i];
      out.push(parseInt(o, 8) & 0xff);
    }
  }
  return out;
}

const MESSAGE_MAX = 536870911;
const MESSAGE_SET_MAX = 2147483646;
const ENUM_MAX = 2147483647;

function messageMax(m: MessageEl): number {
  return m.proto.options?.messageSetWireFormat ? MESSAGE_SET_MAX : MESSAGE_MAX;
}

/** buf's range check: every number of every previous range must still be covered. */
function checkTagRanges(
  emit: Emit,
  rangeKind: string,
  elementKind: string,
  name: string,
  loc: Span | undefined,
  path: string,
  against: { path: string; pkg: string },
  previous: [number, number][],
  current: [number, number][],
  previousMax: number,
  currentMax: number,
): void {
  if (previous.length === 0) return;
  const sorted = current.slice().sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: [number, number][] = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  const show = (r: [number, number], max: number) =>
    r[0] === r[1] ? `[${r[0]}]` : r[1] === max ? `[${r[0]},max]` : `[${r[0]},${r[1]}]`;
  for (const pr of previous) {
    const missing: [number, number][] = [];
    let start = pr[0];
    for (const c of merged) {
      if (c[1] < start) continue;
      if (c[0] > pr[1]) break;
      if (start < c[0]) missing.push([start, c[0] - 1]);
      start = c[1] + 1;
      if (start > pr[1]) break;
    }
    if (start <= pr[1]) missing.push([start, pr[1]]);
    if (missing.length === 0) continue;
    emit(
      loc,
      path,
      against,
      `Previously present ${rangeKind} range ${q(show(pr, previousMax))} on ${elementKind} ${
        q(name)
      } is missing values: ${missing.map((r) => show(r, currentMax)).join(", ")} were removed.`,
    );
  }
}
