/**
 * SourceCodeInfo: spans and comments of declarations.
 *
 * Comments are attributed to tokens in one pass over the token stream, with
 * the rules buf applies (which follow protoc's): a comment on the same line
 * as the previous token trails it; the paragraph right above a token leads
 * it; paragraphs separated by blank lines are detached. Locations are sorted
 * by span, with the whole-file location first, as `buf build` emits them.
 *
 * @module
 */

import { create } from "@bufbuild/protobuf";
import {
  type SourceCodeInfo,
  type SourceCodeInfo_Location,
  SourceCodeInfo_LocationSchema,
  SourceCodeInfoSchema,
} from "@bufbuild/protobuf/wkt";
import type { Span } from "./ast.ts";
import { Tok, type TokenStream } from "./lexer.ts";

interface Attributed {
  leading?: number[];
  trailing?: number[];
  detached?: number[][];
}

/** Comments attributed to the significant tokens of one file. */
export class CommentIndex {
  readonly ts: TokenStream;
  readonly byToken = new Map<number, Attributed>();
  /** For each `}` token, the matching `{`. */
  readonly openOf = new Map<number, number>();

  constructor(ts: TokenStream) {
    this.ts = ts;
    this.#attribute();
  }

  #nlb(a: number, b: number, limit: number): number {
    const n = this.ts.line[b] - this.ts.endLine[a];
    return n < limit ? n : limit;
  }

  #get(t: number): Attributed {
    let a = this.byToken.get(t);
    if (!a) this.byToken.set(t, a = {});
    return a;
  }

  #attribute(): void {
    const ts = this.ts;
    let tracked: number[][] = [];
    let current: number[] = [];
    let prev = -1;
    let sameLine = false;
    const braces: number[] = [];
    const close = () => {
      for (const t of current) {
        if (ts.kind[t] === Tok.Comment) {
          tracked.push(current);
          break;
        }
      }
      current = [];
    };
    for (let t = 0; t < ts.count; t++) {
      const k = ts.kind[t];
      if (k === Tok.Eof) break;
      if (k === Tok.Comment) {
        const isLine = ts.text.charCodeAt(ts.start[t] + 1) === 47;
        if (!isLine) {
          close();
          current.push(t);
          close();
          continue;
        }
        current.push(t);
        if (current.length > 1) continue;
        if (prev >= 0 && this.#nlb(prev, t, 1) === 0) {
          close();
          sameLine = true;
        }
        continue;
      }
      if (k === Tok.Newline) {
        if (current.length === 0) continue;
        if (ts.kind[current[current.length - 1]] === Tok.Newline) close();
        else current.push(t);
        continue;
      }
      // A significant token.
      if (k === Tok.Symbol) {
        const c = ts.text.charCodeAt(ts.start[t]);
        if (c === 123) braces.push(t);
        else if (c === 125 && braces.length > 0) this.openOf.set(t, braces.pop()!);
      }
      close();
      const p = prev;
      prev = t;
      if (tracked.length === 0) continue;
      let donate = false;
      if (p < 0) donate = false;
      else if (sameLine) donate = true;
      else if (this.#nlb(p, tracked[0][0], 2) < 2) {
        if (tracked.length > 1) donate = true;
        else if (k === Tok.Symbol && ")]}".includes(ts.text[ts.start[t]])) donate = true;
        else {
          const first = tracked[0];
          if (this.#nlb(first[first.length - 1], t, 2) > 1) donate = true;
        }
      }
      if (donate) {
        this.#get(p).trailing = tracked[0];
        tracked = tracked.slice(1);
      }
      if (tracked.length > 0) {
        const last = tracked[tracked.length - 1];
        if (this.#nlb(last[last.length - 1], t, 2) === 1) {
          this.#get(t).leading = last;
          tracked = tracked.slice(0, -1);
        }
      }
      for (let i = 0; i < tracked.length; i++) {
        const rem = tracked[i];
        let pv = rem[0] - 1;
        while (pv >= 0 && ts.kind[pv] === Tok.Newline) pv--;
        if (pv >= 0 && this.#nlb(pv, rem[0], 2) < 2) continue;
        const lastTok = rem[rem.length - 1];
        let nx = lastTok + 1;
        while (nx < ts.count && ts.kind[nx] === Tok.Newline) nx++;
        // At the top of the file, what is not leading is detached.
        if (
          pv < 0 || (nx < ts.count && ts.kind[nx] !== Tok.Eof && this.#nlb(lastTok, nx, 2) === 2)
        ) {
          this.#get(t).detached = tracked.slice(i);
          break;
        }
      }
      sameLine = false;
      tracked = [];
    }
  }

  /** The text of a comment paragraph, as protoc reports it. */
  paragraphText(p: number[]): string {
    const ts = this.ts;
    let out = "";
    for (const t of p) {
      if (ts.kind[t] === Tok.Newline) {
        out += "\n";
        continue;
      }
      const text = ts.textOf(t);
      if (text[1] === "/") {
        out += text.slice(2);
        continue;
      }
      const body = text.slice(2, text.endsWith("*/") && text.length >= 4 ? -2 : undefined);
      const lines = body.split("\n");
      for (let i = 0; i < lines.length; i++) {
        let line = lines[i];
        if (i > 0) {
          let j = 0;
          while (j < line.length && isNonNewlineSpace(line.charCodeAt(j))) j++;
          line = line.slice(j);
          if (line[0] === "*") line = line.slice(1);
        }
        out += line;
        if (i < lines.length - 1) out += "\n";
      }
    }
    return out;
  }
}

function isNonNewlineSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 11 || c === 12 || c === 0x85 || c === 0xa0;
}

/** Collects locations while descriptors are built. */
export class SourceInfoRecorder {
  readonly ts: TokenStream;
  readonly comments: CommentIndex;
  readonly locations: SourceCodeInfo_Location[] = [];
  /** The current path prefix. */
  path: number[] = [];
  /** While > 0, nothing is recorded (map entries, synthesized fields). */
  suppressed = 0;

  constructor(ts: TokenStream) {
    this.ts = ts;
    this.comments = new CommentIndex(ts);
  }

  /** Runs `f` with `parts` appended to the path. */
  in(parts: number[], f: () => void): void {
    const n = this.path.length;
    for (const p of parts) this.path.push(p);
    f();
    this.path.length = n;
  }

  /** The span array of a token range. */
  spanOf(s: number, e: number): number[] {
    const ts = this.ts;
    const sl = ts.line[s];
    const sc = ts.column(ts.start[s], sl);
    const el = ts.endLine[e];
    const ec = ts.column(ts.end[e], el);
    return sl === el ? [sl, sc, ec] : [sl, sc, el, ec];
  }

  /** Records a location without comments. */
  span(span: Span | undefined, ...path: number[]): void {
    this.record(span, false, path);
  }

  /** Records a location with comments. */
  comment(span: Span | undefined, ...path: number[]): void {
    this.record(span, true, path);
  }

  /** Records a location, with comments when `withComments`. */
  record(span: Span | undefined, withComments: boolean, path: number[]): void {
    if (this.suppressed > 0 || span === undefined) return;
    const loc = create(SourceCodeInfo_LocationSchema, {
      path: path.length ? this.path.concat(path) : this.path.slice(),
      span: this.spanOf(span.s, span.e),
    });
    this.locations.push(loc);
    if (!withComments) return;
    const c = this.comments;
    const lead = c.byToken.get(span.s);
    if (lead?.leading) loc.leadingComments = c.paragraphText(lead.leading);
    if (lead?.detached) loc.leadingDetachedComments = lead.detached.map((p) => c.paragraphText(p));
    const end = c.openOf.get(span.e) ?? span.e;
    const trail = c.byToken.get(end);
    if (trail?.trailing) loc.trailingComments = c.paragraphText(trail.trailing);
  }

  /** Sorts the locations and adds the whole-file location first. */
  finish(first: number, last: number): SourceCodeInfo {
    // Array.prototype.sort is stable, so equal spans keep recording order.
    const locs = this.locations.sort((a, b) => compareSpans(a.span, b.span));
    const root = create(SourceCodeInfo_LocationSchema, {
      span: first < 0 ? [0, 0, 0] : this.spanOf(first, last),
    });
    locs.unshift(root);
    return create(SourceCodeInfoSchema, { location: locs });
  }
}

function compareSpans(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}
