// Code templates for macros written in TypeScript: Lisp text with ?NAME holes (and ?@NAME
// splices) filled from a table. The result has no spans: the expander gives it the call site's.

import { readAll } from "../reader.ts";
import { Cons, type Datum, NIL, Sym, type SymbolTable, toArray } from "../sexp.ts";

export type Holes = Record<string, Datum | Datum[]>;

/** Instantiate `source` (one form) with `holes`. Hole names are case-insensitive. */
export function tmpl(symbols: SymbolTable, source: string, holes: Holes = {}): Datum {
  const forms = readAll(source, "<template>", symbols);
  if (forms.length !== 1) throw new Error(`internal: template must hold one form: ${source}`);
  const table = new Map(Object.entries(holes).map(([k, v]) => [k.toUpperCase(), v]));
  return fill(forms[0].datum, table);
}

function fill(d: Datum, holes: Map<string, Datum | Datum[]>): Datum {
  if (d instanceof Sym && d.name.startsWith("?") && !d.name.startsWith("?@")) {
    const v = holes.get(d.name.slice(1));
    if (v === undefined) throw new Error(`internal: template hole ${d.name} not given`);
    if (Array.isArray(v)) throw new Error(`internal: template hole ${d.name} is a list; use ?@`);
    return v;
  }
  if (!(d instanceof Cons)) return d;
  const items: Datum[] = [];
  let c: Datum = d;
  while (c instanceof Cons) {
    const x = c.car;
    if (x instanceof Sym && x.name.startsWith("?@")) {
      const v = holes.get(x.name.slice(2));
      if (v === undefined) throw new Error(`internal: template hole ${x.name} not given`);
      items.push(...(Array.isArray(v) ? v : toArray(v)));
    } else {
      items.push(fill(x, holes));
    }
    c = c.cdr;
  }
  let out: Datum = c === NIL ? NIL : fill(c, holes);
  for (let i = items.length - 1; i >= 0; i--) out = new Cons(items[i], out);
  return out;
}
