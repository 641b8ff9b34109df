/**
 * The syntax tree the parser builds. Every node keeps the indexes of its
 * first and last token in the {@link TokenStream}, which is all the source
 * info generator needs to compute spans and find comments.
 *
 * @module
 */

import type { TokenStream } from "./lexer.ts";

/** First and last token index (inclusive) of a node. */
export interface Span {
  /** Index of the first token. */
  s: number;
  /** Index of the last token. */
  e: number;
}

/** A parsed .proto file. */
export interface FileAst {
  /** The file's name as imported (e.g. `google/api/http.proto`). */
  name: string;
  /** Its tokens. */
  tokens: TokenStream;
  /** `proto2`, `proto3` or `editions`. */
  syntax: string;
  /** The edition, e.g. `2023`, for editions files. */
  edition?: string;
  /** Span of the syntax/edition statement. */
  syntaxSpan?: Span;
  /** Package name and statement span. */
  pkg?: { name: string; span: Span };
  /** Imports in source order. */
  imports: ImportAst[];
  /** Top-level messages and enums in source order. */
  types: (MessageAst | EnumAst)[];
  /** Top-level services. */
  services: ServiceAst[];
  /** Top-level extend blocks. */
  extends: ExtendAst[];
  /** File options. */
  options: OptionAst[];
  /** Index of the first and last significant non-EOF tokens, or -1. */
  first: number;
  /** See `first`. */
  last: number;
}

/** An import statement. */
export interface ImportAst {
  /** The imported path. */
  path: string;
  /** Statement span. */
  span: Span;
  /** Token of `public`, if any. */
  publicTok?: number;
  /** Token of `weak`, if any. */
  weakTok?: number;
  /** Token of the path string. */
  pathTok: number;
  /** True for `import option "…";` (edition 2024). */
  isOption?: boolean;
}

/** A message (or a group's or map entry's synthesized message). */
export interface MessageAst {
  /** Discriminant. */
  kind: "message";
  /** The message name. */
  name: string;
  /** Token of the name. */
  nameTok: number;
  /** Whole declaration. */
  span: Span;
  /** Fields in declaration order, oneof members included. */
  fields: FieldAst[];
  /** Nested messages and enums in declaration order (groups and map entries included). */
  nested: (MessageAst | EnumAst)[];
  /** Nested extend blocks. */
  extends: ExtendAst[];
  /** `extensions` statements. */
  extensionRanges: RangeDeclAst[];
  /** `reserved` statements with numbers. */
  reservedRanges: RangeDeclAst[];
  /** `reserved` statements with names. */
  reservedNames: ReservedNamesAst[];
  /** Oneofs in order. */
  oneofs: OneofAst[];
  /** Option statements. */
  options: OptionAst[];
  /** Set for synthesized map entry messages. */
  mapEntry?: { keyType: TypeRef; valueType: TypeRef; field: FieldAst };
  /** Set for a group's message. */
  groupField?: FieldAst;
  /** 1 for `local`, 2 for `export` (edition 2024). */
  visibility?: number;
}

/** A field type as written. */
export interface TypeRef {
  /** Scalar type number (FieldDescriptorProto.Type) or 0 for a named type. */
  scalar: number;
  /** The type name as written, for named types. */
  name: string;
  /** Span of the type. */
  span: Span;
}

/** A field, extension, group or map field. */
export interface FieldAst {
  /** The field name (lower-cased for groups). */
  name: string;
  /** Token of the name. */
  nameTok: number;
  /** Whole declaration. */
  span: Span;
  /** Label keyword token, if written. */
  labelTok?: number;
  /** `optional`, `required`, `repeated` or undefined. */
  label?: string;
  /** The type. For maps, the span covers `map<K, V>`. */
  type: TypeRef;
  /** Field number and the span of the number (with sign). */
  number: number;
  /** Span of the number expression. */
  numberSpan: Span;
  /** Compact options `[...]` span, if any. */
  optionsSpan?: Span;
  /** Compact options other than `default` and `json_name`. */
  options: OptionAst[];
  /** `default = …` pseudo-option. */
  defaultValue?: OptionAst;
  /** `json_name = …` pseudo-option. */
  jsonName?: OptionAst;
  /** Index of the containing oneof, if any. */
  oneofIndex?: number;
  /** Set for `group` fields. */
  group?: MessageAst;
  /** Set for `map<K, V>` fields. */
  mapEntry?: MessageAst;
  /** For extensions: the extend block. */
  extend?: ExtendAst;
}

/** An `extend Foo { … }` block. */
export interface ExtendAst {
  /** The extendee as written. */
  extendee: string;
  /** Span of the extendee name. */
  extendeeSpan: Span;
  /** Whole block. */
  span: Span;
  /** Extension fields. */
  fields: FieldAst[];
}

/** A oneof. */
export interface OneofAst {
  /** Its name. */
  name: string;
  /** Token of the name. */
  nameTok: number;
  /** Whole declaration. */
  span: Span;
  /** Option statements. */
  options: OptionAst[];
}

/** One `start to end` range. */
export interface RangeAst {
  /** Whole range. */
  span: Span;
  /** Span of the start number. */
  startSpan: Span;
  /** Span of the end number or `max` (equal to startSpan for single numbers). */
  endSpan: Span;
  /** Inclusive start. */
  start: number;
  /** Inclusive end; -1 for `max`. */
  end: number;
}

/** An `extensions` or numeric `reserved` statement. */
export interface RangeDeclAst {
  /** Whole statement. */
  span: Span;
  /** The ranges. */
  ranges: RangeAst[];
  /** Compact options (extension ranges only). */
  options: OptionAst[];
  /** Span of `[...]`. */
  optionsSpan?: Span;
}

/** A `reserved "a", "b";` or `reserved a, b;` statement. */
export interface ReservedNamesAst {
  /** Whole statement. */
  span: Span;
  /** The names with their spans. */
  names: { name: string; span: Span }[];
}

/** An enum. */
export interface EnumAst {
  /** Discriminant. */
  kind: "enum";
  /** Its name. */
  name: string;
  /** Token of the name. */
  nameTok: number;
  /** Whole declaration. */
  span: Span;
  /** Values in order. */
  values: EnumValueAst[];
  /** Option statements. */
  options: OptionAst[];
  /** Numeric reserved statements. */
  reservedRanges: RangeDeclAst[];
  /** Name reserved statements. */
  reservedNames: ReservedNamesAst[];
  /** 1 for `local`, 2 for `export` (edition 2024). */
  visibility?: number;
}

/** An enum value. */
export interface EnumValueAst {
  /** Its name. */
  name: string;
  /** Token of the name. */
  nameTok: number;
  /** Its number. */
  number: number;
  /** Span of the number (with sign). */
  numberSpan: Span;
  /** Whole declaration. */
  span: Span;
  /** Compact options. */
  options: OptionAst[];
  /** Span of `[...]`. */
  optionsSpan?: Span;
}

/** A service. */
export interface ServiceAst {
  /** Its name. */
  name: string;
  /** Token of the name. */
  nameTok: number;
  /** Whole declaration. */
  span: Span;
  /** Methods. */
  methods: MethodAst[];
  /** Option statements. */
  options: OptionAst[];
}

/** An rpc. */
export interface MethodAst {
  /** Its name. */
  name: string;
  /** Token of the name. */
  nameTok: number;
  /** Whole declaration. */
  span: Span;
  /** Input type as written and its span. */
  input: string;
  /** Span of the input type. */
  inputSpan: Span;
  /** Token of `stream` before the input, if any. */
  inputStream?: number;
  /** Output type as written. */
  output: string;
  /** Span of the output type. */
  outputSpan: Span;
  /** Token of `stream` before the output, if any. */
  outputStream?: number;
  /** True when the method has a `{ … }` body. */
  hasBody: boolean;
  /** Option statements. */
  options: OptionAst[];
}

/** One part of an option name: `foo` or `(foo.bar)`. */
export interface OptionNamePart {
  /** The name (without parentheses, leading dot kept). */
  name: string;
  /** True for `(extension)` parts. */
  isExtension: boolean;
  /** Span of the part. */
  span: Span;
}

/** An option assignment, statement (`option x = 1;`) or compact (`x = 1`). */
export interface OptionAst {
  /** Name parts. */
  name: OptionNamePart[];
  /** The value. */
  value: ValueAst;
  /** From the first name token to the last value token. */
  span: Span;
  /** For statements: from `option` to `;`. */
  stmtSpan?: Span;
}

/** A literal value in an option or message literal. */
export type ValueAst =
  | { kind: "ident"; text: string; neg: boolean; span: Span }
  | { kind: "int"; value: bigint; neg: boolean; span: Span; text: string }
  | { kind: "float"; value: number; neg: boolean; span: Span; text: string }
  | { kind: "string"; bytes: Uint8Array; span: Span }
  | { kind: "message"; fields: MessageLiteralField[]; span: Span }
  | { kind: "list"; items: ValueAst[]; span: Span };

/** A field inside a message literal: `name: value`, `[ext]: value` or `[type.url/T] {…}`. */
export interface MessageLiteralField {
  /** Field name, extension name or Any type URL. */
  name: string;
  /** What the name is. */
  nameKind: "field" | "extension" | "any";
  /** Span of the name. */
  nameSpan: Span;
  /** The value. */
  value: ValueAst;
  /** From name to end of value. */
  span: Span;
}
