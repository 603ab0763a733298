// S-expression data: symbols, cons cells with source spans, characters, and the printer.
// Symbols are interned per compilation (a SymbolTable), never in module state.

import type { Span } from "./diag.ts";

/** A symbol. Interned symbols are unique per name within one SymbolTable; gensyms are not. */
export class Sym {
  constructor(readonly name: string, readonly interned = true) {}
  get keyword(): boolean {
    return this.name.startsWith(":");
  }
  toString(): string {
    return this.interned ? this.name : `#:${this.name}`;
  }
}

/** Where a form made by a macro came from: the macro and its call site, innermost first. */
export interface Origin {
  macro: string;
  span?: Span;
  parent?: Origin;
}

/**
 * A cons cell. `span` is where the list starting here was read (or, for a list a macro built,
 * the macro's call site); `carSpan` where its car was; `origin` the macro expansion that made it.
 */
export class Cons {
  span?: Span;
  carSpan?: Span;
  origin?: Origin;
  constructor(public car: Datum, public cdr: Datum) {}
}

/** A character object (#\a). */
export class Char {
  constructor(readonly code: number) {}
}

/** A compile-time function value (closures and builtins of the interpreter). */
export interface Procedure {
  readonly procedure: true;
  readonly name: string;
}

/** A compile-time hash table. Keys are normalised by `test` (the interpreter owns hashing). */
export class HashTable {
  readonly entries = new Map<unknown, [Datum, Datum]>();
  constructor(readonly test: "eq" | "eql" | "equal" | "equalp") {}
}

/** A one-dimensional vector (#(…)), used only at compile time. */
export class Vector {
  constructor(public items: Datum[]) {}
}

/** Any Lisp value. Integers are bigint, floats number, strings JS strings. */
export type Datum = Sym | Cons | bigint | number | string | Char | Procedure | HashTable | Vector;

/** The empty list and false. Shared, immutable. */
export const NIL: Sym = Object.freeze(new Sym("NIL")) as Sym;
/** True. Shared, immutable. */
export const T: Sym = Object.freeze(new Sym("T")) as Sym;

/** Per-compilation symbol table. NIL and T are the shared constants. */
export class SymbolTable {
  private readonly table = new Map<string, Sym>([["NIL", NIL], ["T", T]]);
  private counter = 0;
  intern(name: string): Sym {
    let s = this.table.get(name);
    if (!s) {
      s = new Sym(name);
      this.table.set(name, s);
    }
    return s;
  }
  /** An uninterned fresh symbol (gensym). */
  gensym(prefix = "G"): Sym {
    this.counter += 1;
    return new Sym(`${prefix}${this.counter}`, false);
  }
  find(name: string): Sym | undefined {
    return this.table.get(name);
  }
}

export const isSym = (d: unknown): d is Sym => d instanceof Sym;
export const isCons = (d: unknown): d is Cons => d instanceof Cons;
export const isNil = (d: unknown): boolean => d === NIL;
export const isList = (d: unknown): d is Cons | Sym => d === NIL || d instanceof Cons;
export const isInt = (d: unknown): d is bigint => typeof d === "bigint";
export const isString = (d: unknown): d is string => typeof d === "string";
export const truthy = (d: Datum): boolean => d !== NIL;

/** True when `d` is the symbol named `name` (upper-case). */
export const isSymNamed = (d: unknown, name: string): boolean => d instanceof Sym && d.name === name;

/** Build a proper list. */
export function list(...items: Datum[]): Datum {
  let out: Datum = NIL;
  for (let i = items.length - 1; i >= 0; i--) out = new Cons(items[i], out);
  return out;
}

/** Build a list whose cells carry spans from `like` (used by expansions to keep locations). */
export function listWithSpan(span: Span | undefined, items: Datum[]): Datum {
  const l = list(...items);
  if (l instanceof Cons && span) l.span = span;
  return l;
}

/** Elements of a proper list (a dotted tail is ignored; use listTail to see it). */
export function toArray(d: Datum): Datum[] {
  const out: Datum[] = [];
  while (d instanceof Cons) {
    out.push(d.car);
    d = d.cdr;
  }
  return out;
}

/** The cells of a list, for walking with per-element spans. */
export function cells(d: Datum): Cons[] {
  const out: Cons[] = [];
  while (d instanceof Cons) {
    out.push(d);
    d = d.cdr;
  }
  return out;
}

/** True when the list is proper (ends in NIL). */
export function isProperList(d: Datum): boolean {
  let slow = d;
  while (d instanceof Cons) {
    d = d.cdr;
    if (!(d instanceof Cons)) break;
    d = d.cdr;
    slow = (slow as Cons).cdr;
    if (d === slow) return false;
  }
  return d === NIL;
}

/** Span of the datum at the head of `cell` (the car), falling back to the list's own span. */
export const spanOfCar = (cell: Cons): Span | undefined => cell.carSpan ?? (cell.car instanceof Cons ? cell.car.span : undefined);

/** Span of a datum when it is a list read from source. */
export const spanOf = (d: Datum): Span | undefined => (d instanceof Cons ? d.span : undefined);

const NAMED_CHARS: Record<number, string> = {
  32: "Space", 10: "Newline", 9: "Tab", 13: "Return", 0: "Nul", 8: "Backspace", 127: "Rubout", 12: "Page",
};

/** Print a datum. `readably` prints strings quoted and characters as #\x (like prin1). */
export function print(d: Datum, readably = true): string {
  if (d instanceof Sym) return d.name === "NIL" ? "NIL" : printSymbol(d);
  if (typeof d === "bigint") return d.toString();
  if (typeof d === "number") return Number.isInteger(d) ? d.toFixed(1) : String(d);
  if (typeof d === "string") return readably ? JSON.stringify(d).replace(/\\n/g, "\n") : d;
  if (d instanceof Char) {
    if (!readably) return String.fromCodePoint(d.code);
    return `#\\${NAMED_CHARS[d.code] ?? String.fromCodePoint(d.code)}`;
  }
  if (d instanceof Cons) return printList(d, readably);
  if (d instanceof Vector) return `#(${d.items.map((x) => print(x, readably)).join(" ")})`;
  if (d instanceof HashTable) return `#<HASH-TABLE :TEST ${d.test.toUpperCase()} :COUNT ${d.entries.size}>`;
  if (typeof d === "object" && d !== null && "procedure" in d) return `#<FUNCTION ${(d as Procedure).name}>`;
  return String(d);
}

function printSymbol(s: Sym): string {
  const body = /^[A-Z0-9+\-*/<>=!?%&$^_~.:@#\[\]{}]+$/.test(s.name) ? s.name : `|${s.name}|`;
  return s.interned ? body : `#:${body}`;
}

const QUOTE_PREFIX: Record<string, string> = {
  QUOTE: "'", QUASIQUOTE: "`", UNQUOTE: ",", "UNQUOTE-SPLICING": ",@", FUNCTION: "#'",
};

function printList(c: Cons, readably: boolean): string {
  if (c.car instanceof Sym && c.cdr instanceof Cons && c.cdr.cdr === NIL) {
    const p = QUOTE_PREFIX[c.car.name];
    if (p) return p + print(c.cdr.car, readably);
  }
  const parts: string[] = [];
  let d: Datum = c;
  while (d instanceof Cons) {
    parts.push(print(d.car, readably));
    d = d.cdr;
  }
  if (d !== NIL) parts.push(".", print(d, readably));
  return `(${parts.join(" ")})`;
}
