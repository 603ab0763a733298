// Built-in control macros (when unless cond case if-let when-let incf decf), registered
// through the plugin API like any user plugin.

import { Cons, type Datum, NIL, Sym, cells, spanOf } from "../sexp.ts";
import type { MacroContext, Plugin } from "../registry.ts";
import { tmpl } from "./template.ts";

const args = (form: Cons): Datum[] => cells(form.cdr).map((c) => c.car);
const lname = (d: Datum): string | undefined => (d instanceof Sym ? d.name.toLowerCase() : undefined);

function need(ctx: MacroContext, form: Cons, ok: boolean, usage: string): void {
  if (!ok) ctx.error(`Malformed ${lname(form.car)}: expected ${usage}`, form);
}

/** (if-let (var expr) then else) or CL's (if-let ((var expr)) then else). */
function letSpec(ctx: MacroContext, form: Cons): { name: Datum; init: Datum } {
  const spec = args(form)[0];
  need(ctx, form, spec instanceof Cons, `(${lname(form.car)} (var expr) body…)`);
  const s = spec as Cons;
  const one = s.car instanceof Cons ? s.car : s;
  const parts = args(one).length ? [one.car, ...args(one)] : [one.car];
  need(ctx, form, parts.length === 2 && parts[0] instanceof Sym, `(${lname(form.car)} (var expr) body…)`);
  if (s.car instanceof Cons && s.cdr !== NIL) ctx.error(`${lname(form.car)} binds one variable`, form);
  return { name: parts[0], init: parts[1] };
}

export const controlPlugin: Plugin = {
  name: "whistler:control",
  setup(api) {
    api.macro("when", (form, ctx) => {
      const [test, ...body] = args(form);
      need(ctx, form, test !== undefined, "(when test body…)");
      return tmpl(ctx.symbols, "(if ?test (progn ?@body))", { test, body });
    });
    api.macro("unless", (form, ctx) => {
      const [test, ...body] = args(form);
      need(ctx, form, test !== undefined, "(unless test body…)");
      return tmpl(ctx.symbols, "(if ?test 0 (progn ?@body))", { test, body });
    });
    api.macro("cond", (form, ctx) => {
      const clauses = cells(form.cdr);
      let out: Datum = NIL;
      for (let i = clauses.length - 1; i >= 0; i--) {
        const clause = clauses[i].car;
        if (!(clause instanceof Cons)) return ctx.error("Malformed cond clause: expected (test body…)", spanOf(clause) ?? clauses[i].carSpan ?? form);
        const [test, ...body] = [clause.car, ...args(clause)];
        const isT = lname(test) === "t" || lname(test) === "otherwise";
        if (body.length === 0) {
          out = isT ? ctx.sym("t") : tmpl(ctx.symbols, "(or ?test ?rest)", { test, rest: out === NIL ? 0n : out });
        } else if (isT) {
          out = tmpl(ctx.symbols, "(progn ?@body)", { body });
        } else {
          out = tmpl(ctx.symbols, "(if ?test (progn ?@body) ?rest)", { test, body, rest: out === NIL ? 0n : out });
        }
      }
      return out === NIL ? 0n : out;
    });
    const caseMacro = (exhaustive: boolean) => (form: Cons, ctx: MacroContext) => {
      const [key, ...clauses] = args(form);
      need(ctx, form, key !== undefined, "(case key (keys body…)…)");
      const k = ctx.gensym("KEY");
      const condClauses = clauses.map((clause) => {
        if (!(clause instanceof Cons)) return ctx.error("Malformed case clause: expected (keys body…)", spanOf(clause) ?? form);
        const keys = clause.car;
        const body = args(clause);
        if (lname(keys) === "t" || lname(keys) === "otherwise") return tmpl(ctx.symbols, "(t ?@body)", { body });
        const list = keys instanceof Cons ? args(keys).length || keys.car !== NIL ? [keys.car, ...args(keys)] : [] : [keys];
        const tests = list.map((x) => tmpl(ctx.symbols, "(= ?k ?x)", { k, x }));
        return tmpl(ctx.symbols, "((or ?@tests) ?@body)", { tests, body: body.length ? body : [0n] });
      });
      if (exhaustive) condClauses.push(tmpl(ctx.symbols, "(t 0)"));
      return tmpl(ctx.symbols, "(let ((?k ?key)) (cond ?@clauses))", { k, key, clauses: condClauses });
    };
    api.macro("case", caseMacro(false));
    api.macro("ecase", caseMacro(false));
    api.macro("if-let", (form, ctx) => {
      const { name, init } = letSpec(ctx, form);
      const [, then, els] = args(form);
      return tmpl(ctx.symbols, "(let ((?name ?init)) (if ?name ?then ?els))", { name, init, then: then ?? 0n, els: els ?? 0n });
    });
    api.macro("when-let", (form, ctx) => {
      const { name, init } = letSpec(ctx, form);
      const body = args(form).slice(1);
      return tmpl(ctx.symbols, "(let ((?name ?init)) (when ?name ?@body))", { name, init, body });
    });
    const incf = (op: "+" | "-") => (form: Cons, ctx: MacroContext) => {
      const [place, delta] = args(form);
      need(ctx, form, place !== undefined, `(${op === "+" ? "incf" : "decf"} place [delta])`);
      const d = delta ?? 1n;
      if (place instanceof Cons && lname(place.car) === "getmap") {
        const [m, k] = args(place);
        const mcell = cells(place)[1];
        if (!(m instanceof Sym) || !ctx.map(m.name.toLowerCase())) {
          ctx.error(`Expected a map name${m instanceof Sym ? `, got "${m.name.toLowerCase()}" (no map of that name)` : ""}`, mcell?.carSpan ?? place);
        }
        const amount = op === "+" ? d : tmpl(ctx.symbols, "(- 0 ?d)", { d });
        return tmpl(ctx.symbols, "(%map-incf ?m ?k ?amount)", { m, k, amount });
      }
      return tmpl(ctx.symbols, `(setf ?place (${op} ?place ?d))`, { place, d });
    };
    api.macro("incf", incf("+"));
    api.macro("decf", incf("-"));
    api.macro("1+", (form, ctx) => tmpl(ctx.symbols, "(+ ?x 1)", { x: args(form)[0] }));
    api.macro("1-", (form, ctx) => tmpl(ctx.symbols, "(- ?x 1)", { x: args(form)[0] }));
    api.macro("zerop", (form, ctx) => tmpl(ctx.symbols, "(= ?x 0)", { x: args(form)[0] }));
    api.setf("load", (place, value, ctx) => {
      const [type, ptr, off] = args(place);
      return tmpl(ctx.symbols, "(store ?type ?ptr ?off ?value)", { type, ptr, off: off ?? 0n, value });
    });
    api.setf("ctx", (place, value, ctx) => {
      const [f, ...index] = args(place); // (setf (ctx cb 2) v): an array field's element
      return tmpl(ctx.symbols, "(%ctx-set ?f ?value ?@index)", { f, value, index });
    });
    api.setf("ctx-load", (place, value, ctx) => {
      const [type, off] = args(place);
      return tmpl(ctx.symbols, "(ctx-store ?type ?off ?value)", { type, off, value });
    });
  },
};
