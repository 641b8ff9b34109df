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
   * Resolves `name` as written in the declaration whose full name is
   * `relativeTo`, exactly as protoc's `LookupSymbolNoPlaceholder`: the scope
   * of `relativeTo` is chopped one component at a time and the name's first
   * component looked up in each; a dotted name binds to the first aggregate
   * (message, enum, package, service) found and is looked up in full there.
   * The outermost lookup takes the name as it is. With `typesOnly`, a
   * single-component match that is not a message or enum is skipped.
   *
   * `scope` applies protoc's dependency rule (`FindSymbol`): a symbol found
   * but not visible counts as not found and is remembered in `undeclared`.
   */
  resolve(
    name: string,
    relativeTo: string,
    typesOnly: boolean,
    scope: FileScope,
  ): Resolution {
    const out: Resolution = {};
    if (name.startsWith(".")) {
      out.sym = this.#find(name.slice(1), scope, out);
      return out;
    }
    const dot = name.indexOf(".");
    const first = dot < 0 ? name : name.slice(0, dot);
    let at = relativeTo;
    for (;;) {
      const cut = at.lastIndexOf(".");
      if (cut < 0) {
        out.sym = this.#find(name, scope, out);
        return out;
      }
      at = at.slice(0, cut);
      const found = this.#find(at + "." + first, scope, out);
      if (!found) continue;
      if (dot >= 0) {
        if (isAggregate(found)) {
          const full = at + "." + name;
          out.sym = this.#find(full, scope, out);
          if (!out.sym) out.unresolved = full;
          return out;
        }
      } else if (!typesOnly || isType(found)) {
        out.sym = found;
        return out;
      }
    }
  }

  #find(fullName: string, scope: FileScope, out: Resolution): Sym | undefined {
    const sym = this.byName.get(fullName);
    if (!sym) return undefined;
    if (scope.sees(sym)) return sym;
    out.undeclared = { name: fullName, file: sym.file };
    return undefined;
  }
}

/** Outcome of {@link SymbolTable.resolve}, with what protoc needs for its error messages. */
export interface Resolution {
  /** The symbol, when found and visible. */
  sym?: Sym;
  /** The last symbol found that the file cannot see (protoc's `possible_undeclared_dependency_`). */
  undeclared?: { name: string; file: string };
  /** The full name a dotted name was bound to but not found under. */
  unresolved?: string;
}

function isAggregate(s: Sym): boolean {
  return s.kind === "message" || s.kind === "enum" || s.kind === "package" ||
    s.kind === "service";
}

/** True for messages and enums. */
export function isType(s: Sym): boolean {
  return s.kind === "message" || s.kind === "enum";
}

/**
 * What one file can see, by protoc's rule (`DescriptorBuilder::FindSymbol`):
 * symbols of the file itself and of its dependencies (direct imports and,
 * transitively, their public imports); of `import option` dependencies only
 * extensions; and a package when the file's own package or a dependency's
 * package lies in it. Other files of the same compilation are not seen.
 * It also records which dependencies a lookup touched, for protoc's
 * unused-import warning.
 */
export class FileScope {
  /** The file being built. */
  readonly file: string;
  /** Its dependencies, public imports followed. */
  readonly deps: Set<string>;
  /** Its `import option` dependencies, public imports followed. */
  readonly optionDeps: Set<string>;
  /** Dependencies a lookup found a symbol in. */
  readonly used: Set<string> = new Set();
  readonly #packages = new Set<string>();

  /** `packages` are those of the file and of every dependency. */
  constructor(
    file: string,
    deps: Set<string>,
    optionDeps: Set<string>,
    packages: Iterable<string>,
  ) {
    this.file = file;
    this.deps = deps;
    this.optionDeps = optionDeps;
    for (const pkg of packages) {
      if (!pkg) continue;
      let i = -1;
      do {
        i = pkg.indexOf(".", i + 1);
        this.#packages.add(i < 0 ? pkg : pkg.slice(0, i));
      } while (i >= 0);
    }
  }

  /** Whether `s` is visible from the file; notes the dependency as used when found in one. */
  sees(s: Sym): boolean {
    if (s.kind === "package") return this.#packages.has(s.fullName);
    const f = s.file;
    if (f === this.file) return true;
    if (this.deps.has(f)) {
      this.used.add(f);
      return true;
    }
    if (this.optionDeps.has(f)) {
      this.used.add(f);
      return s.kind === "field";
    }
    return false;
  }
}
