// Derived control forms run directly by the interpreter (not macros in the shared table):
// when unless cond case typecase and or prog1 prog2 return dolist dotimes do do* assert check-type ignore-errors.

import { Cons, type Datum, NIL, Sym, T } from "../sexp.ts";
import { conditionOf } from "./diagnostics.ts";
import { eql } from "./equality.ts";
import { bodyRunner, returnFrom } from "./eval.ts";
import { argCell, argSpan, bodyAfter, formArgs, headName, parseBindings, type SpecialForm, tailBody } from "./forms.ts";
import type { Interp, Mark } from "./interp.ts";
import { Binder } from "./lambda_list.ts";
import { signalError } from "./builtins_misc.ts";
import { typep } from "./types.ts";
import { BlockExit, type BlockToken, type DynSave, type Env } from "./values.ts";

/** Bind `syms` to `values` for the duration of `f` (special variables dynamically). */
export function withVars(ip: Interp, env: Env, syms: Sym[], values: Datum[], f: (env: Env) => Datum): Datum {
  const menv = env.menv?.hasSymbolMacros ? env.menv.withVariables(syms) : null;
  const b = new Binder(ip, menv ? env.withMenv(menv) : env);
  syms.forEach((s, i) => b.bind(s, values[i]));
  if (!b.saves.length) return f(b.env());
  try {
    return f(b.env());
  } finally {
    ip.undoDyn(b.saves);
  }
}

function caseForm(kind: "CASE" | "ECASE" | "TYPECASE" | "ETYPECASE"): SpecialForm {
  const typed = kind.endsWith("TYPECASE");
  return (ip, form, env) => {
    const [keyForm, ...clauses] = formArgs(ip, form, 1);
    const key = ip.evalIn(keyForm, env);
    const expected: Datum[] = [];
    for (let i = 0; i < clauses.length; i++) {
      const clause = clauses[i];
      if (!(clause instanceof Cons)) return ip.syntaxError(`Malformed ${kind} clause ${ip.show(clause)}`, argSpan(form, i + 1));
      const keys = clause.car;
      const isDefault = (keys === T || (keys instanceof Sym && keys.name === "OTHERWISE")) && !kind.startsWith("E");
      let hit: boolean;
      if (isDefault) hit = true;
      else if (typed) {
        expected.push(keys);
        hit = typep(ip, key, keys);
      } else if (keys instanceof Cons || keys === NIL) {
        const ks = ip.items(keys);
        expected.push(...ks);
        hit = ks.some((k) => eql(k, key));
      } else {
        expected.push(keys);
        hit = eql(keys, key);
      }
      if (hit) return tailBody(ip, clause.cdr, env);
    }
    if (kind === "ECASE" || kind === "ETYPECASE") {
      const what = kind === "ECASE" ? "one of" : "a value of type";
      ip.fail(`Value ${ip.show(key)} matches no ${kind} clause (expected ${what} ${expected.map((e) => ip.show(e)).join(", ")})`, "TYPE-ERROR");
    }
    ip.mv = null;
    return NIL;
  };
}

/** Host-stack units charged to the nesting budget by a construct that holds extra host frames. */
export const FRAME_COST = 3;

/**
 * A block plus variable bindings set up by an iteration form. Used with try/catch/finally in the
 * handler itself (no callback frames, to keep host stack use per Lisp level small).
 */
export class Scope {
  readonly token: BlockToken = { owner: null };
  readonly mark: Mark;
  readonly env: Env;
  private readonly saves: DynSave[];
  constructor(ip: Interp, env: Env, blockName: Sym, syms: Sym[], values: Datum[]) {
    ip.nest += FRAME_COST;
    this.mark = ip.mark();
    const menv = env.menv?.hasSymbolMacros ? env.menv.withVariables(syms) : null;
    const b = new Binder(ip, (menv ? env.withMenv(menv) : env).withBlock(blockName, this.token));
    syms.forEach((s, i) => b.bind(s, values[i]));
    this.saves = b.saves;
    this.env = b.env();
  }
  /** The block's value when `e` exits this block; otherwise rethrow. */
  caught(ip: Interp, e: unknown): Datum {
    if (!(e instanceof BlockExit) || e.token !== this.token) throw e;
    ip.restore(this.mark);
    ip.mv = e.mv;
    return e.value;
  }
  close(ip: Interp): void {
    ip.nest -= FRAME_COST;
    if (this.saves.length) ip.undoDyn(this.saves);
  }
}

/** Evaluate body statements: with tags use tagbody semantics, else evaluate in place. */
function bodyOf(ip: Interp, body: Datum): Datum | ((env: Env) => void) {
  ip.items(body);
  for (let d = body; d instanceof Cons; d = d.cdr) {
    if (d.car instanceof Sym || typeof d.car === "bigint") return bodyRunner(ip, body);
  }
  return body;
}

function runBody(ip: Interp, body: Datum | ((env: Env) => void), env: Env): void {
  if (typeof body === "function") return body(env);
  for (let d = body; d instanceof Cons; d = d.cdr) {
    if (d.car instanceof Cons) ip.evalIn(d.car, env);
  }
}

function iterationSpec(ip: Interp, form: Cons): [Sym, Datum[]] {
  formArgs(ip, form, 1);
  const specForm = (form.cdr as Cons).car;
  const spec = specForm instanceof Cons ? ip.items(specForm, headName(form)) : [];
  if (spec.length < 2 || spec.length > 3 || !(spec[0] instanceof Sym) || spec[0].keyword || spec[0] === NIL) {
    return ip.syntaxError(`Malformed ${headName(form)} spec ${ip.show(specForm)}`, argSpan(form, 0));
  }
  return [spec[0] as Sym, spec];
}

function dolist(ip: Interp, form: Cons, env: Env): Datum {
  const [v, spec] = iterationSpec(ip, form);
  const body = bodyOf(ip, skipDecl(bodyAfter(form, 1)));
  let d = ip.evalIn(spec[1], env);
  const s = new Scope(ip, env, NIL, [v], [NIL]);
  const inner = s.env;
  try {
    while (d instanceof Cons) {
      ip.tick();
      ip.setVar(v, d.car, inner);
      runBody(ip, body, inner);
      d = d.cdr;
    }
    if (d !== NIL) ip.typeError("DOLIST", "a proper list", d);
    ip.setVar(v, NIL, inner);
    return spec.length > 2 ? ip.evalIn(spec[2], inner) : NIL;
  } catch (e) {
    return s.caught(ip, e);
  } finally {
    s.close(ip);
  }
}

function dotimes(ip: Interp, form: Cons, env: Env): Datum {
  const [v, spec] = iterationSpec(ip, form);
  const body = bodyOf(ip, skipDecl(bodyAfter(form, 1)));
  const n = ip.evalIn(spec[1], env);
  if (typeof n !== "bigint") ip.typeError("DOTIMES", "an integer count", n);
  const s = new Scope(ip, env, NIL, [v], [0n]);
  const inner = s.env;
  try {
    let i = 0n;
    for (; i < (n as bigint); i++) {
      ip.tick();
      ip.setVar(v, i, inner);
      runBody(ip, body, inner);
    }
    ip.setVar(v, i, inner);
    return spec.length > 2 ? ip.evalIn(spec[2], inner) : NIL;
  } catch (e) {
    return s.caught(ip, e);
  } finally {
    s.close(ip);
  }
}

function doForm(sequential: boolean): SpecialForm {
  return (ip, form, env) => {
    formArgs(ip, form, 2);
    const specs = parseBindings(ip, form, (form.cdr as Cons).car, true);
    const endClause = argCell(form, 1)!.car;
    if (!(endClause instanceof Cons)) return ip.syntaxError(`${headName(form)} needs an end clause (test result…)`, argSpan(form, 1));
    const [test] = ip.items(endClause);
    const results = endClause.cdr;
    const body = bodyOf(ip, skipDecl(bodyAfter(form, 2)));
    const syms = specs.map((s) => s.sym);
    const stepped = specs.filter((s) => s.hasStep);
    const s = new Scope(ip, env, NIL, syms, sequential ? syms.map(() => NIL) : specs.map((b) => ip.evalIn(b.init, env)));
    const inner = s.env;
      try {
      if (sequential) for (const b of specs) ip.setVar(b.sym, ip.evalIn(b.init, inner), inner);
      for (;;) {
        ip.tick();
        if (ip.evalIn(test, inner) !== NIL) return ip.progn(results, inner);
        runBody(ip, body, inner);
        if (sequential) for (const b of stepped) ip.setVar(b.sym, ip.evalIn(b.step!, inner), inner);
        else {
          const values = stepped.map((b) => ip.evalIn(b.step!, inner));
          stepped.forEach((b, i) => ip.setVar(b.sym, values[i], inner));
        }
      }
    } catch (e) {
      return s.caught(ip, e);
    } finally {
      s.close(ip);
      }
  };
}

function skipDecl(body: Datum): Datum {
  while (body instanceof Cons && body.car instanceof Cons && body.car.car instanceof Sym && body.car.car.name === "DECLARE") {
    body = body.cdr;
  }
  return body;
}

export const CONTROL_FORMS: Record<string, SpecialForm> = Object.freeze({
  WHEN: (ip, form, env) => {
    formArgs(ip, form, 1);
    if (ip.evalCell(form.cdr as Cons, env) === NIL) return NIL;
    return tailBody(ip, bodyAfter(form, 1), env);
  },
  UNLESS: (ip, form, env) => {
    formArgs(ip, form, 1);
    if (ip.evalCell(form.cdr as Cons, env) !== NIL) {
      ip.mv = null;
      return NIL;
    }
    return tailBody(ip, bodyAfter(form, 1), env);
  },
  COND: (ip, form, env) => {
    const clauses = formArgs(ip, form, 0);
    for (let i = 0; i < clauses.length; i++) {
      const c = clauses[i];
      if (!(c instanceof Cons)) return ip.syntaxError(`Malformed COND clause ${ip.show(c)}`, argSpan(form, i));
      const v = ip.evalCell(c, env);
      if (v !== NIL) {
        if (c.cdr === NIL) {
          ip.mv = null;
          return v;
        }
        return tailBody(ip, c.cdr, env);
      }
    }
    ip.mv = null;
    return NIL;
  },
  CASE: caseForm("CASE"),
  ECASE: caseForm("ECASE"),
  CCASE: caseForm("ECASE"),
  TYPECASE: caseForm("TYPECASE"),
  ETYPECASE: caseForm("ETYPECASE"),
  CTYPECASE: caseForm("ETYPECASE"),
  AND: (ip, form, env) => {
    let d = form.cdr;
    if (d === NIL) return T;
    while (d instanceof Cons && d.cdr instanceof Cons) {
      if (ip.evalCell(d, env) === NIL) return NIL;
      d = d.cdr;
    }
    return tailBody(ip, d, env);
  },
  OR: (ip, form, env) => {
    let d = form.cdr;
    while (d instanceof Cons && d.cdr instanceof Cons) {
      const v = ip.evalCell(d, env);
      if (v !== NIL) {
        ip.mv = null;
        return v;
      }
      d = d.cdr;
    }
    return tailBody(ip, d, env);
  },
  PROG1: (ip, form, env) => {
    formArgs(ip, form, 1);
    const first = ip.evalCell(form.cdr as Cons, env);
    ip.progn(bodyAfter(form, 1), env);
    ip.mv = null;
    return first;
  },
  PROG2: (ip, form, env) => {
    formArgs(ip, form, 2);
    ip.evalCell(form.cdr as Cons, env);
    const second = ip.evalCell(argCell(form, 1)!, env);
    ip.progn(bodyAfter(form, 2), env);
    ip.mv = null;
    return second;
  },
  RETURN: (ip, form, env) => {
    const args = formArgs(ip, form, 0, 1);
    return returnFrom(ip, env, NIL, args.length ? ip.evalIn(args[0], env) : NIL);
  },
  DOLIST: dolist,
  DOTIMES: dotimes,
  DO: doForm(false),
  "DO*": doForm(true),
  ASSERT: (ip, form, env) => {
    const [test, , datum, ...args] = formArgs(ip, form, 1);
    if (ip.evalIn(test, env) !== NIL) return NIL;
    if (datum === undefined) return ip.fail(`The assertion ${ip.show(test)} failed`);
    return signalError(ip, ip.evalIn(datum, env), args.map((a) => ip.evalIn(a, env)));
  },
  "CHECK-TYPE": (ip, form, env) => {
    const [place, type, desc] = formArgs(ip, form, 2, 3);
    const value = ip.evalIn(place, env);
    if (typep(ip, value, type)) return NIL;
    const what = typeof desc === "string" ? desc : `of type ${ip.show(type)}`;
    return ip.fail(`The value of ${ip.show(place)} is ${ip.show(value)}, which is not ${what}`, "TYPE-ERROR");
  },
  "IGNORE-ERRORS": (ip, form, env) => {
    const mark = ip.mark();
    try {
      return ip.progn(form.cdr, env);
    } catch (e) {
      const cond = conditionOf(e);
      if (!cond) throw e;
      ip.restore(mark);
      ip.mv = [NIL, cond as unknown as Datum];
      return NIL;
    }
  },
});
