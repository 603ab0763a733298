// String, character and symbol builtins (strings are immutable JS strings; symbols are
// interned in the compilation's SymbolTable).

import { Char, type Datum, NIL, Sym, T } from "../sexp.ts";
import { type BuiltinRow, bool, bounds, char, kwargs, str, stringDesignator, sym, symbolName } from "./check.ts";
import { index } from "./builtins_num.ts";
import type { Interp } from "./interp.ts";
import { seqItems } from "./types.ts";

/** Longest string the interpreter builds. */
export const MAX_STRING = 16 * 1024 * 1024;

const chr = (ip: Interp, s: string): Char => ip.keys.char(s.codePointAt(0)!);
const up = (c: string): string => (c.toUpperCase().length === c.length ? c.toUpperCase() : c);
const down = (c: string): string => (c.toLowerCase().length === c.length ? c.toLowerCase() : c);
const isAlpha = (c: string): boolean => /\p{L}/u.test(c);
const isUpper = (c: string): boolean => isAlpha(c) && c === up(c) && c !== down(c);
const isLower = (c: string): boolean => isAlpha(c) && c === down(c) && c !== up(c);

/** Compare two string designators for string=, string<, … (with :start1 … :end2). */
function compareRow(name: string, fold: boolean, ok: (cmp: number) => boolean, returnsIndex: boolean): BuiltinRow {
  return [name, 2, Infinity, (ip, [x, y, ...rest]) => {
    const opts = kwargs(ip, rest, 0, [":START1", ":END1", ":START2", ":END2"], name);
    const a0 = stringDesignator(ip, x, name), b0 = stringDesignator(ip, y, name);
    const [s1, e1] = bounds(ip, opts, a0.length, name, ":START1", ":END1");
    const [s2, e2] = bounds(ip, opts, b0.length, name, ":START2", ":END2");
    let a = a0.slice(s1, e1), b = b0.slice(s2, e2);
    if (fold) {
      a = a.toLowerCase();
      b = b.toLowerCase();
    }
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    const cmp = i < a.length && i < b.length ? (a[i] < b[i] ? -1 : 1) : a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
    if (!ok(cmp)) return NIL;
    return returnsIndex ? BigInt(s1 + i) : T;
  }];
}

function caseRow(name: string, f: (s: string) => string): BuiltinRow {
  return [name, 1, 5, (ip, [x, ...rest]) => {
    const s = stringDesignator(ip, x, name);
    const [start, end] = bounds(ip, kwargs(ip, rest, 0, [":START", ":END"], name), s.length, name);
    return s.slice(0, start) + f(s.slice(start, end)) + s.slice(end);
  }];
}

const capitalize = (s: string): string =>
  s.toLowerCase().replace(/[\p{L}\p{N}]+/gu, (w) => w[0].toUpperCase() + w.slice(1));

function trimRow(name: string, left: boolean, right: boolean): BuiltinRow {
  return [name, 2, 2, (ip, [bag, x]) => {
    const chars = new Set(seqItems(ip, bag, name).map((c) => String.fromCodePoint(char(ip, c, name).code)));
    const s = stringDesignator(ip, x, name);
    const cs = [...s];
    let i = 0, j = cs.length;
    if (left) while (i < j && chars.has(cs[i])) i++;
    if (right) while (j > i && chars.has(cs[j - 1])) j--;
    return cs.slice(i, j).join("");
  }];
}

function charCompare(name: string, fold: boolean, ok: (c: number) => boolean, allPairs = false): BuiltinRow {
  return [name, 1, Infinity, (ip, args) => {
    const codes = args.map((c) => {
      const code = char(ip, c, name).code;
      return fold ? down(String.fromCodePoint(code)).codePointAt(0)! : code;
    });
    for (let i = 0; i < codes.length; i++) {
      for (let j = i + 1; j < (allPairs ? codes.length : Math.min(i + 2, codes.length)); j++) {
        if (!ok(Math.sign(codes[i] - codes[j]))) return NIL;
      }
    }
    return T;
  }];
}

function digitValue(c: string, radix: number): number | undefined {
  const v = parseInt(c, 36);
  return Number.isNaN(v) || v >= radix ? undefined : v;
}

function parseInteger(ip: Interp, [x, ...rest]: Datum[]): Datum {
  const s = str(ip, x, "PARSE-INTEGER");
  const opts = kwargs(ip, rest, 0, [":START", ":END", ":RADIX", ":JUNK-ALLOWED"], "PARSE-INTEGER");
  const [start, end] = bounds(ip, opts, s.length, "PARSE-INTEGER");
  const radixOpt = opts.get(":RADIX") ?? 10n;
  const radix = typeof radixOpt === "bigint" && radixOpt >= 2n && radixOpt <= 36n ? Number(radixOpt) : ip.typeError("PARSE-INTEGER", "a radix between 2 and 36", radixOpt);
  const junk = (opts.get(":JUNK-ALLOWED") ?? NIL) !== NIL;
  let i = start;
  while (i < end && /\s/.test(s[i])) i++;
  let sign = 1n;
  if (s[i] === "+" || s[i] === "-") sign = s[i++] === "-" ? -1n : 1n;
  let n = 0n, digits = 0;
  while (i < end && digitValue(s[i], radix) !== undefined) {
    n = n * BigInt(radix) + BigInt(digitValue(s[i], radix)!);
    digits++;
    i++;
  }
  let j = i;
  while (j < end && /\s/.test(s[j])) j++;
  if (!junk && (digits === 0 || j < end)) {
    ip.fail(`Function "PARSE-INTEGER" could not parse ${JSON.stringify(s.slice(start, end))} as an integer`, "PARSE-ERROR");
  }
  const value = digits ? sign * n : NIL;
  ip.mv = [value, BigInt(junk ? i : j)];
  return value;
}

function intern(ip: Interp, [x, pkg]: Datum[]): Datum {
  const name = str(ip, x, "INTERN");
  const keyword = pkg !== undefined && stringDesignator(ip, pkg, "INTERN").toUpperCase() === "KEYWORD";
  const full = keyword ? ":" + name : name;
  const existed = ip.symbols.find(full) !== undefined;
  const s = ip.symbols.intern(full);
  ip.mv = [s, existed ? ip.symbols.intern(keyword ? ":EXTERNAL" : ":INTERNAL") : NIL];
  return s;
}

export const STRING_BUILTINS: readonly BuiltinRow[] = Object.freeze([
  ["STRINGP", 1, 1, (_ip, [x]) => bool(typeof x === "string")],
  ["CHARACTERP", 1, 1, (_ip, [x]) => bool(x instanceof Char)],
  ["SYMBOLP", 1, 1, (_ip, [x]) => bool(x instanceof Sym)],
  ["KEYWORDP", 1, 1, (_ip, [x]) => bool(x instanceof Sym && x.keyword)],
  ["STRING", 1, 1, (ip, [x]) => stringDesignator(ip, x, "STRING")],
  ["MAKE-STRING", 1, 5, (ip, [n, ...rest]) => {
    const k = index(ip, n, "MAKE-STRING");
    if (k > MAX_STRING) ip.fail("String too long");
    ip.tick(k >> 6);
    const init = kwargs(ip, rest, 0, [":INITIAL-ELEMENT", ":ELEMENT-TYPE"], "MAKE-STRING").get(":INITIAL-ELEMENT");
    return String.fromCodePoint(init === undefined ? 32 : char(ip, init, "MAKE-STRING").code).repeat(k);
  }],
  compareRow("STRING=", false, (c) => c === 0, false),
  compareRow("STRING/=", false, (c) => c !== 0, true),
  compareRow("STRING<", false, (c) => c < 0, true),
  compareRow("STRING>", false, (c) => c > 0, true),
  compareRow("STRING<=", false, (c) => c <= 0, true),
  compareRow("STRING>=", false, (c) => c >= 0, true),
  compareRow("STRING-EQUAL", true, (c) => c === 0, false),
  compareRow("STRING-NOT-EQUAL", true, (c) => c !== 0, true),
  compareRow("STRING-LESSP", true, (c) => c < 0, true),
  compareRow("STRING-GREATERP", true, (c) => c > 0, true),
  caseRow("STRING-UPCASE", (s) => s.toUpperCase()),
  caseRow("STRING-DOWNCASE", (s) => s.toLowerCase()),
  caseRow("STRING-CAPITALIZE", capitalize),
  caseRow("NSTRING-UPCASE", (s) => s.toUpperCase()),
  caseRow("NSTRING-DOWNCASE", (s) => s.toLowerCase()),
  caseRow("NSTRING-CAPITALIZE", capitalize),
  trimRow("STRING-TRIM", true, true),
  trimRow("STRING-LEFT-TRIM", true, false),
  trimRow("STRING-RIGHT-TRIM", false, true),
  ...["CHAR", "SCHAR"].map((name): BuiltinRow => [name, 2, 2, (ip, [s, i]) => {
    const x = str(ip, s, name);
    const k = index(ip, i, name);
    if (k >= x.length) ip.fail(`Index ${k} out of bounds for ${name} (length ${x.length})`, "TYPE-ERROR");
    return ip.keys.char(x.charCodeAt(k));
  }]),
  ["PARSE-INTEGER", 1, Infinity, parseInteger, true],
  ["WRITE-TO-STRING", 1, Infinity, (ip, [x, ...rest]) => {
    const escape = kwargs(ip, rest, 0, [":ESCAPE", ":READABLY", ":PRETTY", ":BASE", ":RADIX", ":CASE", ":LEVEL", ":LENGTH", ":CIRCLE"], "WRITE-TO-STRING").get(":ESCAPE");
    return ip.print(x, escape !== NIL);
  }],
  ["PRIN1-TO-STRING", 1, 1, (ip, [x]) => ip.print(x, true)],
  ["PRINC-TO-STRING", 1, 1, (ip, [x]) => ip.print(x, false)],
  ["INTERN", 1, 2, intern, true],
  ["FIND-SYMBOL", 1, 2, (ip, [x]) => ip.symbols.find(str(ip, x, "FIND-SYMBOL")) ?? NIL],
  ["MAKE-SYMBOL", 1, 1, (ip, [x]) => new Sym(str(ip, x, "MAKE-SYMBOL"), false)],
  ["COPY-SYMBOL", 1, 2, (ip, [x]) => new Sym(sym(ip, x, "COPY-SYMBOL").name, false)],
  ["SYMBOL-NAME", 1, 1, (ip, [x]) => symbolName(sym(ip, x, "SYMBOL-NAME"))],
  ["SYMBOL-PACKAGE", 1, 1, (ip, [x]) => {
    const s = sym(ip, x, "SYMBOL-PACKAGE");
    if (!s.interned) return NIL;
    return ip.symbols.intern(s.keyword ? ":KEYWORD" : ":COMMON-LISP-USER");
  }],
  ["GENSYM", 0, 1, (ip, [x]) => {
    if (x === undefined) return ip.symbols.gensym("G");
    if (typeof x === "string") return ip.symbols.gensym(x);
    return new Sym(`G${index(ip, x, "GENSYM")}`, false);
  }],
  ["GENTEMP", 0, 1, (ip, [x]) => {
    const prefix = x === undefined ? "T" : str(ip, x, "GENTEMP");
    for (;;) {
      ip.tick();
      const name = `${prefix}${++ip.gentempCounter}`;
      if (!ip.symbols.find(name)) return ip.symbols.intern(name);
    }
  }],
  ["CHAR-CODE", 1, 1, (ip, [c]) => BigInt(char(ip, c, "CHAR-CODE").code)],
  ["CHAR-INT", 1, 1, (ip, [c]) => BigInt(char(ip, c, "CHAR-INT").code)],
  ["CODE-CHAR", 1, 1, (ip, [n]) => {
    const k = index(ip, n, "CODE-CHAR");
    return k <= 0x10ffff ? ip.keys.char(k) : NIL;
  }],
  ["CHARACTER", 1, 1, (ip, [x]) => {
    if (x instanceof Char) return x;
    const s = stringDesignator(ip, x, "CHARACTER");
    if ([...s].length !== 1) ip.typeError("CHARACTER", "a character designator", x);
    return chr(ip, s);
  }],
  ["CHAR-UPCASE", 1, 1, (ip, [c]) => chr(ip, up(String.fromCodePoint(char(ip, c, "CHAR-UPCASE").code)))],
  ["CHAR-DOWNCASE", 1, 1, (ip, [c]) => chr(ip, down(String.fromCodePoint(char(ip, c, "CHAR-DOWNCASE").code)))],
  ["ALPHA-CHAR-P", 1, 1, (ip, [c]) => bool(isAlpha(String.fromCodePoint(char(ip, c, "ALPHA-CHAR-P").code)))],
  ["ALPHANUMERICP", 1, 1, (ip, [c]) => bool(/[\p{L}\p{N}]/u.test(String.fromCodePoint(char(ip, c, "ALPHANUMERICP").code)))],
  ["UPPER-CASE-P", 1, 1, (ip, [c]) => bool(isUpper(String.fromCodePoint(char(ip, c, "UPPER-CASE-P").code)))],
  ["LOWER-CASE-P", 1, 1, (ip, [c]) => bool(isLower(String.fromCodePoint(char(ip, c, "LOWER-CASE-P").code)))],
  ["BOTH-CASE-P", 1, 1, (ip, [c]) => {
    const s = String.fromCodePoint(char(ip, c, "BOTH-CASE-P").code);
    return bool(isUpper(s) || isLower(s));
  }],
  ["GRAPHIC-CHAR-P", 1, 1, (ip, [c]) => bool(char(ip, c, "GRAPHIC-CHAR-P").code >= 32 && (c as Char).code !== 127)],
  ["DIGIT-CHAR-P", 1, 2, (ip, [c, r]) => {
    const radix = r === undefined ? 10 : index(ip, r, "DIGIT-CHAR-P");
    const v = digitValue(String.fromCodePoint(char(ip, c, "DIGIT-CHAR-P").code), radix);
    return v === undefined ? NIL : BigInt(v);
  }],
  ["DIGIT-CHAR", 1, 2, (ip, [n, r]) => {
    const radix = r === undefined ? 10 : index(ip, r, "DIGIT-CHAR");
    const v = index(ip, n, "DIGIT-CHAR");
    return v < radix ? chr(ip, v.toString(36).toUpperCase()) : NIL;
  }],
  ["CHAR-NAME", 1, 1, (ip, [c]) => {
    const names: Record<number, string> = { 32: "Space", 10: "Newline", 9: "Tab", 13: "Return", 0: "Nul", 8: "Backspace", 127: "Rubout", 12: "Page" };
    return names[char(ip, c, "CHAR-NAME").code] ?? NIL;
  }],
  charCompare("CHAR=", false, (c) => c === 0),
  charCompare("CHAR/=", false, (c) => c !== 0, true),
  charCompare("CHAR<", false, (c) => c < 0),
  charCompare("CHAR>", false, (c) => c > 0),
  charCompare("CHAR<=", false, (c) => c <= 0),
  charCompare("CHAR>=", false, (c) => c >= 0),
  charCompare("CHAR-EQUAL", true, (c) => c === 0),
  charCompare("CHAR-NOT-EQUAL", true, (c) => c !== 0, true),
  charCompare("CHAR-LESSP", true, (c) => c < 0),
  charCompare("CHAR-GREATERP", true, (c) => c > 0),
]);
