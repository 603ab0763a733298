// Generalized places: setf, psetf, incf, decf, push, pop, pushnew, rotatef, shiftf, remf on
// variables, car/cdr/cXr/nth/first…tenth/elt/aref/svref/gethash/getf/symbol-value and macros.

import { Cons, type Datum, HashTable, NIL, Sym, Vector } from "../sexp.ts";
import { numAdd, numSub } from "./builtins_num.ts";
import { eql } from "./equality.ts";
import { argSpan, formArgs, headName, type SpecialForm } from "./forms.ts";
import type { Interp } from "./interp.ts";
import { expandOnce } from "./macros.ts";
import type { Env } from "./values.ts";

interface Place {
  get(): Datum;
  set(v: Datum): void;
}

const NTH_NAMES: readonly string[] = Object.freeze(["FIRST", "SECOND", "THIRD", "FOURTH", "FIFTH", "SIXTH", "SEVENTH", "EIGHTH", "NINTH", "TENTH"]);

function consAt(ip: Interp, x: Datum, n: number, who: string): Cons {
  let d = x;
  for (let i = 0; i < n && d instanceof Cons; i++) {
    ip.tick();
    d = d.cdr;
  }
  if (!(d instanceof Cons)) return ip.fail(`Cannot SETF ${who}: the list ${ip.show(x)} is too short`, "TYPE-ERROR");
  return d;
}

function index(ip: Interp, i: Datum, len: number, who: string): number {
  if (typeof i !== "bigint" || i < 0n || i >= BigInt(len)) ip.fail(`Index ${ip.show(i)} out of bounds for ${who} (length ${len})`, "TYPE-ERROR");
  return Number(i);
}

/** Resolve `form` as a place, evaluating its subforms once. */
export function place(ip: Interp, form: Datum, env: Env, span: Cons["span"]): Place {
  if (form instanceof Sym) {
    const sm = env.menv?.hasSymbolMacros ? env.menv.localSymbolMacro(form) : undefined;
    if (sm) return place(ip, sm.expansion, env, span);
    if (form.keyword || form === NIL || form === ip.T) ip.syntaxError(`Cannot assign to constant "${form.name}"`, span);
    return { get: () => ip.varValue(form, env, span), set: (v) => ip.setVar(form, v, env) };
  }
  if (!(form instanceof Cons) || !(form.car instanceof Sym)) return ip.syntaxError(`${ip.show(form)} is not a place`, span);
  const name = form.car.name;
  const args = ip.items(form.cdr);
  const ev = (i: number): Datum => ip.evalIn(args[i], env);
  const nth = NTH_NAMES.indexOf(name);
  const cellPlace = (c: Cons, car: boolean): Place =>
    car ? { get: () => c.car, set: (v) => void (c.car = v) } : { get: () => c.cdr, set: (v) => void (c.cdr = v) };
  if (nth >= 0 || name === "CAR" || name === "CDR" || name === "REST") {
    const obj = ev(0);
    return cellPlace(consAt(ip, obj, nth >= 0 ? nth : 0, name), name !== "CDR" && name !== "REST");
  }
  if (/^C[AD]{2,4}R$/.test(name)) {
    let obj = ev(0);
    const ops = name.slice(1, -1);
    for (let i = ops.length - 1; i > 0; i--) {
      const c = consAt(ip, obj, 0, name);
      obj = ops[i] === "A" ? c.car : c.cdr;
    }
    return cellPlace(consAt(ip, obj, 0, name), ops[0] === "A");
  }
  switch (name) {
    case "NTH": {
      const n = ev(0);
      if (typeof n !== "bigint" || n < 0n) ip.typeError("NTH", "a non-negative integer", n);
      return cellPlace(consAt(ip, ev(1), Number(n), "NTH"), true);
    }
    case "ELT": case "AREF": case "SVREF": {
      const seq = ev(0);
      const i = ev(1);
      if (seq instanceof Vector) {
        const k = index(ip, i, seq.items.length, name);
        return { get: () => seq.items[k], set: (v) => void (seq.items[k] = v) };
      }
      if (seq instanceof Cons && name === "ELT") return cellPlace(consAt(ip, seq, Number(index(ip, i, Infinity, name)), name), true);
      if (typeof seq === "string") return ip.fail("Strings are immutable at compile time: cannot SETF a character", "TYPE-ERROR");
      return ip.typeError(name, "a vector", seq);
    }
    case "CHAR": case "SCHAR":
      return ip.fail("Strings are immutable at compile time: cannot SETF a character", "TYPE-ERROR");
    case "GETHASH": {
      const key = ev(0);
      const table = ev(1);
      if (!(table instanceof HashTable)) return ip.typeError("GETHASH", "a hash table", table);
      const def = args.length > 2 ? ev(2) : NIL;
      const k = ip.keys.key(table.test, key);
      return {
        get: () => table.entries.get(k)?.[1] ?? def,
        set: (v) => void table.entries.set(k, [key, v]),
      };
    }
    case "GETF": {
      const inner = place(ip, args[0], env, span);
      const ind = ev(1);
      const def = args.length > 2 ? ev(2) : NIL;
      const find = (): Cons | undefined => {
        for (let d = inner.get(); d instanceof Cons && d.cdr instanceof Cons; d = d.cdr.cdr) {
          ip.tick();
          if (d.car === ind) return d.cdr;
        }
        return undefined;
      };
      return {
        get: () => find()?.car ?? def,
        set: (v) => {
          const c = find();
          if (c) c.car = v;
          else inner.set(new Cons(ind, new Cons(v, inner.get())));
        },
      };
    }
    case "SYMBOL-VALUE": {
      const s = ev(0);
      if (!(s instanceof Sym)) return ip.typeError("SYMBOL-VALUE", "a symbol", s);
      return {
        get: () => ip.varValue(s, ip.global, span),
        set: (v) => ip.setVar(s, v, ip.global),
      };
    }
    case "THE":
      return place(ip, args[1], env, span);
  }
  const [exp, expanded] = expandOnce(ip, form, env.menv);
  if (expanded) return place(ip, exp, env, span);
  return ip.syntaxError(`Cannot SETF ${ip.show(form)}: unknown place "${name}"`, form.span ?? span);
}

function setf(ip: Interp, form: Cons, env: Env): Datum {
  const args = formArgs(ip, form, 0);
  if (args.length % 2) ip.syntaxError(`${headName(form)} needs an even number of arguments, got ${args.length}`, form.span);
  let value: Datum = NIL;
  for (let i = 0; i < args.length; i += 2) {
    const p = place(ip, args[i], env, argSpan(form, i));
    value = ip.evalIn(args[i + 1], env);
    p.set(value);
  }
  return value;
}

function modify(op: "INCF" | "DECF"): SpecialForm {
  return (ip, form, env) => {
    const args = formArgs(ip, form, 1, 2);
    const p = place(ip, args[0], env, argSpan(form, 0));
    const old = p.get();
    const delta = args.length > 1 ? ip.evalIn(args[1], env) : 1n;
    const v = op === "INCF" ? numAdd(ip, old, delta, op) : numSub(ip, old, delta, op);
    p.set(v);
    return v;
  };
}

function memberWith(ip: Interp, item: Datum, lst: Datum, opts: Map<string, Datum>): boolean {
  const test = opts.get(":TEST");
  const testNot = opts.get(":TEST-NOT");
  const key = opts.get(":KEY");
  const k = (x: Datum) => (key && key !== NIL ? ip.apply(ip.toFunction(key), [x]) : x);
  const ik = k(item);
  for (const x of ip.items(lst, "PUSHNEW")) {
    const kx = k(x);
    if (testNot) {
      if (ip.apply(ip.toFunction(testNot), [ik, kx]) === NIL) return true;
    } else if (test ? ip.apply(ip.toFunction(test), [ik, kx]) !== NIL : eql(ik, kx)) return true;
  }
  return false;
}

export const PLACE_FORMS: Record<string, SpecialForm> = Object.freeze({
  SETF: setf,
  PSETF: (ip, form, env) => {
    const args = formArgs(ip, form, 0);
    if (args.length % 2) ip.syntaxError(`PSETF needs an even number of arguments, got ${args.length}`, form.span);
    const todo: [Place, Datum][] = [];
    for (let i = 0; i < args.length; i += 2) todo.push([place(ip, args[i], env, argSpan(form, i)), ip.evalIn(args[i + 1], env)]);
    for (const [p, v] of todo) p.set(v);
    return NIL;
  },
  INCF: modify("INCF"),
  DECF: modify("DECF"),
  PUSH: (ip, form, env) => {
    const [itemForm, placeForm] = formArgs(ip, form, 2, 2);
    const item = ip.evalIn(itemForm, env);
    const p = place(ip, placeForm, env, argSpan(form, 1));
    const v = new Cons(item, p.get());
    p.set(v);
    return v;
  },
  PUSHNEW: (ip, form, env) => {
    const [itemForm, placeForm, ...kw] = formArgs(ip, form, 2);
    const item = ip.evalIn(itemForm, env);
    const p = place(ip, placeForm, env, argSpan(form, 1));
    const opts = new Map<string, Datum>();
    for (let i = 0; i + 1 < kw.length; i += 2) opts.set((kw[i] as Sym).name, ip.evalIn(kw[i + 1], env));
    const old = p.get();
    if (memberWith(ip, item, old, opts)) return old;
    const v = new Cons(item, old);
    p.set(v);
    return v;
  },
  POP: (ip, form, env) => {
    const [placeForm] = formArgs(ip, form, 1, 1);
    const p = place(ip, placeForm, env, argSpan(form, 0));
    const v = p.get();
    if (v === NIL) return NIL;
    if (!(v instanceof Cons)) return ip.typeError("POP", "a list", v);
    p.set(v.cdr);
    return v.car;
  },
  ROTATEF: (ip, form, env) => {
    const places = formArgs(ip, form, 0).map((f, i) => place(ip, f, env, argSpan(form, i)));
    if (places.length < 2) return NIL;
    const values = places.map((p) => p.get());
    places.forEach((p, i) => p.set(values[(i + 1) % values.length]));
    return NIL;
  },
  SHIFTF: (ip, form, env) => {
    const args = formArgs(ip, form, 2);
    const places = args.slice(0, -1).map((f, i) => place(ip, f, env, argSpan(form, i)));
    const values = places.map((p) => p.get());
    const last = ip.evalIn(args[args.length - 1], env);
    places.forEach((p, i) => p.set(i + 1 < values.length ? values[i + 1] : last));
    return values[0];
  },
  REMF: (ip, form, env) => {
    const [placeForm, indForm] = formArgs(ip, form, 2, 2);
    const p = place(ip, placeForm, env, argSpan(form, 0));
    const ind = ip.evalIn(indForm, env);
    let prev: Cons | undefined;
    for (let d = p.get(); d instanceof Cons && d.cdr instanceof Cons; d = d.cdr.cdr) {
      ip.tick();
      if (d.car === ind) {
        if (prev) prev.cdr = d.cdr.cdr;
        else p.set(d.cdr.cdr);
        return ip.T;
      }
      prev = d.cdr;
    }
    return NIL;
  },
});
