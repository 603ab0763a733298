// The interpreter's printer (prin1/princ): like sexp.ts `print`, but it charges the step budget
// per element and bounds nesting, so circular or huge data cannot hang or overflow the host stack.

import { Char, Cons, type Datum, HashTable, NIL, type Procedure, Sym, Vector } from "../sexp.ts";
import { Condition, isProcedure, MacroEnv } from "./values.ts";

/** What the printer needs from the interpreter. */
export interface Budget {
  tick(n?: number): void;
  fail(message: string): never;
}

/** Steps charged per printed object (printing is dearer than an evaluation step). */
const PRINT_COST = 4;

/** Deepest car-nesting the printer (and other recursive walkers) will follow. */
export const MAX_DATA_DEPTH = 1000;

const NAMED_CHARS: Record<number, string> = Object.freeze({
  32: "Space", 10: "Newline", 9: "Tab", 13: "Return", 0: "Nul", 8: "Backspace", 127: "Rubout", 12: "Page",
  27: "Escape", 7: "Bell",
});

const QUOTE_PREFIX: Record<string, string> = Object.freeze({
  QUOTE: "'", QUASIQUOTE: "`", UNQUOTE: ",", "UNQUOTE-SPLICING": ",@", FUNCTION: "#'",
});

/** Print `d` readably (prin1) or for humans (princ). */
export function printDatum(d: Datum, readably: boolean, budget: Budget): string {
  const out: string[] = [];
  write(d, readably, budget, out, 0);
  return out.join("");
}

/** Print for an error message: at most `max` characters (about), never failing. */
export function printShort(d: Datum, readably = true, max = 80): string {
  const out: string[] = [];
  let ticks = 0;
  const stop = new Error("stop");
  const budget: Budget = {
    tick: () => {
      if (++ticks > max) throw stop;
    },
    fail: () => {
      throw stop;
    },
  };
  try {
    write(d, readably, budget, out, MAX_DATA_DEPTH - 20);
  } catch (e) {
    if (e !== stop) throw e;
    out.push(" ...");
  }
  const s = out.join("");
  return s.length > max ? s.slice(0, max) + " ..." : s;
}

export function printSymbol(s: Sym, readably: boolean): string {
  if (!readably) return s.keyword ? s.name.slice(1) : s.name;
  const plain = /^[A-Z0-9+\-*/<>=!?%&$^_~.:@\[\]{}]+$/.test(s.name) && !/^[+-]?[0-9]+\.?$/.test(s.name) &&
    !/^[+-]?[0-9]*\.[0-9]+([eEdD][+-]?[0-9]+)?$/.test(s.name);
  const body = plain ? s.name : `|${s.name.replace(/([|\\])/g, "\\$1")}|`;
  return s.interned ? body : `#:${body}`;
}

export function printFloat(n: number): string {
  if (Number.isNaN(n)) return "#<NaN>";
  if (!Number.isFinite(n)) return n > 0 ? "#.DOUBLE-FLOAT-POSITIVE-INFINITY" : "#.DOUBLE-FLOAT-NEGATIVE-INFINITY";
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toFixed(1);
  const s = String(n);
  return s.includes("e") ? s.replace(/e\+?/, ".0e").replace(/^(-?\d+)\.(\d+)\.0e/, "$1.$2e") : s;
}

function write(d: Datum, readably: boolean, budget: Budget, out: string[], depth: number): void {
  budget.tick(PRINT_COST);
  if (d instanceof Sym) {
    out.push(printSymbol(d, readably));
  } else if (typeof d === "bigint") {
    out.push(d.toString());
  } else if (typeof d === "number") {
    out.push(printFloat(d));
  } else if (typeof d === "string") {
    out.push(readably ? `"${d.replace(/(["\\])/g, "\\$1")}"` : d);
  } else if (d instanceof Char) {
    out.push(readably ? `#\\${NAMED_CHARS[d.code] ?? String.fromCodePoint(d.code)}` : String.fromCodePoint(d.code));
  } else if (d instanceof Cons) {
    if (depth >= MAX_DATA_DEPTH) budget.fail(`Data nested too deeply to print (more than ${MAX_DATA_DEPTH} levels)`);
    writeList(d, readably, budget, out, depth + 1);
  } else if (d instanceof Vector) {
    if (depth >= MAX_DATA_DEPTH) budget.fail(`Data nested too deeply to print (more than ${MAX_DATA_DEPTH} levels)`);
    out.push("#(");
    d.items.forEach((x, i) => {
      if (i) out.push(" ");
      write(x, readably, budget, out, depth + 1);
    });
    out.push(")");
  } else if (d instanceof HashTable) {
    out.push(`#<HASH-TABLE :TEST ${d.test.toUpperCase()} :COUNT ${d.entries.size}>`);
  } else if ((d as unknown) instanceof Condition) {
    const c = d as unknown as Condition;
    out.push(readably ? `#<${c.type} ${JSON.stringify(c.message)}>` : c.message);
  } else if ((d as unknown) instanceof MacroEnv) {
    out.push("#<ENVIRONMENT>");
  } else if (isProcedure(d)) {
    out.push(`#<FUNCTION ${(d as Procedure).name}>`);
  } else {
    out.push(`#<${String(d)}>`);
  }
}

function writeList(c: Cons, readably: boolean, budget: Budget, out: string[], depth: number): void {
  if (c.car instanceof Sym && c.car.interned && c.cdr instanceof Cons && c.cdr.cdr === NIL) {
    const p = QUOTE_PREFIX[c.car.name];
    if (p) {
      out.push(p);
      write(c.cdr.car, readably, budget, out, depth);
      return;
    }
  }
  out.push("(");
  let d: Datum = c;
  let first = true;
  while (d instanceof Cons) {
    if (!first) out.push(" ");
    first = false;
    write(d.car, readably, budget, out, depth);
    d = d.cdr;
  }
  if (d !== NIL) {
    out.push(" . ");
    write(d, readably, budget, out, depth);
  }
  out.push(")");
}
