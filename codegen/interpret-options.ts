/**
 * Pass 3 of the descriptor builder: the queued option statements of every
 * declaration are interpreted (`OptionInterpreter`) and stored on the
 * descriptors as options messages, encoded as buf encodes them. Field
 * options go first: encoding other options may depend on them (`packed`).
 * Map entry fields then inherit their map field's features.
 *
 * @module
 */

import { clone, create, fromBinary } from "@bufbuild/protobuf";
import type { DescMessage } from "@bufbuild/protobuf";
import {
  EnumOptionsSchema,
  EnumValueOptionsSchema,
  ExtensionRangeOptionsSchema,
  FeatureSetSchema,
  FieldOptionsSchema,
  FileOptionsSchema,
  MessageOptionsSchema,
  MethodOptionsSchema,
  OneofOptionsSchema,
  ServiceOptionsSchema,
} from "@bufbuild/protobuf/wkt";
import type { DescriptorBuilder } from "./builder.ts";
import { marshalMessageValue, OptionInterpreter } from "./options.ts";

/** The options messages, by name in `google.protobuf`. */
export type OptionsKind =
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

/** Pass 3: interprets every queued option statement of the file. */
export function interpretOptions(b: DescriptorBuilder): void {
  const interp = new OptionInterpreter(
    b.symbols,
    (tok, msg) => b.error(tok, msg),
    b.scope,
  );
  // Field options first: encoding other options may depend on them (packed).
  const jobs = [...b.optionJobs.values()];
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
  for (const { field, entry } of b.mapFields) {
    const features = field.options?.features;
    if (!features) continue;
    for (const f of entry.field) {
      f.options = create(FieldOptionsSchema, { features: clone(FeatureSetSchema, features) });
    }
  }
}
