/**
 * The well-known types, taken from the file descriptors embedded in
 * `@bufbuild/protobuf`, so no Google .proto files have to ship.
 *
 * @module
 */

import type { DescFile } from "@bufbuild/protobuf";
import * as wkt from "@bufbuild/protobuf/wkt";
import type {
  DescriptorProto,
  EnumDescriptorProto,
  FileDescriptorProto,
} from "@bufbuild/protobuf/wkt";

const files: DescFile[] = Object.entries(wkt)
  .filter(([name]) => name.startsWith("file_google_protobuf_"))
  .map(([, file]) => file as DescFile);

let byName: Map<string, FileDescriptorProto> | undefined;

/**
 * The embedded descriptor of a well-known file such as
 * `google/protobuf/timestamp.proto`, or undefined.
 */
export function wellKnownFile(name: string): FileDescriptorProto | undefined {
  if (!byName) byName = new Map(files.map((f) => [f.proto.name, f.proto]));
  return byName.get(name);
}

let descriptorTypes: Map<string, DescriptorProto | EnumDescriptorProto> | undefined;

function indexDescriptorProto(): Map<string, DescriptorProto | EnumDescriptorProto> {
  if (descriptorTypes) return descriptorTypes;
  descriptorTypes = new Map();
  const walk = (m: DescriptorProto, scope: string) => {
    const full = scope + "." + m.name;
    descriptorTypes!.set(full, m);
    for (const n of m.nestedType) walk(n, full);
    for (const e of m.enumType) descriptorTypes!.set(full + "." + e.name, e);
  };
  const file = wkt.file_google_protobuf_descriptor.proto;
  for (const m of file.messageType) walk(m, "google.protobuf");
  for (const e of file.enumType) descriptorTypes.set("google.protobuf." + e.name, e);
  return descriptorTypes;
}

/**
 * A message of the built-in `google/protobuf/descriptor.proto`, used to
 * interpret options of files that do not import it themselves.
 */
export function builtinMessage(fullName: string): DescriptorProto | undefined {
  const t = indexDescriptorProto().get(fullName);
  return t && "field" in t ? t : undefined;
}

/** An enum of the built-in `google/protobuf/descriptor.proto`. */
export function builtinEnum(fullName: string): EnumDescriptorProto | undefined {
  const t = indexDescriptorProto().get(fullName);
  return t && "value" in t ? t : undefined;
}
