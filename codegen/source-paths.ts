/**
 * Pass 4 of the descriptor builder: SourceCodeInfo. Walks the syntax tree
 * and records the location of every declaration and its parts under its
 * descriptor path — the field numbers of descriptor.proto, taken from
 * protobuf-es's schemas (`DescriptorProtoSchema.field.field.number`, …) —
 * with comments where protoc attaches them; `SourceInfoRecorder` sorts them
 * as buf emits them.
 *
 * @module
 */

import {
  DescriptorProto_ExtensionRangeSchema,
  DescriptorProto_ReservedRangeSchema,
  DescriptorProtoSchema,
  EnumDescriptorProtoSchema,
  EnumValueDescriptorProtoSchema,
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FieldDescriptorProtoSchema,
  FileDescriptorProtoSchema,
  MethodDescriptorProtoSchema,
  OneofDescriptorProtoSchema,
  ServiceDescriptorProtoSchema,
} from "@bufbuild/protobuf/wkt";
import type {
  EnumAst,
  FieldAst,
  MessageAst,
  OptionAst,
  RangeDeclAst,
  ReservedNamesAst,
  ServiceAst,
  Span,
} from "./ast.ts";
import type { DescriptorBuilder } from "./builder.ts";
import type { MessageValue } from "./options.ts";
import { SourceInfoRecorder } from "./source-info.ts";

const FILE = FileDescriptorProtoSchema.field;
const MESSAGE = DescriptorProtoSchema.field;
const FIELD = FieldDescriptorProtoSchema.field;
const ONEOF = OneofDescriptorProtoSchema.field;
const ENUM = EnumDescriptorProtoSchema.field;
const ENUM_VALUE = EnumValueDescriptorProtoSchema.field;
const SERVICE = ServiceDescriptorProtoSchema.field;
const METHOD = MethodDescriptorProtoSchema.field;
const EXTENSION_RANGE = DescriptorProto_ExtensionRangeSchema.field;
// Extension ranges, reserved ranges and enum reserved ranges share these numbers.
const RANGE = DescriptorProto_ReservedRangeSchema.field;
const TYPE_MESSAGE = FieldDescriptorProto_Type.MESSAGE;
const TYPE_GROUP = FieldDescriptorProto_Type.GROUP;
const LABEL_REPEATED = FieldDescriptorProto_Label.REPEATED;

/** Pass 4: source info. */
export class SourcePaths {
  readonly b: DescriptorBuilder;

  constructor(b: DescriptorBuilder) {
    this.b = b;
  }

  /** Records every location of the file into its SourceCodeInfo. */
  run(): void {
    const ast = this.b.ast;
    const rec = new SourceInfoRecorder(ast.tokens);
    const pkgSpan = ast.pkg?.span;
    rec.comment(pkgSpan, FILE.package.number);
    rec.comment(ast.syntaxSpan, FILE.syntax.number);
    let pub = 0, weak = 0, opt = 0;
    ast.imports.forEach((imp, i) => {
      if (imp.isOption) {
        rec.comment(imp.span, FILE.optionDependency.number, opt++);
        return;
      }
      rec.comment(imp.span, FILE.dependency.number, i);
      if (imp.publicTok !== undefined) {
        rec.span(tokSpan(imp.publicTok), FILE.publicDependency.number, pub++);
      }
      if (imp.weakTok !== undefined) {
        rec.span(tokSpan(imp.weakTok), FILE.weakDependency.number, weak++);
      }
    });
    let mi = 0, ei = 0;
    for (const t of ast.types) {
      if (t.kind === "message") {
        rec.in([FILE.messageType.number, mi++], () => this.messageInfo(rec, t));
      } else rec.in([FILE.enumType.number, ei++], () => this.enumInfo(rec, t));
    }
    ast.services.forEach((s, i) =>
      rec.in([FILE.service.number, i], () => this.serviceInfo(rec, s))
    );
    let xi = 0;
    for (const ext of ast.extends) {
      rec.comment(ext.span, FILE.extension.number);
      for (const fa of ext.fields) {
        rec.in([FILE.extension.number, xi++], () => this.fieldInfo(rec, fa));
      }
    }
    this.optionsInfo(rec, ast, ast.options, FILE.options.number);
    this.b.file.sourceCodeInfo = rec.finish(ast.first, ast.last);
  }

  optionsInfo(rec: SourceInfoRecorder, key: object, stmts: OptionAst[], tag: number): void {
    const job = this.b.optionJobs.get(key);
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
    rec.span(tokSpan(m.nameTok), MESSAGE.name.number);
    m.fields.forEach((fa, i) => rec.in([MESSAGE.field.number, i], () => this.fieldInfo(rec, fa)));
    let xi = 0;
    for (const ext of m.extends) {
      rec.comment(ext.span, MESSAGE.extension.number);
      for (const fa of ext.fields) {
        rec.in([MESSAGE.extension.number, xi++], () => this.fieldInfo(rec, fa));
      }
    }
    let ni = 0, ei = 0;
    for (const n of m.nested) {
      if (n.kind === "enum") rec.in([MESSAGE.enumType.number, ei++], () => this.enumInfo(rec, n));
      else {
        const i = ni++;
        if (!n.mapEntry) rec.in([MESSAGE.nestedType.number, i], () => this.messageInfo(rec, n));
      }
    }
    let ri = 0;
    for (const decl of m.extensionRanges) {
      for (const r of decl.ranges) {
        rec.comment(decl.span, MESSAGE.extensionRange.number);
        rec.in([MESSAGE.extensionRange.number, ri++], () => {
          rangeInfo(rec, r);
          const job = this.b.optionJobs.get(r);
          if (job) {
            rec.in([EXTENSION_RANGE.options.number], () => {
              rec.span(decl.optionsSpan);
              if (job.value) this.optionValueInfo(rec, job.value);
            });
          }
        });
      }
    }
    this.reservedInfo(
      rec,
      m.reservedRanges,
      m.reservedNames,
      MESSAGE.reservedRange.number,
      MESSAGE.reservedName.number,
    );
    m.oneofs.forEach((o, i) =>
      rec.in([MESSAGE.oneofDecl.number, i], () => {
        rec.comment(o.span);
        rec.span(tokSpan(o.nameTok), ONEOF.name.number);
        this.optionsInfo(rec, o, o.options, ONEOF.options.number);
      })
    );
    this.optionsInfo(rec, m, m.options, MESSAGE.options.number);
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
    rec.span(tokSpan(fa.nameTok), FIELD.name.number);
    rec.span(fa.numberSpan, FIELD.number.number);
    if (fa.labelTok !== undefined) rec.span(tokSpan(fa.labelTok), FIELD.label.number);
    const named = fa.group || fa.mapEntry || !fa.type.scalar;
    rec.span(fa.type.span, named ? FIELD.typeName.number : FIELD.type.number);
    if (fa.extend) rec.span(fa.extend.extendeeSpan, FIELD.extendee.number);
    if (fa.options.length) {
      const job = this.b.optionJobs.get(fa);
      rec.in([FIELD.options.number], () => {
        rec.span(fa.optionsSpan);
        if (job?.value) this.optionValueInfo(rec, job.value);
      });
    }
    if (fa.jsonName) rec.span(fa.jsonName.span, FIELD.jsonName.number);
    if (fa.defaultValue) rec.span(fa.defaultValue.span, FIELD.defaultValue.number);
  }

  enumInfo(rec: SourceInfoRecorder, e: EnumAst): void {
    rec.comment(e.span);
    rec.span(tokSpan(e.nameTok), ENUM.name.number);
    e.values.forEach((v, i) =>
      rec.in([ENUM.value.number, i], () => {
        rec.comment(v.span);
        rec.span(tokSpan(v.nameTok), ENUM_VALUE.name.number);
        rec.span(v.numberSpan, ENUM_VALUE.number.number);
        if (v.options.length) {
          const job = this.b.optionJobs.get(v);
          rec.in([ENUM_VALUE.options.number], () => {
            rec.span(v.optionsSpan);
            if (job?.value) this.optionValueInfo(rec, job.value);
          });
        }
      })
    );
    this.reservedInfo(
      rec,
      e.reservedRanges,
      e.reservedNames,
      ENUM.reservedRange.number,
      ENUM.reservedName.number,
    );
    this.optionsInfo(rec, e, e.options, ENUM.options.number);
  }

  serviceInfo(rec: SourceInfoRecorder, s: ServiceAst): void {
    rec.comment(s.span);
    rec.span(tokSpan(s.nameTok), SERVICE.name.number);
    s.methods.forEach((m, i) =>
      rec.in([SERVICE.method.number, i], () => {
        rec.comment(m.span);
        rec.span(tokSpan(m.nameTok), METHOD.name.number);
        if (m.inputStream !== undefined) {
          rec.span(tokSpan(m.inputStream), METHOD.clientStreaming.number);
        }
        rec.span(m.inputSpan, METHOD.inputType.number);
        if (m.outputStream !== undefined) {
          rec.span(tokSpan(m.outputStream), METHOD.serverStreaming.number);
        }
        rec.span(m.outputSpan, METHOD.outputType.number);
        this.optionsInfo(rec, m, m.options, METHOD.options.number);
      })
    );
    this.optionsInfo(rec, s, s.options, SERVICE.options.number);
  }
}

function tokSpan(t: number): Span {
  return { s: t, e: t };
}

function rangeInfo(rec: SourceInfoRecorder, r: RangeDeclAst["ranges"][number]): void {
  rec.span(r.span);
  rec.span(r.startSpan, RANGE.start.number);
  rec.span(r.endSpan, RANGE.end.number);
}
