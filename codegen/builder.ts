/**
 * The descriptor builder: turns one file's {@link FileAst} into a
 * `google.protobuf.FileDescriptorProto` in four passes, each in its own
 * module and run in this order:
 *
 * 1. declare (`declare.ts`): descriptors and symbols from the syntax tree,
 *    with the checks that need no other file (`message-checks.ts`);
 * 2. link (`link.ts`): type names, extendees and method types resolved by
 *    protoc's scoping rules, defaults checked against the resolved types;
 * 3. options (`interpret-options.ts`): every option interpreted and encoded,
 *    then editions features validated (`feature-checks.ts`) and, on a file
 *    without errors so far, protoc's `ValidateOptions` checks
 *    (`validate-options.ts`: packed, message sets, extension declarations);
 * 4. source info (`source-paths.ts`), on request: SourceCodeInfo in the order
 *    buf records it.
 *
 * This class holds what the passes share: the file's descriptor, the
 * queues of work one pass leaves for the next, and the diagnostics.
 *
 * @module
 */

import { create } from "@bufbuild/protobuf";
import type { Message } from "@bufbuild/protobuf";
import {
  type DescriptorProto,
  type FieldDescriptorProto,
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
  type MethodDescriptorProto,
} from "@bufbuild/protobuf/wkt";
import type { FieldAst, FileAst, MessageAst, OptionAst } from "./ast.ts";
import { Declarations } from "./declare.ts";
import type { Diagnostic } from "./diagnostic.ts";
import { checkFeatures } from "./feature-checks.ts";
import { interpretOptions, type OptionsKind } from "./interpret-options.ts";
import { Linker } from "./link.ts";
import { validateOptions } from "./validate-options.ts";
import type { MessageValue } from "./options.ts";
import { SourcePaths } from "./source-paths.ts";
import type { FileScope, SymbolTable } from "./symbols.ts";

/** Option statements of one declaration, queued for the options pass. */
export interface OptionJob {
  /** The options message they set. */
  kind: OptionsKind;
  /** The statements. */
  options: OptionAst[];
  /** protoc's name scope: the declaration's full name. */
  scope: string;
  /** Stores the interpreted options message on the descriptor. */
  set: (m: Message) => void;
  /** Filled after interpretation, for source info. */
  value?: MessageValue;
  /** Create the options message even without options (rpc bodies). */
  always?: boolean;
}

/** A field whose type (or extendee) the link pass resolves. */
export interface FieldJob {
  /** The descriptor being built. */
  proto: FieldDescriptorProto;
  /** Its declaration. */
  ast: FieldAst;
  /** Full name of the enclosing message, or the package. */
  scope: string;
  /** Full name of the map entry or group message, when synthesized here. */
  ownType?: string;
}

/** A method whose input and output types the link pass resolves. */
export interface MethodJob {
  /** The descriptor being built. */
  proto: MethodDescriptorProto;
  /** Input type as written. */
  input: string;
  /** Output type as written. */
  output: string;
  /** The method's full name. */
  scope: string;
  /** Token of the input type. */
  inputTok: number;
  /** Token of the output type. */
  outputTok: number;
}

/** Builds the FileDescriptorProto of one parsed file of a compilation. */
export class DescriptorBuilder {
  /** Symbols of the whole compilation. */
  readonly symbols: SymbolTable;
  /** Where problems go. */
  readonly diagnostics: Diagnostic[];
  /** The file's syntax tree. */
  readonly ast: FileAst;
  /** The descriptor being built. */
  readonly file: FileDescriptorProto;
  /** What this file can see, and which imports it used. */
  readonly scope: FileScope;
  /** Fields for the link pass. */
  readonly fieldJobs: FieldJob[] = [];
  /** Option statements for the options pass, by declaration. */
  readonly optionJobs: Map<object, OptionJob> = new Map();
  /** Methods for the link pass. */
  readonly methodJobs: MethodJob[] = [];
  /** Map keys of a named type: valid only if it resolves to a scalar-like type. */
  readonly mapKeyChecks: { tok: number; field: FieldDescriptorProto }[] = [];
  /** Map fields and their entry messages, which inherit the field's features. */
  readonly entryOf: Map<FieldAst, DescriptorProto> = new Map();
  /** Built files of the compilation by name (dependencies are built first). */
  fileOf: (name: string) => FileDescriptorProto | undefined = () => undefined;
  /** Each message's declaration, for the checks after options. */
  readonly messageAsts: Map<DescriptorProto, MessageAst> = new Map();
  /** Map fields with their entries, for feature inheritance after options. */
  readonly mapFields: { field: FieldDescriptorProto; entry: DescriptorProto }[] = [];

  /** Prepares the build of `ast`; `scope` says what it can see. */
  constructor(
    ast: FileAst,
    symbols: SymbolTable,
    scope: FileScope,
    diagnostics: Diagnostic[],
  ) {
    this.ast = ast;
    this.symbols = symbols;
    this.scope = scope;
    this.diagnostics = diagnostics;
    this.file = create(FileDescriptorProtoSchema, { name: ast.name });
  }

  /** Reports a problem at a token of this file. */
  error(tok: number, message: string): void {
    const ts = this.ast.tokens;
    const line = ts.line[tok];
    this.diagnostics.push({
      file: this.ast.name,
      line: line + 1,
      column: ts.column(ts.start[tok], line) + 1,
      message,
    });
  }

  /**
   * Reports a problem at no position: protoc prints `file: message` when
   * the element has no recorded location for the kind of error.
   */
  errorWithoutPosition(message: string): void {
    this.diagnostics.push({ file: this.ast.name, line: 0, column: 0, message });
  }

  /** True when an error of this file has been reported. */
  hasErrors(): boolean {
    return this.diagnostics.some((d) => d.file === this.ast.name && d.severity !== "warning");
  }

  /** Runs every pass and returns the descriptor. */
  build(withSourceInfo: boolean): FileDescriptorProto {
    new Declarations(this).run();
    new Linker(this).run();
    interpretOptions(this);
    // protoc's ValidateOptions runs only on a file without errors so far.
    const clean = !this.hasErrors();
    checkFeatures(this);
    if (clean) validateOptions(this);
    if (withSourceInfo) new SourcePaths(this).run();
    return this.file;
  }

  /** Queues option interpretation for one declaration. */
  addOptions(
    key: object,
    kind: OptionsKind,
    options: OptionAst[],
    scope: string,
    set: (m: Message) => void,
    always = false,
  ): void {
    if (options.length || always) this.optionJobs.set(key, { kind, options, scope, set, always });
  }
}

/** The full name of `name` declared in `scope`. */
export function within(scope: string, name: string): string {
  return scope ? scope + "." + name : name;
}
