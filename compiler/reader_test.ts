import { test } from "node:test";
import assert from "node:assert/strict";
import { readAll } from "./reader.ts";
import { CompileError } from "./diag.ts";
import { Char, Cons, NIL, Sym, SymbolTable, Vector, print, toArray } from "./sexp.ts";

const read1 = (s: string, syms = new SymbolTable()) => readAll(s, "t.lisp", syms)[0].datum;
const errorOf = (s: string) => {
  try {
    readAll(s, "t.lisp", new SymbolTable());
  } catch (e) {
    assert.ok(e instanceof CompileError);
    return e.diagnostics[0];
  }
  assert.fail("expected a read error");
};

test("integers in every radix, negative and with a trailing dot", () => {
  assert.equal(read1("42"), 42n);
  assert.equal(read1("-7"), -7n);
  assert.equal(read1("+3"), 3n);
  assert.equal(read1("10."), 10n);
  assert.equal(read1("#x1F"), 31n);
  assert.equal(read1("#xffffffffffffffff"), 0xffffffffffffffffn);
  assert.equal(read1("#b1010"), 10n);
  assert.equal(read1("#o17"), 15n);
  assert.equal(read1("#x-10"), -16n);
});

test("symbols are case-insensitive and package prefixes are ignored", () => {
  const syms = new SymbolTable();
  const a = read1("XDP_PASS", syms), b = read1("xdp_pass", syms), c = read1("whistler::xdp_pass", syms);
  assert.ok(a instanceof Sym);
  assert.equal(a, b);
  assert.equal(a, c);
  assert.equal((read1(":Type", syms) as Sym).name, ":TYPE");
  assert.equal((read1("|MixedCase|", syms) as Sym).name, "MixedCase");
  const u = read1("#:whistler", syms) as Sym;
  assert.equal(u.interned, false);
});

test("strings, characters, comments", () => {
  assert.equal(read1('"a\\"b\\\\c"'), 'a"b\\c');
  assert.equal((read1("#\\a") as Char).code, 97);
  assert.equal((read1("#\\Space") as Char).code, 32);
  assert.deepEqual(toArray(read1("(1 ; comment\n #| block #| nested |# |# 2)")), [1n, 2n]);
});

test("quote, backquote, unquote, splice, function, dotted pairs, vectors", () => {
  assert.equal(print(read1("'x")), "'X");
  assert.equal(print(read1("`(a ,b ,@c)")), "`(A ,B ,@C)");
  assert.equal(print(read1("#'car")), "#'CAR");
  const d = read1("(a . b)") as Cons;
  assert.equal((d.cdr as Sym).name, "B");
  assert.ok(read1("#(1 2)") instanceof Vector);
  assert.equal(read1("()"), NIL);
});

test("feature expressions keep #+whistler forms and drop others", () => {
  const forms = readAll("#+whistler 1 #-whistler 2 #+sbcl 3 #-sbcl 4", "t.lisp", new SymbolTable());
  assert.deepEqual(forms.map((f) => f.datum), [1n, 4n]);
});

test("every list and element keeps its span", () => {
  const [f] = readAll("(defprog p ()\n  (incf x))", "s.lisp", new SymbolTable());
  assert.deepEqual(f.span, { file: "s.lisp", line: 1, col: 1, len: 13 });
  const body = ((f.datum as Cons).cdr as Cons).cdr as Cons;
  const incf = (body.cdr as Cons);
  assert.deepEqual(incf.carSpan, { file: "s.lisp", line: 2, col: 3, len: 8 });
  assert.deepEqual((incf.car as Cons).span, { file: "s.lisp", line: 2, col: 3, len: 8 });
});

test("malformed input gives located errors", () => {
  let d = errorOf("(defmap x\n  :type :array");
  assert.match(d.message, /never closed/);
  assert.deepEqual([d.span?.line, d.span?.col], [1, 1]);
  d = errorOf("(a))");
  assert.match(d.message, /Unmatched '\)'/);
  assert.equal(d.span?.col, 4);
  d = errorOf('(a "abc');
  assert.match(d.message, /Unterminated string/);
  assert.equal(d.span?.col, 4);
  d = errorOf("#xZZ");
  assert.match(d.message, /Bad number "#xZZ"/);
  d = errorOf("#b102");
  assert.match(d.message, /Bad number/);
  d = errorOf("#| open");
  assert.match(d.message, /Unterminated block comment/);
  d = errorOf("#q");
  assert.match(d.message, /Unknown reader syntax '#q'/);
  d = errorOf("(a . )");
  assert.match(d.message, /Missing form after/);
});
