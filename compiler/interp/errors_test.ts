// Tests of located diagnostics: messages, spans and notes for user errors, runaway evaluation
// (step and depth budgets), malformed forms, and the probe-file sandbox.

import { test } from "node:test";
import assert from "node:assert/strict";
import { CompileError } from "../diag.ts";
import { memoryFiles } from "../files.ts";
import { readAll } from "../reader.ts";
import { Cons, list } from "../sexp.ts";
import { diagOf, newInterp, run, show } from "./testutil.ts";

test("an infinite loop in a macro stops at the step limit, located in the macro", () => {
  const d = diagOf("(defmacro spin ()\n  (loop (setq *x* 1)))\n(defvar *x* 0)\n(spin)");
  assert.equal(d.message, "Compile-time evaluation exceeded the step limit (5000000 steps): possible infinite loop");
  assert.equal(d.span?.line, 2);
  assert.deepEqual(d.notes.map((n) => [n.message, n.span?.line]), [['in macro "SPIN"', 1]]);
});

test("the step limit is configurable and cannot be caught by handler-case", () => {
  const d = diagOf("(handler-case\n  (do () (nil))\n  (error () 'caught))", { stepLimit: 1000 });
  assert.equal(d.message, "Compile-time evaluation exceeded the step limit (1000 steps): possible infinite loop");
  assert.equal(d.span?.line, 2);
});

test("unbounded recursion gives the depth error, not a host stack overflow", () => {
  const d = diagOf("(defun r (n)\n  (+ 1 (r n)))\n(r 0)");
  assert.equal(d.message, "Compile-time recursion too deep (more than 2000 nested calls)");
  assert.equal(d.span?.line, 2);
  assert.deepEqual(d.notes.map((n) => n.message), ['in function "R"']);
});

test("deep recursion through frame-heavy forms hits the nesting budget", () => {
  const d = diagOf("(defun r (n)\n  (car (mapcar (lambda (x) (r x)) (list n))))\n(r 0)");
  assert.equal(d.message, "Compile-time recursion too deep (evaluation nested beyond the interpreter's stack budget)");
  assert.equal(d.span?.line, 2);
});

test("deeply nested generated code hits the nesting budget", () => {
  const d = diagOf("(let ((f 0))\n  (dotimes (i 100000) (setq f (list '1+ f)))\n  (eval f))");
  assert.match(d.message, /^Compile-time recursion too deep/);
});

test("wrong argument counts for macros, functions and builtins", () => {
  const m = diagOf("(defmacro m (a b) `(list ,a ,b))\n\n(m 1 2 3)");
  assert.equal(m.message, 'Macro "M" takes at most 2 arguments, got 3');
  assert.equal(m.span?.line, 3);
  assert.equal(m.notes[0].message, 'in macro "M"');
  const f = diagOf("(defun f (a b) (+ a b))\n(f 1)");
  assert.equal(f.message, 'Function "F" takes at least 2 arguments, got 1');
  assert.equal(f.span?.line, 2);
  assert.equal(diagOf("(car '(1) '(2))").message, 'Function "CAR" takes at most 1 argument, got 2');
  assert.equal(diagOf("(defun k (&key a) a) (k :b 1)").message, 'Function "K" got unknown keyword argument :B');
});

test("unbound variable points at the symbol", () => {
  const d = diagOf("(let ((x 1))\n  (+ x yy))");
  assert.equal(d.message, 'Unbound variable "YY"');
  assert.deepEqual([d.span?.line, d.span?.col, d.span?.len], [2, 8, 2]);
});

test("undefined function points at the call", () => {
  const d = diagOf("(defun g ()\n  (frobnicate 1))\n(g)");
  assert.equal(d.message, 'Undefined function "FROBNICATE"');
  assert.equal(d.span?.line, 2);
  assert.equal(d.notes[0].message, 'in function "G"');
});

test("(error ...) inside a macro gives the formatted message and the chain of notes", () => {
  const src = `(defun check-port (p)
  (when (> p 65535) (error "bad port ~d" p))
  p)
(defmacro port (p) (check-port p))
(port 99999)`;
  const d = diagOf(src);
  assert.equal(d.message, "bad port 99999");
  assert.equal(d.span?.line, 2);
  assert.deepEqual(d.notes.map((n) => [n.message, n.span?.line]), [['in function "CHECK-PORT"', 1], ['in macro "PORT"', 4]]);
  assert.equal(diagOf("(error \"bad port ~d\" 99)").message, "bad port 99");
  assert.equal(diagOf("(error 'simple-error :format-control \"no ~a\" :format-arguments '(map))").message, "no MAP");
  assert.equal(diagOf("(error 'my-condition)").message, "Condition MY-CONDITION was signalled");
});

test("errors in code produced by a macro point at the macro call", () => {
  const d = diagOf("(defmacro bad () `(car 5))\n(list 1\n  (bad))");
  assert.equal(d.message, 'Function "CAR" expected a list, got 5');
  assert.equal(d.span?.line, 3);
});

test("malformed lambda lists are located", () => {
  const d = diagOf("(defmacro m\n  (&rest) 1)");
  assert.equal(d.message, "Malformed lambda list: &REST must be followed by a variable");
  assert.equal(d.span?.line, 2);
  assert.equal(diagOf("(defun f (&key &optional) 1)").message, "Malformed lambda list: &OPTIONAL cannot come after &KEY");
  assert.equal(diagOf("(defun f (a 1) 1)").message, "Malformed lambda list: 1 is not a variable name");
  assert.equal(diagOf("(defun f (&foo) 1)").message, "Malformed lambda list: unknown lambda list keyword &FOO");
});

test("malformed special forms are located", () => {
  const d = diagOf("(progn\n  (let (1) 2))");
  assert.equal(d.message, "Malformed LET binding 1");
  assert.equal(d.span?.line, 2);
  assert.equal(diagOf("(if)").message, "IF takes at least 2 arguments, got 0");
  assert.equal(diagOf("(setq x)").message, "SETQ needs an even number of arguments, got 1");
  assert.equal(diagOf("(return-from nowhere 1)").message, 'No block named "NOWHERE" is visible here');
  assert.equal(diagOf("(tagbody (go missing))").message, "No tag MISSING is visible for GO");
  assert.equal(diagOf("(throw 'none 1)").message, "No CATCH for tag NONE");
  assert.equal(diagOf("(destructuring-bind (a b) '(1) a)").message, "DESTRUCTURING-BIND expected 2 elements to match (A B), got (1)");
});

test("assert and check-type failures", () => {
  assert.equal(diagOf("(let ((x -1)) (assert (> x 0)))").message, "The assertion (> X 0) failed");
  assert.equal(diagOf("(let ((x 5)) (check-type x string))").message, "The value of X is 5, which is not of type STRING");
});

test("resource guards: huge integers, circular lists", () => {
  assert.equal(diagOf("(expt 2 1000000)").message, "Integer too large (more than 100000 bits)");
  assert.match(diagOf("(let ((l (list 1))) (setf (cdr l) l) (length l))", { stepLimit: 10000 }).message, /step limit/);
  assert.match(diagOf("(let ((l (list 1))) (setf (cdr l) l) (princ-to-string l))", { stepLimit: 10000 }).message, /step limit/);
});

test("circular code and data cannot hang the interpreter", () => {
  const src = "(let ((f (list 'progn 1))) (setf (cdr (last f)) (cdr f)) (eval f))";
  assert.match(diagOf(src, { stepLimit: 20000 }).message, /step limit/);
  const args = "(let ((f (list 'list 1))) (setf (cdr (last f)) (cdr f)) (eval f))";
  assert.match(diagOf(args, { stepLimit: 20000 }).message, /step limit/);
  assert.match(diagOf("(let ((h (make-hash-table :test 'equal)) (k (list 1))) (setf (cdr k) k) (gethash k h))", { stepLimit: 20000 }).message, /step limit/);
});

test("long lists are fine where only nesting is bounded", () => {
  assert.equal(show("(length (subst 'x 'y (make-list 20000 :initial-element 'y)))"), "20000");
  assert.equal(show("(let ((l (make-list 20000 :initial-element 1))) (list (equal l (copy-list l)) (tree-equal l l) (length (copy-tree l))))"), "(T T 20000)");
  assert.equal(diagOf("(let ((x nil)) (dotimes (i 5000) (setq x (list x))) (copy-tree x))").message, "Data nested too deeply (more than 1000 levels)");
});

test("probe-file answers only for allowed kernel paths", () => {
  const files = memoryFiles({ "/etc/passwd": "root:x:0:0", "/sys/kernel/btf/vmlinux": "BTF" });
  assert.equal(show('(probe-file "/etc/passwd")', { files }), "NIL");
  assert.equal(show('(probe-file "/sys/kernel/btf/vmlinux")', { files }), '"/sys/kernel/btf/vmlinux"');
  assert.equal(show('(probe-file "/sys/kernel/tracing/events/sched/sched_switch/format")', { files }), "NIL");
  assert.equal(show('(probe-file "/sys/kernel/btf/vmlinux")'), "NIL");
});

test("every error escaping the API is a CompileError, including from MacroFns and call", () => {
  const ip = newInterp();
  run(ip, "(defmacro boom (x) (error \"boom ~a\" x)) (defun bad () (car 1))");
  const [form] = readAll("(boom 7)", "p.lisp", ip.symbols);
  const fn = ip.macroFunction(ip.symbols.intern("BOOM"))!;
  assert.throws(() => fn(form.datum as Cons, undefined as never), (e: unknown) => e instanceof CompileError && e.message === "boom 7");
  assert.throws(() => ip.call(ip.functionValue(ip.symbols.intern("BAD"))!, []), CompileError);
  assert.throws(() => ip.eval(list(ip.symbols.intern("NO-SUCH-FN"))), CompileError);
});

test("a top-level atom uses the span passed to evalToplevel", () => {
  const ip = newInterp();
  const [f] = readAll("\n\n  unbound-thing", "top.lisp", ip.symbols);
  try {
    ip.evalToplevel(f.datum, f.span);
    assert.fail("expected an error");
  } catch (e) {
    assert.ok(e instanceof CompileError);
    assert.equal(e.diagnostics[0].message, 'Unbound variable "UNBOUND-THING"');
    assert.equal(e.diagnostics[0].span?.line, 3);
  }
});
