/**
 * The descriptor builder: turns a {@link FileAst} into a
 * `google.protobuf.FileDescriptorProto` — symbols registered, type names
 * resolved, options interpreted, semantic checks made — and, on request,
 * records its SourceCodeInfo in the order buf records it.
 *
 * @module
 */

import { clone, create, fromBinary } from "@bufbuild/protobuf";
import type { DescMessage, Message } from "@bufbuild/protobuf";
import {
  type DescriptorProto,
  DescriptorProto_ExtensionRangeSchema,
  DescriptorProto_ReservedRangeSchema,
  DescriptorProtoSchema,
  type EnumDescriptorProto,
  EnumDescriptorProto_EnumReservedRangeSchema,
  EnumDescriptorProtoSchema,
  EnumOptionsSchema,
  EnumValueDescriptorProtoSchema,
  EnumValueOptionsSchema,
  ExtensionRangeOptionsSchema,
  FeatureSetSchema,
  type FieldDescriptorProto,
  FieldDescriptorProtoSchema,
  FieldOptionsSchema,
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
  FileOptionsSchema,
  MessageOptionsSchema,
  type MethodDescriptorProto,
  MethodDescriptorProtoSchema,
  MethodOptionsSchema,
  OneofDescriptorProtoSchema,
  OneofOptionsSchema,
  ServiceDescriptorProtoSchema,
  ServiceOptionsSchema,
} from "@bufbuild/protobuf/wkt";
import type {
  EnumAst,
  ExtendAst,
  FieldAst,
  FileAst,
  MessageAst,
  OptionAst,
  RangeDeclAst,
  ReservedNamesAst,
  ServiceAst,
  Span,
  ValueAst,
} from "./ast.ts";
import type { Diagnostic } from "./diagnostic.ts";
import { escapeBytes, formatFloat } from "./default-value.ts";
import { FIELD_TYPES } from "./field-types.ts";
import {
  fieldSyntax,
  marshalMessageValue,
  type MessageValue,
  OptionInterpreter,
} from "./options.ts";
import { SourceInfoRecorder } from "./source-info.ts";
import { type FileScope, isType, type Resolution, type Sym, type SymbolTable } from "./symbols.ts";

const TYPE_GROUP = FIELD_TYPES.group;
const TYPE_MESSAGE = FIELD_TYPES.message;
const TYPE_ENUM = FIELD_TYPES.enum;
const TYPE_STRING = FIELD_TYPES.string;
const TYPE_BYTES = FIELD_TYPES.bytes;
const TYPE_BOOL = FIELD_TYPES.bool;
const TYPE_FLOAT = FIELD_TYPES.float;
const TYPE_DOUBLE = FIELD_TYPES.double;
const LABEL_OPTIONAL = 1;
const LABEL_REQUIRED = 2;
const LABEL_REPEATED = 3;
const MAX_FIELD_NUMBER = 536870911;
const textDecoder = new TextDecoder();

type OptionsKind =
  | "FileOptions"
  | "MessageOptions"
  | "FieldOptions"
  | "OneofOptions"
  | "EnumOptions"
  | "EnumValueOptions"
  | "ServiceOptions"
  | "MethodOptions"
  | "ExtensionRangeOptions";

const OPTION_SCHEMAS: Record<OptionsKind, DescMessage> = {
  FileOptions: FileOptionsSchema,
  MessageOptions: MessageOptionsSchema,
  FieldOptions: FieldOptionsSchema,
  OneofOptions: OneofOptionsSchema,
  EnumOptions: EnumOptionsSchema,
  EnumValueOptions: EnumValueOptionsSchema,
  ServiceOptions: ServiceOptionsSchema,
  MethodOptions: MethodOptionsSchema,
  ExtensionRangeOptions: ExtensionRangeOptionsSchema,
};

interface OptionJob {
  kind: OptionsKind;
  options: OptionAst[];
  scope: string;
  set: (m: Message) => void;
  /** Filled after interpretation, for source info. */
  value?: MessageValue;
  /** Create the options message even without options (rpc bodies). */
  always?: boolean;
}

interface FieldJob {
  proto: FieldDescriptorProto;
  ast: FieldAst;
  scope: string;
  /** Full name of the map entry or group message, when synthesized here. */
  ownType?: string;
}

/** Builds FileDescriptorProtos for parsed files of one compilation. */
export class DescriptorBuilder {
  readonly symbols: SymbolTable;
  readonly diagnostics: Diagnostic[];
  readonly ast: FileAst;
  readonly file: FileDescriptorProto;
  /** What this file can see, and which imports it used. */
  readonly scope: FileScope;
  readonly fieldJobs: FieldJob[] = [];
  readonly optionJobs = new Map<object, OptionJob>();
  readonly methodJobs: {
    proto: MethodDescriptorProto;
    input: string;
    output: string;
    scope: string;
    inputTok: number;
    outputTok: number;
  }[] = [];

  constructor(
    ast: FileAst,
    symbols: SymbolTable,
    scope: FileScope,
    diagnostics: Diagnostic[],
  ) {
    this.ast = ast;
    this.symbols = symbols;
    this.scope = scope;
    this.diagnostics = diagnostics;
    this.file = create(FileDescriptorProtoSchema, { name: ast.name });
  }

  error(tok: number, message: string): void {
    const ts = this.ast.tokens;
    const line = ts.line[tok];
    this.diagnostics.push({
      file: this.ast.name,
      line: line + 1,
      column: ts.column(ts.start[tok], line) + 1,
      message,
    });
  }

  /** Runs every phase and returns the descriptor. */
  build(withSourceInfo: boolean): FileDescriptorProto {
    this.structure();
    this.resolve();
    this.interpretOptions();
    if (withSourceInfo) this.sourceInfo();
    return this.file;
  }

  /** Queues option interpretation for one declaration. */
  addOptions(
    key: object,
    kind: OptionsKind,
    options: OptionAst[],
    scope: string,
    set: (m: Message) => void,
    always = false,
  ): void {
    if (options.length || always) this.optionJobs.set(key, { kind, options, scope, set, always });
  }

  // --- phase 1: structure and symbols ---------------------------------------

  define(kind: Sym["kind"], fullName: string, tok: number, extra: Partial<Sym>): void {
    const clash = this.symbols.add({ kind, file: this.ast.name, fullName, ...extra });
    if (!clash) return;
    const dot = fullName.lastIndexOf(".");
    const simple = fullName.slice(dot + 1);
    const where = dot < 0 ? "" : fullName.slice(0, dot);
    if (clash.file !== this.ast.name) {
      this.error(tok, `"${fullName}" is already defined in file "${clash.file}".`);
    } else if (where) {
      this.error(tok, `"${simple}" is already defined in "${where}".`);
    } else {
      this.error(tok, `"${simple}" is already defined.`);
    }
  }

  structure(): void {
    const ast = this.ast;
    const f = this.file;
    const pkg = ast.pkg?.name ?? "";
    if (ast.pkg) {
      f.package = pkg;
      const clash = this.symbols.addPackage(pkg, ast.name);
      if (clash) {
        this.error(
          ast.pkg.span.s,
          `"${clash.fullName}" is already defined (as something other than a package) in file "${clash.file}".`,
        );
      }
    }
    if (ast.syntax === "proto3") f.syntax = "proto3";
    else if (ast.syntax === "editions") {
      f.syntax = "editions";
      f.edition = ast.edition === "2026" ? 1002 : ast.edition === "2024" ? 1001 : 1000;
    }
    ast.imports.forEach((imp, i) => {
      if (imp.isOption) {
        f.optionDependency.push(imp.path);
        return;
      }
      f.dependency.push(imp.path);
      if (imp.publicTok !== undefined) f.publicDependency.push(i);
      if (imp.weakTok !== undefined) f.weakDependency.push(i);
    });
    for (const t of ast.types) {
      if (t.kind === "message") f.messageType.push(this.message(t, pkg));
      else f.enumType.push(this.enumType(t, pkg));
    }
    for (const s of ast.services) f.service.push(this.service(s, pkg));
    for (const ext of ast.extends) {
      for (const fa of ext.fields) f.extension.push(this.field(fa, pkg, ext));
    }
    if (ast.options.length) {
      // protoc resolves file option names relative to "<package>.dummy".
      const at = within(pkg, "dummy");
      this.addOptions(ast, "FileOptions", ast.options, at, (m) => f.options = m as never);
    }
  }

  message(m: MessageAst, scope: string): DescriptorProto {
    const fullName = scope ? scope + "." + m.name : m.name;
    const d = create(DescriptorProtoSchema, { name: m.name });
    if (m.visibility) d.visibility = m.visibility;
    this.define("message", fullName, m.nameTok, { message: d });
    if (m.mapEntry) {
      const { keyType, valueType, field } = m.mapEntry;
      d.options = create(MessageOptionsSchema, { mapEntry: true });
      this.entryOf.set(field, d);
      for (const [name, number, t] of [["key", 1, keyType], ["value", 2, valueType]] as const) {
        const fd = create(FieldDescriptorProtoSchema, {
          name,
          number,
          label: LABEL_OPTIONAL,
          jsonName: name,
        });
        if (t.scalar) fd.type = t.scalar;
        else {
          this.fieldJobs.push({
            proto: fd,
            ast: { ...field, type: t, name, number, options: [] },
            scope: fullName,
          });
        }
        d.field.push(fd);
      }
      const kt = keyType.scalar;
      if (kt === 0 || kt === TYPE_FLOAT || kt === TYPE_DOUBLE || kt === TYPE_BYTES) {
        if (kt !== 0) {
          this.error(
            keyType.span.s,
            "Key in map fields cannot be float/double, bytes or message types.",
          );
        } else this.mapKeyChecks.push({ tok: keyType.span.s, field: d.field[0] });
      }
      return d;
    }
    for (const n of m.nested) {
      if (n.kind === "enum") d.enumType.push(this.enumType(n, fullName));
      else d.nestedType.push(this.message(n, fullName));
    }
    for (const fa of m.fields) d.field.push(this.field(fa, fullName, undefined));
    for (const ext of m.extends) {
      for (const fa of ext.fields) d.extension.push(this.field(fa, fullName, ext));
    }
    const isMessageSet = m.options.some((o) =>
      o.name.length === 1 && o.name[0].name === "message_set_wire_format" &&
      o.value.kind === "ident" && o.value.text === "true"
    );
    const maxEnd = isMessageSet ? 0x7fffffff : MAX_FIELD_NUMBER + 1;
    for (const decl of m.extensionRanges) {
      for (const r of decl.ranges) {
        const er = create(DescriptorProto_ExtensionRangeSchema, {
          start: r.start,
          end: r.end === -1 ? maxEnd : r.end + 1,
        });
        d.extensionRange.push(er);
        if (decl.options.length) {
          this.addOptions(
            r,
            "ExtensionRangeOptions",
            decl.options,
            fullName,
            (o) => er.options = o as never,
          );
        }
      }
    }
    for (const decl of m.reservedRanges) {
      for (const r of decl.ranges) {
        d.reservedRange.push(create(DescriptorProto_ReservedRangeSchema, {
          start: r.start,
          end: r.end === -1 ? maxEnd : r.end + 1,
        }));
      }
    }
    for (const decl of m.reservedNames) for (const n of decl.names) d.reservedName.push(n.name);
    m.oneofs.forEach((o) => {
      const od = create(OneofDescriptorProtoSchema, { name: o.name });
      d.oneofDecl.push(od);
      this.define("oneof", fullName + "." + o.name, o.nameTok, {});
      if (o.options.length) {
        this.addOptions(
          o,
          "OneofOptions",
          o.options,
          fullName + "." + o.name,
          (x) => od.options = x as never,
        );
      }
    });
    if (this.ast.syntax === "proto3") this.syntheticOneofs(d);
    if (m.options.length) {
      this.addOptions(m, "MessageOptions", m.options, fullName, (x) => d.options = x as never);
    }
    this.checkMessage(m, d, fullName);
    return d;
  }

  readonly mapKeyChecks: { tok: number; field: FieldDescriptorProto }[] = [];
  /** Map fields and their entry messages, which inherit the field's features. */
  readonly entryOf = new Map<FieldAst, DescriptorProto>();
  readonly mapFields: { field: FieldDescriptorProto; entry: DescriptorProto }[] = [];

  syntheticOneofs(d: DescriptorProto): void {
    const names = new Set<string>();
    for (const f of d.field) names.add(f.name);
    for (const o of d.oneofDecl) names.add(o.name);
    for (const f of d.field) {
      if (!f.proto3Optional) continue;
      let name = f.name.startsWith("_") ? f.name : "_" + f.name;
      while (names.has(name)) name = "X" + name;
      names.add(name);
      f.oneofIndex = d.oneofDecl.length;
      d.oneofDecl.push(create(OneofDescriptorProtoSchema, { name }));
    }
  }

  field(
    fa: FieldAst,
    scope: string,
    ext: ExtendAst | undefined,
  ): FieldDescriptorProto {
    const fd = create(FieldDescriptorProtoSchema, { name: fa.name, number: fa.number });
    fieldSyntax.set(fd, this.ast.syntax);
    const symName = scope ? scope + "." + fa.name : fa.name;
    // Plain fields are not global symbols (they never resolve as types);
    // checkMessage catches their clashes. Extensions are, for options.
    if (ext) this.define("field", symName, fa.nameTok, { field: fd, isExtension: true });
    if (fa.mapEntry) fd.label = LABEL_REPEATED;
    else if (fa.label === "repeated") fd.label = LABEL_REPEATED;
    else if (fa.label === "required") fd.label = LABEL_REQUIRED;
    else fd.label = LABEL_OPTIONAL;
    if (fa.label === "optional" && this.ast.syntax === "proto3") fd.proto3Optional = true;
    if (fa.oneofIndex !== undefined) fd.oneofIndex = fa.oneofIndex;
    if (ext) fd.extendee = ext.extendee;
    let ownType: string | undefined;
    if (fa.group) {
      fd.type = TYPE_GROUP;
      ownType = (scope ? scope + "." : "") + fa.group.name;
    } else if (fa.mapEntry) {
      ownType = scope + "." + fa.mapEntry.name;
      const entry = this.entryOf.get(fa);
      if (entry) this.mapFields.push({ field: fd, entry });
    } else if (fa.type.scalar) {
      fd.type = fa.type.scalar;
    }
    if (fa.jsonName) {
      const v = fa.jsonName.value;
      if (v.kind === "string") fd.jsonName = textDecoder.decode(v.bytes);
      else this.error(v.span.s, "Expected string for JSON name.");
      if (ext) {
        this.error(fa.jsonName.span.s, "option json_name is not allowed on extension fields.");
      }
    } else {
      fd.jsonName = jsonName(fa.name);
    }
    if (fa.options.length) {
      this.addOptions(fa, "FieldOptions", fa.options, symName, (x) => fd.options = x as never);
    }
    this.fieldJobs.push({ proto: fd, ast: fa, scope, ownType });
    return fd;
  }

  enumType(e: EnumAst, scope: string): EnumDescriptorProto {
    const fullName = scope ? scope + "." + e.name : e.name;
    const d = create(EnumDescriptorProtoSchema, { name: e.name });
    if (e.visibility) d.visibility = e.visibility;
    this.define("enum", fullName, e.nameTok, { enum: d, syntax: this.ast.syntax });
    const seen = new Map<number, string>();
    const allowAlias = e.options.some((o) =>
      o.name.length === 1 && o.name[0].name === "allow_alias" && o.value.kind === "ident" &&
      o.value.text === "true"
    );
    for (const v of e.values) {
      const vd = create(EnumValueDescriptorProtoSchema, { name: v.name, number: v.number });
      d.value.push(vd);
      this.define("enumValue", scope ? scope + "." + v.name : v.name, v.nameTok, { enum: d });
      const prev = seen.get(v.number);
      if (prev !== undefined && !allowAlias) {
        this.error(
          v.numberSpan.s,
          `"${fullName}.${v.name}" uses the same enum value as "${fullName}.${prev}". If this is intended, set 'option allow_alias = true;' to the enum definition.`,
        );
      }
      if (prev === undefined) seen.set(v.number, v.name);
      if (v.options.length) {
        this.addOptions(
          v,
          "EnumValueOptions",
          v.options,
          scope ? scope + "." + v.name : v.name,
          (x) => vd.options = x as never,
        );
      }
    }
    if (e.values.length === 0) this.error(e.nameTok, `Enums must contain at least one value.`);
    else if (this.ast.syntax === "proto3" && e.values[0].number !== 0) {
      this.error(e.values[0].numberSpan.s, "The first enum value must be zero for open enums.");
    }
    for (const decl of e.reservedRanges) {
      for (const r of decl.ranges) {
        d.reservedRange.push(create(EnumDescriptorProto_EnumReservedRangeSchema, {
          start: r.start,
          end: r.end,
        }));
      }
    }
    for (const decl of e.reservedNames) for (const n of decl.names) d.reservedName.push(n.name);
    for (const v of e.values) {
      for (const r of d.reservedRange) {
        if (v.number >= r.start && v.number <= r.end) {
          this.error(v.numberSpan.s, `Enum value "${v.name}" uses reserved number ${v.number}.`);
        }
      }
      if (d.reservedName.includes(v.name)) {
        this.error(v.nameTok, `Enum value "${v.name}" is reserved.`);
      }
    }
    if (e.options.length) {
      this.addOptions(e, "EnumOptions", e.options, fullName, (x) => d.options = x as never);
    }
    return d;
  }

  service(
    s: ServiceAst,
    scope: string,
  ): ReturnType<typeof create<typeof ServiceDescriptorProtoSchema>> {
    const fullName = scope ? scope + "." + s.name : s.name;
    const d = create(ServiceDescriptorProtoSchema, { name: s.name });
    this.define("service", fullName, s.nameTok, {});
    for (const m of s.methods) {
      const md = create(MethodDescriptorProtoSchema, { name: m.name });
      d.method.push(md);
      this.define("method", fullName + "." + m.name, m.nameTok, {});
      if (m.inputStream !== undefined) md.clientStreaming = true;
      if (m.outputStream !== undefined) md.serverStreaming = true;
      this.methodJobs.push({
        proto: md,
        input: m.input,
        output: m.output,
        scope: fullName + "." + m.name,
        inputTok: m.inputSpan.s,
        outputTok: m.outputSpan.s,
      });
      if (m.hasBody) {
        this.addOptions(
          m,
          "MethodOptions",
          m.options,
          fullName + "." + m.name,
          (x) => md.options = x as never,
          true,
        );
      }
    }
    if (s.options.length) {
      this.addOptions(s, "ServiceOptions", s.options, fullName, (x) => d.options = x as never);
    }
    return d;
  }

  checkMessage(m: MessageAst, d: DescriptorProto, fullName: string): void {
    // Names sharing the message's scope: nested types, enum values of nested
    // enums, oneofs, extensions (all global symbols) and the fields.
    const taken = new Set<string>();
    for (const n of m.nested) {
      taken.add(n.name);
      if (n.kind === "enum") { for (const v of n.values) taken.add(v.name); }
    }
    for (const o of m.oneofs) taken.add(o.name);
    for (const x of m.extends) for (const f of x.fields) taken.add(f.name);
    for (const fa of m.fields) {
      const ownGroup = fa.group !== undefined && fa.group.name === fa.name;
      if (taken.has(fa.name) && !ownGroup) {
        this.error(fa.nameTok, `"${fa.name}" is already defined in "${fullName}".`);
      }
      taken.add(fa.name);
    }
    const byNumber = new Map<number, FieldAst>();
    for (const fa of m.fields) {
      const n = fa.number;
      const other = byNumber.get(n);
      if (other) {
        this.error(
          fa.numberSpan.s,
          `Field number ${n} has already been used in "${fullName}" by field "${other.name}".`,
        );
      } else byNumber.set(n, fa);
      if (n <= 0) this.error(fa.numberSpan.s, "Field numbers must be positive integers.");
      else if (n > MAX_FIELD_NUMBER) {
        this.error(fa.numberSpan.s, `Field numbers cannot be greater than ${MAX_FIELD_NUMBER}.`);
      } else if (n >= 19000 && n <= 19999) {
        this.error(
          fa.numberSpan.s,
          `Field numbers 19000 through 19999 are reserved for the protocol buffer library implementation.`,
        );
      }
      for (const r of d.reservedRange) {
        if (n >= r.start && n < r.end) {
          this.error(fa.numberSpan.s, `Field "${fa.name}" uses reserved number ${n}.`);
        }
      }
      for (const r of d.extensionRange) {
        if (n >= r.start && n < r.end) {
          this.error(
            fa.numberSpan.s,
            `Extension range ${r.start} to ${r.end - 1} includes field "${fa.name}" (${n}).`,
          );
        }
      }
      if (d.reservedName.includes(fa.name)) {
        this.error(fa.nameTok, `Field name "${fa.name}" is reserved.`);
      }
      if (this.ast.syntax === "proto3" && fa.label === "required") {
        this.error(fa.labelTok ?? fa.nameTok, "Required fields are not allowed in proto3.");
      }
      if (this.ast.syntax === "proto3" && fa.defaultValue) {
        this.error(fa.defaultValue.span.s, "Explicit default values are not allowed in proto3.");
      }
    }
    if (this.ast.syntax === "proto3" && m.extensionRanges.length > 0 && !m.mapEntry) {
      this.error(m.extensionRanges[0].span.s, "Extension ranges are not allowed in proto3.");
    }
    // Ranges as written (inclusive ends), labelled for protoc's messages.
    const ranges: { kind: string; start: number; end: number; tok: number }[] = [];
    const collect = (kind: string, decls: RangeDeclAst[]) => {
      for (const decl of decls) {
        for (const r of decl.ranges) {
          const end = r.end === -1 ? MAX_FIELD_NUMBER : r.end;
          ranges.push({ kind, start: r.start, end, tok: r.span.s });
        }
      }
    };
    collect("Reserved range", m.reservedRanges);
    collect("Extension range", m.extensionRanges);
    ranges.forEach((r, i) => {
      if (r.start <= 0) this.error(r.tok, "Field numbers must be positive integers.");
      else if (r.end < r.start) {
        this.error(r.tok, `${r.kind} end number must be greater than start number.`);
      }
      for (let j = 0; j < i; j++) {
        const o = ranges[j];
        if (r.start <= o.end && o.start <= r.end) {
          this.error(
            r.tok,
            `${r.kind} ${r.start} to ${r.end} overlaps with ${o.kind.toLowerCase()} ${o.start} to ${o.end}.`,
          );
        }
      }
    });
    if (this.ast.syntax === "proto3") {
      const json = new Map<string, string>();
      for (const f of d.field) {
        const key = jsonName(f.name).toLowerCase();
        const prev = json.get(key);
        if (prev !== undefined) {
          const fa = m.fields.find((x) => x.name === f.name);
          this.error(
            fa?.nameTok ?? m.nameTok,
            `The default JSON name of field "${f.name}" ("${
              jsonName(f.name)
            }") conflicts with the default JSON name of field "${prev}".`,
          );
        } else json.set(key, f.name);
      }
    }
  }

  // --- phase 2: name resolution ---------------------------------------------

  resolve(): void {
    for (const job of this.fieldJobs) this.resolveField(job);
    for (const { tok, field } of this.mapKeyChecks) {
      if (field.type === TYPE_ENUM || field.type === TYPE_MESSAGE) {
        this.error(tok, "Key in map fields cannot be float/double, bytes or message types.");
      }
    }
    for (const m of this.methodJobs) {
      m.proto.inputType = this.resolveMessage(m.input, m.scope, m.inputTok);
      m.proto.outputType = this.resolveMessage(m.output, m.scope, m.outputTok);
    }
  }

  /** Resolves a method's input or output type (protoc's `CrossLinkMethod`). */
  resolveMessage(name: string, relativeTo: string, tok: number): string {
    const r = this.symbols.resolve(name, relativeTo, false, this.scope);
    if (!r.sym) {
      this.notDefined(tok, name, r);
      return name.startsWith(".") ? name : "." + name;
    }
    if (r.sym.kind !== "message") this.error(tok, `"${name}" is not a message type.`);
    return "." + r.sym.fullName;
  }

  /** Resolves a field's type: messages and enums only (protoc's `LOOKUP_TYPES`). */
  lookupType(name: string, relativeTo: string, tok: number): Sym | undefined {
    const r = this.symbols.resolve(name, relativeTo, true, this.scope);
    if (!r.sym) {
      this.notDefined(tok, name, r);
      return undefined;
    }
    if (!isType(r.sym)) {
      this.error(tok, `"${name}" is not a type.`);
      return undefined;
    }
    return r.sym;
  }

  /** protoc's `AddNotDefinedError`: why a name did not resolve. */
  notDefined(tok: number, name: string, r: Resolution): void {
    if (r.undeclared) {
      this.error(
        tok,
        `"${r.undeclared.name}" seems to be defined in "${r.undeclared.file}", which is not imported by "${this.ast.name}".  To use it here, please add the necessary import.`,
      );
    }
    if (r.unresolved) {
      this.error(
        tok,
        `"${name}" is resolved to "${r.unresolved}", which is not defined. The innermost scope is searched first in name resolution. Consider using a leading '.'(i.e., ".${name}") to start from the outermost scope.`,
      );
    }
    if (!r.undeclared && !r.unresolved) this.error(tok, `"${name}" is not defined.`);
  }

  resolveField(job: FieldJob): void {
    const { proto: fd, ast: fa } = job;
    if (fa.extend) {
      const at = fa.extend.extendeeSpan.s;
      const r = this.symbols.resolve(
        fa.extend.extendee,
        within(job.scope, fa.name),
        false,
        this.scope,
      );
      const sym = r.sym;
      if (!sym) this.notDefined(at, fa.extend.extendee, r);
      else if (sym.kind !== "message") {
        this.error(at, `"${fa.extend.extendee}" is not a message type.`);
      } else {
        fd.extendee = "." + sym.fullName;
        const taken = this.symbols.extensionsOf.get(sym.fullName)?.find((x) =>
          x.number === fa.number
        );
        if (taken) {
          this.error(
            fa.numberSpan.s,
            `Extension number ${fa.number} has already been used in "${sym.fullName}" by extension "${taken.name}".`,
          );
        }
        this.symbols.addExtension(sym.fullName, fd);
        if (this.ast.syntax === "proto3" && !/^google\.protobuf\.\w+Options$/.test(sym.fullName)) {
          this.error(
            fa.extend.extendeeSpan.s,
            "Extensions in proto3 are only allowed for defining options.",
          );
        }
        const inRange = sym.message?.extensionRange.some((r) =>
          fa.number >= r.start && fa.number < r.end
        );
        if (sym.message && !inRange) {
          this.error(
            fa.numberSpan.s,
            `"${sym.fullName}" does not declare ${fa.number} as an extension number.`,
          );
        }
      }
    }
    if (job.ownType) {
      fd.typeName = "." + job.ownType;
      if (fd.type !== TYPE_GROUP) fd.type = TYPE_MESSAGE;
    } else if (!fa.type.scalar) {
      const sym = this.lookupType(fa.type.name, within(job.scope, fa.name), fa.type.span.s);
      if (sym) {
        fd.typeName = "." + sym.fullName;
        fd.type = sym.kind === "enum" ? TYPE_ENUM : TYPE_MESSAGE;
        if (sym.kind === "enum" && this.ast.syntax === "proto3" && sym.syntax === "proto2") {
          this.error(
            fa.type.span.s,
            `Enum type "${sym.fullName}" is not an open enum, but is used in "${job.scope}" which is a proto3 message type.`,
          );
        }
      }
    }
    if (fa.defaultValue && fd.label === LABEL_REPEATED) {
      this.error(fa.defaultValue.span.s, "Repeated fields can't have default values.");
    } else if (fa.defaultValue) {
      const dv = this.defaultValue(fd, fa.defaultValue.value);
      if (dv !== undefined) fd.defaultValue = dv;
    }
  }

  defaultValue(fd: FieldDescriptorProto, v: ValueAst): string | undefined {
    const bad = (msg: string): undefined => {
      this.error(v.span.s, msg);
      return undefined;
    };
    switch (fd.type) {
      case TYPE_MESSAGE:
      case TYPE_GROUP:
        return bad("Messages can't have default values.");
      case TYPE_BOOL:
        if (v.kind === "ident" && (v.text === "true" || v.text === "false")) return v.text;
        return bad('Expected "true" or "false".');
      case TYPE_STRING:
        if (v.kind !== "string") return bad("Expected string for field default value.");
        return textDecoder.decode(v.bytes);
      case TYPE_BYTES:
        if (v.kind !== "string") return bad("Expected string.");
        return escapeBytes(v.bytes);
      case TYPE_ENUM: {
        if (v.kind !== "ident" || v.neg) {
          return bad("Expected enum identifier for field default value.");
        }
        const en = this.symbols.byName.get(fd.typeName.slice(1))?.enum;
        if (en && !en.value.some((x) => x.name === v.text)) {
          return bad(`Enum type "${fd.typeName.slice(1)}" has no value named "${v.text}".`);
        }
        return v.text;
      }
      case TYPE_FLOAT:
      case TYPE_DOUBLE: {
        let n: number;
        if (v.kind === "int" || v.kind === "float") n = Number(v.value);
        else if (v.kind === "ident" && (v.text === "inf" || v.text === "nan")) {
          n = v.text === "inf" ? Infinity : NaN;
        } else return bad("Expected number.");
        if (v.neg) n = -n;
        return formatFloat(fd.type === TYPE_FLOAT ? Math.fround(n) : n);
      }
      default: {
        if (v.kind !== "int") return bad("Expected integer for field default value.");
        const t = fd.type;
        const unsigned = t === 4 || t === 13 || t === 6 || t === 7;
        if (unsigned && v.neg) return bad("Unsigned field can't have negative default value.");
        const is32 = t === 5 || t === 13 || t === 7 || t === 15 || t === 17;
        const max = unsigned
          ? (is32 ? 0xffffffffn : 0xffffffffffffffffn)
          : (is32 ? 0x7fffffffn : 0x7fffffffffffffffn);
        if (v.value > max + (v.neg ? 1n : 0n)) return bad("Integer out of range.");
        return (v.neg ? "-" : "") + v.value.toString();
      }
    }
  }

  // --- phase 3: options -------------------------------------------------------

  interpretOptions(): void {
    const interp = new OptionInterpreter(
      this.symbols,
      (tok, msg) => this.error(tok, msg),
      this.scope,
    );
    // Field options first: encoding other options may depend on them (packed).
    const jobs = [...this.optionJobs.values()];
    const ordered = jobs.filter((j) => j.kind === "FieldOptions")
      .concat(jobs.filter((j) => j.kind !== "FieldOptions"));
    for (const job of ordered) {
      if (!job.options.length && !job.always) continue;
      const value = interp.newValue("google.protobuf." + job.kind);
      if (!value) {
        job.set(create(OPTION_SCHEMAS[job.kind]));
        continue;
      }
      for (const o of job.options) interp.apply(value, o, job.scope);
      job.value = value;
      job.set(fromBinary(OPTION_SCHEMAS[job.kind], marshalMessageValue(value)));
    }
    for (const { field, entry } of this.mapFields) {
      const features = field.options?.features;
      if (!features) continue;
      for (const f of entry.field) {
        f.options = create(FieldOptionsSchema, { features: clone(FeatureSetSchema, features) });
      }
    }
  }

  // --- phase 4: source info ---------------------------------------------------

  sourceInfo(): void {
    const ast = this.ast;
    const rec = new SourceInfoRecorder(ast.tokens);
    const pkgSpan = ast.pkg?.span;
    rec.comment(pkgSpan, 2);
    rec.comment(ast.syntaxSpan, 12);
    let pub = 0, weak = 0, opt = 0;
    ast.imports.forEach((imp, i) => {
      if (imp.isOption) {
        rec.comment(imp.span, 15, opt++);
        return;
      }
      rec.comment(imp.span, 3, i);
      if (imp.publicTok !== undefined) rec.span({ s: imp.publicTok, e: imp.publicTok }, 10, pub++);
      if (imp.weakTok !== undefined) rec.span({ s: imp.weakTok, e: imp.weakTok }, 11, weak++);
    });
    let mi = 0, ei = 0;
    for (const t of ast.types) {
      if (t.kind === "message") rec.in([4, mi++], () => this.messageInfo(rec, t));
      else rec.in([5, ei++], () => this.enumInfo(rec, t));
    }
    ast.services.forEach((s, i) => rec.in([6, i], () => this.serviceInfo(rec, s)));
    let xi = 0;
    for (const ext of ast.extends) {
      rec.comment(ext.span, 7);
      for (const fa of ext.fields) rec.in([7, xi++], () => this.fieldInfo(rec, fa));
    }
    this.optionsInfo(rec, ast, ast.options, 8);
    this.file.sourceCodeInfo = rec.finish(ast.first, ast.last);
  }

  optionsInfo(rec: SourceInfoRecorder, key: object, stmts: OptionAst[], tag: number): void {
    const job = this.optionJobs.get(key);
    if (!job || (!stmts.length && !job.always)) return;
    rec.in([tag], () => {
      for (const o of stmts) rec.span(o.stmtSpan);
      if (job.value) this.optionValueInfo(rec, job.value);
    });
  }

  optionValueInfo(rec: SourceInfoRecorder, v: MessageValue): void {
    for (const fv of v.entries) {
      const num = fv.field.number;
      const isMsg = fv.field.type === TYPE_MESSAGE || fv.field.type === TYPE_GROUP;
      const repeated = fv.field.label === LABEL_REPEATED;
      let idx = 0;
      for (const ref of fv.spans) {
        if (isMsg && !repeated) {
          if (fv.topLevel) rec.span(ref.span, num);
          continue;
        }
        const stmt = ref.stmt;
        rec.record(stmt ?? ref.span, stmt !== undefined, repeated ? [num, idx++] : [num]);
      }
      const el = fv.elements[0];
      if (isMsg && !repeated && el?.kind === "message") {
        rec.in([num], () => this.optionValueInfo(rec, el.value));
      }
    }
  }

  messageInfo(rec: SourceInfoRecorder, m: MessageAst): void {
    if (m.mapEntry) return;
    rec.comment(m.span);
    rec.span(tokSpan(m.nameTok), 1);
    m.fields.forEach((fa, i) => rec.in([2, i], () => this.fieldInfo(rec, fa)));
    let xi = 0;
    for (const ext of m.extends) {
      rec.comment(ext.span, 6);
      for (const fa of ext.fields) rec.in([6, xi++], () => this.fieldInfo(rec, fa));
    }
    let ni = 0, ei = 0;
    for (const n of m.nested) {
      if (n.kind === "enum") rec.in([4, ei++], () => this.enumInfo(rec, n));
      else {
        const i = ni++;
        if (!n.mapEntry) rec.in([3, i], () => this.messageInfo(rec, n));
      }
    }
    let ri = 0;
    for (const decl of m.extensionRanges) {
      for (const r of decl.ranges) {
        rec.comment(decl.span, 5);
        rec.in([5, ri++], () => {
          rangeInfo(rec, r);
          const job = this.optionJobs.get(r);
          if (job) {
            rec.in([3], () => {
              rec.span(decl.optionsSpan);
              if (job.value) this.optionValueInfo(rec, job.value);
            });
          }
        });
      }
    }
    this.reservedInfo(rec, m.reservedRanges, m.reservedNames, 9, 10);
    m.oneofs.forEach((o, i) =>
      rec.in([8, i], () => {
        rec.comment(o.span);
        rec.span(tokSpan(o.nameTok), 1);
        this.optionsInfo(rec, o, o.options, 2);
      })
    );
    this.optionsInfo(rec, m, m.options, 7);
  }

  reservedInfo(
    rec: SourceInfoRecorder,
    ranges: RangeDeclAst[],
    names: ReservedNamesAst[],
    rangeTag: number,
    nameTag: number,
  ): void {
    let i = 0;
    for (const decl of ranges) {
      for (const r of decl.ranges) {
        if (i === 0) rec.comment(decl.span, rangeTag);
        rec.in([rangeTag, i++], () => rangeInfo(rec, r));
      }
    }
    let j = 0;
    for (const decl of names) {
      for (const n of decl.names) {
        if (j === 0) rec.comment(decl.span, nameTag);
        rec.span(n.span, nameTag, j++);
      }
    }
  }

  fieldInfo(rec: SourceInfoRecorder, fa: FieldAst): void {
    rec.record(fa.span, !fa.group, []);
    rec.span(tokSpan(fa.nameTok), 1);
    rec.span(fa.numberSpan, 3);
    if (fa.labelTok !== undefined) rec.span(tokSpan(fa.labelTok), 4);
    const named = fa.group || fa.mapEntry || !fa.type.scalar;
    rec.span(fa.type.span, named ? 6 : 5);
    if (fa.extend) rec.span(fa.extend.extendeeSpan, 2);
    if (fa.options.length) {
      const job = this.optionJobs.get(fa);
      rec.in([8], () => {
        rec.span(fa.optionsSpan);
        if (job?.value) this.optionValueInfo(rec, job.value);
      });
    }
    if (fa.jsonName) rec.span(fa.jsonName.span, 10);
    if (fa.defaultValue) rec.span(fa.defaultValue.span, 7);
  }

  enumInfo(rec: SourceInfoRecorder, e: EnumAst): void {
    rec.comment(e.span);
    rec.span(tokSpan(e.nameTok), 1);
    e.values.forEach((v, i) =>
      rec.in([2, i], () => {
        rec.comment(v.span);
        rec.span(tokSpan(v.nameTok), 1);
        rec.span(v.numberSpan, 2);
        if (v.options.length) {
          const job = this.optionJobs.get(v);
          rec.in([3], () => {
            rec.span(v.optionsSpan);
            if (job?.value) this.optionValueInfo(rec, job.value);
          });
        }
      })
    );
    this.reservedInfo(rec, e.reservedRanges, e.reservedNames, 4, 5);
    this.optionsInfo(rec, e, e.options, 3);
  }

  serviceInfo(rec: SourceInfoRecorder, s: ServiceAst): void {
    rec.comment(s.span);
    rec.span(tokSpan(s.nameTok), 1);
    s.methods.forEach((m, i) =>
      rec.in([2, i], () => {
        rec.comment(m.span);
        rec.span(tokSpan(m.nameTok), 1);
        if (m.inputStream !== undefined) rec.span(tokSpan(m.inputStream), 5);
        rec.span(m.inputSpan, 2);
        if (m.outputStream !== undefined) rec.span(tokSpan(m.outputStream), 6);
        rec.span(m.outputSpan, 3);
        this.optionsInfo(rec, m, m.options, 4);
      })
    );
    this.optionsInfo(rec, s, s.options, 3);
  }
}

/** The full name of `name` declared in `scope`. */
function within(scope: string, name: string): string {
  return scope ? scope + "." + name : name;
}

function tokSpan(t: number): Span {
  return { s: t, e: t };
}

function rangeInfo(rec: SourceInfoRecorder, r: RangeDeclAst["ranges"][number]): void {
  rec.span(r.span);
  rec.span(r.startSpan, 1);
  rec.span(r.endSpan, 2);
}

/** protoc's default JSON name: `foo_bar` → `fooBar`. */
export function jsonName(name: string): string {
  let out = "";
  let cap = false;
  for (const ch of name) {
    if (ch === "_") cap = true;
    else if (cap) {
      out += ch.toUpperCase();
      cap = false;
    } else out += ch;
  }
  return out;
}
