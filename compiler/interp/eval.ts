// Core special forms: quote, function, if, progn, let/let*, flet/labels, macrolet,
// symbol-macrolet, setq, block/return-from, tagbody/go, catch/throw, unwind-protect, definitions.

import { Cons, type Datum, NIL, Sym, list } from "../sexp.ts";
import { fromArray } from "./check.ts";
import { conditionOf } from "./diagnostics.ts";
import { eql, equal } from "./equality.ts";
import {
  argCell, argSpan, bodyAfter, formArgs, headName, parseBindings, type SpecialForm, tailBody,
} from "./forms.ts";
import type { Interp } from "./interp.ts";
import { evalWhenRuns, makeMacroFn, macroletScope, symbolMacroletScope } from "./macros.ts";
import { Binder, bindArgs, destructure, parseLambdaList } from "./lambda_list.ts";
import { typep } from "./types.ts";
import { BlockExit, type BlockToken, type Env, FunBinding, GoExit, ResourceError, ThrowExit } from "./values.ts";

function symbolArg(ip: Interp, form: Cons, n: number, what: string): Sym {
  const c = argCell(form, n);
  const x = c?.car;
  if (!(x instanceof Sym) || x === NIL || x.keyword) {
    return ip.syntaxError(`${headName(form)} expects ${what}, got ${c ? ip.show(x!) : "nothing"}`, argSpan(form, n));
  }
  return x;
}

/** let / let*: parallel or sequential bindings, special variables bound dynamically. */
function letForm(sequential: boolean): SpecialForm {
  return (ip, form, env) => {
    formArgs(ip, form, 1);
    const specs = parseBindings(ip, form, (form.cdr as Cons).car);
    const menvShadow = env.menv?.hasSymbolMacros ? env.menv.withVariables(specs.map((s) => s.sym)) : null;
    const b = new Binder(ip, menvShadow ? env.withMenv(menvShadow) : env);
    const inner = b.run(() => {
      if (sequential) {
        for (const s of specs) b.bind(s.sym, s.init === NIL ? NIL : ip.evalIn(s.init, b.env()));
      } else {
        const values = specs.map((s) => (s.init === NIL ? NIL : ip.evalIn(s.init, env)));
        specs.forEach((s, i) => b.bind(s.sym, values[i]));
      }
    });
    return tailBody(ip, skipDecl(bodyAfter(form, 1)), inner);
  };
}

function skipDecl(body: Datum): Datum {
  while (body instanceof Cons && body.car instanceof Cons && body.car.car instanceof Sym && body.car.car.name === "DECLARE") {
    body = body.cdr;
  }
  return body;
}

/** flet / labels. */
function fletForm(recursive: boolean): SpecialForm {
  return (ip, form, env) => {
    formArgs(ip, form, 1);
    const defs = (form.cdr as Cons).car;
    const names: Sym[] = [];
    const parsed: [Sym, Cons][] = [];
    for (const d of ip.items(defs, headName(form))) {
      if (!(d instanceof Cons) || !(d.car instanceof Sym) || !(d.cdr instanceof Cons)) {
        return ip.syntaxError(`Malformed ${headName(form)} definition ${ip.show(d)}`, d instanceof Cons ? d.span : argSpan(form, 0));
      }
      names.push(d.car as Sym);
      parsed.push([d.car as Sym, d as Cons]);
    }
    const menv = env.menv?.hasMacros ? env.menv.withFunctions(names) : env.menv;
    let funs = env.funs;
    const bindings: FunBinding[] = [];
    for (const [name] of parsed) bindings.push(funs = new FunBinding(name, undefined as never, funs));
    const inner = env.withFuns(funs, menv);
    const defEnv = recursive ? inner : env;
    parsed.forEach(([name, d], i) => {
      const rest = d.cdr as Cons;
      bindings[i].fn = ip.makeClosure(name.name, "function", rest.car, rest.cdr, defEnv, name, d.span);
    });
    return tailBody(ip, skipDecl(bodyAfter(form, 1)), inner);
  };
}

function setq(ip: Interp, form: Cons, env: Env): Datum {
  const args = formArgs(ip, form, 0);
  if (args.length % 2) ip.syntaxError(`${headName(form)} needs an even number of arguments, got ${args.length}`, form.span);
  let value: Datum = NIL;
  for (let i = 0; i < args.length; i += 2) {
    const place = args[i];
    if (!(place instanceof Sym) || place.keyword || place === NIL || place === ip.T) {
      ip.syntaxError(`${headName(form)} expects a variable name, got ${ip.show(place)}`, argSpan(form, i));
    }
    const sm = env.menv?.hasSymbolMacros ? env.menv.localSymbolMacro(place) : undefined;
    if (sm) {
      value = ip.evalIn(list(ip.symbols.intern("SETF"), sm.expansion, args[i + 1]), env);
      continue;
    }
    value = ip.evalIn(args[i + 1], env);
    ip.setVar(place, value, env);
  }
  return value;
}

function psetq(ip: Interp, form: Cons, env: Env): Datum {
  const args = formArgs(ip, form, 0);
  if (args.length % 2) ip.syntaxError(`PSETQ needs an even number of arguments, got ${args.length}`, form.span);
  const values: Datum[] = [];
  for (let i = 0; i < args.length; i += 2) values.push(ip.evalIn(args[i + 1], env));
  for (let i = 0; i < args.length; i += 2) ip.setVar(args[i] as Sym, values[i / 2], env);
  return NIL;
}

function block(ip: Interp, form: Cons, env: Env): Datum {
  formArgs(ip, form, 1);
  const name = (form.cdr as Cons).car;
  if (!(name instanceof Sym)) ip.syntaxError(`BLOCK name must be a symbol, got ${ip.show(name)}`, argSpan(form, 0));
  const token: BlockToken = { owner: null };
  const body = bodyAfter(form, 1);
  ip.tailBlock = token;
  return ip.tail(body === NIL ? NIL : new Cons(ip.PROGN, body), env.withBlock(name as Sym, token));
}

export function returnFrom(ip: Interp, env: Env, name: Sym, value: Datum): never {
  for (let b = env.blocks; b; b = b.next) {
    if (b.name === name) throw new BlockExit(b.token, value, ip.mv);
  }
  return ip.fail(`No block named "${name.name}" is visible here`, "CONTROL-ERROR");
}

function tagbody(ip: Interp, form: Cons, env: Env): Datum {
  formArgs(ip, form, 0);
  bodyRunner(ip, form.cdr)(env);
  return NIL;
}

/** Steps charged per GO (a host exception, much dearer than an ordinary evaluation step). */
const GO_COST = 8;

/** Prepare a body with tagbody semantics (symbols and integers are tags; `go` jumps). */
export function bodyRunner(ip: Interp, body: Datum): (env: Env) => void {
  ip.items(body);
  const cells: Cons[] = [];
  for (let d = body; d instanceof Cons; d = d.cdr) cells.push(d);
  const tags = new Map<unknown, number>();
  cells.forEach((c, i) => {
    if (c.car instanceof Sym || typeof c.car === "bigint") tags.set(c.car, i);
  });
  if (tags.size === 0) {
    return (env) => {
      for (const c of cells) ip.evalCell(c, env);
    };
  }
  return (env) => {
    const token = {};
    const inner = env.withTags(tags, token);
    const mark = ip.mark();
    let i = 0;
    for (;;) {
      try {
        while (i < cells.length) {
          const c = cells[i++];
          if (c.car instanceof Cons) ip.evalIn(c.car, inner);
        }
        return;
      } catch (e) {
        if (!(e instanceof GoExit) || e.token !== token) throw e;
        ip.restore(mark);
        ip.tick(GO_COST);
        i = e.index;
      }
    }
  };
}

function go(ip: Interp, form: Cons, env: Env): Datum {
  const [tag] = formArgs(ip, form, 1, 1);
  for (let t = env.tags; t; t = t.next) {
    const index = t.tags.get(tag);
    if (index !== undefined) throw new GoExit(t.token, index);
  }
  return ip.fail(`No tag ${ip.show(tag)} is visible for GO`, "CONTROL-ERROR");
}

function catchForm(ip: Interp, form: Cons, env: Env): Datum {
  formArgs(ip, form, 1);
  const tag = ip.evalIn((form.cdr as Cons).car, env);
  const mark = ip.mark();
  ip.catchTags.push(tag);
  try {
    return ip.progn(bodyAfter(form, 1), env);
  } catch (e) {
    if (!(e instanceof ThrowExit) || !eql(e.tag, tag)) throw e;
    ip.restore(mark);
    ip.mv = e.mv;
    return e.value;
  } finally {
    ip.catchTags.length = mark.catches;
  }
}

function throwForm(ip: Interp, form: Cons, env: Env): Datum {
  const [tagForm, valueForm] = formArgs(ip, form, 2, 2);
  const tag = ip.evalIn(tagForm, env);
  const value = ip.evalIn(valueForm, env);
  if (!ip.catchTags.some((t) => eql(t, tag))) ip.fail(`No CATCH for tag ${ip.show(tag)}`, "CONTROL-ERROR");
  throw new ThrowExit(tag, value, ip.mv);
}

function unwindProtect(ip: Interp, form: Cons, env: Env): Datum {
  formArgs(ip, form, 1);
  const mark = ip.mark();
  let r: Datum;
  try {
    r = ip.evalIn((form.cdr as Cons).car, env);
  } catch (e) {
    if (e instanceof ResourceError) throw e;
    const at = ip.mark();
    const frames = ip.stack.slice();
    ip.restore(mark);
    ip.progn(bodyAfter(form, 1), env);
    ip.stack.length = 0;
    ip.stack.push(...frames);
    ip.restore({ ...at, depth: frames.length });
    throw e;
  }
  const mv = ip.mv;
  ip.progn(bodyAfter(form, 1), env);
  ip.mv = mv;
  return r;
}

function functionForm(ip: Interp, form: Cons, env: Env): Datum {
  const [x] = formArgs(ip, form, 1, 1);
  if (x instanceof Sym) {
    for (let f = env.funs; f; f = f.next) if (f.sym === x) return f.fn as unknown as Datum;
    const def = ip.fdefs.get(x);
    if (def?.fn) return def.fn as unknown as Datum;
    if (def?.macro || def?.special) ip.fail(`"${x.name}" names a macro or special operator, not a function`, "UNDEFINED-FUNCTION");
    return ip.fail(`Undefined function "${x.name}"`, "UNDEFINED-FUNCTION");
  }
  if (x instanceof Cons && x.car instanceof Sym && x.car.name === "LAMBDA") return ip.lambda(x, env, "lambda") as unknown as Datum;
  return ip.syntaxError(`FUNCTION expects a function name or lambda expression, got ${ip.show(x)}`, argSpan(form, 0));
}

function defun(ip: Interp, form: Cons, env: Env): Datum {
  formArgs(ip, form, 2);
  const name = symbolArg(ip, form, 0, "a function name");
  const def = ip.fdef(name);
  if (def.special) ip.syntaxError(`Cannot redefine special operator "${name.name}"`, argSpan(form, 0));
  const c = ip.makeClosure(name.name, "function", argCell(form, 1)!.car, bodyAfter(form, 2), env, name, form.span);
  def.fn = c;
  def.macro = undefined;
  return name;
}

function defmacro(ip: Interp, form: Cons, env: Env): Datum {
  formArgs(ip, form, 2);
  const name = symbolArg(ip, form, 0, "a macro name");
  const def = ip.fdef(name);
  if (def.special) ip.syntaxError(`Cannot redefine special operator "${name.name}"`, argSpan(form, 0));
  const c = ip.makeClosure(name.name, "macro", argCell(form, 1)!.car, bodyAfter(form, 2), env, name, form.span);
  def.macro = { fn: makeMacroFn(ip, c), closure: c };
  return name;
}

function defvar(kind: "DEFVAR" | "DEFPARAMETER" | "DEFCONSTANT"): SpecialForm {
  return (ip, form, env) => {
    const args = formArgs(ip, form, kind === "DEFVAR" ? 1 : 2, 3);
    const name = symbolArg(ip, form, 0, "a variable name");
    if (ip.constants.has(name) && kind !== "DEFCONSTANT") ip.syntaxError(`"${name.name}" is a constant`, argSpan(form, 0));
    if (kind === "DEFCONSTANT") {
      const value = ip.evalIn(args[1], env);
      const old = ip.globals.get(name);
      if (old !== undefined && ip.constants.has(name) && !equal(old, value, ip)) {
        ip.fail(`Constant "${name.name}" redefined with a different value`, "PROGRAM-ERROR");
      }
      ip.defineConstant(name, value);
      return name;
    }
    ip.specials.add(name);
    if (args.length > 1 && (kind === "DEFPARAMETER" || !ip.globals.has(name))) ip.globals.set(name, ip.evalIn(args[1], env));
    return name;
  };
}

function handlerCase(ip: Interp, form: Cons, env: Env): Datum {
  const [expr, ...clauses] = formArgs(ip, form, 1);
  const parsed = clauses.map((c, i) => {
    const parts = c instanceof Cons ? ip.items(c) : [];
    if (parts.length < 2 || (parts[1] !== NIL && !(parts[1] instanceof Cons))) {
      ip.syntaxError(`Malformed HANDLER-CASE clause ${ip.show(c)}`, argSpan(form, i + 1));
    }
    const vars = ip.items(parts[1]);
    return { type: parts[0], vars, body: ((c as Cons).cdr as Cons).cdr, span: argSpan(form, i + 1) };
  });
  const noError = parsed.find((p) => p.type instanceof Sym && p.type.name === ":NO-ERROR");
  const mark = ip.mark();
  let value: Datum;
  try {
    value = ip.evalIn(expr, env);
  } catch (e) {
    const cond = conditionOf(e);
    if (!cond) throw e;
    const clause = parsed.find((p) => p !== noError && typep(ip, cond as unknown as Datum, p.type));
    if (!clause) throw e;
    ip.restore(mark);
    if (clause.vars.length > 1) ip.syntaxError("HANDLER-CASE clause takes at most one variable", clause.span);
    const inner = clause.vars.length ? bindVars(ip, env, [clause.vars[0] as Sym], [cond as unknown as Datum]) : env;
    return tailBody(ip, skipDecl(clause.body), inner);
  }
  if (!noError) return value;
  const values = ip.mv ?? [value];
  const inner = bindArgs(ip, parseLambdaList(ip, list(...noError.vars), false, noError.span), values, null, env, "HANDLER-CASE :NO-ERROR clause");
  return tailBody(ip, noError.body, inner);
}

/** Bind plain variables to values (specials dynamically, pending for the caller's eval). */
export function bindVars(ip: Interp, env: Env, syms: Sym[], values: Datum[]): Env {
  const menv = env.menv?.hasSymbolMacros ? env.menv.withVariables(syms) : null;
  const b = new Binder(ip, menv ? env.withMenv(menv) : env);
  return b.run(() => syms.forEach((s, i) => b.bind(s, values[i] ?? NIL)));
}

function multipleValueBind(ip: Interp, form: Cons, env: Env): Datum {
  const [vars, expr] = formArgs(ip, form, 2);
  const syms = ip.items(vars, "MULTIPLE-VALUE-BIND");
  for (const s of syms) {
    if (!(s instanceof Sym) || s.keyword || s === NIL) ip.syntaxError(`MULTIPLE-VALUE-BIND expects variable names, got ${ip.show(s)}`, argSpan(form, 0));
  }
  const first = ip.evalIn(expr, env);
  const values = ip.mv ?? [first];
  return tailBody(ip, skipDecl(bodyAfter(form, 2)), bindVars(ip, env, syms as Sym[], values));
}

export const EVAL_FORMS: Record<string, SpecialForm> = Object.freeze({
  QUOTE: (ip, form) => formArgs(ip, form, 1, 1)[0],
  FUNCTION: functionForm,
  LAMBDA: (ip, form, env) => ip.lambda(form, env, "lambda") as unknown as Datum,
  IF: (ip, form, env) => {
    formArgs(ip, form, 2, 3);
    const test = ip.evalCell(form.cdr as Cons, env);
    const cell = argCell(form, test !== NIL ? 1 : 2);
    if (!cell) return NIL;
    return cell.car instanceof Cons ? ip.tail(cell.car, env) : ip.evalCell(cell, env);
  },
  PROGN: (ip, form, env) => tailBody(ip, form.cdr, env),
  LOCALLY: (ip, form, env) => tailBody(ip, skipDecl(form.cdr), env),
  LET: letForm(false),
  "LET*": letForm(true),
  FLET: fletForm(false),
  LABELS: fletForm(true),
  MACROLET: (ip, form, env) => {
    formArgs(ip, form, 1);
    return tailBody(ip, skipDecl(bodyAfter(form, 1)), env.withMenv(macroletScope(ip, (form.cdr as Cons).car, env)));
  },
  "SYMBOL-MACROLET": (ip, form, env) => {
    formArgs(ip, form, 1);
    return tailBody(ip, skipDecl(bodyAfter(form, 1)), env.withMenv(symbolMacroletScope(ip, (form.cdr as Cons).car, env.menv)));
  },
  SETQ: setq,
  PSETQ: psetq,
  BLOCK: block,
  "RETURN-FROM": (ip, form, env) => {
    const args = formArgs(ip, form, 1, 2);
    const name = args[0];
    if (!(name instanceof Sym)) ip.syntaxError(`RETURN-FROM expects a block name, got ${ip.show(name)}`, argSpan(form, 0));
    return returnFrom(ip, env, name as Sym, args.length > 1 ? ip.evalIn(args[1], env) : NIL);
  },
  TAGBODY: tagbody,
  GO: go,
  CATCH: catchForm,
  THROW: throwForm,
  "UNWIND-PROTECT": unwindProtect,
  DEFUN: defun,
  DEFMACRO: defmacro,
  DEFVAR: defvar("DEFVAR"),
  DEFPARAMETER: defvar("DEFPARAMETER"),
  DEFCONSTANT: defvar("DEFCONSTANT"),
  "EVAL-WHEN": (ip, form, env) => (evalWhenRuns(ip, form) ? tailBody(ip, bodyAfter(form, 1), env) : NIL),
  "HANDLER-CASE": handlerCase,
  "MULTIPLE-VALUE-BIND": multipleValueBind,
  "MULTIPLE-VALUE-LIST": (ip, form, env) => {
    const [expr] = formArgs(ip, form, 1, 1);
    const first = ip.evalIn(expr, env);
    return fromArray(ip.mv ?? [first]);
  },
  "MULTIPLE-VALUE-PROG1": (ip, form, env) => {
    const [expr] = formArgs(ip, form, 1);
    const first = ip.evalIn(expr, env);
    const mv = ip.mv;
    ip.progn(bodyAfter(form, 1), env);
    ip.mv = mv;
    return first;
  },
  "MULTIPLE-VALUE-CALL": (ip, form, env) => {
    const [fnForm, ...exprs] = formArgs(ip, form, 1);
    const fn = ip.toFunction(ip.evalIn(fnForm, env));
    const args: Datum[] = [];
    for (const e of exprs) {
      const first = ip.evalIn(e, env);
      args.push(...(ip.mv ?? [first]));
    }
    return ip.apply(fn, args);
  },
  "NTH-VALUE": (ip, form, env) => {
    const [n, expr] = formArgs(ip, form, 2, 2);
    const i = ip.evalIn(n, env);
    const first = ip.evalIn(expr, env);
    const values = ip.mv ?? [first];
    if (typeof i !== "bigint" || i < 0n) ip.typeError("NTH-VALUE", "a non-negative integer", i);
    return values[Number(i)] ?? NIL;
  },
  THE: (ip, form, env) => {
    const [, x] = formArgs(ip, form, 2, 2);
    return x instanceof Cons ? ip.tail(x, env) : ip.evalCell(argCell(form, 1)!, env);
  },
  "LOAD-TIME-VALUE": (ip, form, env) => ip.tail(formArgs(ip, form, 1, 2)[0], env),
  DECLARE: () => NIL,
  DECLAIM: () => NIL,
  "IN-PACKAGE": () => NIL,
  DEFPACKAGE: () => NIL,
  "DESTRUCTURING-BIND": (ip, form, env) => {
    const [ll, expr] = formArgs(ip, form, 2);
    const value = ip.evalIn(expr, env);
    const inner = destructure(ip, ip.lambdaList(ll, true), value, env, "DESTRUCTURING-BIND");
    return tailBody(ip, skipDecl(bodyAfter(form, 2)), inner);
  },
  "DEFINE-CONDITION": (ip, form) => {
    const [name, parents] = formArgs(ip, form, 2);
    if (!(name instanceof Sym)) return ip.syntaxError("DEFINE-CONDITION expects a name", argSpan(form, 0));
    ip.conditionTypes.set(name.name, ip.items(parents).map((p) => (p instanceof Sym ? p.name : "ERROR")));
    return name;
  },
  UNQUOTE: (ip, form) => ip.syntaxError("Comma outside a backquote", form.span),
  "UNQUOTE-SPLICING": (ip, form) => ip.syntaxError("',@' outside a backquote", form.span),
});
