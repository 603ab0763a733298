// The reader: Common Lisp syntax to datums, every list and element keeping its source span.

import { type Span, fail } from "./diag.ts";
import { Char, Cons, type Datum, NIL, Sym, SymbolTable, Vector, list } from "./sexp.ts";

const CHAR_NAMES: Record<string, number> = {
  SPACE: 32, NEWLINE: 10, TAB: 9, RETURN: 13, LINEFEED: 10, NUL: 0, NULL: 0, BACKSPACE: 8,
  RUBOUT: 127, DELETE: 127, PAGE: 12, ESCAPE: 27, ESC: 27, BELL: 7,
};

/** Features for #+ / #- conditionals. */
const FEATURES = new Set([":WHISTLER", ":BPF", ":EBPF"]);

const isDelimiter = (c: string | undefined): boolean =>
  c === undefined || /[\s()'"`,;]/.test(c);

/** A datum read at top level, with the span of the whole form. */
export interface ReadForm {
  datum: Datum;
  span: Span;
}

/** Read all top-level forms of `text`. Throws CompileError with a located diagnostic on bad syntax. */
export function readAll(text: string, file: string, symbols: SymbolTable): ReadForm[] {
  const r = new Reader(text, file, symbols);
  const out: ReadForm[] = [];
  for (;;) {
    r.skipAtmosphere();
    if (r.atEnd()) return out;
    const start = r.pos;
    const item = r.read();
    if (item === SKIP) continue;
    if (item.datum === DOT_TOKEN) fail("Unexpected '.' at top level", item.span);
    if (item.datum === CLOSE) fail("Unmatched ')'", item.span);
    out.push({ datum: item.datum, span: r.spanFrom(start) });
  }
}

const SKIP = Symbol("skip");
const CLOSE = new Sym(")", false);
const DOT_TOKEN = new Sym(".", false);

interface Item {
  datum: Datum;
  span: Span;
}

/** Deepest list nesting the reader accepts (the compiler's walks are recursive). */
const MAX_READ_DEPTH = 1000;

class Reader {
  pos = 0;
  private depth = 0;
  private readonly lineStarts: number[] = [0];

  constructor(private readonly text: string, private readonly file: string, private readonly symbols: SymbolTable) {
    for (let i = 0; i < text.length; i++) if (text[i] === "\n") this.lineStarts.push(i + 1);
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  spanFrom(start: number, end = this.pos): Span {
    let lo = 0, hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= start) lo = mid;
      else hi = mid - 1;
    }
    const startLineEnd = this.text.indexOf("\n", start);
    const lineEnd = startLineEnd < 0 ? this.text.length : startLineEnd;
    return { file: this.file, line: lo + 1, col: start - this.lineStarts[lo] + 1, len: Math.max(1, Math.min(end, lineEnd) - start) };
  }

  /** Skip whitespace and comments. */
  skipAtmosphere(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (c === ";") {
        while (this.pos < t.length && t[this.pos] !== "\n") this.pos++;
      } else if (c === "#" && t[this.pos + 1] === "|") {
        const start = this.pos;
        let depth = 1;
        this.pos += 2;
        while (depth > 0) {
          if (this.pos >= t.length) fail("Unterminated block comment '#|'", this.spanFrom(start, start + 2));
          if (t[this.pos] === "|" && t[this.pos + 1] === "#") { depth--; this.pos += 2; }
          else if (t[this.pos] === "#" && t[this.pos + 1] === "|") { depth++; this.pos += 2; }
          else this.pos++;
        }
      } else if (/\s/.test(c)) {
        this.pos++;
      } else return;
    }
  }

  /** Read one datum (or a CLOSE/DOT token, or SKIP for a #+/#- that dropped its form). */
  read(): Item | typeof SKIP {
    this.skipAtmosphere();
    const start = this.pos;
    const t = this.text;
    if (this.atEnd()) fail("Unexpected end of file", this.spanFrom(Math.max(0, start - 1)));
    const c = t[this.pos];
    switch (c) {
      case "(":
        return this.readList(start);
      case ")":
        this.pos++;
        return { datum: CLOSE, span: this.spanFrom(start) };
      case "'":
        return this.readPrefixed(start, "QUOTE", 1);
      case "`":
        return this.readPrefixed(start, "QUASIQUOTE", 1);
      case ",":
        return t[this.pos + 1] === "@"
          ? this.readPrefixed(start, "UNQUOTE-SPLICING", 2)
          : this.readPrefixed(start, "UNQUOTE", 1);
      case '"':
        return this.readString(start);
      case "#":
        return this.readDispatch(start);
    }
    return this.readToken(start);
  }

  private readRequired(what: string, start: number): Item {
    for (;;) {
      this.skipAtmosphere();
      if (this.atEnd()) fail(`Missing form after ${what}`, this.spanFrom(start));
      const item = this.read();
      if (item === SKIP) continue;
      if (item.datum === CLOSE || item.datum === DOT_TOKEN) fail(`Missing form after ${what}`, this.spanFrom(start));
      return item;
    }
  }

  private readPrefixed(start: number, name: string, width: number): Item {
    this.pos += width;
    const inner = this.readRequired(`'${this.text.slice(start, start + width)}'`, start);
    const cell = new Cons(this.symbols.intern(name), new Cons(inner.datum, NIL));
    const span = this.spanFrom(start);
    cell.span = span;
    cell.carSpan = this.spanFrom(start, start + width);
    (cell.cdr as Cons).carSpan = inner.span;
    return { datum: cell, span };
  }

  private readList(start: number): Item {
    if (++this.depth > MAX_READ_DEPTH) fail(`Lists nested too deeply (more than ${MAX_READ_DEPTH} levels)`, this.spanFrom(start, start + 1));
    try {
      return this.readListInner(start);
    } finally {
      this.depth--;
    }
  }

  private readListInner(start: number): Item {
    this.pos++;
    const head = new Cons(NIL, NIL);
    let tail = head;
    for (;;) {
      this.skipAtmosphere();
      if (this.atEnd()) fail("Unbalanced parentheses: '(' is never closed", this.spanFrom(start, start + 1));
      const item = this.read();
      if (item === SKIP) continue;
      if (item.datum === CLOSE) break;
      if (item.datum === DOT_TOKEN) {
        if (tail === head) fail("Nothing before '.' in a dotted list", item.span);
        const rest = this.readRequired("'.'", start);
        tail.cdr = rest.datum;
        this.skipAtmosphere();
        const close = this.atEnd() ? undefined : this.read();
        if (close === undefined || close === SKIP || close.datum !== CLOSE) {
          fail("Expected ')' after the tail of a dotted list", close && close !== SKIP ? close.span : this.spanFrom(start, start + 1));
        }
        break;
      }
      const cell = new Cons(item.datum, NIL);
      cell.carSpan = item.span;
      tail.cdr = cell;
      tail = cell;
    }
    const span = this.spanFrom(start);
    const result = head.cdr;
    if (result instanceof Cons) {
      result.span = span;
      return { datum: result, span };
    }
    return { datum: NIL, span };
  }

  private readString(start: number): Item {
    const t = this.text;
    this.pos++;
    let out = "";
    for (;;) {
      if (this.pos >= t.length) fail("Unterminated string", this.spanFrom(start, start + 1));
      const c = t[this.pos++];
      if (c === '"') break;
      if (c === "\\") {
        if (this.pos >= t.length) fail("Unterminated string", this.spanFrom(start, start + 1));
        out += t[this.pos++];
      } else out += c;
    }
    return { datum: out, span: this.spanFrom(start) };
  }

  private readDispatch(start: number): Item | typeof SKIP {
    const t = this.text;
    const sub = t[this.pos + 1];
    if (sub === undefined) fail("Unexpected end of file after '#'", this.spanFrom(start));
    switch (sub) {
      case "'":
        return this.readPrefixed(start, "FUNCTION", 2);
      case "\\": {
        this.pos += 2;
        const first = this.pos;
        if (this.atEnd()) fail("Missing character after '#\\'", this.spanFrom(start));
        this.pos++;
        while (!isDelimiter(t[this.pos])) this.pos++;
        const name = t.slice(first, this.pos);
        if ([...name].length === 1) return { datum: new Char(name.codePointAt(0)!), span: this.spanFrom(start) };
        const code = CHAR_NAMES[name.toUpperCase()];
        if (code === undefined) fail(`Unknown character name "#\\${name}"`, this.spanFrom(start));
        return { datum: new Char(code), span: this.spanFrom(start) };
      }
      case ":": {
        this.pos += 2;
        const tok = this.readTokenText();
        return { datum: new Sym(tok.name, false), span: this.spanFrom(start) };
      }
      case "x": case "X": return this.readRadix(start, 16, "#x");
      case "b": case "B": return this.readRadix(start, 2, "#b");
      case "o": case "O": return this.readRadix(start, 8, "#o");
      case "(": {
        this.pos += 1;
        const inner = this.readList(this.pos);
        const items: Datum[] = [];
        let d = inner.datum;
        while (d instanceof Cons) { items.push(d.car); d = d.cdr; }
        return { datum: new Vector(items), span: this.spanFrom(start) };
      }
      case "+": case "-": {
        this.pos += 2;
        const feature = this.readRequired(`'#${sub}'`, start);
        const form = this.readRequired(`'#${sub}' feature expression`, start);
        const has = this.featureTrue(feature.datum, feature.span);
        return has === (sub === "+") ? form : SKIP;
      }
    }
    fail(`Unknown reader syntax '#${sub}'`, this.spanFrom(start, start + 2));
  }

  private featureTrue(expr: Datum, span: Span): boolean {
    if (expr instanceof Sym) {
      const name = expr.name.startsWith(":") ? expr.name : `:${expr.name}`;
      return FEATURES.has(name);
    }
    if (expr instanceof Cons && expr.car instanceof Sym) {
      const args: Datum[] = [];
      let d = expr.cdr;
      while (d instanceof Cons) { args.push(d.car); d = d.cdr; }
      const op = expr.car.name.replace(/^:/, "");
      if (op === "AND") return args.every((a) => this.featureTrue(a, span));
      if (op === "OR") return args.some((a) => this.featureTrue(a, span));
      if (op === "NOT") return !this.featureTrue(args[0], span);
    }
    fail("Bad feature expression", span);
  }

  private readRadix(start: number, radix: number, prefix: string): Item {
    this.pos += 2;
    const first = this.pos;
    while (!isDelimiter(this.text[this.pos])) this.pos++;
    const digits = this.text.slice(first, this.pos).replace(/_/g, "");
    const neg = digits.startsWith("-");
    const body = digits.replace(/^[+-]/, "");
    const valid = { 16: /^[0-9a-f]+$/i, 2: /^[01]+$/, 8: /^[0-7]+$/ }[radix as 16 | 2 | 8];
    if (!body || !valid.test(body)) fail(`Bad number "${prefix}${digits}"`, this.spanFrom(start));
    const prefixJs = radix === 16 ? "0x" : radix === 2 ? "0b" : "0o";
    const v = BigInt(prefixJs + body);
    return { datum: neg ? -v : v, span: this.spanFrom(start) };
  }

  private readTokenText(): { name: string; escaped: boolean; raw: string } {
    const t = this.text;
    const first = this.pos;
    let name = "";
    let escaped = false;
    while (this.pos < t.length && !isDelimiter(t[this.pos])) {
      const c = t[this.pos];
      if (c === "|") {
        escaped = true;
        const open = this.pos++;
        while (t[this.pos] !== "|") {
          if (this.pos >= t.length) fail("Unterminated '|' in symbol", this.spanFrom(open, open + 1));
          name += t[this.pos++];
        }
        this.pos++;
      } else if (c === "\\") {
        escaped = true;
        this.pos++;
        if (this.pos < t.length) name += t[this.pos++];
      } else {
        name += c.toUpperCase();
        this.pos++;
      }
    }
    return { name, escaped, raw: t.slice(first, this.pos) };
  }

  private readToken(start: number): Item {
    const tok = this.readTokenText();
    const span = this.spanFrom(start);
    if (!tok.escaped) {
      if (tok.raw === ".") return { datum: DOT_TOKEN, span };
      const num = parseNumber(tok.raw);
      if (num !== undefined) return { datum: num, span };
      if (/^[+-]?\d+(\.\d*)?([eE][+-]?\d+)?$/.test(tok.raw)) fail(`Bad number "${tok.raw}"`, span);
    }
    let name = tok.name;
    // Package prefixes are ignored: whistler::foo and whistler:foo read as foo; :foo is a keyword.
    const colon = name.indexOf(":");
    if (colon > 0 && !tok.escaped) {
      name = name.slice(name.lastIndexOf(":") + 1);
      if (!name) fail(`Bad symbol "${tok.raw}"`, span);
    } else if (name.startsWith("::")) {
      name = name.slice(1);
    }
    if (name === ":") fail("Bad symbol ':'", span);
    return { datum: this.symbols.intern(name), span };
  }
}

/** Parse a decimal integer ("42", "-7", "+3", "10." ) or a float; undefined if not a number. */
export function parseNumber(raw: string): bigint | number | undefined {
  if (/^[+-]?\d+\.?$/.test(raw)) return BigInt(raw.replace(/\.$/, "").replace(/^\+/, ""));
  if (/^[+-]?(\d+\.\d+|\d*\.\d+|\d+)([eEdD][+-]?\d+)?$/.test(raw) && /[.eEdD]/.test(raw)) {
    return Number(raw.replace(/[dD]/, "e"));
  }
  return undefined;
}

export { list };
