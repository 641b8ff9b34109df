// Schema mutations over real .proto sources, for the breaking-change oracle:
// each one edits the text of one file the way a developer would (delete,
// rename or renumber a field, change a type or label, add `optional`, move
// a field into or out of a oneof, delete an enum value, a method, a message,
// an enum, a service; toggle streaming; change the package, json_name,
// a file option or a request type; reserve and unreserve), using the
// parser's token positions so the edit lands exactly.
import { parseFile } from "../../../codegen/parser.ts";
import type {
  EnumAst,
  FieldAst,
  FileAst,
  MessageAst,
  ServiceAst,
  Span,
} from "../../../codegen/ast.ts";

/** One mutation: what it does and the file's new text (undefined: the file is deleted). */
export interface Mutation {
  /** Human-readable description, e.g. `delete field acme.v1.Todo.title`. */
  name: string;
  /** The mutated source, or undefined to delete the file. */
  text: string | undefined;
}

/** A seeded PRNG (mulberry32), so samples are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCALAR_SWAPS: Record<string, string[]> = {
  int32: ["int64", "uint32", "sint32", "sfixed32", "string"],
  int64: ["int32", "uint64", "sint64", "fixed64"],
  uint32: ["int32", "fixed32", "uint64"],
  uint64: ["int64", "fixed64"],
  sint32: ["int32", "sint64"],
  sint64: ["int64", "sint32"],
  fixed32: ["sfixed32", "uint32"],
  fixed64: ["sfixed64", "uint64"],
  sfixed32: ["fixed32", "int32"],
  sfixed64: ["fixed64", "int64"],
  bool: ["int32", "string"],
  string: ["bytes", "int32"],
  bytes: ["string"],
  double: ["float", "int64"],
  float: ["double"],
};

/** Every mutation of `text` (the file `name`) this generator knows. */
export function mutationsOf(name: string, text: string): Mutation[] {
  const ast = parseFile(name, text, []);
  const ts = ast.tokens;
  const start = (t: number) => ts.start[t];
  const end = (t: number) => ts.end[t];
  const out: Mutation[] = [];
  const replace = (what: string, a: number, b: number, by: string) =>
    out.push({ name: what, text: text.slice(0, a) + by + text.slice(b) });
  const cut = (what: string, span: Span) => {
    let b = end(span.e);
    while (text[b] === " " || text[b] === "\t") b++;
    if (text[b] === "\n") b++;
    replace(what, start(span.s), b, "");
  };
  const tok = (t: number) => ts.textOf(t);
  const proto3 = ast.syntax === "proto3";
  const pkg = ast.pkg?.name ?? "";

  out.push({ name: `delete file ${name}`, text: undefined });
  if (ast.pkg) {
    const s = ast.pkg.span;
    replace(`change package of ${name}`, start(s.s), end(s.e), `package ${pkg}x;`);
  }
  for (const o of ast.options) {
    if (o.name.length === 1 && !o.name[0].isExtension && o.value.kind === "string") {
      const v = o.value.span;
      replace(
        `change file option ${o.name[0].name}`,
        start(v.s),
        end(v.e),
        `"changed/${o.name[0].name}"`,
      );
    }
  }
  if (!ast.options.some((o) => o.name[0].name === "java_multiple_files") && ast.syntaxSpan) {
    const e = end(ast.syntaxSpan.e);
    replace(`add java_multiple_files to ${name}`, e, e, "\noption java_multiple_files = true;");
  }

  if (ast.syntaxSpan) {
    const e = end(ast.syntaxSpan.e);
    const add = (what: string, stmt: string) => replace(what, e, e, "\n" + stmt);
    add(`set optimize_for in ${name}`, "option optimize_for = CODE_SIZE;");
    add(`turn off cc_enable_arenas in ${name}`, "option cc_enable_arenas = false;");
    if (ast.syntax !== "editions") {
      add(`set java_string_check_utf8 in ${name}`, "option java_string_check_utf8 = true;");
    } else {
      add(`set json_format in ${name}`, "option features.json_format = LEGACY_BEST_EFFORT;");
      add(`set utf8_validation in ${name}`, "option features.utf8_validation = NONE;");
    }
  }
  for (const x of ast.extends) {
    for (const f of x.fields) cut(`delete extension ${f.name}`, f.span);
  }
  const messages: { m: MessageAst; full: string }[] = [];
  const enums: { e: EnumAst; full: string }[] = [];
  const walk = (list: (MessageAst | EnumAst)[], scope: string) => {
    for (const t of list) {
      const full = scope ? scope + "." + t.name : t.name;
      if (t.kind === "enum") enums.push({ e: t, full });
      else if (!t.mapEntry && !t.groupField) {
        messages.push({ m: t, full });
        walk(t.nested, full);
      }
    }
  };
  walk(ast.types, pkg);

  for (const { m, full } of messages) {
    cut(`delete message ${full}`, m.span);
    const used = new Set(m.fields.map((f) => f.number));
    let free = 1000;
    while (used.has(free)) free++;
    for (const f of m.fields) {
      if (f.group || f.extend) continue;
      const fname = `${full}.${f.name}`;
      cut(`delete field ${fname}`, f.span);
      replace(`rename field ${fname}`, start(f.nameTok), end(f.nameTok), f.name + "_renamed");
      replace(
        `renumber field ${fname}`,
        start(f.numberSpan.s),
        end(f.numberSpan.e),
        String(free),
      );
      if (f.type.scalar && !f.mapEntry) {
        const from = tok(f.type.span.s);
        for (const to of SCALAR_SWAPS[from] ?? []) {
          replace(
            `change type of ${fname} from ${from} to ${to}`,
            start(f.type.span.s),
            end(f.type.span.e),
            to,
          );
        }
      }
      if (!f.mapEntry && f.oneofIndex === undefined) {
        if (f.label === "repeated" && f.labelTok !== undefined) {
          const lt = f.labelTok;
          replace(`make ${fname} singular`, start(lt), end(lt) + 1, proto3 ? "" : "optional ");
        } else if (f.labelTok === undefined || f.label === "optional") {
          const at = start(f.labelTok ?? f.type.span.s);
          const b = f.labelTok === undefined ? at : end(f.labelTok) + 1;
          replace(`make ${fname} repeated`, at, b, "repeated ");
          if (proto3 && f.labelTok === undefined) {
            replace(`make ${fname} optional`, at, at, "optional ");
          }
        }
        if (proto3 && f.label === "optional" && f.labelTok !== undefined) {
          replace(`drop optional from ${fname}`, start(f.labelTok), end(f.labelTok) + 1, "");
        }
      }
      if (!f.jsonName && !f.optionsSpan) {
        const e = end(f.numberSpan.e);
        replace(`set json_name of ${fname}`, e, e, ` [json_name = "${f.name}Custom"]`);
      } else if (f.jsonName && f.jsonName.value.kind === "string") {
        const v = f.jsonName.value.span;
        replace(`change json_name of ${fname}`, start(v.s), end(v.e), `"${f.name}Other"`);
      }
      if (!f.type.scalar && !f.mapEntry) {
        const other = messages.find((x) => x.m !== m && x.full !== f.type.name);
        if (other) {
          replace(
            `change type of ${fname} to message ${other.full}`,
            start(f.type.span.s),
            end(f.type.span.e),
            "." + other.full,
          );
        }
      }
      if (f.oneofIndex === undefined && !f.mapEntry && f.label !== "repeated" && !f.labelTok) {
        const fieldText = text.slice(start(f.span.s), end(f.span.e));
        out.push({
          name: `move ${fname} into a new oneof`,
          text: text.slice(0, start(f.span.s)) + `oneof ${f.name}_choice { ${fieldText} }` +
            text.slice(end(f.span.e)),
        });
      }
      if (
        !proto3 && f.defaultValue === undefined && f.type.scalar && f.label !== "repeated" &&
        ["int32", "int64", "uint32", "bool", "string"].includes(tok(f.type.span.s)) &&
        !f.optionsSpan
      ) {
        const dv = tok(f.type.span.s) === "bool"
          ? "true"
          : tok(f.type.span.s) === "string"
          ? '"x"'
          : "7";
        const e = end(f.numberSpan.e);
        replace(`set default of ${fname}`, e, e, ` [default = ${dv}]`);
      }
    }
    for (const [i, o] of m.oneofs.entries()) {
      const members = m.fields.filter((f) => f.oneofIndex === i);
      if (members.length === 0) continue;
      const inner = members.map((f) => text.slice(start(f.span.s), end(f.span.e))).join("\n  ");
      out.push({
        name: `dissolve oneof ${full}.${o.name}`,
        text: text.slice(0, start(o.span.s)) + inner + text.slice(end(o.span.e)),
      });
    }
    for (const r of m.extensionRanges) cut(`delete extension range in ${full}`, r.span);
    for (const x of m.extends) for (const f of x.fields) cut(`delete extension ${f.name}`, f.span);
    const body = m.span.e;
    const addToMessage = (what: string, stmt: string) =>
      replace(what, start(body), start(body), `  ${stmt}\n`);
    addToMessage(
      `set no_standard_descriptor_accessor on ${full}`,
      "option no_standard_descriptor_accessor = true;",
    );
    if (ast.syntax === "editions") {
      addToMessage(
        `set json_format on ${full}`,
        "option features.json_format = LEGACY_BEST_EFFORT;",
      );
    }
    if (ast.syntax === "proto2") {
      addToMessage(`add a required field to ${full}`, `required int32 must_have = ${free + 7};`);
    }
    for (const f of m.fields) {
      const t = f.type.scalar ? tok(f.type.span.s) : "";
      if (f.optionsSpan || f.mapEntry) continue;
      const e = end(f.numberSpan.e);
      if (["int64", "uint64", "sint64", "fixed64", "sfixed64"].includes(t)) {
        replace(`set jstype on ${full}.${f.name}`, e, e, " [jstype = JS_STRING]");
      }
      if (t === "string" || t === "bytes") {
        replace(`set ctype on ${full}.${f.name}`, e, e, " [ctype = CORD]");
      }
      if (t === "string" && ast.syntax === "editions") {
        replace(
          `set utf8_validation on ${full}.${f.name}`,
          e,
          e,
          " [features.utf8_validation = NONE]",
        );
      }
      if (f.label === "optional" && ast.syntax === "proto2" && f.labelTok !== undefined) {
        replace(`make ${full}.${f.name} required`, start(f.labelTok), end(f.labelTok), "required");
      }
      if (f.label === "required" && f.labelTok !== undefined) {
        replace(`make ${full}.${f.name} optional`, start(f.labelTok), end(f.labelTok), "optional");
      }
    }
    for (const r of m.reservedRanges) cut(`unreserve ranges in ${full}`, r.span);
    for (const r of m.reservedNames) cut(`unreserve names in ${full}`, r.span);
    const close = m.span.e;
    replace(
      `reserve a range and a name in ${full}`,
      start(close),
      start(close),
      `  reserved ${free + 1} to ${free + 5};\n  reserved "gone_field";\n`,
    );
    const deleted = m.fields.find((f) => !f.group && !f.extend);
    if (deleted) {
      const a = start(deleted.span.s);
      let b = end(deleted.span.e);
      if (text[b] === "\n") b++;
      out.push({
        name: `delete field ${full}.${deleted.name} and reserve its number and name`,
        text: text.slice(0, a) + `reserved ${deleted.number};\n  reserved "${deleted.name}";\n` +
          text.slice(b),
      });
    }
    if (m.nested.some((n) => n.kind === "message" && !n.mapEntry && !n.groupField)) {
      const n = m.nested.find((x) =>
        x.kind === "message" && !x.mapEntry && !x.groupField
      )! as MessageAst;
      const inner = text.slice(start(n.span.s), end(n.span.e));
      out.push({
        name: `move message ${full}.${n.name} to the top level`,
        text: text.slice(0, start(n.span.s)) + text.slice(end(n.span.e)) + "\n" + inner + "\n",
      });
    }
  }
  for (const { e, full } of enums) {
    cut(`delete enum ${full}`, e.span);
    e.values.forEach((v, i) => {
      if (i > 0) cut(`delete enum value ${full}.${v.name}`, v.span);
      replace(
        `rename enum value ${full}.${v.name}`,
        start(v.nameTok),
        end(v.nameTok),
        v.name + "_RENAMED",
      );
      if (i > 0) {
        replace(
          `renumber enum value ${full}.${v.name}`,
          start(v.numberSpan.s),
          end(v.numberSpan.e),
          String(900 + i),
        );
      }
    });
    const close = e.span.e;
    const addToEnum = (what: string, stmt: string) =>
      replace(what, start(close), start(close), `  ${stmt}\n`);
    if (ast.syntax === "editions") {
      addToEnum(`close enum ${full}`, "option features.enum_type = CLOSED;");
      addToEnum(
        `set json_format on enum ${full}`,
        "option features.json_format = LEGACY_BEST_EFFORT;",
      );
    }
    if (e.values.length > 1) {
      const v = e.values[1];
      replace(
        `alias enum value ${full}.${v.name} to the first value`,
        start(v.numberSpan.s),
        end(v.numberSpan.e),
        String(e.values[0].number),
      );
    }
    for (const r of e.reservedRanges) cut(`unreserve ranges in enum ${full}`, r.span);
    for (const r of e.reservedNames) cut(`unreserve names in enum ${full}`, r.span);
  }
  for (const s of ast.services) serviceMutations(s, pkg, ts, cut, replace, messages);
  return out;
}

function serviceMutations(
  s: ServiceAst,
  pkg: string,
  ts: FileAst["tokens"],
  cut: (what: string, span: Span) => void,
  replace: (what: string, a: number, b: number, by: string) => void,
  messages: { m: MessageAst; full: string }[],
): void {
  const full = pkg ? pkg + "." + s.name : s.name;
  cut(`delete service ${full}`, s.span);
  for (const m of s.methods) {
    const mname = `${full}.${m.name}`;
    cut(`delete method ${mname}`, m.span);
    if (m.inputStream !== undefined) {
      replace(`make ${mname} client unary`, ts.start[m.inputStream], ts.end[m.inputStream] + 1, "");
    } else {
      replace(
        `make ${mname} client streaming`,
        ts.start[m.inputSpan.s],
        ts.start[m.inputSpan.s],
        "stream ",
      );
    }
    if (m.outputStream !== undefined) {
      replace(
        `make ${mname} server unary`,
        ts.start[m.outputStream],
        ts.end[m.outputStream] + 1,
        "",
      );
    } else {
      replace(
        `make ${mname} server streaming`,
        ts.start[m.outputSpan.s],
        ts.start[m.outputSpan.s],
        "stream ",
      );
    }
    const other = messages.find((x) => x.full !== m.input.replace(/^\./, ""));
    if (other) {
      replace(
        `change request type of ${mname}`,
        ts.start[m.inputSpan.s],
        ts.end[m.inputSpan.e],
        "." + other.full,
      );
    }
    replace(`rename method ${mname}`, ts.start[m.nameTok], ts.end[m.nameTok], m.name + "Renamed");
    if (!m.hasBody) {
      const semi = m.span.e;
      replace(
        `set idempotency_level on ${mname}`,
        ts.start[semi],
        ts.end[semi],
        " { option idempotency_level = NO_SIDE_EFFECTS; }",
      );
    }
  }
}

/** `count` mutations picked with `seed` from all of `files` (name → text), stable across runs. */
export function sampleMutations(
  files: [string, string][],
  count: number,
  seed: number,
): { file: string; mutation: Mutation }[] {
  const all: { file: string; mutation: Mutation }[] = [];
  for (const [file, text] of files) {
    for (const mutation of mutationsOf(file, text)) all.push({ file, mutation });
  }
  const next = rng(seed);
  const picked: { file: string; mutation: Mutation }[] = [];
  const pool = all.slice();
  while (picked.length < count && pool.length) {
    const i = Math.floor(next() * pool.length);
    picked.push(pool[i]);
    pool.splice(i, 1);
  }
  return picked;
}

export type { FieldAst };
