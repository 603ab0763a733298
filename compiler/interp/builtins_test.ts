// Tests of builtin functions: lists, sequences, numbers, strings, characters, symbols,
// hash tables, equality and types.

import { test } from "node:test";
import assert from "node:assert/strict";
import { diagOf, show } from "./testutil.ts";

test("list construction and access", () => {
  assert.equal(show("(list (cons 1 2) (list* 1 2 '(3)) (cadr '(1 2 3)) (cdddr '(1 2 3 4)) (third '(a b c)) (nthcdr 2 '(a b c)) (last '(1 2 3)) (butlast '(1 2 3)))"),
    "((1 . 2) (1 2 3) 2 (4) C (C) (3) (1 2))");
  assert.equal(show("(list (append '(1) '(2 3) nil '(4)) (nconc (list 1) (list 2)) (reverse '(1 2 3)) (nreverse (list 1 2 3)) (make-list 2 :initial-element 'x))"),
    "((1 2 3 4) (1 2) (3 2 1) (3 2 1) (X X))");
});

test("mapping functions", () => {
  assert.equal(show("(list (mapcar #'+ '(1 2 3) '(10 20)) (mapcan (lambda (x) (list x x)) '(1 2)) (maplist #'length '(a b c)))"),
    "((11 22) (1 1 2 2) (3 2 1))");
  assert.equal(show("(let ((s 0)) (mapc (lambda (x) (incf s x)) '(1 2 3)) s)"), "6");
});

test("member, assoc, rassoc, getf, subst with :test and :key", () => {
  assert.equal(show("(list (member 2 '(1 2 3)) (member \"b\" '(\"a\" \"b\") :test #'string=) (assoc 'b '((a . 1) (b . 2))) (rassoc 2 '((a . 1) (b . 2))) (assoc 3 '((1 . a) (3 . b)) :key #'1+))"),
    "((2 3) (\"b\") (B . 2) (B . 2) NIL)");
  assert.equal(show("(list (getf '(:a 1 :b 2) :b) (getf '(:a 1) :z 'dflt) (subst 'x 'a '(a (b a))) (copy-tree '((1) 2)))"),
    "(2 DFLT (X (B X)) ((1) 2))");
});

test("sequence functions on lists, vectors and strings", () => {
  assert.equal(show("(list (length \"abc\") (length #(1 2)) (elt '(a b c) 1) (subseq \"hello\" 1 3) (subseq '(1 2 3 4) 2) (reverse \"abc\"))"),
    "(3 2 B \"el\" (3 4) \"cba\")");
  assert.equal(show("(list (remove 2 '(1 2 3 2)) (remove-if #'evenp #(1 2 3 4)) (remove-if-not #'evenp '(1 2 3 4)) (delete #\\a \"banana\") (remove-duplicates '(1 2 1 3 2)))"),
    "((1 3) #(1 3) (2 4) \"bnn\" (1 3 2))");
  assert.equal(show("(list (find 3 '(1 2 3)) (find-if #'evenp '(1 3 4)) (position #\\c \"abc\") (position-if #'oddp '(2 4 5)) (count 1 '(1 2 1)) (count-if #'evenp '(1 2 4)))"),
    "(3 4 2 2 2 2)");
});

test("reduce with :initial-value, :from-end and :key", () => {
  assert.equal(show("(list (reduce #'+ '(1 2 3)) (reduce #'list '(1 2 3) :from-end t) (reduce #'+ '((1) (2)) :key #'car :initial-value 10) (reduce #'+ nil))"),
    "(6 (1 (2 3)) 13 0)");
});

test("sort and stable-sort with :key; every/some/notany/notevery", () => {
  assert.equal(show("(list (sort (list 3 1 2) #'<) (stable-sort (list '(b 1) '(a 1) '(c 0)) #'< :key #'second) (sort \"cab\" #'char<))"),
    "((1 2 3) ((C 0) (B 1) (A 1)) \"abc\")");
  assert.equal(show("(list (every #'evenp '(2 4)) (some #'evenp '(1 2)) (notany #'evenp '(1 3)) (notevery #'evenp '(2 3)))"), "(T T T T)");
});

test("concatenate, coerce, map, vectors", () => {
  assert.equal(show("(list (concatenate 'string \"ab\" \"cd\") (concatenate 'list '(1) #(2)) (coerce \"ab\" 'list) (coerce '(#\\x #\\y) 'string) (map 'list #'1+ #(1 2)) (coerce 3 'float))"),
    "(\"abcd\" (1 2) (#\\a #\\b) \"xy\" (2 3) 3.0)");
  assert.equal(show("(let ((v (make-array 2 :initial-element 0))) (vector-push-extend 5 v) (setf (aref v 0) 1) (list v (aref v 2) (vector 'a)))"),
    "(#(1 0 5) 5 #(A))");
});

test("integer arithmetic is exact and arbitrary precision", () => {
  assert.equal(show("(list (expt 2 100) (* 123456789123456789 987654321987654321) (- 5) (/ 12 4) (/ 12.0 8) (1+ 1) (1- 1))"),
    "(1267650600228229401496703205376 121932631356500531347203169112635269 -5 3 1.5 2 0)");
  assert.equal(show("(list (floor 7 2) (ceiling 7 2) (truncate -7 2) (round 5 2) (round 7 2) (mod -7 3) (rem -7 3))"), "(3 4 -3 2 4 2 -1)");
});

test("bit operations", () => {
  assert.equal(show("(list (ash 1 40) (ash -16 -2) (logand #xff #x0f) (logior 1 4) (logxor 5 1) (lognot 0) (logbitp 3 8) (integer-length 255) (ldb (byte 4 4) #xab))"),
    "(1099511627776 -4 15 5 4 -1 T 8 10)");
});

test("comparisons and predicates", () => {
  assert.equal(show("(list (= 1 1 1) (/= 1 2 1) (< 1 2 3) (>= 3 3 1) (max 1 5 3) (min 4 2) (abs -3) (zerop 0) (plusp -1) (minusp -1) (evenp 2) (oddp 2) (integerp 1) (numberp 1.5))"),
    "(T NIL T T 5 2 3 T NIL T T NIL T T)");
});

test("inexact integer division reports that ratios are unsupported", () => {
  assert.equal(diagOf("(/ 1 3)").message, "Ratios are not supported: 1/3 is not an integer (use FLOOR or TRUNCATE)");
});

test("strings and characters", () => {
  assert.equal(show("(list (string-upcase \"abc\") (string-downcase \"ABC\") (string-capitalize \"hello world\") (string-trim \" \" \"  x  \") (string= \"a\" \"a\") (string-equal \"A\" \"a\") (string< \"abc\" \"abd\"))"),
    "(\"ABC\" \"abc\" \"Hello World\" \"x\" T T 2)");
  assert.equal(show("(list (char \"abc\" 1) (char-code #\\A) (code-char 97) (char-upcase #\\a) (alpha-char-p #\\1) (digit-char-p #\\7) (string 'foo) (parse-integer \"  42 \") (parse-integer \"ff\" :radix 16))"),
    "(#\\b 65 #\\a #\\A NIL 7 \"FOO\" 42 255)");
  assert.equal(show("(list (write-to-string '(1 \"a\")) (prin1-to-string \"a\") (princ-to-string \"a\") (princ-to-string :kw))"),
    "(\"(1 \\\"a\\\")\" \"\\\"a\\\"\" \"a\" \"KW\")");
});

test("symbols: intern, make-symbol, gensym, keywordp, symbol-package", () => {
  assert.equal(show("(list (intern \"FOO\") (symbol-name :bar) (keywordp :x) (symbolp 'y) (symbol-package (make-symbol \"Z\")) (intern \"K\" :keyword) (eq (gensym) (gensym)))"),
    "(FOO \"BAR\" T T NIL :K NIL)");
  assert.match(show("(gensym \"TMP\")"), /^#:TMP\d+$/);
});

test("hash tables: tests, default values, remhash, maphash, count, clrhash", () => {
  const src = `(let ((h (make-hash-table :test #'equal)) (acc nil))
    (setf (gethash '(1 2) h) 'a (gethash "k" h) 'b)
    (remhash "k" h)
    (maphash (lambda (k v) (push (list k v) acc)) h)
    (list (gethash (list 1 2) h) (gethash 'missing h 'dflt) (hash-table-count h) acc
          (multiple-value-list (gethash 'missing h)) (hash-table-count (clrhash h))))`;
  assert.equal(show(src), "(A DFLT 1 (((1 2) A)) (NIL NIL) 0)");
  assert.equal(show("(let ((h (make-hash-table))) (setf (gethash \"a\" h) 1) (list (gethash #\\a h) (gethash 1 h)))"), "(NIL NIL)");
});

test("equality predicates", () => {
  assert.equal(show("(list (eq 'a 'a) (eql 1 1) (eql 1 1.0) (equal '(1 (2)) '(1 (2))) (equal \"a\" \"a\") (equalp \"AB\" \"ab\") (equalp 1 1.0) (eql #\\a #\\a))"),
    "(T T NIL T T T T T)");
});

test("typep, type-of and coerce", () => {
  assert.equal(show("(list (typep 5 '(integer 0 10)) (typep 5 '(or string symbol)) (typep nil 'list) (type-of 'a) (typep 300 '(unsigned-byte 8)))"),
    "(T NIL T SYMBOL NIL)");
});
