/**
 * The symbol table shared by all files of one compilation, and name
 * resolution by protoc's scoping rules: a relative name is looked up in the
 * innermost scope first, then outwards; a dotted name binds its first part
 * to the innermost scope that defines it.
 *
 * @module
 */

import type {
  DescriptorProto,
  EnumDescriptorProto,
  FieldDescriptorProto,
} from "@bufbuild/protobuf/wkt";

/** What a symbol is. */
export type SymbolKind =
  | "package"
  | "message"
  | "enum"
  | "enumValue"
  | "field"
  | "oneof"
  | "service"
  | "method";

/** An entry of the symbol table. */
export interface Sym {
  /** What it is. */
  kind: SymbolKind;
  /** Name of the file that defines it (the first file, for packages). */
  file: string;
  /** Fully-qualified name without leading dot. */
  fullName: string;
  /** The message, for messages. */
  message?: DescriptorProto;
  /** The enum, for enums and enum values. */
  enum?: EnumDescriptorProto;
  /** The field, for fields and extensions. */
  field?: FieldDescriptorProto;
  /** True for extensions. */
  isExtension?: boolean;
  /** For enums: syntax of the defining file (proto2 enums are closed). */
  syntax?: string;
  /** Files that define this package (packages may span files). */
  files?: Set<string>;
}

/** All symbols of a compilation. */
export class SymbolTable {
  /** Symbols by full name. */
  readonly byName = new Map<string, Sym>();
  /** Extensions by the full name of the message they extend. */
  readonly extensionsOf = new Map<string, FieldDescriptorProto[]>();
  readonly #fieldsByName = new WeakMap<DescriptorProto, Map<string, FieldDescriptorProto>>();

  /**
   * Adds a symbol. Returns the existing symbol when the name is taken
   * (packages merge and return undefined).
   */
  add(sym: Sym): Sym | undefined {
    const old = this.byName.get(sym.fullName);
    if (old) {
      if (old.kind === "package" && sym.kind === "package") {
        old.files!.add(sym.file);
        return undefined;
      }
      return old;
    }
    if (sym.kind === "package") sym.files = new Set([sym.file]);
    this.byName.set(sym.fullName, sym);
    return undefined;
  }

  /** Registers every package prefix of `pkg` for `file`. */
  addPackage(pkg: string, file: string): Sym | undefined {
    let name = "";
    for (const part of pkg.split(".")) {
      name = name ? name + "." + part : part;
      const clash = this.add({ kind: "package", file, fullName: name });
      if (clash) return clash;
    }
    return undefined;
  }

  /** Registers an extension under its extendee. */
  addExtension(extendee: string, field: FieldDescriptorProto): void {
    let list = this.extensionsOf.get(extendee);
    if (!list) this.extensionsOf.set(extendee, list = []);
    list.push(field);
  }

  /** A message's field by name. */
  fieldByName(msg: DescriptorProto, name: string): FieldDescriptorProto | undefined {
    let m = this.#fieldsByName.get(msg);
    if (!m) {
      m = new Map(msg.field.map((f) => [f.name, f]));
      this.#fieldsByName.set(msg, m);
    }
    return m.get(name);
  }

  /**
   * Resolves `name` as written inside `scope` (a full name, "" for the file
   * level). With `typesOnly`, symbols that are not messages or enums are
   * skipped when they match the whole name. `visible` filters by defining
   * file. Returns the symbol (or nothing); `boundTo` is the full name protoc
   * reports as not defined when a dotted name's first part bound to a scope.
   */
  resolve(
    name: string,
    scope: string,
    typesOnly: boolean,
    visible: (s: Sym) => boolean,
  ): { sym?: Sym; boundTo?: string } {
    if (name.startsWith(".")) {
      const sym = this.byName.get(name.slice(1));
      return { sym: sym && visible(sym) ? sym : undefined };
    }
    const dot = name.indexOf(".");
    const first = dot < 0 ? name : name.slice(0, dot);
    let s = scope;
    for (;;) {
      const candidate = s ? s + "." + first : first;
      const found = this.byName.get(candidate);
      if (found && visible(found)) {
        if (dot >= 0) {
          if (
            found.kind === "message" || found.kind === "enum" || found.kind === "package" ||
            found.kind === "service"
          ) {
            const full = s ? s + "." + name : name;
            const sym = this.byName.get(full);
            return { sym: sym && visible(sym) ? sym : undefined, boundTo: full };
          }
        } else if (!typesOnly || found.kind === "message" || found.kind === "enum") {
          return { sym: found };
        }
      }
      if (!s) return {};
      const i = s.lastIndexOf(".");
      s = i < 0 ? "" : s.slice(0, i);
    }
  }
}
