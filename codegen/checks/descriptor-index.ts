/**
 * A walkable view of FileDescriptorProtos for the contract checks: every
 * message, enum, field, extension, oneof, service and method with its
 * SourceCodeInfo path, nested and full name, and the features it resolves
 * to (field presence, enum type, message encoding, UTF-8 validation, JSON
 * format) for proto2, proto3 and editions alike. Locations are looked up by
 * exact path, the first one recorded, as buf looks them up.
 *
 * @module
 */

import {
  type DescriptorProto,
  DescriptorProtoSchema,
  Edition,
  type EnumDescriptorProto,
  EnumDescriptorProtoSchema,
  EnumOptionsSchema,
  type EnumValueDescriptorProto,
  EnumValueDescriptorProtoSchema,
  type FeatureSet,
  FeatureSet_EnumType,
  FeatureSet_FieldPresence,
  FeatureSet_JsonFormat,
  FeatureSet_MessageEncoding,
  FeatureSet_Utf8Validation,
  FeatureSetSchema,
  type FieldDescriptorProto,
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FieldDescriptorProtoSchema,
  FieldOptionsSchema,
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
  FileOptionsSchema,
  MessageOptionsSchema,
  type MethodDescriptorProto,
  MethodDescriptorProtoSchema,
  type OneofDescriptorProto,
  OneofDescriptorProtoSchema,
  type ServiceDescriptorProto,
  ServiceDescriptorProtoSchema,
  type SourceCodeInfo_Location,
} from "@bufbuild/protobuf/wkt";
import { FIELD_TYPE_NAMES } from "../field-types.ts";

/** descriptor.proto field numbers, from protobuf-es's schemas. */
export const P = {
  file: FileDescriptorProtoSchema.field,
  message: DescriptorProtoSchema.field,
  field: FieldDescriptorProtoSchema.field,
  oneof: OneofDescriptorProtoSchema.field,
  enum: EnumDescriptorProtoSchema.field,
  enumValue: EnumValueDescriptorProtoSchema.field,
  service: ServiceDescriptorProtoSchema.field,
  method: MethodDescriptorProtoSchema.field,
  fileOptions: FileOptionsSchema.field,
  messageOptions: MessageOptionsSchema.field,
  fieldOptions: FieldOptionsSchema.field,
  enumOptions: EnumOptionsSchema.field,
  features: FeatureSetSchema.field,
};

const T = FieldDescriptorProto_Type;
const L = FieldDescriptorProto_Label;

/** A span in a file, 1-based. */
export interface Span {
  /** Import path of the file. */
  path: string;
  /** Start line. */
  startLine: number;
  /** Start column. */
  startColumn: number;
  /** End line. */
  endLine: number;
  /** End column. */
  endColumn: number;
  /** The SourceCodeInfo location, for its comments. */
  location: SourceCodeInfo_Location;
}

/** One file of the index. */
export class FileEl {
  /** The descriptor. */
  readonly proto: FileDescriptorProto;
  /** Import path. */
  readonly path: string;
  /** Package, "" when none. */
  readonly pkg: string;
  /** Top-level and nested messages, depth first, map entries included. */
  readonly messages: MessageEl[] = [];
  /** Top-level and nested enums. */
  readonly enums: EnumEl[] = [];
  /** Top-level and nested extensions. */
  readonly extensions: FieldEl[] = [];
  /** Services. */
  readonly services: ServiceEl[] = [];
  /** Top-level messages only. */
  readonly topMessages: MessageEl[] = [];
  #locs: Map<string, SourceCodeInfo_Location> | undefined;
  /** The features the file sets (editions) or implies (proto2, proto3). */
  readonly features: Features;

  /** Indexes `proto`. */
  constructor(proto: FileDescriptorProto) {
    this.proto = proto;
    this.path = proto.name;
    this.pkg = proto.package;
    this.features = mergeFeatures(defaultFeatures(this), proto.options?.features);
    proto.messageType.forEach((m, i) => {
      const el = new MessageEl(this, m, [P.file.messageType.number, i], undefined);
      this.topMessages.push(el);
    });
    proto.enumType.forEach((e, i) => {
      this.enums.push(new EnumEl(this, e, [P.file.enumType.number, i], undefined));
    });
    proto.extension.forEach((f, i) => {
      this.extensions.push(new FieldEl(this, f, [P.file.extension.number, i], undefined, true));
    });
    proto.service.forEach((s, i) => {
      this.services.push(new ServiceEl(this, s, [P.file.service.number, i]));
    });
  }

  /** Whether the file has SourceCodeInfo at all. */
  get hasLocations(): boolean {
    return (this.proto.sourceCodeInfo?.location.length ?? 0) > 0;
  }

  /** Locations by path, the first one for each path; built on first use. */
  #locations(): Map<string, SourceCodeInfo_Location> {
    if (this.#locs) return this.#locs;
    const m = new Map<string, SourceCodeInfo_Location>();
    for (const loc of this.proto.sourceCodeInfo?.location ?? []) {
      const key = pathKey(loc.path);
      if (!m.has(key)) m.set(key, loc);
    }
    return this.#locs = m;
  }

  /** The span recorded for `path` exactly, or undefined. */
  span(path: number[]): Span | undefined {
    const loc = this.#locations().get(pathKey(path));
    return loc ? toSpan(this.path, loc) : undefined;
  }

  /**
   * An option's location as buf finds it (`OptionLocation`): the exact path,
   * else the longest recorded ancestor at least `minLength` long, or the
   * first recorded descendant.
   */
  optionSpan(path: number[], minLength: number): Span | undefined {
    const exact = this.span(path);
    if (exact) return exact;
    let best: SourceCodeInfo_Location | undefined;
    for (const loc of this.proto.sourceCodeInfo?.location ?? []) {
      if (
        loc.path.length >= minLength && isPrefix(loc.path, path) &&
        loc.path.length > (best?.path.length ?? 0)
      ) {
        best = loc;
      } else if (isPrefix(path, loc.path)) return toSpan(this.path, loc);
    }
    return best ? toSpan(this.path, best) : undefined;
  }

  /** "proto2", "proto3" or "editions". */
  get syntax(): string {
    return this.proto.syntax === "" ? "proto2" : this.proto.syntax;
  }
}

/** A map key for a path: two UTF-16 units per element, so any int32 is exact. */
function pathKey(path: number[]): string {
  let k = "";
  for (let i = 0; i < path.length; i++) {
    const e = path[i];
    k += String.fromCharCode(e >>> 16, e & 0xffff);
  }
  return k;
}

function isPrefix(prefix: number[], path: number[]): boolean {
  if (prefix.length > path.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== path[i]) return false;
  return true;
}

function toSpan(path: string, loc: SourceCodeInfo_Location): Span {
  const s = loc.span;
  const ok = s.length === 3 || s.length === 4;
  return {
    path,
    startLine: ok ? s[0] + 1 : 1,
    startColumn: ok ? s[1] + 1 : 1,
    endLine: ok ? (s.length === 4 ? s[2] : s[0]) + 1 : 1,
    endColumn: ok ? (s.length === 4 ? s[3] : s[2]) + 1 : 1,
    location: loc,
  };
}

/** A message. */
export class MessageEl {
  /** Its file. */
  readonly file: FileEl;
  /** The descriptor. */
  readonly proto: DescriptorProto;
  /** SourceCodeInfo path. */
  readonly path: number[];
  /** Enclosing message. */
  readonly parent?: MessageEl;
  /** Name within the package, e.g. `Outer.Inner`. */
  readonly nestedName: string;
  /** Full name without leading dot. */
  readonly fullName: string;
  /** Fields (not extensions), in declaration order. */
  readonly fields: FieldEl[] = [];
  /** Oneofs. */
  readonly oneofs: OneofEl[] = [];
  /** Nested messages. */
  readonly nested: MessageEl[] = [];
  /** Resolved features. */
  readonly features: Features;

  /** Indexes `proto` at `path` and everything inside it. */
  constructor(file: FileEl, proto: DescriptorProto, path: number[], parent: MessageEl | undefined) {
    this.file = file;
    this.proto = proto;
    this.path = path;
    this.parent = parent;
    this.nestedName = parent ? parent.nestedName + "." + proto.name : proto.name;
    this.fullName = file.pkg ? file.pkg + "." + this.nestedName : this.nestedName;
    this.features = mergeFeatures(parent?.features ?? file.features, proto.options?.features);
    file.messages.push(this);
    proto.oneofDecl.forEach((o, i) => {
      this.oneofs.push(new OneofEl(this, o, [...path, P.message.oneofDecl.number, i], i));
    });
    proto.field.forEach((f, i) => {
      this.fields.push(new FieldEl(file, f, [...path, P.message.field.number, i], this, false));
    });
    proto.nestedType.forEach((n, i) => {
      this.nested.push(new MessageEl(file, n, [...path, P.message.nestedType.number, i], this));
    });
    proto.enumType.forEach((e, i) => {
      file.enums.push(new EnumEl(file, e, [...path, P.message.enumType.number, i], this));
    });
    proto.extension.forEach((f, i) => {
      file.extensions.push(
        new FieldEl(file, f, [...path, P.message.extension.number, i], this, true),
      );
    });
  }

  /** Whether this is a synthesized map entry. */
  get isMapEntry(): boolean {
    return this.proto.options?.mapEntry === true;
  }

  /** The message's location; for map entries, the map field's type. */
  get location(): Span | undefined {
    return this.file.span(this.path) ?? this.mapEntryLocation();
  }

  /** Where a map entry comes from: the type of the map field. */
  mapEntryLocation(): Span | undefined {
    if (!this.isMapEntry || !this.parent || !this.file.hasLocations) return undefined;
    const field = this.parent.fields.find((f) => f.proto.typeName === "." + this.fullName);
    return field?.typeNameLocation;
  }
}

/** A field or an extension. */
export class FieldEl {
  /** Its file. */
  readonly file: FileEl;
  /** The descriptor. */
  readonly proto: FieldDescriptorProto;
  /** SourceCodeInfo path. */
  readonly path: number[];
  /** For fields: the message it belongs to. For extensions: the message it is declared in, if any. */
  readonly parent?: MessageEl;
  /** True for extensions. */
  readonly isExtension: boolean;
  /** Full name. */
  readonly fullName: string;
  /** Name within the package. */
  readonly nestedName: string;
  /** Resolved features. */
  readonly features: Features;

  /** Indexes `proto` at `path`. */
  constructor(
    file: FileEl,
    proto: FieldDescriptorProto,
    path: number[],
    parent: MessageEl | undefined,
    isExtension: boolean,
  ) {
    this.file = file;
    this.proto = proto;
    this.path = path;
    this.parent = parent;
    this.isExtension = isExtension;
    this.nestedName = parent ? parent.nestedName + "." + proto.name : proto.name;
    this.fullName = file.pkg ? file.pkg + "." + this.nestedName : this.nestedName;
    let base = parent?.features ?? file.features;
    if (!isExtension && parent && hasOneof(proto)) {
      base = parent.oneofs[proto.oneofIndex]?.features ?? base;
    }
    this.features = mergeFeatures(base, proto.options?.features);
    if (file.syntax === "proto2" || file.syntax === "proto3") {
      const packed = proto.options?.packed;
      if (packed !== undefined && proto.options && hasOwn(proto.options, "packed")) {
        this.features = {
          ...this.features,
          repeatedFieldEncoding: packed ? 1 : 2,
        };
      }
    }
  }

  /** The field's own location, or for map entry fields the map field's type. */
  get location(): Span | undefined {
    return this.file.span(this.path) ?? this.parent?.mapEntryLocation();
  }

  /** Location of the name. */
  get nameLocation(): Span | undefined {
    return this.file.span([...this.path, P.field.name.number]) ?? this.parent?.mapEntryLocation();
  }

  /** Location of a scalar type. */
  get typeLocation(): Span | undefined {
    return this.file.span([...this.path, P.field.type.number]) ?? this.parent?.mapEntryLocation();
  }

  /** Location of a named type. */
  get typeNameLocation(): Span | undefined {
    return this.file.span([...this.path, P.field.typeName.number]) ??
      this.parent?.mapEntryLocation();
  }

  /** Location of a sub-path (no map-entry fallback). */
  sub(...rest: number[]): Span | undefined {
    return this.file.span([...this.path, ...rest]);
  }

  /** The message declaring the field (fields) or the extendee, for messages. */
  get containerName(): string {
    return this.isExtension ? this.proto.extendee : (this.parent?.proto.name ?? "");
  }

  /** In a oneof, synthetic (proto3 optional) or not. */
  get oneof(): OneofEl | undefined {
    if (this.isExtension || !hasOneof(this.proto)) return undefined;
    return this.parent?.oneofs[this.proto.oneofIndex];
  }
}

/** A oneof. */
export class OneofEl {
  /** Its message. */
  readonly message: MessageEl;
  /** The descriptor. */
  readonly proto: OneofDescriptorProto;
  /** SourceCodeInfo path. */
  readonly path: number[];
  /** Its index in the message. */
  readonly index: number;
  /** Resolved features. */
  readonly features: Features;

  /** Indexes `proto`. */
  constructor(message: MessageEl, proto: OneofDescriptorProto, path: number[], index: number) {
    this.message = message;
    this.proto = proto;
    this.path = path;
    this.index = index;
    this.features = mergeFeatures(message.features, proto.options?.features);
  }

  /** Whether this is the synthetic oneof of a proto3 `optional` field. */
  get isSynthetic(): boolean {
    const members = this.message.proto.field.filter((f) =>
      hasOneof(f) && f.oneofIndex === this.index
    );
    return members.length === 1 && members[0].proto3Optional;
  }
}

/** An enum. */
export class EnumEl {
  /** Its file. */
  readonly file: FileEl;
  /** The descriptor. */
  readonly proto: EnumDescriptorProto;
  /** SourceCodeInfo path. */
  readonly path: number[];
  /** Enclosing message. */
  readonly parent?: MessageEl;
  /** Name within the package. */
  readonly nestedName: string;
  /** Full name. */
  readonly fullName: string;
  /** Values with their paths. */
  readonly values: EnumValueEl[];
  /** Resolved features. */
  readonly features: Features;

  /** Indexes `proto`. */
  constructor(file: FileEl, proto: EnumDescriptorProto, path: number[], parent?: MessageEl) {
    this.file = file;
    this.proto = proto;
    this.path = path;
    this.parent = parent;
    this.nestedName = parent ? parent.nestedName + "." + proto.name : proto.name;
    this.fullName = file.pkg ? file.pkg + "." + this.nestedName : this.nestedName;
    this.features = mergeFeatures(parent?.features ?? file.features, proto.options?.features);
    this.values = proto.value.map((v, i) =>
      new EnumValueEl(this, v, [...path, P.enum.value.number, i])
    );
  }

  /** Location of the enum. */
  get location(): Span | undefined {
    return this.file.span(this.path);
  }

  /** Closed enums (proto2, or `enum_type = CLOSED`). */
  get isClosed(): boolean {
    return this.features.enumType === FeatureSet_EnumType.CLOSED;
  }
}

/** An enum value. */
export class EnumValueEl {
  /** Its enum. */
  readonly enum: EnumEl;
  /** The descriptor. */
  readonly proto: EnumValueDescriptorProto;
  /** SourceCodeInfo path. */
  readonly path: number[];

  /** Indexes `proto`. */
  constructor(en: EnumEl, proto: EnumValueDescriptorProto, path: number[]) {
    this.enum = en;
    this.proto = proto;
    this.path = path;
  }

  /** Location of the number. */
  get numberLocation(): Span | undefined {
    return this.enum.file.span([...this.path, P.enumValue.number.number]);
  }
}

/** A service. */
export class ServiceEl {
  /** Its file. */
  readonly file: FileEl;
  /** The descriptor. */
  readonly proto: ServiceDescriptorProto;
  /** SourceCodeInfo path. */
  readonly path: number[];
  /** Full name. */
  readonly fullName: string;
  /** Methods. */
  readonly methods: MethodEl[];

  /** Indexes `proto`. */
  constructor(file: FileEl, proto: ServiceDescriptorProto, path: number[]) {
    this.file = file;
    this.proto = proto;
    this.path = path;
    this.fullName = file.pkg ? file.pkg + "." + proto.name : proto.name;
    this.methods = proto.method.map((m, i) =>
      new MethodEl(this, m, [...path, P.service.method.number, i])
    );
  }

  /** Location of the service. */
  get location(): Span | undefined {
    return this.file.span(this.path);
  }
}

/** A method. */
export class MethodEl {
  /** Its service. */
  readonly service: ServiceEl;
  /** The descriptor. */
  readonly proto: MethodDescriptorProto;
  /** SourceCodeInfo path. */
  readonly path: number[];

  /** Indexes `proto`. */
  constructor(service: ServiceEl, proto: MethodDescriptorProto, path: number[]) {
    this.service = service;
    this.proto = proto;
    this.path = path;
  }

  /** Location of the method, or of a part of it. */
  loc(...rest: number[]): Span | undefined {
    return this.service.file.span([...this.path, ...rest]);
  }
}

/** The resolved values of the features the checks look at. */
export interface Features {
  /** FeatureSet.field_presence. */
  fieldPresence: number;
  /** FeatureSet.enum_type. */
  enumType: number;
  /** FeatureSet.repeated_field_encoding. */
  repeatedFieldEncoding: number;
  /** FeatureSet.utf8_validation. */
  utf8Validation: number;
  /** FeatureSet.message_encoding. */
  messageEncoding: number;
  /** FeatureSet.json_format. */
  jsonFormat: number;
}

function defaultFeatures(file: FileEl): Features {
  if (file.syntax === "proto2") {
    return {
      fieldPresence: FeatureSet_FieldPresence.EXPLICIT,
      enumType: FeatureSet_EnumType.CLOSED,
      repeatedFieldEncoding: 2,
      utf8Validation: FeatureSet_Utf8Validation.NONE,
      messageEncoding: FeatureSet_MessageEncoding.LENGTH_PREFIXED,
      jsonFormat: FeatureSet_JsonFormat.LEGACY_BEST_EFFORT,
    };
  }
  return {
    fieldPresence: file.syntax === "proto3"
      ? FeatureSet_FieldPresence.IMPLICIT
      : FeatureSet_FieldPresence.EXPLICIT,
    enumType: FeatureSet_EnumType.OPEN,
    repeatedFieldEncoding: 1,
    utf8Validation: FeatureSet_Utf8Validation.VERIFY,
    messageEncoding: FeatureSet_MessageEncoding.LENGTH_PREFIXED,
    jsonFormat: FeatureSet_JsonFormat.ALLOW,
  };
}

function mergeFeatures(base: Features, set: FeatureSet | undefined): Features {
  if (!set) return base;
  const out = { ...base };
  for (const k of Object.keys(out) as (keyof Features)[]) {
    const v = set[k];
    if (typeof v === "number" && v !== 0) out[k] = v;
  }
  return out;
}

function hasOwn(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

/** Whether the field has a oneof index set. */
export function hasOneof(f: FieldDescriptorProto): boolean {
  return hasOwn(f, "oneofIndex");
}

/** An index over a set of files: elements by full name, across files. */
export class DescriptorIndex {
  /** The files checked, by path. */
  readonly files: Map<string, FileEl> = new Map();
  /** Messages by full name (checked files and imports). */
  readonly messages: Map<string, MessageEl> = new Map();
  /** Enums by full name (checked files and imports). */
  readonly enums: Map<string, EnumEl> = new Map();
  /** Files of the checked set in order. */
  readonly list: FileEl[];

  /** Indexes `files`; `imports` only resolve types. */
  constructor(files: FileDescriptorProto[], imports: FileDescriptorProto[] = []) {
    this.list = files.map((f) => new FileEl(f));
    const importEls = imports.filter((f) => !files.some((x) => x.name === f.name)).map((f) =>
      new FileEl(f)
    );
    for (const f of this.list) this.files.set(f.path, f);
    for (const f of [...importEls, ...this.list]) {
      for (const m of f.messages) this.messages.set(m.fullName, m);
      for (const e of f.enums) this.enums.set(e.fullName, e);
    }
  }

  /** The protoreflect kind of a field: group for delimited-encoded messages. */
  kind(f: FieldEl): string {
    const t = f.proto.type;
    if (t === T.MESSAGE && f.features.messageEncoding === FeatureSet_MessageEncoding.DELIMITED) {
      const target = this.messages.get(f.proto.typeName.slice(1));
      if (!target?.isMapEntry) return "group";
    }
    return KIND_NAMES[t] ?? String(t);
  }

  /** Whether the field is a map. */
  isMap(f: FieldEl): boolean {
    if (f.proto.label !== L.REPEATED || f.proto.type !== T.MESSAGE) return false;
    return this.messages.get(f.proto.typeName.slice(1))?.isMapEntry === true;
  }

  /** protoreflect's `HasPresence`. */
  hasPresence(f: FieldEl): boolean {
    const p = f.proto;
    if (p.label === L.REPEATED) return false;
    if (p.type === T.MESSAGE || p.type === T.GROUP || f.isExtension || hasOneof(p)) return true;
    return f.features.fieldPresence !== FeatureSet_FieldPresence.IMPLICIT;
  }

  /** Required: the label, or editions' LEGACY_REQUIRED. */
  isRequired(f: FieldEl): boolean {
    return f.proto.label === L.REQUIRED ||
      (f.file.syntax === "editions" && p(f) &&
        f.features.fieldPresence === FeatureSet_FieldPresence.LEGACY_REQUIRED);
  }
}

function p(f: FieldEl): boolean {
  return f.proto.label !== L.REPEATED;
}

/** protoreflect's kind names, by FieldDescriptorProto.Type: the .proto keywords. */
export const KIND_NAMES: Record<number, string> = FIELD_TYPE_NAMES;

/** The edition number of a file (proto2 and proto3 have their own). */
export function editionOf(f: FileEl): number {
  if (f.syntax === "proto2") return Edition.EDITION_PROTO2;
  if (f.syntax === "proto3") return Edition.EDITION_PROTO3;
  return f.proto.edition;
}
