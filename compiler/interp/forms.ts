// Helpers shared by special-form handlers: shape checks with located errors, body evaluation
// in tail position, binding-list parsing.

import type { Span } from "../diag.ts";
import { Cons, type Datum, NIL, Sym } from "../sexp.ts";
import type { Interp } from "./interp.ts";
import { plural } from "./lambda_list.ts";
import type { Env } from "./values.ts";

/** A special-form handler: returns the value, or TAIL after `ip.tail(form, env)`. */
export type SpecialForm = (ip: Interp, form: Cons, env: Env) => Datum;

export const headName = (form: Cons): string => (form.car instanceof Sym ? form.car.name : "?");

/** The arguments of a special form, checking their count. */
export function formArgs(ip: Interp, form: Cons, min: number, max = Infinity): Datum[] {
  const out: Datum[] = [];
  let d = form.cdr;
  while (d instanceof Cons) {
    ip.tick();
    out.push(d.car);
    d = d.cdr;
  }
  const name = headName(form);
  if (d !== NIL) ip.syntaxError(`Malformed ${name} form: dotted argument list`, form.span);
  if (out.length < min) ip.syntaxError(`${name} takes at least ${plural(min)}, got ${out.length}`, form.span);
  if (out.length > max) ip.syntaxError(`${name} takes at most ${plural(max)}, got ${out.length}`, form.span);
  return out;
}

/** The cell holding the n-th argument (for its span) or undefined. */
export function argCell(form: Cons, n: number): Cons | undefined {
  let d = form.cdr;
  for (let i = 0; i < n && d instanceof Cons; i++) d = d.cdr;
  return d instanceof Cons ? d : undefined;
}

/** Span of the n-th argument of `form` (its own list span, or its cell's car span). */
export function argSpan(form: Cons, n: number): Span | undefined {
  const c = argCell(form, n);
  if (!c) return form.span;
  return c.car instanceof Cons ? c.car.span ?? c.carSpan : c.carSpan ?? form.span;
}

/** Rest of the form after `n` arguments (the body). */
export function bodyAfter(form: Cons, n: number): Datum {
  let d = form.cdr;
  for (let i = 0; i < n && d instanceof Cons; i++) d = d.cdr;
  return d;
}

/** Evaluate `body` with its last form in tail position of the calling `eval`. */
export function tailBody(ip: Interp, body: Datum, env: Env): Datum {
  if (!(body instanceof Cons)) {
    ip.mv = null;
    return NIL;
  }
  if (ip.pendingDyn || ip.tailBlock) return ip.tail(body.cdr === NIL ? body.car : new Cons(ip.PROGN, body), env);
  while (body.cdr instanceof Cons) {
    ip.tick();
    ip.evalCell(body, env);
    body = body.cdr;
  }
  const last = body.car;
  return last instanceof Cons ? ip.tail(last, env) : ip.evalCell(body, env);
}

/** A binding of let, let* or do: `var`, `(var)`, `(var init)` (and `(var init step)` when `steps`). */
export interface BindingSpec {
  sym: Sym;
  init: Datum;
  step?: Datum;
  hasStep: boolean;
  span?: Span;
}

export function parseBindings(ip: Interp, form: Cons, bindings: Datum, steps = false): BindingSpec[] {
  const name = headName(form);
  if (bindings !== NIL && !(bindings instanceof Cons)) {
    ip.syntaxError(`${name} bindings must be a list, got ${ip.show(bindings)}`, argSpan(form, 0));
  }
  const out: BindingSpec[] = [];
  for (let d: Datum = bindings; d instanceof Cons; d = d.cdr) {
    ip.tick();
    const b = d.car;
    const span = b instanceof Cons ? b.span ?? d.carSpan : d.carSpan;
    if (b instanceof Sym && !b.keyword && b !== NIL) {
      out.push({ sym: b, init: NIL, hasStep: false, span });
      continue;
    }
    const parts = b instanceof Cons ? ip.items(b) : [];
    const max = steps ? 3 : 2;
    if (!(b instanceof Cons) || parts.length > max || !(parts[0] instanceof Sym) || parts[0].keyword || parts[0] === NIL) {
      ip.syntaxError(`Malformed ${name} binding ${ip.show(b)}`, span);
    }
    out.push({ sym: parts[0] as Sym, init: parts[1] ?? NIL, step: parts[2], hasStep: parts.length === 3, span });
  }
  return out;
}
