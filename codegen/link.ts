/**
 * Pass 2 of the descriptor builder: names are linked. Field types,
 * extendees and method types are resolved by protoc's rules
 * (`SymbolTable.resolve`, `FileScope`), with protoc's messages when they do
 * not resolve; extension numbers are checked against their extendee; default
 * values are checked and formatted against the resolved field type.
 *
 * @module
 */

import {
  type FieldDescriptorProto,
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
} from "@bufbuild/protobuf/wkt";
import type { ValueAst } from "./ast.ts";
import { type DescriptorBuilder, type FieldJob, within } from "./builder.ts";
import { escapeBytes, formatFloat } from "./default-value.ts";
import { isType, type Resolution, type Sym } from "./symbols.ts";

const T = FieldDescriptorProto_Type;
const TYPE_GROUP = T.GROUP;
const TYPE_MESSAGE = T.MESSAGE;
const TYPE_ENUM = T.ENUM;
const TYPE_STRING = T.STRING;
const TYPE_BYTES = T.BYTES;
const TYPE_BOOL = T.BOOL;
const TYPE_FLOAT = T.FLOAT;
const TYPE_DOUBLE = T.DOUBLE;
const LABEL_REPEATED = FieldDescriptorProto_Label.REPEATED;
const textDecoder = new TextDecoder();

/** Pass 2: name resolution. */
export class Linker {
  readonly b: DescriptorBuilder;

  constructor(b: DescriptorBuilder) {
    this.b = b;
  }

  /** Runs the pass over every queued field and method. */
  run(): void {
    for (const job of this.b.fieldJobs) this.resolveField(job);
    for (const { tok, field } of this.b.mapKeyChecks) {
      if (field.type === TYPE_ENUM || field.type === TYPE_MESSAGE) {
        this.b.error(tok, "Key in map fields cannot be float/double, bytes or message types.");
      }
    }
    for (const m of this.b.methodJobs) {
      m.proto.inputType = this.resolveMessage(m.input, m.scope, m.inputTok);
      m.proto.outputType = this.resolveMessage(m.output, m.scope, m.outputTok);
    }
  }

  /** Resolves a method's input or output type (protoc's `CrossLinkMethod`). */
  resolveMessage(name: string, relativeTo: string, tok: number): string {
    const r = this.b.symbols.resolve(name, relativeTo, false, this.b.scope);
    if (!r.sym) {
      this.notDefined(tok, name, r);
      return name.startsWith(".") ? name : "." + name;
    }
    if (r.sym.kind !== "message") this.b.error(tok, `"${name}" is not a message type.`);
    return "." + r.sym.fullName;
  }

  /** Resolves a field's type: messages and enums only (protoc's `LOOKUP_TYPES`). */
  lookupType(name: string, relativeTo: string, tok: number): Sym | undefined {
    const r = this.b.symbols.resolve(name, relativeTo, true, this.b.scope);
    if (!r.sym) {
      this.notDefined(tok, name, r);
      return undefined;
    }
    if (!isType(r.sym)) {
      this.b.error(tok, `"${name}" is not a type.`);
      return undefined;
    }
    return r.sym;
  }

  /** protoc's `AddNotDefinedError`: why a name did not resolve. */
  notDefined(tok: number, name: string, r: Resolution): void {
    if (r.undeclared) {
      this.b.error(
        tok,
        `"${r.undeclared.name}" seems to be defined in "${r.undeclared.file}", which is not imported by "${this.b.ast.name}".  To use it here, please add the necessary import.`,
      );
    }
    if (r.unresolved) {
      this.b.error(
        tok,
        `"${name}" is resolved to "${r.unresolved}", which is not defined. The innermost scope is searched first in name resolution. Consider using a leading '.'(i.e., ".${name}") to start from the outermost scope.`,
      );
    }
    if (!r.undeclared && !r.unresolved) this.b.error(tok, `"${name}" is not defined.`);
  }

  resolveField(job: FieldJob): void {
    const { proto: fd, ast: fa } = job;
    if (fa.extend) {
      const at = fa.extend.extendeeSpan.s;
      const r = this.b.symbols.resolve(
        fa.extend.extendee,
        within(job.scope, fa.name),
        false,
        this.b.scope,
      );
      const sym = r.sym;
      if (!sym) this.notDefined(at, fa.extend.extendee, r);
      else if (sym.kind !== "message") {
        this.b.error(at, `"${fa.extend.extendee}" is not a message type.`);
      } else {
        fd.extendee = "." + sym.fullName;
        const taken = this.b.symbols.extensionsOf.get(sym.fullName)?.find((x) =>
          x.number === fa.number
        );
        if (taken) {
          this.b.error(
            fa.numberSpan.s,
            `Extension number ${fa.number} has already been used in "${sym.fullName}" by extension "${taken.name}".`,
          );
        }
        this.b.symbols.addExtension(sym.fullName, fd);
        if (
          this.b.ast.syntax === "proto3" && !/^google\.protobuf\.\w+Options$/.test(sym.fullName)
        ) {
          this.b.error(
            fa.extend.extendeeSpan.s,
            "Extensions in proto3 are only allowed for defining options.",
          );
        }
        const inRange = sym.message?.extensionRange.some((r) =>
          fa.number >= r.start && fa.number < r.end
        );
        if (sym.message && !inRange) {
          this.b.error(
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
        if (sym.kind === "enum" && this.b.ast.syntax === "proto3" && sym.syntax === "proto2") {
          this.b.error(
            fa.type.span.s,
            `Enum type "${sym.fullName}" is not an open enum, but is used in "${job.scope}" which is a proto3 message type.`,
          );
        }
      }
    }
    if (fa.defaultValue && fd.label === LABEL_REPEATED) {
      this.b.error(fa.defaultValue.span.s, "Repeated fields can't have default values.");
    } else if (fa.defaultValue) {
      const dv = this.defaultValue(fd, fa.defaultValue.value);
      if (dv !== undefined) fd.defaultValue = dv;
    }
  }

  defaultValue(fd: FieldDescriptorProto, v: ValueAst): string | undefined {
    const bad = (msg: string): undefined => {
      this.b.error(v.span.s, msg);
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
        const en = this.b.symbols.byName.get(fd.typeName.slice(1))?.enum;
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
        const unsigned = t === T.UINT64 || t === T.UINT32 || t === T.FIXED64 || t === T.FIXED32;
        if (unsigned && v.neg) return bad("Unsigned field can't have negative default value.");
        const is32 = t === T.INT32 || t === T.UINT32 || t === T.FIXED32 || t === T.SFIXED32 ||
          t === T.SINT32;
        const max = unsigned
          ? (is32 ? 0xffffffffn : 0xffffffffffffffffn)
          : (is32 ? 0x7fffffffn : 0x7fffffffffffffffn);
        if (v.value > max + (v.neg ? 1n : 0n)) return bad("Integer out of range.");
        return (v.neg ? "-" : "") + v.value.toString();
      }
    }
  }
}
