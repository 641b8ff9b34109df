/**
 * Option interpretation: turns the option assignments of a declaration
 * (`option (google.api.http) = { get: "/v1" };`, `[deprecated = true]`) into
 * the bytes of its options message, resolving extension names by protoc's
 * scoping rules and checking every value against the field's type.
 *
 * Values are merged per field in first-seen order and encoded the way buf
 * encodes them (repeated numeric fields with more than one element packed),
 * so that the resulting descriptors equal buf's byte for byte.
 *
 * @module
 */

import type { DescriptorProto, FieldDescriptorProto } from "@bufbuild/protobuf/wkt";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import type { MessageLiteralField, OptionAst, Span, ValueAst } from "./ast.ts";
import { FIELD_TYPE_NAMES, FIELD_TYPES } from "./field-types.ts";
import type { FileScope, SymbolTable } from "./symbols.ts";
import { builtinEnum, builtinMessage } from "./well-known.ts";

/** A value being built for a message-typed option or options message. */
export interface MessageValue {
  /** Full name of the message type. */
  typeName: string;
  /** The message type. */
  type: DescriptorProto;
  /** Fields in first-seen order. */
  entries: FieldValue[];
  /** For Any: the concrete message and its type URL. */
  any?: { url: string; value: MessageValue };
}

/** All values of one field inside a {@link MessageValue}. */
export interface FieldValue {
  /** The field. */
  field: FieldDescriptorProto;
  /** One element for singular fields. */
  elements: Element[];
  /** Source of each assignment that touched this field. */
  spans: OptionSpan[];
  /** True when this field belongs to the top-level options message. */
  topLevel: boolean;
}

/** Where an assignment came from, for source info. */
export interface OptionSpan {
  /** From name to value. */
  span: Span;
  /** The statement (`option … ;`) when it is one. */
  stmt?: Span;
}

/** One value. */
export type Element =
  | { kind: "varint"; bits: bigint }
  | { kind: "fixed32"; bits: number; float?: boolean }
  | { kind: "fixed64"; bits: bigint; double?: number }
  | { kind: "bytes"; bytes: Uint8Array }
  | { kind: "message"; value: MessageValue };

/** Reports a problem at a token. */
export type ReportAt = (tok: number, message: string) => void;

const T = FIELD_TYPES;
const TYPE_NAMES = FIELD_TYPE_NAMES;

const LABEL_REPEATED = 3;

/** FieldOptions.OptionTargetType of each options message. */
const TARGET_OF: Record<string, number> = {
  "google.protobuf.FileOptions": 1,
  "google.protobuf.ExtensionRangeOptions": 2,
  "google.protobuf.MessageOptions": 3,
  "google.protobuf.FieldOptions": 4,
  "google.protobuf.OneofOptions": 5,
  "google.protobuf.EnumOptions": 6,
  "google.protobuf.EnumValueOptions": 7,
  "google.protobuf.ServiceOptions": 8,
  "google.protobuf.MethodOptions": 9,
};
const ENTITY_OF = [
  "",
  "file",
  "extension range",
  "message",
  "field",
  "oneof",
  "enum",
  "enum entry",
  "service",
  "method",
];
const textDecoder = new TextDecoder("utf-8", { fatal: true });

/** Interprets option assignments against one options message type. */
export class OptionInterpreter {
  readonly symbols: SymbolTable;
  readonly report: ReportAt;
  readonly scope: FileScope;

  constructor(symbols: SymbolTable, report: ReportAt, scope: FileScope) {
    this.symbols = symbols;
    this.report = report;
    this.scope = scope;
  }

  /** Creates an empty value of the given options message (e.g. `google.protobuf.FileOptions`). */
  newValue(typeName: string): MessageValue | undefined {
    const sym = this.symbols.byName.get(typeName);
    const type = sym?.message ?? builtinMessage(typeName);
    if (!type) return undefined;
    return { typeName, type, entries: [] };
  }

  /** Applies one option assignment declared in `scope`. */
  apply(target: MessageValue, opt: OptionAst, scope: string): void {
    const ref: OptionSpan = { span: opt.span, stmt: opt.stmtSpan };
    let msg = target;
    for (let i = 0; i < opt.name.length; i++) {
      const part = opt.name[i];
      const field = this.findField(msg, part.name, part.isExtension, scope, part.span.s);
      if (!field) return;
      const targets = field.options?.targets;
      const want = TARGET_OF[target.typeName];
      if (targets && targets.length > 0 && want !== undefined && !targets.includes(want)) {
        this.report(
          part.span.s,
          `Option ${part.name} cannot be set on an entity of type \`${ENTITY_OF[want]}\`.`,
        );
        return;
      }
      const last = i === opt.name.length - 1;
      const fv = this.fieldValue(msg, field, msg === target);
      if (last) {
        fv.spans.push(ref);
        this.addValue(fv, opt.value, scope, optionDisplayName(opt, i));
        return;
      }
      if (field.type !== T.message && field.type !== T.group) {
        this.report(
          opt.name[i + 1].span.s,
          `Option "${optionDisplayName(opt, i)}" is an atomic type, not a message.`,
        );
        return;
      }
      if (field.label === LABEL_REPEATED) {
        this.report(
          part.span.s,
          `Option field "${
            optionDisplayName(opt, i)
          }" is a repeated message. Repeated message options must be initialized using an aggregate value.`,
        );
        return;
      }
      let el = fv.elements[0];
      if (!el) {
        const sub = this.messageFor(field, part.span.s);
        if (!sub) return;
        el = { kind: "message", value: sub };
        fv.elements.push(el);
      }
      if (el.kind !== "message") return;
      msg = el.value;
    }
  }

  messageFor(field: FieldDescriptorProto, tok: number): MessageValue | undefined {
    const name = field.typeName.slice(1);
    const type = this.symbols.byName.get(name)?.message ?? builtinMessage(name);
    if (!type) {
      this.report(tok, `"${name}" is not a message type.`);
      return undefined;
    }
    return { typeName: name, type, entries: [] };
  }

  fieldValue(msg: MessageValue, field: FieldDescriptorProto, topLevel: boolean): FieldValue {
    for (const e of msg.entries) if (e.field.number === field.number) return e;
    const fv: FieldValue = { field, elements: [], spans: [], topLevel };
    msg.entries.push(fv);
    return fv;
  }

  findField(
    msg: MessageValue,
    name: string,
    isExtension: boolean,
    scope: string,
    tok: number,
  ): FieldDescriptorProto | undefined {
    if (!isExtension) {
      const f = this.symbols.fieldByName(msg.type, name);
      if (!f) {
        this.report(
          tok,
          `Option "${name}" unknown. Ensure that your proto definition file imports the proto which defines the option.`,
        );
      }
      return f;
    }
    const { sym } = this.symbols.resolve(name, scope, false, this.scope);
    if (!sym || sym.kind !== "field" || !sym.isExtension) {
      this.report(
        tok,
        `Option "(${name})" unknown. Ensure that your proto definition file imports the proto which defines the option.`,
      );
      return undefined;
    }
    const f = sym.field!;
    if (f.extendee.slice(1) !== msg.typeName) {
      this.report(
        tok,
        `Option "(${name})" is an extension of "${f.extendee.slice(1)}", not of "${msg.typeName}".`,
      );
      return undefined;
    }
    return f;
  }

  addValue(fv: FieldValue, value: ValueAst, scope: string, display: string): void {
    const f = fv.field;
    const repeated = f.label === LABEL_REPEATED;
    if (value.kind === "list") {
      if (!repeated) {
        this.report(
          value.span.s,
          `Option "${display}" is not repeated; a list value is not allowed.`,
        );
        return;
      }
      for (const item of value.items) this.addValue(fv, item, scope, display);
      return;
    }
    if (!repeated && fv.elements.length > 0) {
      if (f.type === T.message && value.kind === "message" && fv.elements[0].kind === "message") {
        this.fillMessage(fv.elements[0].value, value.fields, scope);
        return;
      }
      this.report(value.span.s, `Option "${display}" was already set.`);
      return;
    }
    const el = this.convert(f, value, scope, display);
    if (el) fv.elements.push(el);
  }

  convert(
    f: FieldDescriptorProto,
    v: ValueAst,
    scope: string,
    display: string,
  ): Element | undefined {
    const type = f.type;
    const bad = (what: string): undefined => {
      this.report(v.span.s, `Value must be ${what} for ${TYPE_NAMES[type]} option "${display}".`);
      return undefined;
    };
    switch (type) {
      case T.message:
      case T.group: {
        if (v.kind !== "message") {
          this.report(
            v.span.s,
            `Option "${display}" is a message. To set the entire message, use syntax like "${
              display.split(".").pop()
            } = { <proto text format> }". To set fields within it, use syntax like "${
              display.split(".").pop()
            }.foo = value".`,
          );
          return undefined;
        }
        const sub = this.messageFor(f, v.span.s);
        if (!sub) return undefined;
        this.fillMessage(sub, v.fields, scope);
        return { kind: "message", value: sub };
      }
      case T.enum: {
        const en = this.symbols.byName.get(f.typeName.slice(1))?.enum ??
          builtinEnum(f.typeName.slice(1));
        if (v.kind === "int" && !v.neg && v.value <= 0x7fffffffn) {
          return { kind: "varint", bits: v.value };
        }
        if (v.kind === "int" && v.neg && v.value <= 0x80000000n) {
          return { kind: "varint", bits: BigInt.asUintN(64, -v.value) };
        }
        if (v.kind !== "ident" || v.neg) return bad("identifier");
        const val = en?.value.find((x) => x.name === v.text);
        if (!val) {
          this.report(
            v.span.s,
            `Enum type "${
              f.typeName.slice(1)
            }" has no value named "${v.text}" for option "${display}".`,
          );
          return undefined;
        }
        return { kind: "varint", bits: BigInt.asUintN(64, BigInt(val.number)) };
      }
      case T.bool: {
        if (v.kind === "ident" && !v.neg) {
          if (v.text === "true" || v.text === "True" || v.text === "t") {
            return { kind: "varint", bits: 1n };
          }
          if (v.text === "false" || v.text === "False" || v.text === "f") {
            return { kind: "varint", bits: 0n };
          }
        }
        if (v.kind === "int" && !v.neg && v.value <= 1n) return { kind: "varint", bits: v.value };
        return bad('"true" or "false"');
      }
      case T.string:
      case T.bytes: {
        if (v.kind !== "string") return bad("quoted string");
        if (type === T.string) {
          try {
            textDecoder.decode(v.bytes);
          } catch {
            this.report(v.span.s, `String option "${display}" contains invalid UTF-8.`);
          }
        }
        return { kind: "bytes", bytes: v.bytes };
      }
      case T.float:
      case T.double: {
        let n: number;
        if (v.kind === "int" || v.kind === "float") n = Number(v.value);
        else if (v.kind === "ident" && (v.text === "inf" || v.text === "infinity")) n = Infinity;
        else if (v.kind === "ident" && v.text === "nan") n = NaN;
        else return bad("number");
        if (v.neg) n = -n;
        if (type === T.float) {
          const buf = new DataView(new ArrayBuffer(4));
          buf.setFloat32(0, n, true);
          return { kind: "fixed32", bits: buf.getUint32(0, true), float: true };
        }
        const buf = new DataView(new ArrayBuffer(8));
        buf.setFloat64(0, n, true);
        return { kind: "fixed64", bits: buf.getBigUint64(0, true), double: n };
      }
      default: {
        if (v.kind !== "int") return bad("integer");
        const signed = type === T.int32 || type === T.int64 || type === T.sint32 ||
          type === T.sint64 || type === T.sfixed32 || type === T.sfixed64;
        const is32 = type === T.int32 || type === T.sint32 || type === T.sfixed32 ||
          type === T.uint32 || type === T.fixed32;
        if (v.neg && !signed) return bad("integer");
        const max = signed
          ? (is32 ? 0x7fffffffn : 0x7fffffffffffffffn)
          : (is32 ? 0xffffffffn : 0xffffffffffffffffn);
        const limit = v.neg ? max + 1n : max;
        if (v.value > limit) {
          this.report(v.span.s, `Value out of range for ${TYPE_NAMES[type]} option "${display}".`);
          return undefined;
        }
        const n = v.neg ? -v.value : v.value;
        switch (type) {
          case T.sint32:
          case T.sint64:
            return { kind: "varint", bits: n >= 0n ? n * 2n : -n * 2n - 1n };
          case T.fixed32:
          case T.sfixed32:
            return { kind: "fixed32", bits: Number(BigInt.asUintN(32, n)) };
          case T.fixed64:
          case T.sfixed64:
            return { kind: "fixed64", bits: BigInt.asUintN(64, n) };
          default:
            return { kind: "varint", bits: BigInt.asUintN(64, n) };
        }
      }
    }
  }

  fillMessage(msg: MessageValue, fields: MessageLiteralField[], scope: string): void {
    for (const lf of fields) {
      if (lf.nameKind === "any") {
        const slash = lf.name.lastIndexOf("/");
        const typeName = lf.name.slice(slash + 1);
        const sym = this.symbols.resolve("." + typeName, "", false, this.scope).sym;
        if (!sym?.message || lf.value.kind !== "message") {
          this.report(lf.nameSpan.s, `Could not find type "${typeName}" for Any.`);
          continue;
        }
        const inner: MessageValue = { typeName, type: sym.message, entries: [] };
        this.fillMessage(inner, lf.value.fields, scope);
        msg.any = { url: lf.name, value: inner };
        continue;
      }
      let f: FieldDescriptorProto | undefined;
      if (lf.nameKind === "extension") {
        const { sym } = this.symbols.resolve(lf.name, scope, false, this.scope);
        f = sym?.isExtension && sym.field!.extendee.slice(1) === msg.typeName
          ? sym.field
          : undefined;
      } else {
        f = this.symbols.fieldByName(msg.type, lf.name);
        if (!f) {
          f = msg.type.field.find((x) => x.type === T.group && x.typeName.endsWith("." + lf.name));
        }
      }
      if (!f) {
        this.report(
          lf.nameSpan.s,
          `Message type "${msg.typeName}" has no field named "${lf.name}".`,
        );
        continue;
      }
      const fv = this.fieldValue(msg, f, false);
      fv.spans.push({ span: lf.span });
      this.addValue(fv, lf.value, scope, lf.name);
    }
  }
}

function optionDisplayName(opt: OptionAst, upTo: number): string {
  return opt.name.slice(0, upTo + 1).map((p) => p.isExtension ? `(${p.name})` : p.name).join(".");
}

/** Encodes a message value the way buf does. */
export function marshalMessageValue(v: MessageValue): Uint8Array {
  const w = new BinaryWriter();
  writeMessage(w, v);
  return w.finish();
}

function writeMessage(w: BinaryWriter, v: MessageValue): void {
  if (v.any) {
    w.tag(1, WireType.LengthDelimited).string(v.any.url);
    w.tag(2, WireType.LengthDelimited).fork();
    writeMessage(w, v.any.value);
    w.join();
    return;
  }
  const sorted = v.entries.slice().sort(compareFieldOrder);
  for (const fv of sorted) writeField(w, fv);
}

function writeField(w: BinaryWriter, fv: FieldValue): void {
  const no = fv.field.number;
  const els = fv.elements;
  if (
    fv.field.label === LABEL_REPEATED && els.length > 0 && els[0].kind !== "bytes" &&
    els[0].kind !== "message" && isPacked(fv.field)
  ) {
    w.tag(no, WireType.LengthDelimited).fork();
    for (const el of els) writeScalar(w, el);
    w.join();
    return;
  }
  for (const el of els) {
    switch (el.kind) {
      case "varint":
        w.tag(no, WireType.Varint);
        break;
      case "fixed32":
        w.tag(no, WireType.Bit32);
        break;
      case "fixed64":
        w.tag(no, WireType.Bit64);
        break;
      case "bytes":
        w.tag(no, WireType.LengthDelimited).bytes(el.bytes);
        continue;
      case "message":
        if (fv.field.type === T.group) {
          w.tag(no, WireType.StartGroup);
          writeMessage(w, el.value);
          w.tag(no, WireType.EndGroup);
        } else {
          w.tag(no, WireType.LengthDelimited).fork();
          writeMessage(w, el.value);
          w.join();
        }
        continue;
    }
    writeScalar(w, el);
  }
}

function writeScalar(w: BinaryWriter, el: Element): void {
  switch (el.kind) {
    case "varint":
      w.uint64(el.bits);
      break;
    case "fixed32":
      w.fixed32(el.bits);
      break;
    case "fixed64":
      w.fixed64(el.bits);
      break;
  }
}

/** Syntax ("proto2", "proto3", "editions") of the file declaring each field. */
export const fieldSyntax: WeakMap<FieldDescriptorProto, string> = new WeakMap();

function isPacked(f: FieldDescriptorProto): boolean {
  const explicit = f.options?.packed;
  if (f.options && Object.prototype.hasOwnProperty.call(f.options, "packed")) return explicit!;
  const syntax = fieldSyntax.get(f) ?? "proto2";
  if (syntax === "proto2") return false;
  if (syntax === "editions") return f.options?.features?.repeatedFieldEncoding !== 2;
  return true;
}

/**
 * Go's deterministic (legacy) field order, which buf's output follows:
 * extensions first, then fields outside oneofs, then oneof members grouped by
 * oneof; by number within each group.
 */
function compareFieldOrder(x: FieldValue, y: FieldValue): number {
  const a = x.field, b = y.field;
  const ea = a.extendee !== "", eb = b.extendee !== "";
  if (ea !== eb) return ea ? -1 : 1;
  const oa = inRealOneof(a), ob = inRealOneof(b);
  if (oa !== ob) return oa ? 1 : -1;
  if (oa && ob && a.oneofIndex !== b.oneofIndex) return a.oneofIndex - b.oneofIndex;
  return a.number - b.number;
}

function inRealOneof(f: FieldDescriptorProto): boolean {
  return Object.prototype.hasOwnProperty.call(f, "oneofIndex") && !f.proto3Optional;
}
