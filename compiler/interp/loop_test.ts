// Tests of LOOP clauses and the dolist/dotimes/do iteration forms.

import { test } from "node:test";
import assert from "node:assert/strict";
import { diagOf, show } from "./testutil.ts";

test("for/from/to/below/downto/by with collect", () => {
  assert.equal(show("(loop for i from 1 to 5 collect i)"), "(1 2 3 4 5)");
  assert.equal(show("(loop for i below 3 collect i)"), "(0 1 2)");
  assert.equal(show("(loop for i from 10 downto 4 by 3 collect i)"), "(10 7 4)");
  assert.equal(show("(loop for i downfrom 3 above 0 collect i)"), "(3 2 1)");
  assert.equal(show("(loop for i upfrom 2 repeat 3 collect i)"), "(2 3 4)");
});

test("for in/on/across with by and destructuring", () => {
  assert.equal(show("(loop for x in '(1 2 3 4 5) by #'cddr collect x)"), "(1 3 5)");
  assert.equal(show("(loop for tail on '(a b c) collect (length tail))"), "(3 2 1)");
  assert.equal(show("(loop for c across \"abc\" collect (char-upcase c))"), "(#\\A #\\B #\\C)");
  assert.equal(show("(loop for (k . v) in '((a . 1) (b . 2)) collect (list v k))"), "((1 A) (2 B))");
  assert.equal(show("(loop for (a (b c)) in '((1 (2 3)) (4 (5 6))) sum (+ a b c))"), "21");
});

test("for = then, and parallel iteration stops at the shortest", () => {
  assert.equal(show("(loop for x = 1 then (* x 2) repeat 5 collect x)"), "(1 2 4 8 16)");
  assert.equal(show("(loop for x in '(a b c) for i from 0 collect (cons i x))"), "((0 . A) (1 . B) (2 . C))");
  assert.equal(show("(loop for x in '(1 2) for y = (* x 10) collect y)"), "(10 20)");
});

test("accumulation: append, nconc, sum, count, maximize, minimize, into", () => {
  assert.equal(show("(loop for x in '((1 2) (3)) append x)"), "(1 2 3)");
  assert.equal(show("(loop for x in '(1 2 3) nconc (list x x))"), "(1 1 2 2 3 3)");
  assert.equal(show("(loop for x in '(3 1 4 1 5) count (= x 1))"), "2");
  assert.equal(show("(loop for x in '(3 1 4 1 5) maximize x)"), "5");
  assert.equal(show("(loop for x in '(3 1 4 1 5) minimize x)"), "1");
  assert.equal(show("(loop for x in '(1 2 3 4) when (evenp x) collect x into evens else collect x into odds finally (return (list evens odds)))"), "((2 4) (1 3))");
  assert.equal(show("(loop for x in '(1 2 3) summing x into total finally (return (* total 10)))"), "60");
});

test("conditionals with and/else/end and it", () => {
  assert.equal(show("(loop for x in '(1 2 3 4 5 6) if (evenp x) collect x and collect (* x 10) end)"), "(2 20 4 40 6 60)");
  assert.equal(show("(loop for x in '(1 2 3) unless (= x 2) collect x)"), "(1 3)");
  assert.equal(show("(loop for x in '((a . 1) (b . nil) (c . 3)) when (cdr x) collect it)"), "(1 3)");
});

test("while, until, with, do, return, named, always/never/thereis", () => {
  assert.equal(show("(loop with n = 0 while (< n 3) do (incf n) finally (return n))"), "3");
  assert.equal(show("(loop for i from 0 until (> (* i i) 10) finally (return i))"), "4");
  assert.equal(show("(loop for x in '(1 2 3) do (when (= x 2) (return 'found)))"), "FOUND");
  assert.equal(show("(loop named outer for x in '(1 2) do (loop for y in '(a b) do (when (eq y 'b) (return-from outer (list x y)))))"), "(1 B)");
  assert.equal(show("(list (loop for x in '(2 4) always (evenp x)) (loop for x in '(2 3) never (oddp x)) (loop for x in '(1 2 3) thereis (and (> x 1) x)))"), "(T NIL 2)");
  assert.equal(show("(loop for x in '(1 2 3) when (= x 2) return (* x 100))"), "200");
});

test("hash-table iteration and simple loop", () => {
  assert.equal(show("(let ((h (make-hash-table))) (setf (gethash 'a h) 1 (gethash 'b h) 2) (loop for k being the hash-keys of h using (hash-value v) collect (list k v)))"), "((A 1) (B 2))");
  assert.equal(show("(let ((n 0)) (loop (incf n) (when (> n 4) (return n))))"), "5");
});

test("dolist, dotimes and do", () => {
  assert.equal(show("(let ((s 0)) (dolist (x '(1 2 3) s) (incf s x)))"), "6");
  assert.equal(show("(let (acc) (dotimes (i 3 (nreverse acc)) (push i acc)))"), "(0 1 2)");
  assert.equal(show("(do ((i 0 (1+ i)) (acc nil (cons i acc))) ((= i 3) acc))"), "(2 1 0)");
  assert.equal(show("(do* ((i 0 (1+ i)) (j i i)) ((= i 2) j))"), "2");
});

test("malformed loop clauses are located errors", () => {
  const d = diagOf("(list 1\n  (loop for x frob '(1 2) collect x))");
  assert.match(d.message, /^LOOP: FOR needs IN, ON, ACROSS/);
  assert.equal(d.span?.line, 2);
  assert.equal(diagOf("(loop for x in '(1) blah x)").message, "LOOP: unknown keyword BLAH");
});
