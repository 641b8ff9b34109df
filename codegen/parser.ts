/**
 * Recursive-descent parser for proto2, proto3 and editions files. It builds
 * the {@link FileAst}; on a syntax error it records a diagnostic, skips the
 * statement the way protoc does, and keeps going, so one run reports many
 * errors and a broken file never hangs the compiler.
 *
 * @module
 */

import type {
  EnumAst,
  EnumValueAst,
  ExtendAst,
  FieldAst,
  FileAst,
  MessageAst,
  MessageLiteralField,
  MethodAst,
  OneofAst,
  OptionAst,
  OptionNamePart,
  RangeDeclAst,
  ReservedNamesAst,
  ServiceAst,
  Span,
  TypeRef,
  ValueAst,
} from "./ast.ts";
import type { Diagnostic } from "./diagnostic.ts";
import { FIELD_TYPES } from "./field-types.ts";
import { Tok, tokenize, type TokenStream } from "./lexer.ts";
import { decodeStringLiteral } from "./string-literal.ts";

/** Scalar type keywords and their `FieldDescriptorProto.Type` numbers. */
export const SCALAR_TYPES: Record<string, number> = Object.fromEntries(
  Object.entries(FIELD_TYPES).filter(([k]) => k !== "group" && k !== "message" && k !== "enum"),
);

const TYPE_GROUP = FIELD_TYPES.group;
const decoder = new TextDecoder();

class ParseFailure {
}
const FAIL = new ParseFailure();

/** Parses one file. Syntax errors are appended to `diagnostics`. */
export function parseFile(name: string, text: string, diagnostics: Diagnostic[]): FileAst {
  const tokens = tokenize(text);
  for (const e of tokens.errors) {
    const line = tokens.lineOf(e.offset);
    diagnostics.push({
      file: name,
      line: line + 1,
      column: tokens.column(e.offset, line) + 1,
      message: e.message,
    });
  }
  return new Parser(name, tokens, diagnostics).parse();
}

class Parser {
  readonly name: string;
  readonly ts: TokenStream;
  readonly sig: number[];
  readonly diags: Diagnostic[];
  p = 0;
  syntax = "proto2";
  depth = 0;
  literalDepth = 0;

  constructor(name: string, ts: TokenStream, diags: Diagnostic[]) {
    this.name = name;
    this.ts = ts;
    this.sig = ts.significant;
    this.diags = diags;
  }

  // --- token helpers -------------------------------------------------------

  get tok(): number {
    return this.sig[this.p];
  }
  get prevTok(): number {
    return this.sig[this.p > 0 ? this.p - 1 : 0];
  }
  kind(): number {
    return this.ts.kind[this.tok];
  }
  text(): string {
    return this.ts.textOf(this.tok);
  }
  at(s: string): boolean {
    const t = this.tok;
    const ts = this.ts;
    return ts.end[t] - ts.start[t] === s.length && ts.text.startsWith(s, ts.start[t]) &&
      ts.kind[t] !== Tok.String;
  }
  atEnd(): boolean {
    return this.ts.kind[this.tok] === Tok.Eof;
  }
  next(): number {
    const t = this.tok;
    if (!this.atEnd()) this.p++;
    return t;
  }
  tryConsume(s: string): boolean {
    if (this.at(s)) {
      this.next();
      return true;
    }
    return false;
  }
  error(message: string, tok = this.tok): void {
    const ts = this.ts;
    const off = ts.start[tok];
    const line = ts.line[tok];
    this.diags.push({ file: this.name, line: line + 1, column: ts.column(off, line) + 1, message });
  }
  fail(message: string, tok = this.tok): never {
    this.error(message, tok);
    throw FAIL;
  }
  expect(s: string, message = `Expected "${s}".`): number {
    if (!this.at(s)) this.fail(message);
    return this.next();
  }
  ident(message: string): number {
    if (this.kind() !== Tok.Ident) this.fail(message);
    return this.next();
  }
  span(s: number): Span {
    return { s, e: this.prevTok };
  }

  skipStatement(): void {
    for (;;) {
      if (this.atEnd()) return;
      if (this.kind() === Tok.Symbol) {
        if (this.tryConsume(";")) return;
        if (this.tryConsume("{")) {
          this.skipRestOfBlock();
          return;
        }
        if (this.at("}")) return;
      }
      this.next();
    }
  }

  skipRestOfBlock(): void {
    let depth = 1;
    for (;;) {
      if (this.atEnd()) return;
      if (this.kind() === Tok.Symbol) {
        if (this.tryConsume("}")) {
          if (--depth === 0) return;
          continue;
        }
        if (this.tryConsume("{")) {
          depth++;
          continue;
        }
      }
      this.next();
    }
  }

  /** Runs `f`; on a parse failure skips the statement. */
  statement(f: () => void): void {
    const before = this.p;
    try {
      f();
    } catch (e) {
      if (e !== FAIL) throw e;
      this.skipStatement();
      if (this.p === before && !this.atEnd()) this.next();
    }
  }

  // --- file ----------------------------------------------------------------

  parse(): FileAst {
    const file: FileAst = {
      name: this.name,
      tokens: this.ts,
      syntax: "proto2",
      imports: [],
      types: [],
      services: [],
      extends: [],
      options: [],
      first: this.sig.length > 1 ? this.sig[0] : -1,
      last: this.sig.length > 1 ? this.sig[this.sig.length - 2] : -1,
    };
    if (this.at("syntax") || this.at("edition")) {
      try {
        this.parseSyntax(file);
      } catch (e) {
        if (e !== FAIL) throw e;
        return file;
      }
    }
    this.syntax = file.syntax;
    while (!this.atEnd()) {
      if (this.at("}")) {
        this.error('Unmatched "}".');
        this.next();
        continue;
      }
      this.statement(() => this.topLevel(file));
    }
    return file;
  }

  parseSyntax(file: FileAst): void {
    const s = this.tok;
    const isEdition = this.at("edition");
    this.next();
    this.expect("=");
    const valueTok = this.tok;
    if (this.kind() !== Tok.String) this.fail("Expected syntax identifier.");
    const value = this.stringValue();
    this.expect(";");
    file.syntaxSpan = this.span(s);
    if (isEdition) {
      if (value !== "2023" && value !== "2024" && value !== "2026") {
        this.fail(`Unknown edition "${value}".`, valueTok);
      }
      file.syntax = "editions";
      file.edition = value;
    } else {
      if (value !== "proto2" && value !== "proto3") {
        this.fail(
          `Unrecognized syntax identifier "${value}".  This parser only recognizes "proto2" and "proto3".`,
          valueTok,
        );
      }
      file.syntax = value;
    }
  }

  stringValue(): string {
    return decoder.decode(this.stringBytes());
  }

  stringBytes(): Uint8Array {
    const parts: Uint8Array[] = [];
    while (this.kind() === Tok.String) {
      parts.push(decodeStringLiteral(this.text()));
      this.next();
    }
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
    let o = 0;
    for (const b of parts) {
      out.set(b, o);
      o += b.length;
    }
    return out;
  }

  topLevel(file: FileAst): void {
    if (this.tryConsume(";")) return;
    if (this.at("message") || this.at("enum") || this.atVisibility()) {
      file.types.push(this.typeDecl());
    } else if (this.at("service")) {
      file.services.push(this.service());
    } else if (this.at("extend")) {
      file.extends.push(this.extend(file.types));
    } else if (this.at("import")) {
      const s = this.next();
      const imp = { path: "", span: { s, e: s }, pathTok: 0 } as FileAst["imports"][number];
      if (this.at("option") && this.peekKind(1) === Tok.String) {
        this.next();
        imp.isOption = true;
      } else if (this.at("public")) imp.publicTok = this.next();
      else if (this.at("weak")) imp.weakTok = this.next();
      imp.pathTok = this.tok;
      if (this.kind() !== Tok.String) this.fail("Expected a string naming the file to import.");
      imp.path = this.stringValue();
      this.expect(";");
      imp.span = this.span(s);
      file.imports.push(imp);
    } else if (this.at("package")) {
      const s = this.next();
      if (file.pkg) this.error("Multiple package definitions.", s);
      let name = this.ts.textOf(this.ident("Expected identifier."));
      while (this.tryConsume(".")) name += "." + this.ts.textOf(this.ident("Expected identifier."));
      this.expect(";");
      file.pkg = { name, span: this.span(s) };
    } else if (this.at("option")) {
      file.options.push(this.optionStatement());
    } else {
      this.fail('Expected top-level statement (e.g. "message").');
    }
  }

  // --- messages ------------------------------------------------------------

  newMessage(name: string, nameTok: number, s: number): MessageAst {
    return {
      kind: "message",
      name,
      nameTok,
      span: { s, e: s },
      fields: [],
      nested: [],
      extends: [],
      extensionRanges: [],
      reservedRanges: [],
      reservedNames: [],
      oneofs: [],
      options: [],
    };
  }

  atVisibility(): boolean {
    return (this.at("export") || this.at("local")) && this.peekIs(1, ["message", "enum"]) &&
      this.syntax === "editions";
  }

  typeDecl(): MessageAst | EnumAst {
    let visibility: number | undefined;
    if (this.at("local")) visibility = 1;
    else if (this.at("export")) visibility = 2;
    if (visibility !== undefined) this.next();
    const t = this.at("message") ? this.message() : this.enumDecl();
    if (visibility !== undefined) t.visibility = visibility;
    return t;
  }

  message(): MessageAst {
    const s = this.next();
    if (++this.depth > 32) this.fail("Reached maximum recursion limit for nested messages.");
    try {
      const nameTok = this.ident("Expected message name.");
      const msg = this.newMessage(this.ts.textOf(nameTok), nameTok, s);
      this.messageBody(msg);
      msg.span = this.span(s);
      return msg;
    } finally {
      this.depth--;
    }
  }

  messageBody(msg: MessageAst): void {
    this.expect("{");
    for (;;) {
      if (this.tryConsume("}")) return;
      if (this.atEnd()) this.fail("Reached end of input in message definition (missing '}').");
      this.statement(() => this.messageStatement(msg));
    }
  }

  messageStatement(msg: MessageAst): void {
    if (this.tryConsume(";")) return;
    if (
      ((this.at("message") || this.at("enum")) && this.peekKind(1) === Tok.Ident) ||
      this.atVisibility()
    ) {
      msg.nested.push(this.typeDecl());
    } else if (this.at("extensions")) {
      msg.extensionRanges.push(this.ranges(false, true));
    } else if (this.at("reserved")) {
      this.reserved(msg.reservedRanges, msg.reservedNames, false);
    } else if (this.at("extend")) {
      msg.extends.push(this.extend(msg.nested));
    } else if (this.at("option")) {
      msg.options.push(this.optionStatement());
    } else if (this.at("oneof") && this.peekKind(1) === Tok.Ident) {
      this.oneof(msg);
    } else {
      this.field(msg.fields, msg.nested, undefined);
    }
  }

  peekKind(n: number): number {
    const i = Math.min(this.p + n, this.sig.length - 1);
    return this.ts.kind[this.sig[i]];
  }

  peekIs(n: number, words: string[]): boolean {
    const i = Math.min(this.p + n, this.sig.length - 1);
    return words.includes(this.ts.textOf(this.sig[i]));
  }

  field(
    fields: FieldAst[],
    nested: (MessageAst | EnumAst)[],
    extend: ExtendAst | undefined,
    oneofIndex?: number,
  ): FieldAst {
    const s = this.tok;
    let labelTok: number | undefined;
    let label: string | undefined;
    if (this.at("optional") || this.at("required") || this.at("repeated")) {
      if (oneofIndex !== undefined) {
        this.error("Fields in oneofs must not have labels (required / optional / repeated).");
      }
      if (this.syntax === "editions" && !this.at("repeated")) {
        this.error(
          this.at("optional")
            ? 'Label "optional" is not supported in editions. By default, all singular fields have presence unless features.field_presence is set.'
            : 'Label "required" is not supported in editions, use features.field_presence = LEGACY_REQUIRED.',
        );
      }
      labelTok = this.next();
      label = this.ts.textOf(labelTok);
    }
    const typeStart = this.tok;
    let type: TypeRef;
    let mapTypes: [TypeRef, TypeRef] | undefined;
    if (this.at("map") && this.peekIs(1, ["<"])) {
      if (oneofIndex !== undefined) this.fail("Map fields are not allowed in oneofs.");
      if (label) {
        this.fail("Field labels (required/optional/repeated) are not allowed on map fields.");
      }
      if (extend) this.fail("Map fields are not allowed to be extensions.");
      this.next();
      this.expect("<");
      const k = this.typeRef();
      this.expect(",");
      const v = this.typeRef();
      this.expect(">");
      mapTypes = [k, v];
      type = { scalar: 0, name: "", span: this.span(typeStart) };
    } else if (this.at("group")) {
      if (this.syntax === "editions") {
        this.error(
          "Group syntax is no longer supported in editions. To get group behavior you can specify features.message_encoding = DELIMITED on a message field.",
        );
      }
      const t = this.next();
      type = { scalar: TYPE_GROUP, name: "", span: { s: t, e: t } };
    } else {
      type = this.typeRef();
    }
    if (!mapTypes && !label && oneofIndex === undefined && this.syntax === "proto2") {
      this.error('Expected "required", "optional", or "repeated".', typeStart);
    }
    const nameTok = this.ident("Expected field name.");
    this.expect("=", "Missing field number.");
    const numStart = this.tok;
    const number = this.intValue("Expected field number.", 0x7fffffff);
    const f: FieldAst = {
      name: this.ts.textOf(nameTok),
      nameTok,
      span: { s, e: s },
      labelTok,
      label,
      type,
      number,
      numberSpan: { s: numStart, e: numStart },
      options: [],
      oneofIndex,
      extend,
    };
    if (this.at("[")) this.fieldOptions(f);
    if (type.scalar === TYPE_GROUP) {
      if (f.name[0] < "A" || f.name[0] > "Z") {
        this.error("Group names must start with a capital letter.", nameTok);
      }
      const group = this.newMessage(f.name, nameTok, s);
      group.groupField = f;
      f.group = group;
      type.name = f.name;
      f.name = f.name.toLowerCase();
      nested.push(group);
      fields.push(f);
      if (!this.at("{")) this.fail("Missing group body.");
      if (++this.depth > 32) this.fail("Reached maximum recursion limit for nested messages.");
      try {
        this.messageBody(group);
      } finally {
        this.depth--;
      }
      f.span = this.span(s);
      group.span = f.span;
      return f;
    }
    this.expect(";");
    f.span = this.span(s);
    fields.push(f);
    if (mapTypes) {
      const entry = this.newMessage(mapEntryName(f.name), nameTok, s);
      entry.span = f.span;
      entry.mapEntry = { keyType: mapTypes[0], valueType: mapTypes[1], field: f };
      f.mapEntry = entry;
      type.name = entry.name;
      nested.push(entry);
    }
    return f;
  }

  typeRef(): TypeRef {
    const s = this.tok;
    const text = this.text();
    const scalar = SCALAR_TYPES[text];
    if (scalar !== undefined && this.kind() === Tok.Ident) {
      this.next();
      return { scalar, name: "", span: { s, e: s } };
    }
    return { scalar: 0, name: this.typeName(), span: this.span(s) };
  }

  typeName(): string {
    let name = "";
    if (this.tryConsume(".")) name = ".";
    name += this.ts.textOf(this.ident("Expected type name."));
    while (this.at(".")) {
      this.next();
      name += "." + this.ts.textOf(this.ident("Expected identifier."));
    }
    return name;
  }

  /** Parses an integer literal with optional sign, limited to [-max-1, max]. */
  intValue(message: string, max: number, allowNeg = false): number {
    const neg = allowNeg && this.tryConsume("-");
    if (this.kind() !== Tok.Int) this.fail(message);
    const t = this.next();
    const v = parseIntLiteral(this.ts.textOf(t));
    if (v === undefined || v > BigInt(max) + (neg ? 1n : 0n)) {
      this.error("Integer out of range.", t);
      return 0;
    }
    return neg ? -Number(v) : Number(v);
  }

  fieldOptions(f: FieldAst): void {
    const s = this.next();
    do {
      if (this.at("default") && this.peekIs(1, ["="])) {
        const o = this.compactOption();
        if (f.defaultValue) this.error('Already set option "default".', o.span.s);
        f.defaultValue = o;
      } else if (this.at("json_name") && this.peekIs(1, ["="])) {
        const o = this.compactOption();
        if (f.jsonName) this.error('Already set option "json_name".', o.span.s);
        f.jsonName = o;
      } else {
        f.options.push(this.compactOption());
      }
    } while (this.tryConsume(","));
    this.expect("]");
    f.optionsSpan = this.span(s);
  }

  compactOptions(): { options: OptionAst[]; span: Span } {
    const s = this.next();
    const options: OptionAst[] = [];
    do options.push(this.compactOption()); while (this.tryConsume(","));
    this.expect("]");
    return { options, span: this.span(s) };
  }

  // --- options -------------------------------------------------------------

  optionStatement(): OptionAst {
    const s = this.next();
    const o = this.compactOption();
    this.expect(";");
    o.stmtSpan = this.span(s);
    return o;
  }

  compactOption(): OptionAst {
    const s = this.tok;
    const name: OptionNamePart[] = [];
    do {
      const ps = this.tok;
      if (this.tryConsume("(")) {
        let n = "";
        if (this.tryConsume(".")) n = ".";
        n += this.ts.textOf(this.ident("Expected identifier."));
        while (this.tryConsume(".")) n += "." + this.ts.textOf(this.ident("Expected identifier."));
        this.expect(")");
        name.push({ name: n, isExtension: true, span: this.span(ps) });
      } else {
        const t = this.ident("Expected identifier.");
        name.push({ name: this.ts.textOf(t), isExtension: false, span: { s: t, e: t } });
      }
    } while (this.tryConsume("."));
    this.expect("=");
    const value = this.optionValue();
    return { name, value, span: this.span(s) };
  }

  optionValue(): ValueAst {
    const s = this.tok;
    if (this.at("{")) return this.messageLiteral();
    const neg = this.tryConsume("-");
    const k = this.kind();
    if (k === Tok.Ident) {
      const text = this.text();
      this.next();
      if (neg && text !== "inf" && text !== "nan" && text !== "infinity") {
        this.fail("Identifier after '-' symbol must be inf or nan.", this.prevTok);
      }
      return { kind: "ident", text, neg, span: this.span(s) };
    }
    if (k === Tok.Int || k === Tok.Float) return this.number(neg, s);
    if (k === Tok.String) {
      if (neg) this.fail("Invalid '-' symbol before string.");
      return { kind: "string", bytes: this.stringBytes(), span: this.span(s) };
    }
    if (this.atEnd()) this.fail("Unexpected end of stream while parsing option value.");
    this.fail("Expected option value.");
  }

  number(neg: boolean, s: number): ValueAst {
    const t = this.next();
    const text = this.ts.textOf(t);
    if (this.ts.kind[t] === Tok.Int) {
      const v = parseIntLiteral(text);
      if (v !== undefined && v <= 0xffffffffffffffffn) {
        return { kind: "int", value: v, neg, span: this.span(s), text };
      }
      if (text[0] === "0") this.error("Integer out of range.", t);
    }
    return { kind: "float", value: parseFloat(text), neg, span: this.span(s), text };
  }

  messageLiteral(): ValueAst {
    const s = this.tok;
    const close = this.at("<") ? ">" : "}";
    if (++this.literalDepth > 100) {
      this.literalDepth = 0;
      this.fail("Aggregate value nested too deeply.");
    }
    try {
      return this.messageLiteralBody(s, close);
    } finally {
      if (this.literalDepth > 0) this.literalDepth--;
    }
  }

  messageLiteralBody(s: number, close: string): ValueAst {
    this.next();
    const fields: MessageLiteralField[] = [];
    while (!this.tryConsume(close)) {
      if (this.atEnd()) this.fail("Unexpected end of stream while parsing aggregate value.");
      const fs = this.tok;
      let name: string;
      let nameKind: MessageLiteralField["nameKind"] = "field";
      if (this.tryConsume("[")) {
        name = this.typeName();
        if (this.tryConsume("/")) {
          nameKind = "any";
          name += "/" + this.typeName();
        } else nameKind = "extension";
        this.expect("]");
      } else {
        name = this.ts.textOf(this.ident("Expected identifier."));
      }
      const nameSpan = this.span(fs);
      let value: ValueAst;
      if (this.tryConsume(":")) {
        value = this.at("[") ? this.listLiteral() : this.literalValue();
      } else if (this.at("{") || this.at("<")) {
        value = this.messageLiteral();
      } else if (this.at("[")) {
        value = this.listLiteral();
      } else {
        this.fail('Expected ":".');
      }
      fields.push({ name, nameKind, nameSpan, value, span: this.span(fs) });
      if (!this.tryConsume(",")) this.tryConsume(";");
    }
    return { kind: "message", fields, span: this.span(s) };
  }

  listLiteral(): ValueAst {
    const s = this.next();
    const items: ValueAst[] = [];
    if (!this.tryConsume("]")) {
      do items.push(this.literalValue()); while (this.tryConsume(","));
      this.expect("]");
    }
    return { kind: "list", items, span: this.span(s) };
  }

  literalValue(): ValueAst {
    if (this.at("{") || this.at("<")) return this.messageLiteral();
    return this.optionValue();
  }

  // --- other declarations ----------------------------------------------------

  oneof(msg: MessageAst): void {
    const s = this.next();
    const nameTok = this.ident("Expected oneof name.");
    const oneof: OneofAst = {
      name: this.ts.textOf(nameTok),
      nameTok,
      span: { s, e: s },
      options: [],
    };
    const index = msg.oneofs.length;
    msg.oneofs.push(oneof);
    this.expect("{");
    for (;;) {
      if (this.tryConsume("}")) break;
      if (this.atEnd()) this.fail("Reached end of input in oneof definition (missing '}').");
      this.statement(() => {
        if (this.tryConsume(";")) return;
        if (this.at("option")) oneof.options.push(this.optionStatement());
        else this.field(msg.fields, msg.nested, undefined, index);
      });
    }
    oneof.span = this.span(s);
  }

  extend(nested: (MessageAst | EnumAst)[]): ExtendAst {
    const s = this.next();
    const es = this.tok;
    const extendee = this.typeName();
    const ext: ExtendAst = {
      extendee,
      extendeeSpan: this.span(es),
      span: { s, e: s },
      fields: [],
    };
    this.expect("{");
    for (;;) {
      if (this.tryConsume("}")) break;
      if (this.atEnd()) this.fail("Reached end of input in extend definition (missing '}').");
      this.statement(() => {
        if (this.tryConsume(";")) return;
        this.field(ext.fields, nested, ext);
      });
    }
    ext.span = this.span(s);
    return ext;
  }

  ranges(isEnum: boolean, allowOptions: boolean): RangeDeclAst {
    const s = this.next();
    const decl: RangeDeclAst = { span: { s, e: s }, ranges: [], options: [] };
    do {
      const rs = this.tok;
      const start = this.intValue("Expected field number range.", 0x7fffffff, isEnum);
      // protoc's ParseExtensions/ParseReservedNumbers: the end is stored
      // exclusive, so a message range cannot reach INT32_MAX.
      if (!isEnum && start === 0x7fffffff) this.fail("Field number out of bounds.");
      const startSpan = this.span(rs);
      let end = start;
      let endSpan = startSpan;
      if (this.tryConsume("to")) {
        const es = this.tok;
        if (this.tryConsume("max")) end = isEnum ? 0x7fffffff : -1;
        else {
          end = this.intValue("Expected integer.", 0x7fffffff, isEnum);
          if (!isEnum && end === 0x7fffffff) this.fail("Field number out of bounds.");
        }
        endSpan = this.span(es);
      }
      decl.ranges.push({ span: this.span(rs), startSpan, endSpan, start, end });
    } while (this.tryConsume(","));
    if (allowOptions && this.at("[")) {
      const o = this.compactOptions();
      decl.options = o.options;
      decl.optionsSpan = o.span;
    }
    this.expect(";");
    decl.span = this.span(s);
    return decl;
  }

  reserved(ranges: RangeDeclAst[], names: ReservedNamesAst[], isEnum: boolean): void {
    const k = this.peekKind(1);
    if (k === Tok.String || (k === Tok.Ident && !this.peekIs(1, ["max"]))) {
      const s = this.next();
      if (k === Tok.String && this.syntax === "editions") {
        this.fail("Reserved names must be identifiers in editions, not string literals.");
      }
      if (k === Tok.Ident && this.syntax !== "editions") {
        this.fail(
          "Reserved names must be string literals. (Only editions supports identifiers.)",
        );
      }
      const decl: ReservedNamesAst = { span: { s, e: s }, names: [] };
      do {
        const ns = this.tok;
        if (k === Tok.String) {
          if (this.kind() !== Tok.String) this.fail("Expected field name string literal.");
          decl.names.push({ name: this.stringValue(), span: this.span(ns) });
        } else {
          const t = this.ident("Expected field name identifier.");
          decl.names.push({ name: this.ts.textOf(t), span: { s: t, e: t } });
        }
      } while (this.tryConsume(","));
      this.expect(";");
      decl.span = this.span(s);
      names.push(decl);
      return;
    }
    ranges.push(this.ranges(isEnum, false));
  }

  enumDecl(): EnumAst {
    const s = this.next();
    const nameTok = this.ident("Expected enum name.");
    const e: EnumAst = {
      kind: "enum",
      name: this.ts.textOf(nameTok),
      nameTok,
      span: { s, e: s },
      values: [],
      options: [],
      reservedRanges: [],
      reservedNames: [],
    };
    this.expect("{");
    for (;;) {
      if (this.tryConsume("}")) break;
      if (this.atEnd()) this.fail("Reached end of input in enum definition (missing '}').");
      this.statement(() => {
        if (this.tryConsume(";")) return;
        if (this.at("option")) e.options.push(this.optionStatement());
        else if (this.at("reserved")) this.reserved(e.reservedRanges, e.reservedNames, true);
        else e.values.push(this.enumValue());
      });
    }
    e.span = this.span(s);
    return e;
  }

  enumValue(): EnumValueAst {
    const s = this.tok;
    const nameTok = this.ident("Expected enum constant name.");
    this.expect("=", "Missing numeric value for enum constant.");
    const ns = this.tok;
    const number = this.intValue("Expected integer.", 0x7fffffff, true);
    const v: EnumValueAst = {
      name: this.ts.textOf(nameTok),
      nameTok,
      number,
      numberSpan: this.span(ns),
      span: { s, e: s },
      options: [],
    };
    if (this.at("[")) {
      const o = this.compactOptions();
      v.options = o.options;
      v.optionsSpan = o.span;
    }
    this.expect(";");
    v.span = this.span(s);
    return v;
  }

  service(): ServiceAst {
    const s = this.next();
    const nameTok = this.ident("Expected service name.");
    const svc: ServiceAst = {
      name: this.ts.textOf(nameTok),
      nameTok,
      span: { s, e: s },
      methods: [],
      options: [],
    };
    this.expect("{");
    for (;;) {
      if (this.tryConsume("}")) break;
      if (this.atEnd()) this.fail("Reached end of input in service definition (missing '}').");
      this.statement(() => {
        if (this.tryConsume(";")) return;
        if (this.at("option")) svc.options.push(this.optionStatement());
        else svc.methods.push(this.method());
      });
    }
    svc.span = this.span(s);
    return svc;
  }

  method(): MethodAst {
    const s = this.expect("rpc", 'Expected "rpc".');
    const nameTok = this.ident("Expected method name.");
    this.expect("(");
    let inputStream: number | undefined;
    if (this.at("stream") && this.peekKind(1) === Tok.Ident) inputStream = this.next();
    const is = this.tok;
    const input = this.typeName();
    const inputSpan = this.span(is);
    this.expect(")");
    this.expect("returns");
    this.expect("(");
    let outputStream: number | undefined;
    if (this.at("stream") && this.peekKind(1) === Tok.Ident) outputStream = this.next();
    const os = this.tok;
    const output = this.typeName();
    const outputSpan = this.span(os);
    this.expect(")");
    const m: MethodAst = {
      name: this.ts.textOf(nameTok),
      nameTok,
      span: { s, e: s },
      input,
      inputSpan,
      inputStream,
      output,
      outputSpan,
      outputStream,
      hasBody: false,
      options: [],
    };
    if (this.tryConsume("{")) {
      m.hasBody = true;
      for (;;) {
        if (this.tryConsume("}")) break;
        if (this.atEnd()) this.fail("Reached end of input in method options (missing '}').");
        this.statement(() => {
          if (this.tryConsume(";")) return;
          if (!this.at("option")) this.fail('Expected "option".');
          m.options.push(this.optionStatement());
        });
      }
    } else {
      this.expect(";");
    }
    m.span = this.span(s);
    return m;
  }
}

/** Parses a decimal, hex or octal integer literal; undefined if malformed. */
export function parseIntLiteral(text: string): bigint | undefined {
  try {
    if (text.length > 1 && text[0] === "0") {
      if (text[1] === "x" || text[1] === "X") return BigInt(text);
      if (!/^[0-7]+$/.test(text)) return undefined;
      return BigInt("0o" + text.slice(1));
    }
    if (text.length < 16) return BigInt(+text);
    return BigInt(text);
  } catch {
    return undefined;
  }
}

/** protoc's name for a map field's entry message: `foo_bar` → `FooBarEntry`. */
export function mapEntryName(fieldName: string): string {
  let out = "";
  let cap = true;
  for (const ch of fieldName) {
    if (ch === "_") cap = true;
    else if (cap) {
      out += ch >= "a" && ch <= "z" ? ch.toUpperCase() : ch;
      cap = false;
    } else out += ch;
  }
  return out + "Entry";
}
