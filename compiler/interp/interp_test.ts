// Tests of core evaluation: special forms, closures, dynamic variables, control transfer,
// multiple values, conditions and top-level processing.

import { test } from "node:test";
import assert from "node:assert/strict";
import { newInterp, run, show, showIn } from "./testutil.ts";

test("arithmetic and nested calls", () => {
  assert.equal(show("(+ 1 (* 2 3) (- 10 4))"), "13");
});

test("defun with recursion computes bignums", () => {
  assert.equal(show("(defun fact (n) (if (= n 0) 1 (* n (fact (1- n))))) (fact 25)"), "15511210043330985984000000");
});

test("a defun computing a constant table", () => {
  const src = `
    (defun crc-entry (n)
      (let ((c n))
        (dotimes (k 8 c)
          (setq c (if (logbitp 0 c) (logxor #xEDB88320 (ash c -1)) (ash c -1))))))
    (defconstant +crc-head+ (loop for i below 4 collect (crc-entry i)))
    +crc-head+`;
  assert.equal(show(src), "(0 1996959894 3993919788 2567524794)");
});

test("let, let* and closures capture bindings", () => {
  assert.equal(show("(let ((x 1) (y 2)) (let* ((x 10) (z (+ x y))) (list x y z)))"), "(10 2 12)");
  assert.equal(show("(let ((n 0)) (let ((inc (lambda () (setq n (1+ n))))) (funcall inc) (funcall inc) n))"), "2");
});

test("flet and labels, including mutual recursion", () => {
  assert.equal(show("(flet ((sq (x) (* x x))) (sq 7))"), "49");
  assert.equal(show("(labels ((ev (n) (if (= n 0) t (od (1- n)))) (od (n) (if (= n 0) nil (ev (1- n))))) (list (ev 10) (ev 7)))"), "(T NIL)");
});

test("lambda lists: optional, rest, key, aux, supplied-p", () => {
  const src = `(defun f (a &optional (b 2 b-p) &rest r &key (k 5) ((:other o) 'none) &allow-other-keys &aux (s (+ a b)))
                 (list a b b-p r k o s))
               (list (f 1) (f 1 3 :k 9 :zz 1))`;
  assert.equal(show(src), "((1 2 NIL NIL 5 NONE 3) (1 3 T (:K 9 :ZZ 1) 9 NONE 4))");
});

test("setf on variables, car/cdr/nth, getf, gethash, aref and symbol-value", () => {
  const src = `(defvar *g* 1)
    (let ((l (list 1 2 3)) (p (list :a 1)) (h (make-hash-table)) (v (vector 0 0)))
      (setf (car l) 10 (nth 2 l) 30 (getf p :b) 2 (getf p :a) 5 (gethash 'k h) 'v (aref v 1) 9 (symbol-value '*g*) 7)
      (list l p (gethash 'k h) v *g*))`;
  assert.equal(show(src), "((10 2 30) (:B 2 :A 5) V #(0 9) 7)");
});

test("incf, decf, push, pop, pushnew on places", () => {
  const src = `(let ((x 1) (l (list 1 2)) (h (make-hash-table)))
    (incf x 10) (decf x) (push 0 l) (pushnew 1 l) (pushnew 5 l)
    (incf (gethash 'n h 100))
    (list x (pop l) l (gethash 'n h)))`;
  assert.equal(show(src), "(10 5 (0 1 2) 101)");
});

test("block, return-from across closures, and return from dolist", () => {
  assert.equal(show("(block outer (mapc (lambda (x) (when (> x 1) (return-from outer x))) '(1 2 3)) 'none)"), "2");
  assert.equal(show("(dolist (x '(1 2 3) 'end) (when (= x 2) (return 'early)))"), "EARLY");
  assert.equal(show("(defun find-it (l) (dolist (x l) (when (evenp x) (return-from find-it x))) nil) (find-it '(1 3 4 5))"), "4");
});

test("tagbody and go", () => {
  assert.equal(show("(let ((n 0) (acc nil)) (tagbody top (push n acc) (incf n) (when (< n 3) (go top))) acc)"), "(2 1 0)");
});

test("catch/throw and unwind-protect cleanup", () => {
  assert.equal(show("(let ((log nil)) (list (catch 'k (unwind-protect (throw 'k 1) (push 'cleaned log))) log))"), "(1 (CLEANED))");
});

test("special variables are bound dynamically and restored after errors", () => {
  const ip = newInterp();
  run(ip, "(defvar *depth* 0) (defun get-depth () *depth*)");
  assert.equal(showIn(ip, "(list (let ((*depth* 5)) (get-depth)) (get-depth))"), "(5 0)");
  assert.equal(showIn(ip, "(ignore-errors (let ((*depth* 9)) (error \"boom\")))"), "NIL");
  assert.equal(showIn(ip, "*depth*"), "0");
});

test("defparameter reassigns, defvar does not", () => {
  assert.equal(show("(defvar *a* 1) (defvar *a* 2) (defparameter *b* 1) (defparameter *b* 2) (list *a* *b*)"), "(1 2)");
});

test("multiple values: values, floor, multiple-value-bind, multiple-value-list, nth-value", () => {
  assert.equal(show("(multiple-value-bind (q r) (floor -7 2) (list q r))"), "(-4 1)");
  assert.equal(show("(multiple-value-list (values 1 2 3))"), "(1 2 3)");
  assert.equal(show("(nth-value 1 (truncate 7 2))"), "1");
  assert.equal(show("(defun two () (values 'a 'b)) (multiple-value-bind (x y z) (two) (list x y z))"), "(A B NIL)");
  assert.equal(show("(multiple-value-bind (a b) (let ((v (values 1 2))) v) (list a b))"), "(1 NIL)");
});

test("cond, case, typecase, when, unless, and, or", () => {
  assert.equal(show("(list (cond ((= 1 2) 'a) ((+ 1 1)) (t 'c)) (case 'x ((a b) 1) (x 2) (otherwise 3)) (typecase \"s\" (integer 'i) (string 's)))"), "(2 2 S)");
  assert.equal(show("(list (when nil 1) (unless nil 2) (and 1 2 3) (or nil nil 4) (and) (or))"), "(NIL 2 3 4 T NIL)");
});

test("handler-case binds the condition; its printed form is the message", () => {
  assert.equal(show("(handler-case (error \"bad port ~d\" 99) (error (c) (format nil \"caught: ~a\" c)))"), '"caught: bad port 99"');
  assert.equal(show("(handler-case (car 5) (type-error () 'type) (error () 'other))"), "TYPE");
  assert.equal(show("(handler-case (values 1 2) (:no-error (a b) (+ a b)))"), "3");
  assert.equal(show("(handler-case (error 'simple-error :format-control \"x=~a\" :format-arguments '(1)) (t (c) (princ-to-string c)))"), '"x=1"');
  assert.equal(show("(define-condition my-error (error) ()) (handler-case (error 'my-error) (my-error () 'mine))"), "MINE");
});

test("ignore-errors returns nil and the condition", () => {
  assert.equal(show("(multiple-value-bind (v c) (ignore-errors (/ 1 0)) (list v (princ-to-string c)))"), '(NIL "Division by zero")');
});

test("eval-when, progn and locally at top level", () => {
  assert.equal(show("(eval-when (:compile-toplevel :load-toplevel :execute) (defvar *e* 1)) (progn (defun e2 () (* *e* 2))) (e2)"), "2");
  assert.equal(show("(eval-when (:load-toplevel) (error \"not run\")) 'ok"), "OK");
});

test("symbol-macrolet expands in reads and setq; let shadows it", () => {
  assert.equal(show("(let ((cell (list 1))) (symbol-macrolet ((x (car cell))) (setq x 5) (list x (let ((x 2)) x) cell)))"), "(5 2 (5))");
});

test("funcall, apply, function, complement, constantly", () => {
  assert.equal(show("(list (funcall #'+ 1 2) (apply #'max 3 '(9 4)) (funcall (complement #'evenp) 3) (funcall (constantly 7) 1 2))"), "(3 9 T 7)");
  assert.equal(show("(mapcar (function (lambda (x) (* x x))) '(1 2 3))"), "(1 4 9)");
});

test("eval, boundp, fboundp, symbol-function", () => {
  assert.equal(show("(defvar *q* 3) (list (eval '(+ *q* 1)) (boundp '*q*) (boundp 'nope) (fboundp 'car) (funcall (symbol-function '1+) 1))"), "(4 T NIL T 2)");
});

test("the, declare, declaim, in-package are accepted", () => {
  assert.equal(show("(in-package :whistler) (declaim (optimize speed)) (defun g (x) (declare (fixnum x)) (the fixnum (* x 2))) (g 4)"), "8");
});

test("assert and check-type pass silently when satisfied", () => {
  assert.equal(show("(let ((x 5)) (assert (> x 0)) (check-type x integer) 'ok)"), "OK");
});

test("two interpreters share nothing", () => {
  const a = newInterp(), b = newInterp();
  run(a, "(defmacro only-a () 1) (defvar *only-a* 1)");
  assert.equal(showIn(b, "(list (fboundp 'only-a) (boundp '*only-a*))"), "(NIL NIL)");
});
