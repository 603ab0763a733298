// Backquote evaluation with nesting levels: `,x` and `,@x` are evaluated at level 1, inner
// backquotes raise the level, and `,,x` / `,,@x` evaluate the innermost comma at the outer level.

import { Cons, type Datum, NIL, Sym, Vector, list } from "../sexp.ts";
import { fromArray } from "./check.ts";
import { formArgs } from "./forms.ts";
import type { Interp } from "./interp.ts";
import type { Env } from "./values.ts";

const marker = (d: Datum): string | undefined => {
  if (d instanceof Cons && d.car instanceof Sym && d.car.interned && d.cdr instanceof Cons && d.cdr.cdr === NIL) {
    const n = d.car.name;
    if (n === "UNQUOTE" || n === "UNQUOTE-SPLICING" || n === "QUASIQUOTE") return n;
  }
  return undefined;
};
const arg = (d: Datum): Datum => ((d as Cons).cdr as Cons).car;

export function quasiquote(ip: Interp, form: Cons, env: Env): Datum {
  const [template] = formArgs(ip, form, 1, 1);
  return qq(ip, template, 1, env, form);
}

function qq(ip: Interp, x: Datum, level: number, env: Env, form: Cons): Datum {
  ip.tick();
  const m = marker(x);
  if (m === "UNQUOTE") {
    if (level === 1) return evalUnquoted(ip, arg(x), env);
    return list((x as Cons).car, qq(ip, arg(x), level - 1, env, form));
  }
  if (m === "QUASIQUOTE") return list((x as Cons).car, qq(ip, arg(x), level + 1, env, form));
  if (m === "UNQUOTE-SPLICING") {
    if (level === 1) return ip.syntaxError("',@' must be inside a list in a backquote", (x as Cons).span ?? form.span);
    return list((x as Cons).car, qq(ip, arg(x), level - 1, env, form));
  }
  if (x instanceof Vector) return new Vector(ip.items(qqList(ip, fromArray(x.items), level, env, form)));
  if (!(x instanceof Cons)) return x;
  return qqList(ip, x, level, env, form);
}

/** Evaluate an unquoted form; the backquote walker holds a few host frames meanwhile. */
function evalUnquoted(ip: Interp, form: Datum, env: Env): Datum {
  ip.nest += 2;
  const v = ip.evalIn(form, env);
  ip.nest -= 2;
  return v;
}

function qqList(ip: Interp, x: Datum, level: number, env: Env, form: Cons): Datum {
  const head = new Cons(NIL, NIL);
  let tail = head;
  const push = (v: Datum, carSpan?: Cons["carSpan"]) => {
    const c = new Cons(v, NIL);
    if (carSpan) c.carSpan = carSpan;
    tail.cdr = c;
    tail = c;
  };
  let d: Datum = x;
  while (d instanceof Cons) {
    if (d !== x && marker(d)) {
      // A dotted tail: `(a . ,b)` reads as (a UNQUOTE b).
      if (marker(d) === "UNQUOTE-SPLICING" && level === 1) ip.syntaxError("',@' after '.' in a backquote", form.span);
      tail.cdr = qq(ip, d, level, env, form);
      return head.cdr;
    }
    ip.tick();
    const el = d.car;
    const m = marker(el);
    if (m === "UNQUOTE-SPLICING" && level === 1) {
      splice(ip, evalUnquoted(ip, arg(el), env), push);
    } else if (m === "UNQUOTE" && level === 2 && marker(arg(el)) === "UNQUOTE-SPLICING") {
      // ,,@x: one ,v per element of x.
      for (const v of ip.items(ip.evalIn(arg(arg(el)), env), "UNQUOTE-SPLICING")) push(list((el as Cons).car, v));
    } else if (m === "UNQUOTE-SPLICING" && level === 2 && marker(arg(el)) === "UNQUOTE-SPLICING") {
      for (const v of ip.items(ip.evalIn(arg(arg(el)), env), "UNQUOTE-SPLICING")) push(list((el as Cons).car, v));
    } else {
      push(qq(ip, el, level, env, form));
    }
    d = d.cdr;
  }
  if (d !== NIL) tail.cdr = qq(ip, d, level, env, form);
  return head.cdr;
}

/** Append copies of the cells of `value` (keeping each element's span). */
function splice(ip: Interp, value: Datum, push: (v: Datum, span?: Cons["carSpan"]) => void): void {
  let d = value;
  while (d instanceof Cons) {
    ip.tick();
    push(d.car, d.carSpan);
    d = d.cdr;
  }
  if (d !== NIL) ip.fail(`',@' needs a proper list, got ${ip.show(value)}`, "TYPE-ERROR");
}
