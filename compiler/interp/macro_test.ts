// Tests of macros: defmacro, macroexpansion, backquote, macrolet, destructuring, and the API the
// BPF expander uses (macro table, MacroEnv scopes, TS macros and functions).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readAll } from "../reader.ts";
import { Cons, type Datum, list } from "../sexp.ts";
import { MacroEnv } from "./values.ts";
import { newInterp, run, show, showIn } from "./testutil.ts";

const BUMP = "(defmacro bump-counter (map idx) `(incf (getmap ,map ,idx)))";
const CHECK_PORTS = "(defmacro check-ports (tcp &rest ports) `(or ,@(mapcar (lambda (p) `(= (tcp-dst-port ,tcp) ,p)) ports)))";

test("seed macro bump-counter expands", () => {
  assert.equal(show(`${BUMP} (macroexpand-1 '(bump-counter counts 3))`), "(INCF (GETMAP COUNTS 3))");
});

test("seed macro check-ports expands with nested backquote in mapcar", () => {
  assert.equal(
    show(`${CHECK_PORTS} (macroexpand-1 '(check-ports tcp 22 80 443))`),
    "(OR (= (TCP-DST-PORT TCP) 22) (= (TCP-DST-PORT TCP) 80) (= (TCP-DST-PORT TCP) 443))",
  );
});

test("seed macros through the public macroexpand1 API", () => {
  const ip = newInterp();
  run(ip, `${BUMP} ${CHECK_PORTS}`);
  const [form] = readAll("(check-ports pkt 8080)", "prog.lisp", ip.symbols);
  const [exp, expanded] = ip.macroexpand1(form.datum);
  assert.equal(expanded, true);
  assert.equal(ip.print(exp, true), "(OR (= (TCP-DST-PORT PKT) 8080))");
});

test("a macro generating a port blocklist with loop", () => {
  const src = `
    (defmacro port-blocked-p (port &rest specs)
      \`(or ,@(loop for spec in specs
                    if (consp spec)
                      collect \`(and (>= ,port ,(first spec)) (<= ,port ,(second spec)))
                    else collect \`(= ,port ,spec))))
    (macroexpand-1 '(port-blocked-p dport 23 (6000 6063) 445))`;
  assert.equal(show(src), "(OR (= DPORT 23) (AND (>= DPORT 6000) (<= DPORT 6063)) (= DPORT 445))");
});

test("recursive macros expand fully and evaluate", () => {
  const src = `(defmacro my-and (&rest xs)
                 (cond ((null xs) t) ((null (cdr xs)) (car xs)) (t \`(if ,(car xs) (my-and ,@(cdr xs)) nil))))
               (list (my-and 1 2 3) (my-and 1 nil 3) (macroexpand '(my-and a b)))`;
  assert.equal(show(src), "(3 NIL (IF A (MY-AND B) NIL))");
});

test("macrolet defines local macros, shadowed by flet", () => {
  assert.equal(show("(macrolet ((twice (x) `(* 2 ,x))) (list (twice 21) (flet ((twice (x) (+ x x 1))) (twice 1))))"), "(42 3)");
});

test("destructuring macro lambda lists with &body, &whole and nested lists", () => {
  const src = `(defmacro with-pair (((a b) pair) &body body) \`(destructuring-bind (,a ,b) ,pair ,@body))
               (defmacro whole (&whole w x) (declare (ignore x)) \`',w)
               (list (with-pair ((x y) (list 1 2)) (+ x y)) (whole 5))`;
  assert.equal(show(src), "(3 (WHOLE 5))");
  assert.equal(show("(defmacro dot (a . rest) `'(,a ,rest)) (dot 1 2 3)"), "(1 (2 3))");
});

test("format and intern build symbol names", () => {
  const src = `(defmacro defcounter (name)
                 (let ((getter (intern (format nil "~a-COUNT" name))))
                   \`(progn (defvar ,name 0) (defun ,getter () ,name))))
               (defcounter drops) (setq drops 4) (drops-count)`;
  assert.equal(show(src), "4");
});

test("a macro defining other macros (nested backquote with ,',)", () => {
  const src = `(defmacro defalias (new old) \`(defmacro ,new (&rest args) \`(,',old ,@args)))
               (defalias plus +)
               (list (plus 1 2 3) (macroexpand-1 '(plus a b)))`;
  assert.equal(show(src), "(6 (+ A B))");
});

test("nested backquote: two levels", () => {
  assert.equal(show("(let ((x 1)) `(a `(b ,(c ,x))))"), "(A `(B ,(C 1)))");
  assert.equal(show("(let ((xs '(p q))) `(outer `(inner ,,@xs)))"), "(OUTER `(INNER ,P ,Q))");
  assert.equal(show("(let ((x 'y)) (eval (let ((y 2)) `(let ((y 3)) `(list ,y ,',x)))))"), "(LIST 3 Y)");
});

test("backquote splicing, dotted tails and vectors", () => {
  assert.equal(show("(let ((a '(1 2)) (b 3)) (list `(x ,@a y) `(x . ,b) `#(0 ,b)))"), "((X 1 2 Y) (X . 3) #(0 3))");
});

test("&environment passes local macros to macroexpand", () => {
  const src = `(defmacro expand-here (form &environment env) \`',(macroexpand form env))
               (macrolet ((inner () 42)) (expand-here (inner)))`;
  assert.equal(show(src), "42");
});

test("a macro returning a hash-table-built list", () => {
  const src = `(defmacro dedupe (&rest xs)
                 (let ((h (make-hash-table :test 'equal)) (out nil))
                   (dolist (x xs) (unless (gethash x h) (setf (gethash x h) t) (push x out)))
                   \`'(,@(nreverse out))))
               (dedupe "a" b "a" (1) b (1))`;
  assert.equal(show(src), '("a" B (1))');
});

test("TypeScript macros and functions share the tables", () => {
  const ip = newInterp();
  const sym = (n: string) => ip.symbols.intern(n);
  ip.defineMacro(sym("TS-SQUARE"), (form: Cons) => list(sym("*"), (form.cdr as Cons).car, (form.cdr as Cons).car), { plugin: "demo" });
  ip.defineFunction(sym("TS-ADD"), (args: Datum[]) => (args[0] as bigint) + (args[1] as bigint));
  ip.defineConstant(sym("+LIMIT+"), 64n);
  assert.equal(showIn(ip, "(list (ts-square 7) (ts-add 1 2) +limit+ (macroexpand-1 '(ts-square z)))"), "(49 3 64 (* Z Z))");
  run(ip, "(defun lisp-double (x) (* 2 x)) (defvar *answer* 42)");
  assert.equal(ip.call(ip.functionValue(sym("LISP-DOUBLE"))!, [21n]), 42n);
  assert.equal(ip.globalValue(sym("*ANSWER*")), 42n);
  assert.equal(ip.functionValue(sym("NOPE")), undefined);
  assert.ok(ip.macroFunction(sym("TS-SQUARE")));
});

test("the expander can push macrolet scopes into a MacroEnv", () => {
  const ip = newInterp();
  const [bindings] = readAll("((dbl (x) `(+ ,x ,x)))", "prog.lisp", ip.symbols);
  const env = ip.withMacrolet(bindings.datum, MacroEnv.empty());
  const [form] = readAll("(dbl 5)", "prog.lisp", ip.symbols);
  assert.equal(ip.print(ip.macroexpand1(form.datum, env)[0], true), "(+ 5 5)");
  assert.equal(ip.macroexpand1(form.datum)[1], false);
  const fn = ip.macroFunction(ip.symbols.intern("DBL"), env)!;
  assert.equal(ip.print(fn(form.datum as Cons, env), true), "(+ 5 5)");
  const shadowed = env.withFunctions([ip.symbols.intern("DBL")]);
  assert.equal(ip.macroFunction(ip.symbols.intern("DBL"), shadowed), undefined);
  const [sm] = readAll("((port (tcp-dport pkt)))", "prog.lisp", ip.symbols);
  const env2 = ip.withSymbolMacrolet(sm.datum, env);
  assert.equal(ip.print(ip.macroexpand1(ip.symbols.intern("PORT"), env2)[0], true), "(TCP-DPORT PKT)");
});

test("expansions keep the spans of user subforms", () => {
  const ip = newInterp();
  run(ip, BUMP);
  const [form] = readAll("(bump-counter m\n  (compute-index x))", "prog.lisp", ip.symbols);
  const [exp] = ip.macroexpand1(form.datum);
  const getmap = ((exp as Cons).cdr as Cons).car as Cons;
  const idx = ((getmap.cdr as Cons).cdr as Cons).car as Cons;
  assert.equal(idx.span?.line, 2);
});
