/**
 * protoc's `ValidateOptions` checks that need interpreted options
 * (descriptor.cc, run by `BuildFileImpl` only while the file has no errors),
 * visited in protoc's order (`VisitDescriptors`): the file (proto3's
 * MessageSet ban), then each message (extension range bounds and
 * `declaration`s), its fields, nested messages and extensions, then the
 * file's extensions. Per field: `[packed = true]` only on repeated
 * primitive fields, MessageSets with no fields and only optional message
 * extensions, and an extension matching its range's declaration.
 *
 * Positions are protoc's legacy locations: a field's TYPE is its type token,
 * NAME its name, EXTENDEE the extendee of the *first* extension of an
 * `extend` block only (later ones have none, and protoc prints `file: msg`);
 * an extension range's NUMBER is its start; a message has only NAME.
 *
 * @module
 */

import {
  type DescriptorProto,
  type DescriptorProto_ExtensionRange,
  ExtensionRangeOptions_VerificationState,
  type FieldDescriptorProto,
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  type FileDescriptorProto,
  FileOptions_OptimizeMode,
} from "@bufbuild/protobuf/wkt";
import type { FieldAst, MessageAst } from "./ast.ts";
import { FIELD_TYPE_NAMES } from "./field-types.ts";
import { type DescriptorBuilder, type FieldJob, within } from "./builder.ts";
import { MAX_FIELD_NUMBER } from "./message-checks.ts";

const T = FieldDescriptorProto_Type;
const L = FieldDescriptorProto_Label;
const INT32_MAX = 0x7fffffff;
const own = (o: object | undefined, k: string) =>
  o !== undefined && Object.prototype.hasOwnProperty.call(o, k);

/** protoc's `FieldDescriptor::type_name()` of each type: its .proto keyword. */
const TYPE_NAMES = FIELD_TYPE_NAMES;
const NON_MESSAGE_TYPES = new Set(
  Object.values(TYPE_NAMES).filter((n) => n !== "group" && n !== "message"),
);

/** The option messages protoc leaves out of declaration checks. */
const DESCRIPTOR_OPTIONS = new Set(
  [
    "EnumOptions",
    "EnumValueOptions",
    "ExtensionRangeOptions",
    "FieldOptions",
    "FileOptions",
    "MessageOptions",
    "MethodOptions",
    "OneofOptions",
    "ServiceOptions",
  ].map((n) => "google.protobuf." + n),
);

/** Runs protoc's option validation over the file built by `b`. */
export function validateOptions(b: DescriptorBuilder): void {
  new Validator(b).run();
}

class Validator {
  readonly b: DescriptorBuilder;
  readonly jobs: Map<FieldDescriptorProto, FieldJob>;

  constructor(b: DescriptorBuilder) {
    this.b = b;
    this.jobs = new Map(b.fieldJobs.map((j) => [j.proto, j]));
  }

  run(): void {
    const pkg = this.b.file.package;
    // ValidateOptions(file): lite files can only be imported by lite files.
    if (!isLite(this.b.file)) {
      for (const imp of this.b.ast.imports) {
        if (imp.isOption || !isLite(this.b.fileOf(imp.path))) continue;
        this.b.error(
          imp.span.s,
          `Files that do not use optimize_for = LITE_RUNTIME cannot import files which do use this option.  This file is not lite, but it imports "${imp.path}" which is.`,
        );
        break;
      }
    }
    if (this.b.ast.syntax === "proto3") {
      for (const m of this.b.file.messageType) this.proto3Message(m);
    }
    for (const m of this.b.file.messageType) {
      this.message(m, within(pkg, m.name));
    }
    for (const f of this.b.file.extension) this.field(f, undefined);
    const fo = this.b.file.options;
    if (isLite(this.b.file) && (fo?.ccGenericServices || fo?.javaGenericServices)) {
      for (const s of this.b.ast.services) {
        this.b.error(
          s.nameTok,
          "Files with optimize_for = LITE_RUNTIME cannot define services unless you set both options cc_generic_services and java_generic_services to false.",
        );
      }
    }
  }

  /** `ValidateProto3Message`: no MessageSets in proto3. */
  proto3Message(m: DescriptorProto): void {
    for (const n of m.nestedType) this.proto3Message(n);
    const ast = this.b.messageAsts.get(m);
    if (ast && m.options?.messageSetWireFormat) {
      this.b.error(ast.nameTok, "MessageSet is not supported in proto3.");
    }
  }

  message(m: DescriptorProto, fullName: string): void {
    const ast = this.b.messageAsts.get(m);
    if (ast && !m.options?.mapEntry) this.extensionRanges(m, ast);
    for (const f of m.field) this.field(f, m);
    for (const n of m.nestedType) this.message(n, within(fullName, n.name));
    for (const f of m.extension) this.field(f, undefined);
  }

  /** `ValidateExtensionRangeOptions` and `ValidateExtensionDeclaration`. */
  extensionRanges(m: DescriptorProto, ast: MessageAst): void {
    const max = m.options?.messageSetWireFormat ? INT32_MAX : MAX_FIELD_NUMBER;
    const rangeAsts = ast.extensionRanges.flatMap((d) => d.ranges);
    const names = new Set<string>();
    for (let i = 0; i < m.extensionRange.length; i++) {
      const r = m.extensionRange[i];
      if (r.end > max + 1) {
        this.b.errorWithoutPosition(
          `Extension numbers cannot be greater than ${max}.`,
        );
      }
      const opts = r.options;
      if (!opts || opts.declaration.length === 0) continue;
      if (
        own(opts, "verification") &&
        opts.verification === ExtensionRangeOptions_VerificationState.UNVERIFIED
      ) {
        this.b.errorWithoutPosition(
          "Cannot mark the extension range as UNVERIFIED when it has extension(s) declared.",
        );
        return;
      }
      const at = rangeAsts[i]?.span.s;
      this.declarations(r, at, names);
    }
  }

  declarations(
    r: DescriptorProto_ExtensionRange,
    at: number | undefined,
    names: Set<string>,
  ) {
    const numberError = (msg: string) =>
      at === undefined ? this.b.errorWithoutPosition(msg) : this.b.error(at, msg);
    const numbers = new Set<number>();
    for (const d of r.options!.declaration) {
      if (d.number < r.start || d.number >= r.end) {
        numberError(
          `Extension declaration number ${d.number} is not in the extension range.`,
        );
      }
      if (numbers.has(d.number)) {
        numberError(
          `Extension declaration number ${d.number} is declared multiple times.`,
        );
      }
      numbers.add(d.number);
      const hasName = own(d, "fullName"), hasType = own(d, "type");
      if (!hasName || !hasType) {
        if (hasName !== hasType || !d.reserved) {
          this.b.errorWithoutPosition(
            `Extension declaration #${d.number} should have both "full_name" and "type" set.`,
          );
        }
        continue;
      }
      if (names.has(d.fullName)) {
        this.b.errorWithoutPosition(
          `Extension field name "${d.fullName}" is declared multiple times.`,
        );
        return;
      }
      names.add(d.fullName);
      const nameErr = declarationSymbolError(d.fullName);
      if (nameErr) this.b.errorWithoutPosition(nameErr);
      if (!NON_MESSAGE_TYPES.has(d.type)) {
        const typeErr = declarationSymbolError(d.type);
        if (typeErr) this.b.errorWithoutPosition(typeErr);
      }
    }
  }

  field(f: FieldDescriptorProto, parent: DescriptorProto | undefined): void {
    const job = this.jobs.get(f);
    if (!job) return;
    const fa = job.ast;
    const repeated = f.label === L.REPEATED;
    if (f.options?.lazy || f.options?.unverifiedLazy) {
      if (f.type !== T.MESSAGE) {
        this.b.error(fa.type.span.s, "[lazy = true] can only be specified for submessage fields.");
      }
      if (f.options.unverifiedLazy && fa.extend) {
        this.b.error(fa.type.span.s, "Extensions cannot be marked as unverified_lazy.");
      }
    }
    const packable = repeated && f.type !== T.STRING && f.type !== T.BYTES &&
      f.type !== T.MESSAGE && f.type !== T.GROUP;
    if (f.options?.packed && !packable) {
      this.b.error(
        fa.type.span.s,
        "[packed = true] can only be specified for repeated primitive fields.",
      );
    }
    const extendee = fa.extend ? this.b.symbols.byName.get(f.extendee.slice(1)) : undefined;
    const containing = fa.extend ? extendee?.message : parent;
    if (containing?.options?.messageSetWireFormat) {
      if (fa.extend) {
        if (f.label !== L.OPTIONAL || f.type !== T.MESSAGE) {
          this.b.error(
            fa.type.span.s,
            "Extensions of MessageSets must be optional messages.",
          );
        }
      } else {
        this.b.error(
          fa.nameTok,
          "MessageSets cannot have fields, only extensions.",
        );
      }
    }
    if (fa.extend && extendee && isLite(this.b.file) && !isLite(this.b.fileOf(extendee.file))) {
      this.extendeeError(
        fa,
        "Extensions to non-lite types can only be declared in non-lite files.  Note that you cannot extend a non-lite type to contain a lite type, but the reverse is allowed.",
      );
    }
    if (fa.extend && extendee?.message) {
      this.declaration(
        f,
        fa,
        extendee.fullName,
        extendee.file,
        extendee.message,
        job.scope,
      );
    }
  }

  /** An error at an extension's EXTENDEE location (the first of its block only). */
  extendeeError(fa: FieldAst, msg: string): void {
    if (fa.extend!.fields[0] === fa) this.b.error(fa.extend!.extendeeSpan.s, msg);
    else this.b.errorWithoutPosition(msg);
  }

  /** The extension against its range's declarations (protoc's ValidateOptions of a field). */
  declaration(
    f: FieldDescriptorProto,
    fa: FieldAst,
    extendee: string,
    extendeeFile: string,
    m: DescriptorProto,
    scope: string,
  ): void {
    // IsReadyForCheckingDescriptorExtDecl, then kCustomExtensions (protoc's
    // compile mode): descriptor.proto's messages are not checked.
    if (DESCRIPTOR_OPTIONS.has(extendee)) return;
    if (extendeeFile === "google/protobuf/descriptor.proto") return;
    const range = m.extensionRange.find((r) => f.number >= r.start && f.number < r.end);
    const opts = range?.options;
    if (!opts) return;
    const fullName = within(scope, f.name);
    const error = (msg: string) => this.extendeeError(fa, msg);
    const d = opts.declaration.find((x) => x.number === f.number);
    if (d) {
      if (d.reserved) {
        error(
          `Cannot use number ${f.number} for extension field ${fullName}, as it is reserved in the extension declarations for message ${extendee}.`,
        );
        return;
      }
      if (d.type !== "" && !this.b.hasErrors()) {
        const actual = f.type === T.MESSAGE || f.type === T.GROUP || f.type === T.ENUM
          ? f.typeName
          : TYPE_NAMES[f.type];
        const expected = NON_MESSAGE_TYPES.has(d.type) || d.type.startsWith(".")
          ? d.type
          : "." + d.type;
        if (expected !== actual) {
          error(
            `"${extendee}" extension field ${f.number} is expected to be type "${expected}", not "${actual}".`,
          );
        }
      }
      if (d.fullName !== "" && d.fullName !== "." + fullName) {
        error(
          `"${extendee}" extension field ${f.number} is expected to have field name "${d.fullName}", not ".${fullName}".`,
        );
      }
      if (d.repeated !== (f.label === L.REPEATED)) {
        error(
          `"${extendee}" extension field ${f.number} is expected to be ${
            d.repeated ? "repeated" : "optional"
          }.`,
        );
      }
      return;
    }
    if (
      opts.declaration.length > 0 ||
      opts.verification === ExtensionRangeOptions_VerificationState.DECLARATION
    ) {
      error(
        `Missing extension declaration for field ${fullName} with number ${f.number} in extendee message ${extendee}. An extension range must declare for all extension fields if its verification state is DECLARATION or there's any declaration in the range already. Otherwise, consider splitting up the range.`,
      );
    }
  }
}

/** protoc's `IsLite`. */
function isLite(f: FileDescriptorProto | undefined): boolean {
  return f?.options?.optimizeFor === FileOptions_OptimizeMode.LITE_RUNTIME;
}

/** protoc's `ValidateSymbolForDeclaration`. */
function declarationSymbolError(symbol: string): string | undefined {
  if (!symbol.startsWith(".")) {
    return `"${symbol}" must have a leading dot to indicate the fully-qualified scope.`;
  }
  if (!/^(\.[A-Za-z0-9_]+)+$/.test(symbol)) {
    return `"${symbol}" contains invalid identifiers.`;
  }
  return undefined;
}
