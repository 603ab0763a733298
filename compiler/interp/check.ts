// Argument helpers for builtins: the builtin row type, keyword-argument parsing, :test/:key
// functions and checked conversions (strings, characters, symbols).

import { Char, Cons, type Datum, NIL, Sym, T } from "../sexp.ts";
import { eql } from "./equality.ts";
import type { Interp } from "./interp.ts";

/** [name, min args, max args, implementation, sets multiple values]. */
export type BuiltinRow = readonly [string, number, number, (ip: Interp, args: Datum[]) => Datum, boolean?];

export const bool = (b: boolean): Datum => (b ? T : NIL);

/** A list of `items` ending in `tail` (no argument spreading, so any length works). */
export function fromArray(items: readonly Datum[], tail: Datum = NIL): Datum {
  let out = tail;
  for (let i = items.length - 1; i >= 0; i--) out = new Cons(items[i], out);
  return out;
}

/** Parse keyword arguments from `args[start..]`; unknown keywords are an error. */
export function kwargs(ip: Interp, args: Datum[], start: number, allowed: readonly string[], who: string): Map<string, Datum> {
  const out = new Map<string, Datum>();
  if ((args.length - start) % 2) ip.programError(`Function "${who}" got an odd number of keyword arguments`);
  for (let i = start; i < args.length; i += 2) {
    const k = args[i];
    if (!(k instanceof Sym) || !k.keyword || (!allowed.includes(k.name) && k.name !== ":ALLOW-OTHER-KEYS")) {
      ip.programError(`Function "${who}" got unknown keyword argument ${ip.show(k)}`);
    }
    if (!out.has((k as Sym).name)) out.set((k as Sym).name, args[i + 1]);
  }
  return out;
}

/** The :key function as a JS function (identity when absent or NIL). */
export function keyFn(ip: Interp, opts: Map<string, Datum>): (x: Datum) => Datum {
  const key = opts.get(":KEY");
  if (key === undefined || key === NIL) return (x) => x;
  const f = ip.toFunction(key);
  return (x) => ip.apply(f, [x]);
}

/** The two-argument test from :test / :test-not (default eql). */
export function testFn(ip: Interp, opts: Map<string, Datum>): (a: Datum, b: Datum) => boolean {
  const test = opts.get(":TEST");
  const testNot = opts.get(":TEST-NOT");
  if (testNot !== undefined && testNot !== NIL) {
    const f = ip.toFunction(testNot);
    return (a, b) => ip.apply(f, [a, b]) === NIL;
  }
  if (test === undefined || test === NIL) return eql;
  const f = ip.toFunction(test);
  if (f === ip.fdefs.get(ip.symbols.intern("EQL"))?.fn || f === ip.fdefs.get(ip.symbols.intern("EQ"))?.fn) return eql;
  return (a, b) => ip.apply(f, [a, b]) !== NIL;
}

/** A one-argument predicate as a JS function. */
export function pred(ip: Interp, f: Datum): (x: Datum) => boolean {
  const fn = ip.toFunction(f);
  return (x) => ip.apply(fn, [x]) !== NIL;
}

export function str(ip: Interp, x: Datum, who: string): string {
  if (typeof x === "string") return x;
  return ip.typeError(who, "a string", x);
}

/** A string designator: string, symbol (its name) or character. */
export function stringDesignator(ip: Interp, x: Datum, who: string): string {
  if (typeof x === "string") return x;
  if (x instanceof Sym) return symbolName(x);
  if (x instanceof Char) return String.fromCodePoint(x.code);
  return ip.typeError(who, "a string designator", x);
}

/** A symbol's name as Lisp sees it (keywords without the colon). */
export const symbolName = (s: Sym): string => (s.keyword ? s.name.slice(1) : s.name);

export function char(ip: Interp, x: Datum, who: string): Char {
  if (x instanceof Char) return x;
  return ip.typeError(who, "a character", x);
}

export function sym(ip: Interp, x: Datum, who: string): Sym {
  if (x instanceof Sym) return x;
  return ip.typeError(who, "a symbol", x);
}

export function cons(ip: Interp, x: Datum, who: string): Cons {
  if (x instanceof Cons) return x;
  return ip.typeError(who, "a cons", x);
}

/** car/cdr that accept NIL. */
export function car(ip: Interp, x: Datum, who: string): Datum {
  if (x instanceof Cons) return x.car;
  if (x === NIL) return NIL;
  return ip.typeError(who, "a list", x);
}
export function cdr(ip: Interp, x: Datum, who: string): Datum {
  if (x instanceof Cons) return x.cdr;
  if (x === NIL) return NIL;
  return ip.typeError(who, "a list", x);
}

/** :start/:end bounds for a sequence of length `len`. */
export function bounds(ip: Interp, opts: Map<string, Datum>, len: number, who: string, s = ":START", e = ":END"): [number, number] {
  const start = opts.get(s) ?? 0n;
  const end = opts.get(e) ?? NIL;
  if (typeof start !== "bigint" || start < 0n || start > BigInt(len)) ip.fail(`Function "${who}": bad ${s} ${ip.show(start)} for length ${len}`, "TYPE-ERROR");
  const en = end === NIL ? BigInt(len) : end;
  if (typeof en !== "bigint" || en < (start as bigint) || en > BigInt(len)) ip.fail(`Function "${who}": bad ${e} ${ip.show(end)} for length ${len}`, "TYPE-ERROR");
  return [Number(start), Number(en)];
}
