/**
 * protoc's validation of editions features (`ValidateFileFeatures`,
 * `ValidateFieldFeatures` in descriptor.cc), run once options are
 * interpreted: what a file may set by default, and which fields may set
 * which feature (presence only on singular non-oneof fields, repeated
 * encoding only on repeated ones, UTF-8 validation only on strings, message
 * encoding only on messages), plus the legacy options editions replace.
 *
 * @module
 */

import {
  FeatureSet_FieldPresence,
  FeatureSet_RepeatedFieldEncoding,
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
} from "@bufbuild/protobuf/wkt";
import type { DescriptorBuilder } from "./builder.ts";
import { FileEl, hasOneof } from "./checks/descriptor-index.ts";

const T = FieldDescriptorProto_Type;
const L = FieldDescriptorProto_Label;

/** Reports protoc's feature errors of an editions file. */
export function checkFeatures(b: DescriptorBuilder): void {
  if (b.ast.syntax !== "editions") return;
  const fileTok = b.ast.syntaxSpan?.s ?? b.ast.first;
  const file = new FileEl(b.file);
  if (file.features.fieldPresence === FeatureSet_FieldPresence.LEGACY_REQUIRED) {
    b.error(fileTok, "Required presence can't be specified by default.");
  }
  const fo = b.file.options;
  if (
    fo && Object.prototype.hasOwnProperty.call(fo, "javaStringCheckUtf8") && fo.javaStringCheckUtf8
  ) {
    b.error(
      fileTok,
      "File option java_string_check_utf8 is not allowed under editions. Use the (pb.java).utf8_validation feature to control this behavior.",
    );
  }
  const nameTok = new Map(b.fieldJobs.map((j) => [j.proto, j.ast.nameTok]));
  const fields = [...file.messages.flatMap((m) => m.fields), ...file.extensions];
  for (const f of fields) {
    const tok = nameTok.get(f.proto);
    if (tok === undefined) continue;
    const p = f.proto;
    const repeated = p.label === L.REPEATED;
    const isMessage = p.type === T.MESSAGE || p.type === T.GROUP;
    const presence = !repeated &&
      (isMessage || f.isExtension || hasOneof(p) ||
        f.features.fieldPresence !== FeatureSet_FieldPresence.IMPLICIT);
    if (p.options && Object.prototype.hasOwnProperty.call(p.options, "packed")) {
      b.error(
        tok,
        "Field option packed is not allowed under editions.  Use the repeated_field_encoding feature to control this behavior.",
      );
    }
    if (!repeated && !presence && Object.prototype.hasOwnProperty.call(p, "defaultValue")) {
      b.error(tok, "Implicit presence fields can't specify defaults.");
    }
    if (
      f.isExtension && (p.label === L.REQUIRED ||
        f.features.fieldPresence === FeatureSet_FieldPresence.LEGACY_REQUIRED)
    ) {
      b.error(tok, "Extensions can't be required.");
    }
    if (f.parent?.isMapEntry && !f.isExtension) continue;
    const own = p.options?.features;
    if (!own) continue;
    const set = (k: string) => Object.prototype.hasOwnProperty.call(own, k);
    if (set("fieldPresence")) {
      if (!f.isExtension && hasOneof(p)) {
        b.error(tok, "Oneof fields can't specify field presence.");
      } else if (repeated) {
        b.error(tok, "Repeated fields can't specify field presence.");
      } else if (
        f.isExtension && own.fieldPresence !== FeatureSet_FieldPresence.LEGACY_REQUIRED
      ) {
        b.error(tok, "Extensions can't specify field presence.");
      } else if (isMessage && own.fieldPresence === FeatureSet_FieldPresence.IMPLICIT) {
        b.error(tok, "Message fields can't specify implicit presence.");
      }
    }
    if (!repeated && set("repeatedFieldEncoding")) {
      b.error(tok, "Only repeated fields can specify repeated field encoding.");
    }
    if (p.type !== T.STRING && !isStringMap(file, p.typeName) && set("utf8Validation")) {
      b.error(tok, "Only string fields can specify utf8 validation.");
    }
    const packable = repeated && p.type !== T.STRING && p.type !== T.BYTES && !isMessage;
    if (!packable && own.repeatedFieldEncoding === FeatureSet_RepeatedFieldEncoding.PACKED) {
      b.error(tok, "Only repeated primitive fields can specify PACKED repeated field encoding.");
    }
    const isMap = repeated && p.type === T.MESSAGE && isMapEntry(file, p.typeName);
    if ((!isMessage || isMap) && set("messageEncoding")) {
      b.error(tok, "Only message fields can specify message encoding.");
    }
  }
}

function isMapEntry(file: FileEl, typeName: string): boolean {
  return file.messages.some((m) => "." + m.fullName === typeName && m.isMapEntry);
}

function isStringMap(file: FileEl, typeName: string): boolean {
  const m = file.messages.find((x) => "." + x.fullName === typeName && x.isMapEntry);
  return m !== undefined && m.proto.field.some((f) => f.type === T.STRING);
}
