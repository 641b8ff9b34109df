/**
 * protoc's checks of one message that need no other file: names unique in
 * the message's scope, field numbers unique, positive, outside 19000-19999
 * and outside reserved and extension ranges, reserved names, ranges that do
 * not overlap, proto3's restrictions, and proto3's JSON name conflicts.
 *
 * @module
 */

import type { DescriptorProto } from "@bufbuild/protobuf/wkt";
import type { FieldAst, MessageAst, RangeDeclAst } from "./ast.ts";
import type { DescriptorBuilder } from "./builder.ts";
import { jsonName } from "./declare.ts";

/** The largest field number. */
export const MAX_FIELD_NUMBER = 536870911;

/** Checks `m`, built as `d` with full name `fullName`. */
export function checkMessage(
  b: DescriptorBuilder,
  m: MessageAst,
  d: DescriptorProto,
  fullName: string,
): void {
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
      b.error(fa.nameTok, `"${fa.name}" is already defined in "${fullName}".`);
    }
    taken.add(fa.name);
  }
  m.oneofs.forEach((o, i) => {
    if (!m.fields.some((f) => f.oneofIndex === i)) {
      b.error(o.nameTok, "Oneof must have at least one field.");
    }
  });
  const byNumber = new Map<number, FieldAst>();
  for (const fa of m.fields) {
    const n = fa.number;
    const other = byNumber.get(n);
    if (other) {
      b.error(
        fa.numberSpan.s,
        `Field number ${n} has already been used in "${fullName}" by field "${other.name}".`,
      );
    } else byNumber.set(n, fa);
    if (n <= 0) b.error(fa.numberSpan.s, "Field numbers must be positive integers.");
    else if (n > MAX_FIELD_NUMBER) {
      b.error(fa.numberSpan.s, `Field numbers cannot be greater than ${MAX_FIELD_NUMBER}.`);
    } else if (n >= 19000 && n <= 19999) {
      b.error(
        fa.numberSpan.s,
        `Field numbers 19000 through 19999 are reserved for the protocol buffer library implementation.`,
      );
    }
    for (const r of d.reservedRange) {
      if (n >= r.start && n < r.end) {
        b.error(fa.numberSpan.s, `Field "${fa.name}" uses reserved number ${n}.`);
      }
    }
    for (const r of d.extensionRange) {
      if (n >= r.start && n < r.end) {
        b.error(
          fa.numberSpan.s,
          `Extension range ${r.start} to ${r.end - 1} includes field "${fa.name}" (${n}).`,
        );
      }
    }
    if (d.reservedName.includes(fa.name)) {
      b.error(fa.nameTok, `Field name "${fa.name}" is reserved.`);
    }
    if (b.ast.syntax === "proto3" && fa.label === "required") {
      b.error(fa.labelTok ?? fa.nameTok, "Required fields are not allowed in proto3.");
    }
    if (b.ast.syntax === "proto3" && fa.defaultValue) {
      b.error(fa.defaultValue.span.s, "Explicit default values are not allowed in proto3.");
    }
  }
  if (b.ast.syntax === "proto3" && m.extensionRanges.length > 0 && !m.mapEntry) {
    b.error(m.extensionRanges[0].span.s, "Extension ranges are not allowed in proto3.");
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
    if (r.start <= 0) b.error(r.tok, "Field numbers must be positive integers.");
    else if (r.end < r.start) {
      b.error(r.tok, `${r.kind} end number must be greater than start number.`);
    }
    for (let j = 0; j < i; j++) {
      const o = ranges[j];
      if (r.start <= o.end && o.start <= r.end) {
        b.error(
          r.tok,
          `${r.kind} ${r.start} to ${r.end} overlaps with ${o.kind.toLowerCase()} ${o.start} to ${o.end}.`,
        );
      }
    }
  });
  if (b.ast.syntax === "proto3") {
    const json = new Map<string, string>();
    for (const f of d.field) {
      const key = jsonName(f.name).toLowerCase();
      const prev = json.get(key);
      if (prev !== undefined) {
        const fa = m.fields.find((x) => x.name === f.name);
        b.error(
          fa?.nameTok ?? m.nameTok,
          `The default JSON name of field "${f.name}" ("${
            jsonName(f.name)
          }") conflicts with the default JSON name of field "${prev}".`,
        );
      } else json.set(key, f.name);
    }
  }
}
