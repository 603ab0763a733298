// Sequence builtins over lists, vectors and strings: length, elt, subseq, remove/find/position/
// count families, reduce, sort, every/some, map, concatenate, and vectors.

import { Cons, type Datum, NIL, T, Vector } from "../sexp.ts";
import { type BuiltinRow, bool, bounds, keyFn, kwargs, testFn } from "./check.ts";
import { index } from "./builtins_num.ts";
import type { Interp } from "./interp.ts";
import { kindOfType, makeSeq, seqItems, seqKind } from "./types.ts";

const SEQ_KEYS = [":KEY", ":START", ":END", ":FROM-END", ":COUNT"] as const;
const TEST_KEYS = [":TEST", ":TEST-NOT", ...SEQ_KEYS] as const;

type Matcher = (x: Datum) => boolean;

/** Build the element matcher of item / -if / -if-not variants. */
function matcher(ip: Interp, variant: "" | "-IF" | "-IF-NOT", target: Datum, opts: Map<string, Datum>): Matcher {
  const key = keyFn(ip, opts);
  if (variant === "") {
    const test = testFn(ip, opts);
    return (x) => test(target, key(x));
  }
  const f = ip.toFunction(target);
  const want = variant === "-IF";
  return (x) => (ip.apply(f, [key(x)]) !== NIL) === want;
}

function removeFamily(base: string, variant: "" | "-IF" | "-IF-NOT"): BuiltinRow {
  const name = base + variant;
  return [name, 2, Infinity, (ip, [target, seq, ...rest]) => {
    const opts = kwargs(ip, rest, 0, variant ? SEQ_KEYS : TEST_KEYS, name);
    const items = seqItems(ip, seq, name);
    const [start, end] = bounds(ip, opts, items.length, name);
    const match = matcher(ip, variant, target, opts);
    const countOpt = opts.get(":COUNT");
    let left = typeof countOpt === "bigint" ? Number(countOpt) : Infinity;
    const keep = items.map(() => true);
    const fromEnd = (opts.get(":FROM-END") ?? NIL) !== NIL;
    for (let n = 0; n < end - start && left > 0; n++) {
      const i = fromEnd ? end - 1 - n : start + n;
      if (match(items[i])) {
        keep[i] = false;
        left--;
      }
    }
    return makeSeq(ip, seqKind(seq), items.filter((_, i) => keep[i]), name);
  }];
}

function substituteFamily(variant: "" | "-IF" | "-IF-NOT"): BuiltinRow {
  const name = "SUBSTITUTE" + variant;
  return [name, 3, Infinity, (ip, [nu, target, seq, ...rest]) => {
    const opts = kwargs(ip, rest, 0, variant ? SEQ_KEYS : TEST_KEYS, name);
    const items = seqItems(ip, seq, name);
    const [start, end] = bounds(ip, opts, items.length, name);
    const match = matcher(ip, variant, target, opts);
    return makeSeq(ip, seqKind(seq), items.map((x, i) => (i >= start && i < end && match(x) ? nu : x)), name);
  }];
}

/** find / position / count families. */
function searchFamily(base: "FIND" | "POSITION" | "COUNT", variant: "" | "-IF" | "-IF-NOT"): BuiltinRow {
  const name = base + variant;
  return [name, 2, Infinity, (ip, [target, seq, ...rest]) => {
    const opts = kwargs(ip, rest, 0, variant ? SEQ_KEYS : TEST_KEYS, name);
    const items = seqItems(ip, seq, name);
    const [start, end] = bounds(ip, opts, items.length, name);
    const match = matcher(ip, variant, target, opts);
    const fromEnd = (opts.get(":FROM-END") ?? NIL) !== NIL;
    let count = 0n;
    for (let n = 0; n < end - start; n++) {
      const i = fromEnd ? end - 1 - n : start + n;
      if (!match(items[i])) continue;
      if (base === "FIND") return items[i];
      if (base === "POSITION") return BigInt(i);
      count++;
    }
    return base === "COUNT" ? count : NIL;
  }];
}

function mergeSort(ip: Interp, items: Datum[], less: (a: Datum, b: Datum) => boolean): Datum[] {
  if (items.length < 2) return items;
  const mid = items.length >> 1;
  const a = mergeSort(ip, items.slice(0, mid), less), b = mergeSort(ip, items.slice(mid), less);
  const out: Datum[] = [];
  let i = 0, j = 0;
  while (i < a.length && j < b.length) {
    ip.tick();
    if (less(b[j], a[i])) out.push(b[j++]);
    else out.push(a[i++]);
  }
  return out.concat(a.slice(i), b.slice(j));
}

function sortRow(name: string): BuiltinRow {
  return [name, 2, 4, (ip, [seq, p, ...rest]) => {
    const key = keyFn(ip, kwargs(ip, rest, 0, [":KEY"], name));
    const f = ip.toFunction(p);
    const sorted = mergeSort(ip, seqItems(ip, seq, name), (a, b) => ip.apply(f, [key(a), key(b)]) !== NIL);
    if (seq instanceof Vector) {
      seq.items = sorted;
      return seq;
    }
    return makeSeq(ip, seqKind(seq), sorted, name);
  }];
}

function quantifier(name: "EVERY" | "SOME" | "NOTANY" | "NOTEVERY"): BuiltinRow {
  return [name, 2, Infinity, (ip, [p, ...seqs]) => {
    const f = ip.toFunction(p);
    const all = seqs.map((s) => seqItems(ip, s, name));
    const n = all.reduce((m, a) => Math.min(m, a.length), Infinity);
    for (let i = 0; i < n; i++) {
      const v = ip.apply(f, all.map((a) => a[i]));
      if (name === "SOME" && v !== NIL) return v;
      if (name === "EVERY" && v === NIL) return NIL;
      if (name === "NOTANY" && v !== NIL) return NIL;
      if (name === "NOTEVERY" && v === NIL) return T;
    }
    return name === "SOME" || name === "NOTEVERY" ? NIL : T;
  }];
}

function duplicates(name: string): BuiltinRow {
  return [name, 1, Infinity, (ip, [seq, ...rest]) => {
    const opts = kwargs(ip, rest, 0, [":TEST", ":TEST-NOT", ":KEY", ":START", ":END", ":FROM-END"], name);
    const test = testFn(ip, opts), key = keyFn(ip, opts);
    const items = seqItems(ip, seq, name);
    const fromEnd = (opts.get(":FROM-END") ?? NIL) !== NIL;
    const out = items.filter((x, i) => {
      ip.tick(items.length);
      return fromEnd ? !items.slice(0, i).some((y) => test(key(y), key(x))) : !items.slice(i + 1).some((y) => test(key(x), key(y)));
    });
    return makeSeq(ip, seqKind(seq), out, name);
  }];
}

function elt(ip: Interp, seq: Datum, i: Datum, who: string): Datum {
  const k = index(ip, i, who);
  if (typeof seq === "string") {
    if (k >= seq.length) ip.fail(`Index ${k} out of bounds for ${who} (length ${seq.length})`, "TYPE-ERROR");
    return ip.keys.char(seq.charCodeAt(k));
  }
  if (seq instanceof Vector) {
    if (k >= seq.items.length) ip.fail(`Index ${k} out of bounds for ${who} (length ${seq.items.length})`, "TYPE-ERROR");
    return seq.items[k];
  }
  let d: Datum = seq;
  for (let n = 0; n < k && d instanceof Cons; n++) {
    ip.tick();
    d = d.cdr;
  }
  if (!(d instanceof Cons)) return seq === NIL || seq instanceof Cons ? ip.fail(`Index ${k} out of bounds for ${who}`, "TYPE-ERROR") : ip.typeError(who, "a sequence", seq);
  return d.car;
}

export const SEQ_BUILTINS: readonly BuiltinRow[] = Object.freeze([
  ["LENGTH", 1, 1, (ip, [x]) => {
    if (typeof x === "string") return BigInt(x.length);
    if (x instanceof Vector) return BigInt(x.items.length);
    return BigInt(ip.items(x, "LENGTH").length);
  }],
  ["ELT", 2, 2, (ip, [s, i]) => elt(ip, s, i, "ELT")],
  ["AREF", 2, 2, (ip, [s, i]) => (s instanceof Vector || typeof s === "string" ? elt(ip, s, i, "AREF") : ip.typeError("AREF", "a vector", s))],
  ["SVREF", 2, 2, (ip, [s, i]) => (s instanceof Vector ? elt(ip, s, i, "SVREF") : ip.typeError("SVREF", "a vector", s))],
  ["REVERSE", 1, 1, (ip, [s]) => makeSeq(ip, seqKind(s), seqItems(ip, s, "REVERSE").reverse(), "REVERSE")],
  ["NREVERSE", 1, 1, (ip, [s]) => {
    if (s instanceof Vector) {
      s.items.reverse();
      return s;
    }
    return makeSeq(ip, seqKind(s), seqItems(ip, s, "NREVERSE").reverse(), "NREVERSE");
  }],
  ["SUBSEQ", 2, 3, (ip, [s, a, b]) => {
    if (typeof s === "string") {
      const [start, end] = bounds(ip, new Map([[":START", a], [":END", b ?? NIL]]), s.length, "SUBSEQ");
      return s.slice(start, end);
    }
    const items = seqItems(ip, s, "SUBSEQ");
    const [start, end] = bounds(ip, new Map([[":START", a], [":END", b ?? NIL]]), items.length, "SUBSEQ");
    return makeSeq(ip, seqKind(s), items.slice(start, end), "SUBSEQ");
  }],
  ["COPY-SEQ", 1, 1, (ip, [s]) => makeSeq(ip, seqKind(s), seqItems(ip, s, "COPY-SEQ"), "COPY-SEQ")],
  ...(["", "-IF", "-IF-NOT"] as const).flatMap((v) => [
    removeFamily("REMOVE", v), removeFamily("DELETE", v), substituteFamily(v),
    searchFamily("FIND", v), searchFamily("POSITION", v), searchFamily("COUNT", v),
  ]),
  duplicates("REMOVE-DUPLICATES"),
  duplicates("DELETE-DUPLICATES"),
  ["REDUCE", 2, Infinity, (ip, [f, seq, ...rest]) => {
    const opts = kwargs(ip, rest, 0, [":KEY", ":FROM-END", ":START", ":END", ":INITIAL-VALUE"], "REDUCE");
    const fn = ip.toFunction(f);
    const key = keyFn(ip, opts);
    const all = seqItems(ip, seq, "REDUCE");
    const [start, end] = bounds(ip, opts, all.length, "REDUCE");
    let items = all.slice(start, end).map(key);
    const fromEnd = (opts.get(":FROM-END") ?? NIL) !== NIL;
    if (fromEnd) items = items.reverse();
    const hasInit = opts.has(":INITIAL-VALUE");
    if (items.length === 0) return hasInit ? opts.get(":INITIAL-VALUE")! : ip.apply(fn, []);
    let acc = hasInit ? opts.get(":INITIAL-VALUE")! : items.shift()!;
    for (const x of items) acc = fromEnd ? ip.apply(fn, [x, acc]) : ip.apply(fn, [acc, x]);
    return acc;
  }],
  sortRow("SORT"),
  sortRow("STABLE-SORT"),
  quantifier("EVERY"),
  quantifier("SOME"),
  quantifier("NOTANY"),
  quantifier("NOTEVERY"),
  ["MAP", 3, Infinity, (ip, [type, f, ...seqs]) => {
    const fn = ip.toFunction(f);
    const all = seqs.map((s) => seqItems(ip, s, "MAP"));
    const n = all.reduce((m, a) => Math.min(m, a.length), Infinity);
    const out: Datum[] = [];
    for (let i = 0; i < n; i++) out.push(ip.apply(fn, all.map((a) => a[i])));
    const kind = kindOfType(ip, type, "MAP");
    return kind ? makeSeq(ip, kind, out, "MAP") : NIL;
  }],
  ["MAP-INTO", 2, Infinity, (ip, [target, f, ...seqs]) => {
    const fn = ip.toFunction(f);
    const all = seqs.map((s) => seqItems(ip, s, "MAP-INTO"));
    if (target instanceof Vector) {
      const n = Math.min(target.items.length, ...all.map((a) => a.length));
      for (let i = 0; i < n; i++) target.items[i] = ip.apply(fn, all.map((a) => a[i]));
    } else {
      let d: Datum = target, i = 0;
      for (; d instanceof Cons && all.every((a) => i < a.length); d = d.cdr, i++) d.car = ip.apply(fn, all.map((a) => a[i]));
    }
    return target;
  }],
  ["CONCATENATE", 1, Infinity, (ip, [type, ...seqs]) => {
    const kind = kindOfType(ip, type, "CONCATENATE") ?? "list";
    if (kind === "string") {
      const parts = seqs.map((s) => (typeof s === "string" ? s : makeSeq(ip, "string", seqItems(ip, s, "CONCATENATE"), "CONCATENATE") as string));
      const total = parts.reduce((n, p) => n + p.length, 0);
      ip.tick(total >> 6);
      return parts.join("");
    }
    return makeSeq(ip, kind, seqs.flatMap((s) => seqItems(ip, s, "CONCATENATE")), "CONCATENATE");
  }],
  ["SEARCH", 2, Infinity, (ip, [needle, hay, ...rest]) => {
    const opts = kwargs(ip, rest, 0, [":TEST", ":TEST-NOT", ":KEY", ":FROM-END", ":START1", ":END1", ":START2", ":END2"], "SEARCH");
    const test = testFn(ip, opts), key = keyFn(ip, opts);
    const a = seqItems(ip, needle, "SEARCH"), b = seqItems(ip, hay, "SEARCH");
    const fromEnd = (opts.get(":FROM-END") ?? NIL) !== NIL;
    const [s2, e2] = bounds(ip, opts, b.length, "SEARCH", ":START2", ":END2");
    const found: number[] = [];
    for (let i = s2; i + a.length <= e2; i++) {
      ip.tick(a.length);
      if (a.every((x, j) => test(key(x), key(b[i + j])))) {
        if (!fromEnd) return BigInt(i);
        found.push(i);
      }
    }
    return found.length ? BigInt(found[found.length - 1]) : NIL;
  }],
  ["MISMATCH", 2, Infinity, (ip, [x, y, ...rest]) => {
    const opts = kwargs(ip, rest, 0, [":TEST", ":TEST-NOT", ":KEY"], "MISMATCH");
    const test = testFn(ip, opts), key = keyFn(ip, opts);
    const a = seqItems(ip, x, "MISMATCH"), b = seqItems(ip, y, "MISMATCH");
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= a.length || i >= b.length || !test(key(a[i]), key(b[i]))) return BigInt(i);
    }
    return NIL;
  }],
  ["FILL", 2, Infinity, (ip, [seq, v, ...rest]) => {
    const opts = kwargs(ip, rest, 0, [":START", ":END"], "FILL");
    if (seq instanceof Vector) {
      const [s, e] = bounds(ip, opts, seq.items.length, "FILL");
      seq.items.fill(v, s, e);
      return seq;
    }
    const items = ip.items(seq, "FILL");
    const [s, e] = bounds(ip, opts, items.length, "FILL");
    let i = 0;
    for (let d: Datum = seq; d instanceof Cons; d = d.cdr, i++) if (i >= s && i < e) d.car = v;
    return seq;
  }],
  ["VECTOR", 0, Infinity, (_ip, args) => new Vector(args)],
  ["MAKE-ARRAY", 1, Infinity, (ip, [dims, ...rest]) => {
    const opts = kwargs(ip, rest, 0, [":INITIAL-ELEMENT", ":INITIAL-CONTENTS", ":ADJUSTABLE", ":FILL-POINTER", ":ELEMENT-TYPE"], "MAKE-ARRAY");
    const d = dims instanceof Cons ? ip.items(dims) : [dims];
    if (d.length !== 1) ip.fail("Only one-dimensional arrays are supported at compile time");
    const n = index(ip, d[0], "MAKE-ARRAY");
    ip.tick(n);
    const contents = opts.get(":INITIAL-CONTENTS");
    const items = contents !== undefined ? seqItems(ip, contents, "MAKE-ARRAY") : new Array<Datum>(n).fill(opts.get(":INITIAL-ELEMENT") ?? NIL);
    const fp = opts.get(":FILL-POINTER");
    return new Vector(typeof fp === "bigint" ? items.slice(0, Number(fp)) : items);
  }],
  ["VECTOR-PUSH-EXTEND", 2, 3, (ip, [x, v]) => {
    if (!(v instanceof Vector)) return ip.typeError("VECTOR-PUSH-EXTEND", "a vector", v);
    ip.tick();
    v.items.push(x);
    return BigInt(v.items.length - 1);
  }],
  ["VECTOR-PUSH", 2, 2, (ip, [x, v]) => {
    if (!(v instanceof Vector)) return ip.typeError("VECTOR-PUSH", "a vector", v);
    v.items.push(x);
    return BigInt(v.items.length - 1);
  }],
  ["VECTOR-POP", 1, 1, (ip, [v]) => {
    if (!(v instanceof Vector)) return ip.typeError("VECTOR-POP", "a vector", v);
    if (!v.items.length) ip.fail("VECTOR-POP of an empty vector");
    return v.items.pop()!;
  }],
  ["FILL-POINTER", 1, 1, (ip, [v]) => (v instanceof Vector ? BigInt(v.items.length) : ip.typeError("FILL-POINTER", "a vector", v))],
  ["ARRAY-DIMENSION", 2, 2, (ip, [v]) => (v instanceof Vector ? BigInt(v.items.length) : typeof v === "string" ? BigInt(v.length) : ip.typeError("ARRAY-DIMENSION", "a vector", v))],
  ["VECTORP", 1, 1, (_ip, [x]) => bool(x instanceof Vector || typeof x === "string")],
  ["SIMPLE-VECTOR-P", 1, 1, (_ip, [x]) => bool(x instanceof Vector)],
  ["ARRAYP", 1, 1, (_ip, [x]) => bool(x instanceof Vector || typeof x === "string")],
  ["SEQUENCEP", 1, 1, (_ip, [x]) => bool(x === NIL || x instanceof Cons || x instanceof Vector || typeof x === "string")],
  ["MAKE-SEQUENCE", 2, 4, (ip, [type, n, ...rest]) => {
    const k = index(ip, n, "MAKE-SEQUENCE");
    ip.tick(k);
    const init = kwargs(ip, rest, 0, [":INITIAL-ELEMENT"], "MAKE-SEQUENCE").get(":INITIAL-ELEMENT");
    const kind = kindOfType(ip, type, "MAKE-SEQUENCE") ?? "list";
    return makeSeq(ip, kind, new Array<Datum>(k).fill(init ?? (kind === "string" ? ip.keys.char(32) : NIL)), "MAKE-SEQUENCE");
  }],
]);
