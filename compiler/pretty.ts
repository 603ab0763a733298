// Pretty-printer for expanded programs (`whistler expand`, -E): lower-case symbols, forms
// broken over lines and indented when they do not fit the width. The output reads back.

import { Char, Cons, type Datum, NIL, Sym, print } from "./sexp.ts";

const BODY_FORMS = new Set(["let", "let*", "progn", "when", "unless", "dotimes", "defprog", "if", "cond", "case"]);

function atom(d: Datum): string {
  if (d instanceof Sym) {
    if (d === NIL) return "nil";
    const s = print(d);
    return /[a-z]/.test(d.name) ? s : s.toLowerCase();
  }
  if (d instanceof Char) return print(d);
  return print(d);
}

function flat(d: Datum): string {
  if (!(d instanceof Cons)) return atom(d);
  if (d.car instanceof Sym && d.cdr instanceof Cons && d.cdr.cdr === NIL) {
    const q = ({ QUOTE: "'", QUASIQUOTE: "`", UNQUOTE: ",", "UNQUOTE-SPLICING": ",@", FUNCTION: "#'" } as Record<string, string>)[d.car.name];
    if (q) return q + flat(d.cdr.car);
  }
  const parts: string[] = [];
  let c: Datum = d;
  while (c instanceof Cons) {
    parts.push(flat(c.car));
    c = c.cdr;
  }
  if (c !== NIL) parts.push(".", flat(c));
  return `(${parts.join(" ")})`;
}

/** Print `d` starting at column `indent`, fitting `width` columns where possible. */
export function pretty(d: Datum, indent = 0, width = 96): string {
  const f = flat(d);
  if (!(d instanceof Cons) || indent + f.length <= width) return f;
  const items: Datum[] = [];
  let c: Datum = d;
  while (c instanceof Cons) {
    items.push(c.car);
    c = c.cdr;
  }
  if (c !== NIL) return f;
  const head = items[0];
  const name = head instanceof Sym ? head.name.toLowerCase() : "";
  const pad = (n: number) => " ".repeat(n);
  if (head instanceof Sym && BODY_FORMS.has(name)) {
    // (let BINDINGS\n  body…) — special header argument(s) on the first line.
    const headerCount = name === "progn" ? 0 : name === "cond" || name === "case" ? (name === "case" ? 1 : 0) : 1;
    const first = `(${atom(head)}${items.slice(1, 1 + headerCount).map((x) => " " + pretty(x, indent + name.length + 2, width)).join("")}`;
    const rest = items.slice(1 + headerCount).map((x) => `\n${pad(indent + 2)}${pretty(x, indent + 2, width)}`);
    return `${first}${rest.join("")})`;
  }
  if (head instanceof Sym) {
    // (op first\n    rest…) aligned under the first argument.
    const col = indent + name.length + 2;
    const args = items.slice(1).map((x, i) => (i === 0 ? pretty(x, col, width) : `\n${pad(col)}${pretty(x, col, width)}`));
    return `(${atom(head)} ${args.join("")})`;
  }
  return `(${items.map((x, i) => (i === 0 ? pretty(x, indent + 1, width) : `\n${pad(indent + 1)}${pretty(x, indent + 1, width)}`)).join("")})`;
}
