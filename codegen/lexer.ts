/**
 * The .proto tokenizer. It keeps every token a source position or a comment
 * could need — comments and newlines too — in parallel typed arrays, so that
 * the whole googleapis corpus lexes without allocating one object per token.
 *
 * @module
 */

/** Token kinds of {@link TokenStream}. */
export const Tok = {
  Eof: 0,
  Ident: 1,
  Int: 2,
  Float: 3,
  String: 4,
  Symbol: 5,
  Comment: 6,
  Newline: 7,
  Error: 8,
} as const;

/** One of the {@link Tok} values. */
export type TokKind = typeof Tok[keyof typeof Tok];

/** A problem found while lexing, with a 0-based position. */
export interface LexError {
  /** Offset of the problem in the source text. */
  offset: number;
  /** What is wrong. */
  message: string;
}

/**
 * The tokens of one source file. Token `i` spans `text.slice(start[i],
 * end[i])`. `significant` lists the indexes of the tokens the parser reads
 * (everything but comments and newlines), ending with the end-of-file token.
 */
export class TokenStream {
  /** The source text. */
  readonly text: string;
  /** Number of tokens. */
  count = 0;
  /** Kind of each token. */
  kind: Uint8Array;
  /** Start offset of each token. */
  start: Int32Array;
  /** End offset (exclusive) of each token. */
  end: Int32Array;
  /** 0-based line of each token's first character. */
  line: Int32Array;
  /** 0-based line of each token's last character. */
  endLine: Int32Array;
  /** Indexes of the tokens the parser reads. */
  significant: number[] = [];
  /** Offsets at which lines start. */
  lineStarts: number[] = [0];
  /** Problems found while lexing. */
  errors: LexError[] = [];
  #lineWidthKnown: Uint8Array | undefined;

  constructor(text: string) {
    this.text = text;
    const guess = Math.max(16, text.length >> 3);
    this.kind = new Uint8Array(guess);
    this.start = new Int32Array(guess);
    this.end = new Int32Array(guess);
    this.line = new Int32Array(guess);
    this.endLine = new Int32Array(guess);
  }

  /** Appends a token and returns its index. */
  push(kind: TokKind, start: number, end: number, line: number, endLine: number): number {
    if (this.count === this.kind.length) this.#grow();
    const i = this.count++;
    this.kind[i] = kind;
    this.start[i] = start;
    this.end[i] = end;
    this.line[i] = line;
    this.endLine[i] = endLine;
    if (kind !== Tok.Comment && kind !== Tok.Newline) this.significant.push(i);
    return i;
  }

  #grow(): void {
    const n = this.kind.length * 2;
    const k = new Uint8Array(n);
    k.set(this.kind);
    this.kind = k;
    for (const key of ["start", "end", "line", "endLine"] as const) {
      const a = new Int32Array(n);
      a.set(this[key]);
      this[key] = a;
    }
  }

  /** The text of token `i`. */
  textOf(i: number): string {
    return this.text.slice(this.start[i], this.end[i]);
  }

  /**
   * The 0-based display column of `offset` on 0-based line `line`, measured
   * the way buf measures it: tabs advance to the next multiple of 4, wide
   * East Asian characters count two, combining marks count zero.
   */
  column(offset: number, line: number): number {
    const ls = this.lineStarts[line];
    if (this.#lineWidthKnown === undefined) {
      this.#lineWidthKnown = new Uint8Array(this.lineStarts.length);
    }
    let known = this.#lineWidthKnown[line];
    if (known === 0) {
      known = 1;
      const next = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] : this.text.length;
      for (let i = ls; i < next; i++) {
        const c = this.text.charCodeAt(i);
        if (c === 9 || c >= 0x300) {
          known = 2;
          break;
        }
      }
      this.#lineWidthKnown[line] = known;
    }
    if (known === 1) return offset - ls;
    let col = 0;
    for (let i = ls; i < offset; i++) {
      const c = this.text.charCodeAt(i);
      if (c === 9) col += 4 - (col % 4);
      else if (c >= 0xdc00 && c <= 0xdfff) continue;
      else if (c >= 0xd800 && c <= 0xdbff) {
        const cp = ((c - 0xd800) << 10) + (this.text.charCodeAt(i + 1) - 0xdc00) + 0x10000;
        col += codePointWidth(cp);
      } else col += codePointWidth(c);
    }
    return col;
  }

  /** The 0-based line containing `offset`. */
  lineOf(offset: number): number {
    const ls = this.lineStarts;
    let lo = 0, hi = ls.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ls[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

function codePointWidth(cp: number): number {
  if (cp < 0x300) return 1;
  if (
    (cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x20d0 && cp <= 0x20ff) || (cp >= 0xfe00 && cp <= 0xfe0f) || cp === 0xfeff
  ) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) || (cp >= 0x20000 && cp <= 0x3fffd)
  ) return 2;
  return 1;
}

const SYMBOLS = ";,.:=-+(){}[]<>/";

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

/** Splits `text` into tokens. Never throws; problems land in `errors`. */
export function tokenize(text: string): TokenStream {
  const ts = new TokenStream(text);
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      ts.push(Tok.Newline, i, i + 1, line, line);
      i++;
      line++;
      ts.lineStarts.push(i);
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) {
      i++;
      continue;
    }
    const s = i;
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      ts.push(Tok.Ident, s, i, line, line);
      continue;
    }
    if ((c >= 48 && c <= 57) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      let isFloat = c === 46;
      let hex = false;
      if (c === 48 && (text.charCodeAt(i + 1) | 32) === 120) {
        hex = true;
        i += 2;
      } else i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (isDigit(d) || (hex && isHex(d))) i++;
        else if (!hex && d === 46) {
          isFloat = true;
          i++;
        } else if (!hex && (d | 32) === 101) {
          isFloat = true;
          i++;
          const sign = text.charCodeAt(i);
          if (sign === 43 || sign === 45) i++;
        } else if (isIdentPart(d)) {
          // protoc rejects "123abc"; swallow it into one bad token.
          while (i < n && isIdentPart(text.charCodeAt(i))) i++;
          ts.errors.push({ offset: s, message: "Need space between number and identifier." });
          break;
        } else break;
      }
      ts.push(isFloat ? Tok.Float : Tok.Int, s, i, line, line);
      continue;
    }
    if (c === 34 || c === 39) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === c) {
          i++;
          break;
        }
        if (d === 10) {
          ts.errors.push({ offset: s, message: "String literals cannot cross line boundaries." });
          break;
        }
        if (d === 92) i += 2;
        else i++;
      }
      if (i > n) i = n;
      ts.push(Tok.String, s, i, line, line);
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 47) {
      i += 2;
      while (i < n && text.charCodeAt(i) !== 10) i++;
      ts.push(Tok.Comment, s, i, line, line);
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const startLine = line;
      i += 2;
      let closed = false;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 42 && text.charCodeAt(i + 1) === 47) {
          i += 2;
          closed = true;
          break;
        }
        if (d === 10) {
          line++;
          ts.lineStarts.push(i + 1);
        }
        i++;
      }
      if (!closed) ts.errors.push({ offset: s, message: "End-of-file inside block comment." });
      ts.push(Tok.Comment, s, i, startLine, line);
      continue;
    }
    if (SYMBOLS.indexOf(text[i]) >= 0) {
      i++;
      ts.push(Tok.Symbol, s, i, line, line);
      continue;
    }
    i++;
    if (c >= 0xd800 && c <= 0xdbff) i++;
    ts.errors.push({ offset: s, message: `Invalid character "${text.slice(s, i)}".` });
  }
  ts.push(Tok.Eof, n, n, line, line);
  return ts;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHex(c: number): boolean {
  return isDigit(c) || ((c | 32) >= 97 && (c | 32) <= 102);
}
