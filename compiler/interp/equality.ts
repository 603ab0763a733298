// Equality predicates (eq, eql, equal, equalp) and hash-table key normalisation for each test,
// all charging the step budget and bounding nesting.

import { Char, Cons, type Datum, HashTable, Sym, Vector } from "../sexp.ts";
import { type Budget, MAX_DATA_DEPTH } from "./print.ts";

export function eq(a: Datum, b: Datum): boolean {
  return a === b || (a instanceof Char && b instanceof Char && a.code === b.code);
}

export function eql(a: Datum, b: Datum): boolean {
  if (a === b) return true;
  if (a instanceof Char && b instanceof Char) return a.code === b.code;
  return false;
}

export function equal(a: Datum, b: Datum, budget: Budget, depth = 0): boolean {
  for (;;) {
    if (eql(a, b)) return true;
    if (!(a instanceof Cons) || !(b instanceof Cons)) return false;
    budget.tick();
    if (depth >= MAX_DATA_DEPTH) budget.fail(`Data nested too deeply to compare (more than ${MAX_DATA_DEPTH} levels)`);
    if (!equal(a.car, b.car, budget, depth + 1)) return false;
    a = a.cdr;
    b = b.cdr;
  }
}

const lowerChar = (code: number): number => String.fromCodePoint(code).toLowerCase().codePointAt(0) ?? code;

export function numEqual(a: Datum, b: Datum): boolean {
  // deno-lint-ignore eqeqeq
  return (typeof a === "bigint" || typeof a === "number") && (typeof b === "bigint" || typeof b === "number") && a == b;
}

export function equalp(a: Datum, b: Datum, budget: Budget, depth = 0): boolean {
  for (;;) {
    if (eql(a, b)) return true;
    if (numEqual(a, b)) return true;
    if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
    if (a instanceof Char && b instanceof Char) return lowerChar(a.code) === lowerChar(b.code);
    if (depth >= MAX_DATA_DEPTH) budget.fail(`Data nested too deeply to compare (more than ${MAX_DATA_DEPTH} levels)`);
    if (a instanceof Vector && b instanceof Vector) {
      const bv = b;
      if (a.items.length !== bv.items.length) return false;
      budget.tick(a.items.length);
      return a.items.every((x, i) => equalp(x, bv.items[i], budget, depth + 1));
    }
    if (a instanceof HashTable && b instanceof HashTable) {
      if (a.test !== b.test || a.entries.size !== b.entries.size) return false;
      for (const [k, [, v]] of a.entries) {
        const other = b.entries.get(k);
        if (!other || !equalp(v, other[1], budget, depth + 1)) return false;
      }
      return true;
    }
    if (!(a instanceof Cons) || !(b instanceof Cons)) return false;
    budget.tick();
    if (!equalp(a.car, b.car, budget, depth + 1)) return false;
    a = a.cdr;
    b = b.cdr;
  }
}

/** Per-interpreter state for hash keys: canonical characters and symbol ids. */
export class KeyContext {
  private readonly chars = new Map<number, Char>();
  private readonly symIds = new WeakMap<Sym, number>();
  private nextId = 0;
  constructor(private readonly budget: Budget) {}

  char(code: number): Char {
    let c = this.chars.get(code);
    if (!c) this.chars.set(code, c = new Char(code));
    return c;
  }

  /** The Map key for `d` under the table's test. */
  key(test: HashTable["test"], d: Datum): unknown {
    if (d instanceof Char) return this.char(test === "equalp" ? lowerChar(d.code) : d.code);
    if (test === "eq" || test === "eql") return d;
    if (typeof d === "string") return "s" + (test === "equalp" ? d.toLowerCase() : d);
    if (test === "equalp" && typeof d === "number" && Number.isInteger(d)) return BigInt(d);
    if (d instanceof Cons || (test === "equalp" && d instanceof Vector)) {
      const parts: string[] = [];
      this.encode(d, test === "equalp", parts, 0);
      return "l" + parts.join("");
    }
    return d;
  }

  private encode(d: Datum, fold: boolean, out: string[], depth: number): void {
    this.budget.tick();
    if (depth >= MAX_DATA_DEPTH) this.budget.fail(`Hash key nested too deeply (more than ${MAX_DATA_DEPTH} levels)`);
    if (d instanceof Cons) {
      out.push("(");
      let x: Datum = d;
      while (x instanceof Cons) {
        this.budget.tick();
        this.encode(x.car, fold, out, depth + 1);
        x = x.cdr;
      }
      out.push(".");
      this.encode(x, fold, out, depth + 1);
      out.push(")");
    } else if (d instanceof Vector && fold) {
      out.push("#(");
      for (const x of d.items) this.encode(x, fold, out, depth + 1);
      out.push(")");
    } else if (d instanceof Sym) {
      let id = this.symIds.get(d);
      if (id === undefined) this.symIds.set(d, id = ++this.nextId);
      out.push(`y${id} `);
    } else if (typeof d === "string") {
      out.push(`s${JSON.stringify(fold ? d.toLowerCase() : d)}`);
    } else if (typeof d === "bigint") {
      out.push(`i${d} `);
    } else if (typeof d === "number") {
      out.push(fold && Number.isInteger(d) ? `i${d} ` : `f${d} `);
    } else if (d instanceof Char) {
      out.push(`c${fold ? lowerChar(d.code) : d.code} `);
    } else {
      // Other objects compare by identity: give each an id.
      let id = this.objIds.get(d as object);
      if (id === undefined) this.objIds.set(d as object, id = ++this.nextId);
      out.push(`o${id} `);
    }
  }
  private readonly objIds = new WeakMap<object, number>();
}
