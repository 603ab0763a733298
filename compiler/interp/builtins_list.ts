// List builtins: conses and accessors, list construction, mapping functions, association
// lists, property lists, trees and list sets.

import { Cons, type Datum, NIL, T } from "../sexp.ts";
import { type BuiltinRow, bool, car, cdr, cons, fromArray, keyFn, kwargs, testFn } from "./check.ts";
import { index } from "./builtins_num.ts";
import type { Interp } from "./interp.ts";
import { MAX_DATA_DEPTH } from "./print.ts";

const TEST_KEYS = [":TEST", ":TEST-NOT", ":KEY"] as const;

/** Build a list from items with a final tail. */
export const listStar = fromArray;

function nthcdr(ip: Interp, n: number, x: Datum, who: string): Datum {
  let d = x;
  for (let i = 0; i < n; i++) {
    ip.tick();
    if (d === NIL) return NIL;
    d = cdr(ip, d, who);
  }
  return d;
}

function cxr(name: string): BuiltinRow {
  const ops = name.slice(1, -1);
  return [name, 1, 1, (ip, [x]) => {
    let d = x;
    for (let i = ops.length - 1; i >= 0; i--) d = ops[i] === "A" ? car(ip, d, name) : cdr(ip, d, name);
    return d;
  }];
}

function cxrNames(): string[] {
  const out: string[] = [];
  const grow = (s: string) => {
    if (s.length >= 2) out.push(`C${s}R`);
    if (s.length < 4) for (const c of "AD") grow(s + c);
  };
  grow("");
  return out;
}

/** Apply `f` to successive elements (or tails) of several lists, stopping at the shortest. */
function mapLists(ip: Interp, who: string, fnArg: Datum, lists: Datum[], tails: boolean, each: (v: Datum) => void): void {
  const f = ip.toFunction(fnArg);
  const cur = lists.slice();
  for (;;) {
    ip.tick();
    if (!cur.every((l) => l instanceof Cons)) {
      const bad = cur.find((l) => l !== NIL && !(l instanceof Cons));
      if (bad !== undefined) ip.typeError(who, "a list", bad);
      return;
    }
    each(ip.apply(f, cur.map((l) => (tails ? l : (l as Cons).car))));
    for (let i = 0; i < cur.length; i++) (cur as Datum[])[i] = (cur[i] as Cons).cdr;
  }
}

/** Concatenate lists destructively (nconc) or by copying all but the last (append). */
function joinLists(ip: Interp, args: Datum[], copy: boolean, who: string): Datum {
  let result: Datum = NIL;
  let last: Cons | null = null;
  args.forEach((a, i) => {
    if (a === NIL) return;
    let piece = a;
    if (copy && i < args.length - 1) {
      if (!(a instanceof Cons)) ip.typeError(who, "a list", a);
      piece = fromArray(ip.items(a, who));
    }
    if (last) last.cdr = piece;
    else result = piece;
    if (piece instanceof Cons) {
      let t: Cons = piece;
      while (t.cdr instanceof Cons) {
        ip.tick();
        t = t.cdr;
      }
      last = t;
    } else if (i < args.length - 1) ip.typeError(who, "a list", a);
  });
  return result;
}

function copyTree(ip: Interp, x: Datum, depth: number): Datum {
  if (!(x instanceof Cons)) return x;
  if (depth > MAX_DATA_DEPTH) ip.fail(`Data nested too deeply (more than ${MAX_DATA_DEPTH} levels)`);
  const head = new Cons(NIL, NIL);
  let t = head;
  let d: Datum = x;
  while (d instanceof Cons) {
    ip.tick();
    const c = new Cons(copyTree(ip, d.car, depth + 1), NIL);
    c.carSpan = d.carSpan;
    t.cdr = c;
    t = c;
    d = d.cdr;
  }
  t.cdr = d;
  return head.cdr;
}

/** Substitute in a tree: recursion on cars only (cdr chains are walked), fresh cells throughout. */
function subst(ip: Interp, x: Datum, match: (d: Datum) => Datum | undefined, depth: number): Datum {
  ip.tick();
  const r = match(x);
  if (r !== undefined || !(x instanceof Cons)) return r ?? x;
  if (depth > MAX_DATA_DEPTH) ip.fail(`Data nested too deeply (more than ${MAX_DATA_DEPTH} levels)`);
  const head = new Cons(NIL, NIL);
  let t = head;
  let d: Datum = x;
  for (;;) {
    const c = new Cons(subst(ip, d.car, match, depth + 1), NIL);
    c.carSpan = d.carSpan;
    t.cdr = c;
    t = c;
    d = d.cdr;
    ip.tick();
    const m = match(d);
    if (m !== undefined || !(d instanceof Cons)) {
      t.cdr = m ?? d;
      return head.cdr;
    }
  }
}

function member(ip: Interp, item: Datum, l: Datum, opts: Map<string, Datum>): Datum {
  const test = testFn(ip, opts);
  const key = keyFn(ip, opts);
  for (let d = l; d instanceof Cons; d = d.cdr) {
    ip.tick();
    if (test(item, key(d.car))) return d;
  }
  return NIL;
}

function assocBy(ip: Interp, item: Datum, alist: Datum, opts: Map<string, Datum>, useCdr: boolean, who: string): Datum {
  const test = testFn(ip, opts);
  const key = keyFn(ip, opts);
  for (const entry of ip.items(alist, who)) {
    if (entry === NIL) continue;
    const c = cons(ip, entry, who);
    if (test(item, key(useCdr ? c.cdr : c.car))) return c;
  }
  return NIL;
}

function getf(ip: Interp, plist: Datum, ind: Datum, def: Datum): Datum {
  for (let d = plist; d instanceof Cons && d.cdr instanceof Cons; d = d.cdr.cdr) {
    ip.tick();
    if (d.car === ind) return d.cdr.car;
  }
  return def;
}

function setOp(kind: "UNION" | "INTERSECTION" | "SET-DIFFERENCE"): BuiltinRow {
  return [kind, 2, Infinity, (ip, [a, b, ...rest]) => {
    const opts = kwargs(ip, rest, 0, TEST_KEYS, kind);
    const test = testFn(ip, opts);
    const key = keyFn(ip, opts);
    const xs = ip.items(a, kind), ys = ip.items(b, kind);
    const inYs = (x: Datum) => ys.some((y) => test(key(x), key(y)));
    if (kind === "UNION") return fromArray(xs.filter((x) => !inYs(x)).concat(ys));
    return fromArray(xs.filter((x) => (kind === "INTERSECTION") === inYs(x)));
  }];
}

export const LIST_BUILTINS: readonly BuiltinRow[] = Object.freeze([
  ["CONS", 2, 2, (_ip, [a, b]) => new Cons(a, b)],
  ["CAR", 1, 1, (ip, [x]) => car(ip, x, "CAR")],
  ["CDR", 1, 1, (ip, [x]) => cdr(ip, x, "CDR")],
  ["FIRST", 1, 1, (ip, [x]) => car(ip, x, "FIRST")],
  ["REST", 1, 1, (ip, [x]) => cdr(ip, x, "REST")],
  ...cxrNames().map(cxr),
  ...["SECOND", "THIRD", "FOURTH", "FIFTH", "SIXTH", "SEVENTH", "EIGHTH", "NINTH", "TENTH"].map((name, i): BuiltinRow =>
    [name, 1, 1, (ip, [x]) => car(ip, nthcdr(ip, i + 1, x, name), name)]
  ),
  ["NTH", 2, 2, (ip, [n, x]) => car(ip, nthcdr(ip, index(ip, n, "NTH"), x, "NTH"), "NTH")],
  ["NTHCDR", 2, 2, (ip, [n, x]) => nthcdr(ip, index(ip, n, "NTHCDR"), x, "NTHCDR")],
  ["LIST", 0, Infinity, (_ip, args) => fromArray(args)],
  ["LIST*", 1, Infinity, (_ip, args) => listStar(args.slice(0, -1), args[args.length - 1])],
  ["MAKE-LIST", 1, 3, (ip, [n, ...rest]) => {
    const k = index(ip, n, "MAKE-LIST");
    ip.tick(k);
    const init = kwargs(ip, rest, 0, [":INITIAL-ELEMENT"], "MAKE-LIST").get(":INITIAL-ELEMENT") ?? NIL;
    return fromArray(new Array<Datum>(k).fill(init));
  }],
  ["APPEND", 0, Infinity, (ip, args) => joinLists(ip, args, true, "APPEND")],
  ["NCONC", 0, Infinity, (ip, args) => joinLists(ip, args, false, "NCONC")],
  ["REVAPPEND", 2, 2, (ip, [a, b]) => listStar(ip.items(a, "REVAPPEND").reverse(), b)],
  ["NRECONC", 2, 2, (ip, [a, b]) => listStar(ip.items(a, "NRECONC").reverse(), b)],
  ["LAST", 1, 2, (ip, [x, n]) => {
    const k = n === undefined ? 1 : index(ip, n, "LAST");
    const cells: Datum[] = [];
    let d = x;
    while (d instanceof Cons) {
      ip.tick();
      cells.push(d);
      d = d.cdr;
    }
    return k === 0 ? d : cells[Math.max(0, cells.length - k)] ?? x;
  }],
  ["BUTLAST", 1, 2, (ip, [x, n]) => {
    const items = ip.items(x, "BUTLAST");
    return fromArray(items.slice(0, Math.max(0, items.length - (n === undefined ? 1 : index(ip, n, "BUTLAST")))));
  }],
  ["NBUTLAST", 1, 2, (ip, [x, n]) => {
    const items = ip.items(x, "NBUTLAST");
    return fromArray(items.slice(0, Math.max(0, items.length - (n === undefined ? 1 : index(ip, n, "NBUTLAST")))));
  }],
  ["LIST-LENGTH", 1, 1, (ip, [x]) => {
    let n = 0n;
    let slow = x;
    for (let d = x; d instanceof Cons; d = d.cdr) {
      ip.tick();
      n++;
      if (n % 2n === 0n) {
        slow = (slow as Cons).cdr;
        if (slow === d.cdr && d.cdr instanceof Cons) return NIL;
      }
    }
    return n;
  }],
  ["COPY-LIST", 1, 1, (ip, [x]) => {
    if (x === NIL) return NIL;
    const items: Datum[] = [];
    let d = x;
    while (d instanceof Cons) {
      ip.tick();
      items.push(d.car);
      d = d.cdr;
    }
    return listStar(items, d);
  }],
  ["COPY-TREE", 1, 1, (ip, [x]) => copyTree(ip, x, 0)],
  ["COPY-ALIST", 1, 1, (ip, [x]) => fromArray(ip.items(x, "COPY-ALIST").map((e) => (e instanceof Cons ? new Cons(e.car, e.cdr) : e)))],
  ["RPLACA", 2, 2, (ip, [c, v]) => {
    cons(ip, c, "RPLACA").car = v;
    return c;
  }],
  ["RPLACD", 2, 2, (ip, [c, v]) => {
    cons(ip, c, "RPLACD").cdr = v;
    return c;
  }],
  ["NULL", 1, 1, (_ip, [x]) => bool(x === NIL)],
  ["ENDP", 1, 1, (ip, [x]) => (x === NIL ? T : x instanceof Cons ? NIL : ip.typeError("ENDP", "a list", x))],
  ["ATOM", 1, 1, (_ip, [x]) => bool(!(x instanceof Cons))],
  ["CONSP", 1, 1, (_ip, [x]) => bool(x instanceof Cons)],
  ["LISTP", 1, 1, (_ip, [x]) => bool(x === NIL || x instanceof Cons)],
  ["MAPCAR", 2, Infinity, (ip, [f, ...ls]) => {
    const out: Datum[] = [];
    mapLists(ip, "MAPCAR", f, ls, false, (v) => out.push(v));
    return fromArray(out);
  }],
  ["MAPLIST", 2, Infinity, (ip, [f, ...ls]) => {
    const out: Datum[] = [];
    mapLists(ip, "MAPLIST", f, ls, true, (v) => out.push(v));
    return fromArray(out);
  }],
  ["MAPC", 2, Infinity, (ip, [f, ...ls]) => {
    mapLists(ip, "MAPC", f, ls, false, () => {});
    return ls[0];
  }],
  ["MAPL", 2, Infinity, (ip, [f, ...ls]) => {
    mapLists(ip, "MAPL", f, ls, true, () => {});
    return ls[0];
  }],
  ["MAPCAN", 2, Infinity, (ip, [f, ...ls]) => {
    const out: Datum[] = [];
    mapLists(ip, "MAPCAN", f, ls, false, (v) => out.push(v));
    return joinLists(ip, out, false, "MAPCAN");
  }],
  ["MAPCON", 2, Infinity, (ip, [f, ...ls]) => {
    const out: Datum[] = [];
    mapLists(ip, "MAPCON", f, ls, true, (v) => out.push(v));
    return joinLists(ip, out, false, "MAPCON");
  }],
  ["MEMBER", 2, Infinity, (ip, [item, l, ...rest]) => member(ip, item, l, kwargs(ip, rest, 0, TEST_KEYS, "MEMBER"))],
  ["MEMBER-IF", 2, 4, (ip, [f, l, ...rest]) => {
    const key = keyFn(ip, kwargs(ip, rest, 0, [":KEY"], "MEMBER-IF"));
    const fn = ip.toFunction(f);
    for (let d = l; d instanceof Cons; d = d.cdr) {
      ip.tick();
      if (ip.apply(fn, [key(d.car)]) !== NIL) return d;
    }
    return NIL;
  }],
  ["ADJOIN", 2, Infinity, (ip, [item, l, ...rest]) => {
    const opts = kwargs(ip, rest, 0, TEST_KEYS, "ADJOIN");
    return member(ip, keyFn(ip, opts)(item), l, opts) !== NIL ? l : new Cons(item, l);
  }],
  ["ASSOC", 2, Infinity, (ip, [item, al, ...rest]) => assocBy(ip, item, al, kwargs(ip, rest, 0, TEST_KEYS, "ASSOC"), false, "ASSOC")],
  ["RASSOC", 2, Infinity, (ip, [item, al, ...rest]) => assocBy(ip, item, al, kwargs(ip, rest, 0, TEST_KEYS, "RASSOC"), true, "RASSOC")],
  ["ASSOC-IF", 2, 4, (ip, [f, al]) => {
    const fn = ip.toFunction(f);
    return ip.items(al, "ASSOC-IF").find((e) => e instanceof Cons && ip.apply(fn, [e.car]) !== NIL) ?? NIL;
  }],
  ["ACONS", 3, 3, (_ip, [k, v, al]) => new Cons(new Cons(k, v), al)],
  ["PAIRLIS", 2, 3, (ip, [ks, vs, al]) => {
    const k = ip.items(ks, "PAIRLIS"), v = ip.items(vs, "PAIRLIS");
    return listStar(k.map((x, i) => new Cons(x, v[i] ?? NIL)).reverse(), al ?? NIL);
  }],
  ["GETF", 2, 3, (ip, [pl, ind, def]) => getf(ip, pl, ind, def ?? NIL)],
  ["GET-PROPERTIES", 2, 2, (ip, [pl, inds]) => {
    const wanted = ip.items(inds);
    for (let d = pl; d instanceof Cons && d.cdr instanceof Cons; d = d.cdr.cdr) {
      ip.tick();
      if (wanted.includes(d.car)) {
        ip.mv = [d.car, d.cdr.car, d];
        return d.car;
      }
    }
    ip.mv = [NIL, NIL, NIL];
    return NIL;
  }, true],
  ["SUBST", 3, Infinity, (ip, [nu, old, tree, ...rest]) => {
    const opts = kwargs(ip, rest, 0, TEST_KEYS, "SUBST");
    const test = testFn(ip, opts), key = keyFn(ip, opts);
    return subst(ip, tree, (d) => (test(old, key(d)) ? nu : undefined), 0);
  }],
  ["SUBST-IF", 3, 5, (ip, [nu, f, tree]) => {
    const fn = ip.toFunction(f);
    return subst(ip, tree, (d) => (ip.apply(fn, [d]) !== NIL ? nu : undefined), 0);
  }],
  ["SUBLIS", 2, Infinity, (ip, [al, tree, ...rest]) => {
    const opts = kwargs(ip, rest, 0, TEST_KEYS, "SUBLIS");
    const test = testFn(ip, opts), key = keyFn(ip, opts);
    const pairs = ip.items(al, "SUBLIS").filter((p): p is Cons => p instanceof Cons);
    return subst(ip, tree, (d) => pairs.find((p) => test(p.car, key(d)))?.cdr, 0);
  }],
  ["TREE-EQUAL", 2, Infinity, (ip, [a, b, ...rest]) => {
    const test = testFn(ip, kwargs(ip, rest, 0, [":TEST", ":TEST-NOT"], "TREE-EQUAL"));
    const walk = (x: Datum, y: Datum, depth: number): boolean => {
      if (depth > MAX_DATA_DEPTH) ip.fail(`Data nested too deeply (more than ${MAX_DATA_DEPTH} levels)`);
      for (;;) {
        ip.tick();
        if (!(x instanceof Cons) || !(y instanceof Cons)) return !(x instanceof Cons) && !(y instanceof Cons) && test(x, y);
        if (!walk(x.car, y.car, depth + 1)) return false;
        x = x.cdr;
        y = y.cdr;
      }
    };
    return bool(walk(a, b, 0));
  }],
  setOp("UNION"),
  setOp("INTERSECTION"),
  setOp("SET-DIFFERENCE"),
  ["SUBSETP", 2, Infinity, (ip, [a, b, ...rest]) => {
    const opts = kwargs(ip, rest, 0, TEST_KEYS, "SUBSETP");
    const test = testFn(ip, opts), key = keyFn(ip, opts);
    const ys = ip.items(b, "SUBSETP");
    return bool(ip.items(a, "SUBSETP").every((x) => ys.some((y) => test(key(x), key(y)))));
  }],
  ["SYMBOL-PLIST", 1, 1, () => NIL],
]);
