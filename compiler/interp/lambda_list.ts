// Lambda lists: parsing (ordinary and macro, with destructuring, &whole, &environment) with
// located errors for malformed lists, and binding arguments to parameters.

import type { Span } from "../diag.ts";
import { Cons, type Datum, NIL, Sym, T } from "../sexp.ts";
import { fromArray } from "./check.ts";
import type { Interp } from "./interp.ts";
import { type DynSave, Env, VarBinding } from "./values.ts";

export type Pattern = Sym | LambdaList;
export interface OptParam { pat: Pattern; init: Datum; svar?: Sym }
export interface KeyParam { key: Sym; pat: Pattern; init: Datum; svar?: Sym }
export interface AuxParam { sym: Sym; init: Datum }

export interface LambdaList {
  whole?: Pattern;
  envVar?: Sym;
  required: Pattern[];
  optional: OptParam[];
  rest?: Pattern;
  /** Undefined when there is no &key. */
  keys?: KeyParam[];
  allowOtherKeys: boolean;
  aux: AuxParam[];
  min: number;
  max: number;
  /** Every variable the list binds (to shadow symbol macros). */
  vars: Sym[];
  /** Only required plain variables. */
  simple: boolean;
  source: Datum;
}

const ORDER: Record<string, number> = Object.freeze({
  "&OPTIONAL": 1, "&REST": 2, "&BODY": 2, "&KEY": 3, "&ALLOW-OTHER-KEYS": 4, "&AUX": 5,
});

/** Parse a lambda list; `macro` enables destructuring, &whole, &environment and dotted rest. */
export function parseLambdaList(ip: Interp, ll: Datum, macro: boolean, span?: Span): LambdaList {
  const where = (ll instanceof Cons ? ll.span : undefined) ?? span;
  const bad: (msg: string, at?: Span) => never = (msg, at) => ip.syntaxError(`Malformed lambda list: ${msg}`, at ?? where);
  if (ll !== NIL && !(ll instanceof Cons)) {
    if (macro && ll instanceof Sym) ll = new Cons(ip.symbols.intern("&REST"), new Cons(ll, NIL));
    else bad(`expected a list of parameters, got ${ip.show(ll)}`);
  }
  const out: LambdaList = { required: [], optional: [], allowOtherKeys: false, aux: [], min: 0, max: 0, vars: [], simple: false, source: ll };
  let state = 0;
  let stateName = "";
  let restTaken = false;
  let d: Datum = ll;
  const variable = (x: Datum, at: Span | undefined, after: string): Sym => {
    if (!(x instanceof Sym) || x.keyword || x === NIL || x === T) {
      bad(after ? `${after} must be followed by a variable, got ${ip.show(x)}` : `${ip.show(x)} is not a variable name`, at);
    }
    if (x.name.startsWith("&")) bad(after ? `${after} must be followed by a variable` : `unknown lambda list keyword ${x.name}`, at);
    out.vars.push(x);
    return x;
  };
  const pattern = (x: Datum, at: Span | undefined, after: string): Pattern => {
    if (macro && (x instanceof Cons || x === NIL) && x !== NIL) {
      const sub = parseLambdaList(ip, x, true, at ?? where);
      out.vars.push(...sub.vars);
      return sub;
    }
    return variable(x, at, after);
  };
  while (d instanceof Cons) {
    ip.tick();
    const cell: Cons = d;
    const x = cell.car;
    const at = cell.carSpan ?? (x instanceof Cons ? x.span : undefined);
    d = cell.cdr;
    if (x instanceof Sym && x.name.startsWith("&") && x.interned) {
      const name = x.name;
      if (name === "&WHOLE") {
        if (!macro) bad("&WHOLE is only allowed in macro lambda lists", at);
        if (cell !== ll) bad("&WHOLE must come first", at);
        if (!(d instanceof Cons)) bad("&WHOLE must be followed by a variable", at);
        out.whole = pattern((d as Cons).car, (d as Cons).carSpan, "&WHOLE");
        d = (d as Cons).cdr;
        continue;
      }
      if (name === "&ENVIRONMENT") {
        if (!macro) bad("&ENVIRONMENT is only allowed in macro lambda lists", at);
        if (out.envVar) bad("&ENVIRONMENT appears twice", at);
        if (!(d instanceof Cons)) bad("&ENVIRONMENT must be followed by a variable", at);
        out.envVar = variable((d as Cons).car, (d as Cons).carSpan, "&ENVIRONMENT");
        d = (d as Cons).cdr;
        continue;
      }
      const rank = ORDER[name];
      if (rank === undefined) bad(`unknown lambda list keyword ${name}`, at);
      if (rank <= state) bad(stateName === name ? `${name} appears twice` : `${name} cannot come after ${stateName}`, at);
      if (name === "&ALLOW-OTHER-KEYS") {
        if (state !== 3) bad("&ALLOW-OTHER-KEYS must follow &KEY", at);
        out.allowOtherKeys = true;
      }
      if (rank === 3) out.keys = [];
      state = rank;
      stateName = name;
      if (rank === 2) {
        if (!(d instanceof Cons)) bad(`${name} must be followed by a variable`, at);
        const next = d as Cons;
        out.rest = pattern(next.car, next.carSpan, name);
        restTaken = true;
        d = next.cdr;
        if (d instanceof Cons && !(d.car instanceof Sym && ORDER[d.car.name] !== undefined) && !isEnvKw(d.car)) {
          bad(`only one variable may follow ${name}`, d.carSpan ?? at);
        }
      }
      continue;
    }
    switch (state) {
      case 0:
        out.required.push(pattern(x, at, ""));
        break;
      case 1: {
        const [v, init, svar] = paramSpec(x, at);
        out.optional.push({ pat: pattern(v, at, ""), init, svar: svar && variable(svar, at, "") });
        break;
      }
      case 3: {
        let key: Sym;
        let v: Datum;
        const [spec, init, svar] = paramSpec(x, at);
        if (spec instanceof Cons) {
          const parts = ip.items(spec);
          if (parts.length !== 2 || !(parts[0] instanceof Sym)) bad(`bad &KEY parameter ${ip.show(x)}`, at);
          key = parts[0] as Sym;
          v = parts[1];
        } else {
          if (!(spec instanceof Sym)) bad(`${ip.show(spec)} is not a variable name`, at);
          v = spec;
          key = ip.symbols.intern(":" + (spec as Sym).name);
        }
        out.keys!.push({ key, pat: pattern(v, at, ""), init, svar: svar && variable(svar, at, "") });
        break;
      }
      case 5: {
        const [v, init, svar] = paramSpec(x, at);
        if (svar) bad(`bad &AUX parameter ${ip.show(x)}`, at);
        out.aux.push({ sym: variable(v, at, ""), init });
        break;
      }
      default:
        bad(`unexpected ${ip.show(x)} after ${stateName}`, at);
    }
  }
  if (d !== NIL) {
    if (!macro || restTaken || state > 1) bad(`unexpected dotted tail ${ip.show(d)}`);
    out.rest = variable(d, where, "");
  }
  out.min = out.required.length;
  out.max = out.rest || out.keys ? Infinity : out.required.length + out.optional.length;
  out.simple = out.max === out.min && !out.whole && !out.envVar && out.aux.length === 0 &&
    out.required.every((p) => p instanceof Sym);
  return out;

  function paramSpec(x: Datum, at: Span | undefined): [Datum, Datum, Sym | undefined] {
    if (!(x instanceof Cons)) return [x, NIL, undefined];
    const parts = ip.items(x);
    if (parts.length > 3 || (parts.length === 3 && !(parts[2] instanceof Sym))) bad(`bad parameter ${ip.show(x)}`, at);
    return [parts[0], parts[1] ?? NIL, parts[2] as Sym | undefined];
  }
}

const isEnvKw = (d: Datum): boolean => d instanceof Sym && d.name === "&ENVIRONMENT";

/** Collects bindings into a new environment; special variables are bound dynamically. */
export class Binder {
  vars: VarBinding | null;
  /** Saved special bindings, undone if binding fails, else handed to `ip.pendingDyn`. */
  readonly saves: DynSave[] = [];
  constructor(private readonly ip: Interp, private readonly base: Env) {
    this.vars = base.vars;
  }
  env(): Env {
    return this.base.withVars(this.vars);
  }
  bind(sym: Sym, value: Datum): void {
    if (this.ip.isSpecial(sym)) this.ip.bindSpecial(sym, value, this.saves);
    else this.vars = new VarBinding(sym, value, this.vars);
  }
  /** Run the binding phase `f`; on success publish the special bindings as pending. */
  run(f: () => void): Env {
    try {
      f();
    } catch (e) {
      this.ip.undoDyn(this.saves);
      throw e;
    }
    if (this.saves.length) this.ip.pendingDyn = this.saves;
    return this.env();
  }
  eval(form: Datum): Datum {
    return form === NIL ? NIL : this.ip.evalIn(form, this.env());
  }
}

/**
 * Bind `args` to the parameters of `ll` in a new environment extending `env`. `tail(i)` gives
 * the argument list from index i (macros pass the original list so &body keeps its cells).
 * `who` names the callee in messages ("Function \"F\"", "Macro \"M\"").
 */
export function bindArgs(
  ip: Interp, ll: LambdaList, args: Datum[], tail: ((i: number) => Datum) | null, env: Env, who: string, whole?: Datum,
): Env {
  const menv = env.menv?.hasSymbolMacros ? env.menv.withVariables(ll.vars) : env.menv;
  const b = new Binder(ip, menv === env.menv ? env : env.withMenv(menv));
  ip.nest += 7;
  const out = b.run(() => bindInto(ip, b, ll, args, tail, who, whole));
  ip.nest -= 7;
  return out;
}

function bindInto(
  ip: Interp, b: Binder, ll: LambdaList, args: Datum[], tail: ((i: number) => Datum) | null, who: string, whole?: Datum,
): void {
  const n = args.length;
  if (ll.whole) bindPattern(ip, b, ll.whole, whole ?? fromArray(args), who);
  if (ll.envVar) b.bind(ll.envVar, ip.currentMacroEnv());
  if (n < ll.min) ip.programError(`${who} takes at least ${plural(ll.min)}, got ${n}`);
  if (n > ll.max) ip.programError(`${who} takes at most ${plural(ll.max)}, got ${n}`);
  let i = 0;
  for (const p of ll.required) bindPattern(ip, b, p, args[i++], who);
  for (const o of ll.optional) {
    const supplied = i < n;
    bindPattern(ip, b, o.pat, supplied ? args[i++] : b.eval(o.init), who);
    if (o.svar) b.bind(o.svar, supplied ? T : NIL);
  }
  if (ll.rest) bindPattern(ip, b, ll.rest, tail ? tail(i) : fromArray(args.slice(i)), who);
  if (ll.keys) {
    const rest = args.slice(i);
    if (rest.length % 2) ip.programError(`${who} got an odd number of keyword arguments`);
    let allow = ll.allowOtherKeys;
    for (let k = 0; k < rest.length; k += 2) {
      if (rest[k] instanceof Sym && (rest[k] as Sym).name === ":ALLOW-OTHER-KEYS" && rest[k + 1] !== NIL) allow = true;
    }
    if (!allow) {
      for (let k = 0; k < rest.length; k += 2) {
        const key = rest[k];
        if (!(key instanceof Sym) || !key.keyword) ip.programError(`${who} got ${ip.show(key)} where a keyword was expected`);
        if (key.name !== ":ALLOW-OTHER-KEYS" && !ll.keys.some((p) => p.key === key)) {
          ip.programError(`${who} got unknown keyword argument ${ip.show(key)}`);
        }
      }
    }
    for (const p of ll.keys) {
      let k = 0;
      while (k < rest.length && rest[k] !== p.key) k += 2;
      const supplied = k < rest.length;
      bindPattern(ip, b, p.pat, supplied ? rest[k + 1] : b.eval(p.init), who);
      if (p.svar) b.bind(p.svar, supplied ? T : NIL);
    }
  }
  for (const a of ll.aux) b.bind(a.sym, b.eval(a.init));
}

/** Bind the destructuring lambda list `ll` to the list `value` (destructuring-bind). */
export function destructure(ip: Interp, ll: LambdaList, value: Datum, env: Env, who: string): Env {
  const menv = env.menv?.hasSymbolMacros ? env.menv.withVariables(ll.vars) : env.menv;
  const b = new Binder(ip, menv === env.menv ? env : env.withMenv(menv));
  return b.run(() => bindPattern(ip, b, ll, value, who));
}

function bindPattern(ip: Interp, b: Binder, p: Pattern, value: Datum, who: string): void {
  if (p instanceof Sym) {
    b.bind(p, value);
    return;
  }
  if (value !== NIL && !(value instanceof Cons)) {
    ip.programError(`${who} expected a list to match ${ip.show(p.source)}, got ${ip.show(value)}`);
  }
  const items: Datum[] = [];
  const cells: Cons[] = [];
  let d: Datum = value;
  while (d instanceof Cons) {
    ip.tick();
    cells.push(d);
    items.push(d.car);
    d = d.cdr;
  }
  const dotted = d;
  const tail = (i: number): Datum => (i < cells.length ? cells[i] : dotted);
  if (dotted !== NIL && !p.rest) ip.programError(`${who} expected a proper list to match ${ip.show(p.source)}, got ${ip.show(value)}`);
  const before = items.length;
  if (before < p.min || before > p.max) {
    ip.programError(`${who} expected ${p.min === p.max ? p.min : before < p.min ? `at least ${p.min}` : `at most ${p.max}`} element${(before < p.min ? p.min : p.max) === 1 ? "" : "s"} to match ${ip.show(p.source)}, got ${ip.show(value)}`);
  }
  bindInto(ip, b, p, items, tail, who, value);
}

export const plural = (n: number): string => `${n} argument${n === 1 ? "" : "s"}`;
