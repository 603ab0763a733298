// Macro machinery: Lisp macro functions (defmacro/macrolet closures as whole-form MacroFns),
// one-step expansion, macrolet/symbol-macrolet scopes, and top-level form processing.

import { Cons, type Datum, NIL, Sym } from "../sexp.ts";
import type { Interp } from "./interp.ts";
import { bindArgs } from "./lambda_list.ts";
import { type BlockToken, type Closure, Env, type MacroEnv, type MacroFn } from "./values.ts";

/** How a closure is named in messages ("Function \"F\"", "Macro \"M\""). */
export const whoOf = (c: Closure): string =>
  c.kind === "macro" ? `Macro "${c.name}"` : c.kind === "function" ? `Function "${c.name}"` : "Anonymous function";

/** The MacroFn of a defmacro/macrolet closure; called from outside, its errors are CompileErrors. */
export function makeMacroFn(ip: Interp, c: Closure): MacroFn {
  return (form, menv) => ip.guard(() => callMacro(ip, c, form, menv), form.span);
}

function callMacro(ip: Interp, c: Closure, form: Cons, menv: MacroEnv | null): Datum {
  const saved = ip.macroEnvNow;
  ip.macroEnvNow = menv;
  ip.nest += 3;
  try {
    return ip.runClosure(c, () => {
      const cells: Cons[] = [];
      const args: Datum[] = [];
      let d: Datum = form.cdr;
      for (; d instanceof Cons; d = d.cdr) ip.tick(), cells.push(d), args.push(d.car);
      const dotted = d;
      const tail = (i: number): Datum => (i < cells.length ? cells[i] : dotted);
      const env = bindArgs(ip, c.params, args, tail, c.env, whoOf(c), form);
      const token: BlockToken = { owner: null };
      ip.tailBlock = token;
      return env.withBlock(c.blockName ?? NIL, token);
    });
  } finally {
    ip.macroEnvNow = saved;
    ip.nest -= 3;
  }
}

/** One macroexpansion step of `form` (macros and symbol macros) in `menv`. */
export function expandOnce(ip: Interp, form: Datum, menv: MacroEnv | null): [Datum, boolean] {
  if (form instanceof Sym) {
    const sm = menv?.localSymbolMacro(form);
    return sm ? [sm.expansion, true] : [form, false];
  }
  if (!(form instanceof Cons) || !(form.car instanceof Sym)) return [form, false];
  const local = menv?.localMacro(form.car);
  const fn = local !== undefined ? local : ip.fdefs.get(form.car)?.macro?.fn;
  if (!fn) return [form, false];
  return [fn(form, menv ?? ip.emptyMenv), true];
}

/** The macro environment of `env` extended by macrolet `bindings` ((name lambda-list . body) …). */
export function macroletScope(ip: Interp, bindings: Datum, env: Env): MacroEnv {
  const defs: [Sym, MacroFn][] = [];
  const defEnv = new Env(null, null, env.menv);
  for (const b of ip.items(bindings, "MACROLET")) {
    if (!(b instanceof Cons) || !(b.car instanceof Sym) || !(b.cdr instanceof Cons)) {
      return ip.syntaxError(`Bad MACROLET binding ${ip.show(b)}`, b instanceof Cons ? b.span : undefined);
    }
    const name = b.car;
    const c = ip.makeClosure(name.name, "macro", b.cdr.car, b.cdr.cdr, defEnv, name, b.span);
    defs.push([name, makeMacroFn(ip, c)]);
  }
  return (env.menv ?? ip.emptyMenv).withMacros(defs);
}

/** `menv` extended by symbol-macrolet `bindings` ((name expansion) …). */
export function symbolMacroletScope(ip: Interp, bindings: Datum, menv: MacroEnv | null): MacroEnv {
  const defs: [Sym, Datum][] = [];
  for (const b of ip.items(bindings, "SYMBOL-MACROLET")) {
    const parts = b instanceof Cons ? ip.items(b) : [];
    if (parts.length !== 2 || !(parts[0] instanceof Sym)) {
      ip.syntaxError(`Bad SYMBOL-MACROLET binding ${ip.show(b)}`, b instanceof Cons ? b.span : undefined);
    }
    defs.push([parts[0] as Sym, parts[1]]);
  }
  return (menv ?? ip.emptyMenv).withSymbolMacros(defs);
}

/** Top-level processing: progn, eval-when, macrolet, symbol-macrolet and locally keep top-levelness. */
export function toplevel(ip: Interp, form: Datum, env: Env): Datum {
  for (;;) {
    if (!(form instanceof Cons) || !(form.car instanceof Sym)) return ip.evalIn(form, env);
    if (form.span) ip.cur = form.span;
    const name = form.car.name;
    const def = ip.fdefs.get(form.car);
    if (def?.special) {
      if (name === "PROGN" || name === "LOCALLY") return toplevelBody(ip, form.cdr, env);
      if (name === "EVAL-WHEN") return evalWhenRuns(ip, form) ? toplevelBody(ip, (form.cdr as Cons).cdr, env) : NIL;
      if (name === "MACROLET" || name === "SYMBOL-MACROLET") {
        const bindings = form.cdr instanceof Cons ? form.cdr.car : ip.syntaxError(`${name} needs bindings`, form.span);
        const menv = name === "MACROLET" ? macroletScope(ip, bindings, env) : symbolMacroletScope(ip, bindings, env.menv);
        return toplevelBody(ip, (form.cdr as Cons).cdr, env.withMenv(menv));
      }
      return ip.evalIn(form, env);
    }
    const [exp, expanded] = expandOnce(ip, form, env.menv);
    if (!expanded) return ip.evalIn(form, env);
    form = exp;
  }
}

function toplevelBody(ip: Interp, body: Datum, env: Env): Datum {
  let r: Datum = NIL;
  for (let c = body; c instanceof Cons; c = c.cdr) {
    ip.tick();
    r = toplevel(ip, c.car, env);
  }
  return r;
}

/** Whether an eval-when form's body runs at compile time. */
export function evalWhenRuns(ip: Interp, form: Cons): boolean {
  const rest = form.cdr;
  if (!(rest instanceof Cons)) return ip.syntaxError("EVAL-WHEN needs a list of situations", form.span);
  return ip.items(rest.car, "EVAL-WHEN").some((s) =>
    s instanceof Sym && [":COMPILE-TOPLEVEL", ":EXECUTE", "COMPILE", "EVAL"].includes(s.name)
  );
}

/** Drop a docstring (when more forms follow) and leading declarations from a body. */
export function skipDeclarations(body: Datum): Datum {
  for (let n = 0; body instanceof Cons && n < 10000; n++) {
    const f = body.car;
    if (f instanceof Cons && f.car instanceof Sym && f.car.name === "DECLARE") body = body.cdr;
    else if (typeof f === "string" && body.cdr instanceof Cons) body = body.cdr;
    else break;
  }
  return body;
}
