/**
 * The well-known types, taken from the file descriptors embedded in
 * `@bufbuild/protobuf` — except descriptor.proto, whose complete
 * descriptor ships in `gen/descriptor_proto.ts` — so no Google .proto files
 * have to be found on the include paths.
 *
 * @module
 */

import { type DescFile, fromBinary } from "@bufbuild/protobuf";
import * as wkt from "@bufbuild/protobuf/wkt";
import {
  type DescriptorProto,
  type EnumDescriptorProto,
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
} from "@bufbuild/protobuf/wkt";
import { DESCRIPTOR_PROTO_BASE64 } from "./gen/descriptor_proto.ts";

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
  if (name === DESCRIPTOR_PROTO) return fullDescriptorProto();
  return byName.get(name);
}

const DESCRIPTOR_PROTO = "google/protobuf/descriptor.proto";
let fullDescriptor: FileDescriptorProto | undefined;

/**
 * The complete descriptor.proto (feature support, extension declarations,
 * reserved ranges, comments), which @bufbuild/protobuf's embedded copy
 * strips; `--include_imports` writes it as buf does.
 */
function fullDescriptorProto(): FileDescriptorProto {
  if (!fullDescriptor) {
    const bin = atob(DESCRIPTOR_PROTO_BASE64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    fullDescriptor = fromBinary(FileDescriptorProtoSchema, bytes);
  }
  return fullDescriptor;
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
