/**
 * Pass 1 of the descriptor builder: the syntax tree becomes descriptors —
 * messages, fields, enums, services, extensions, ranges, synthetic oneofs —
 * and every declaration becomes a symbol of the compilation. What needs
 * other files (types, options) is queued for the later passes.
 *
 * @module
 */

import { create } from "@bufbuild/protobuf";
import {
  type DescriptorProto,
  DescriptorProto_ExtensionRangeSchema,
  DescriptorProto_ReservedRangeSchema,
  DescriptorProtoSchema,
  Edition,
  type EnumDescriptorProto,
  EnumDescriptorProto_EnumReservedRangeSchema,
  EnumDescriptorProtoSchema,
  EnumValueDescriptorProtoSchema,
  type FieldDescriptorProto,
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FieldDescriptorProtoSchema,
  MessageOptionsSchema,
  MethodDescriptorProtoSchema,
  OneofDescriptorProtoSchema,
  type ServiceDescriptorProto,
  ServiceDescriptorProtoSchema,
} from "@bufbuild/protobuf/wkt";
import type { EnumAst, ExtendAst, FieldAst, MessageAst, ServiceAst } from "./ast.ts";
import { type DescriptorBuilder, within } from "./builder.ts";
import { checkMessage, MAX_FIELD_NUMBER } from "./message-checks.ts";
import { fieldSyntax } from "./options.ts";
import type { Sym } from "./symbols.ts";

const textDecoder = new TextDecoder();
const LABEL_OPTIONAL = FieldDescriptorProto_Label.OPTIONAL;
const LABEL_REQUIRED = FieldDescriptorProto_Label.REQUIRED;
const LABEL_REPEATED = FieldDescriptorProto_Label.REPEATED;
const TYPE_GROUP = FieldDescriptorProto_Type.GROUP;
const TYPE_FLOAT = FieldDescriptorProto_Type.FLOAT;
const TYPE_DOUBLE = FieldDescriptorProto_Type.DOUBLE;
const TYPE_BYTES = FieldDescriptorProto_Type.BYTES;

/** Pass 1: descriptors and symbols. */
export class Declarations {
  readonly b: DescriptorBuilder;

  constructor(b: DescriptorBuilder) {
    this.b = b;
  }

  define(kind: Sym["kind"], fullName: string, tok: number, extra: Partial<Sym>): void {
    const clash = this.b.symbols.add({ kind, file: this.b.ast.name, fullName, ...extra });
    if (!clash) return;
    const dot = fullName.lastIndexOf(".");
    const simple = fullName.slice(dot + 1);
    const where = dot < 0 ? "" : fullName.slice(0, dot);
    if (clash.file !== this.b.ast.name) {
      this.b.error(tok, `"${fullName}" is already defined in file "${clash.file}".`);
    } else if (where) {
      this.b.error(tok, `"${simple}" is already defined in "${where}".`);
    } else {
      this.b.error(tok, `"${simple}" is already defined.`);
    }
  }

  /** Runs the pass over the whole file. */
  run(): void {
    const ast = this.b.ast;
    const f = this.b.file;
    const pkg = ast.pkg?.name ?? "";
    if (ast.pkg) {
      f.package = pkg;
      const clash = this.b.symbols.addPackage(pkg, ast.name);
      if (clash) {
        this.b.error(
          ast.pkg.span.s,
          `"${clash.fullName}" is already defined (as something other than a package) in file "${clash.file}".`,
        );
      }
    }
    if (ast.syntax === "proto3") f.syntax = "proto3";
    else if (ast.syntax === "editions") {
      f.syntax = "editions";
      f.edition = ast.edition === "2026"
        ? Edition.EDITION_2026
        : ast.edition === "2024"
        ? Edition.EDITION_2024
        : Edition.EDITION_2023;
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
      this.b.addOptions(ast, "FileOptions", ast.options, at, (m) => f.options = m as never);
    }
  }

  message(m: MessageAst, scope: string): DescriptorProto {
    const fullName = scope ? scope + "." + m.name : m.name;
    const d = create(DescriptorProtoSchema, { name: m.name });
    if (m.visibility) d.visibility = m.visibility;
    this.define("message", fullName, m.nameTok, { message: d });
    this.b.messageAsts.set(d, m);
    if (m.mapEntry) {
      const { keyType, valueType, field } = m.mapEntry;
      d.options = create(MessageOptionsSchema, { mapEntry: true });
      this.b.entryOf.set(field, d);
      for (const [name, number, t] of [["key", 1, keyType], ["value", 2, valueType]] as const) {
        const fd = create(FieldDescriptorProtoSchema, {
          name,
          number,
          label: LABEL_OPTIONAL,
          jsonName: name,
        });
        if (t.scalar) fd.type = t.scalar;
        else {
          this.b.fieldJobs.push({
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
          this.b.error(
            keyType.span.s,
            "Key in map fields cannot be float/double, bytes or message types.",
          );
        } else this.b.mapKeyChecks.push({ tok: keyType.span.s, field: d.field[0] });
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
          this.b.addOptions(
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
        this.b.addOptions(
          o,
          "OneofOptions",
          o.options,
          fullName + "." + o.name,
          (x) => od.options = x as never,
        );
      }
    });
    if (this.b.ast.syntax === "proto3") this.syntheticOneofs(d);
    if (m.options.length) {
      this.b.addOptions(m, "MessageOptions", m.options, fullName, (x) => d.options = x as never);
    }
    checkMessage(this.b, m, d, fullName);
    return d;
  }

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
    fieldSyntax.set(fd, this.b.ast.syntax);
    const symName = scope ? scope + "." + fa.name : fa.name;
    // Plain fields are not global symbols (they never resolve as types);
    // checkMessage catches their clashes. Extensions are, for options.
    if (ext) this.define("field", symName, fa.nameTok, { field: fd, isExtension: true });
    if (fa.mapEntry) fd.label = LABEL_REPEATED;
    else if (fa.label === "repeated") fd.label = LABEL_REPEATED;
    else if (fa.label === "required") fd.label = LABEL_REQUIRED;
    else fd.label = LABEL_OPTIONAL;
    if (fa.label === "optional" && this.b.ast.syntax === "proto3") fd.proto3Optional = true;
    if (fa.oneofIndex !== undefined) fd.oneofIndex = fa.oneofIndex;
    if (ext) fd.extendee = ext.extendee;
    let ownType: string | undefined;
    if (fa.group) {
      fd.type = TYPE_GROUP;
      ownType = (scope ? scope + "." : "") + fa.group.name;
    } else if (fa.mapEntry) {
      ownType = scope + "." + fa.mapEntry.name;
      const entry = this.b.entryOf.get(fa);
      if (entry) this.b.mapFields.push({ field: fd, entry });
    } else if (fa.type.scalar) {
      fd.type = fa.type.scalar;
    }
    if (fa.jsonName) {
      const v = fa.jsonName.value;
      if (v.kind === "string") fd.jsonName = textDecoder.decode(v.bytes);
      else this.b.error(v.span.s, "Expected string for JSON name.");
      if (ext) {
        this.b.error(fa.jsonName.span.s, "option json_name is not allowed on extension fields.");
      }
    } else {
      fd.jsonName = jsonName(fa.name);
    }
    if (fa.options.length) {
      this.b.addOptions(fa, "FieldOptions", fa.options, symName, (x) => fd.options = x as never);
    }
    this.b.fieldJobs.push({ proto: fd, ast: fa, scope, ownType });
    return fd;
  }

  enumType(e: EnumAst, scope: string): EnumDescriptorProto {
    const fullName = scope ? scope + "." + e.name : e.name;
    const d = create(EnumDescriptorProtoSchema, { name: e.name });
    if (e.visibility) d.visibility = e.visibility;
    this.define("enum", fullName, e.nameTok, { enum: d, syntax: this.b.ast.syntax });
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
        this.b.error(
          v.numberSpan.s,
          `"${fullName}.${v.name}" uses the same enum value as "${fullName}.${prev}". If this is intended, set 'option allow_alias = true;' to the enum definition.${
            nextFreeValue(e, v.number)
          }`,
        );
      }
      if (prev === undefined) seen.set(v.number, v.name);
      if (v.options.length) {
        this.b.addOptions(
          v,
          "EnumValueOptions",
          v.options,
          scope ? scope + "." + v.name : v.name,
          (x) => vd.options = x as never,
        );
      }
    }
    if (e.values.length === 0) this.b.error(e.nameTok, `Enums must contain at least one value.`);
    else if (this.b.ast.syntax === "proto3" && e.values[0].number !== 0) {
      this.b.error(e.values[0].numberSpan.s, "The first enum value must be zero for open enums.");
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
          this.b.error(v.numberSpan.s, `Enum value "${v.name}" uses reserved number ${v.number}.`);
        }
      }
      if (d.reservedName.includes(v.name)) {
        this.b.error(v.nameTok, `Enum value "${v.name}" is reserved.`);
      }
    }
    if (e.options.length) {
      this.b.addOptions(e, "EnumOptions", e.options, fullName, (x) => d.options = x as never);
    }
    return d;
  }

  service(
    s: ServiceAst,
    scope: string,
  ): ServiceDescriptorProto {
    const fullName = scope ? scope + "." + s.name : s.name;
    const d = create(ServiceDescriptorProtoSchema, { name: s.name });
    this.define("service", fullName, s.nameTok, {});
    for (const m of s.methods) {
      const md = create(MethodDescriptorProtoSchema, { name: m.name });
      d.method.push(md);
      this.define("method", fullName + "." + m.name, m.nameTok, {});
      if (m.inputStream !== undefined) md.clientStreaming = true;
      if (m.outputStream !== undefined) md.serverStreaming = true;
      this.b.methodJobs.push({
        proto: md,
        input: m.input,
        output: m.output,
        scope: fullName + "." + m.name,
        inputTok: m.inputSpan.s,
        outputTok: m.outputSpan.s,
      });
      if (m.hasBody) {
        this.b.addOptions(
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
      this.b.addOptions(s, "ServiceOptions", s.options, fullName, (x) => d.options = x as never);
    }
    return d;
  }
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

/** protoc's hint after an alias error: the next number no value of the enum uses. */
function nextFreeValue(e: EnumAst, n: number): string {
  const used = new Set(e.values.map((v) => v.number));
  let next = n + 1;
  while (used.has(next)) next++;
  return next < 2147483647 ? ` The next available enum value is ${next}.` : "";
}
