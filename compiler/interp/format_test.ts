// Tests of FORMAT directives, the collected output sink, string streams and warnings.

import { test } from "node:test";
import assert from "node:assert/strict";
import { diagOf, newInterp, run, show } from "./testutil.ts";

const fmt = (control: string, args = "") => show(`(format nil ${JSON.stringify(control)} ${args})`);

test("~a ~s ~d ~x ~b ~o ~c ~~", () => {
  assert.equal(fmt("~a|~s|~d|~x|~b|~o|~c|~~", "\"str\" \"str\" 42 255 5 8 #\\z"), '"str|\\"str\\"|42|FF|101|10|z|~"');
});

test("padding and sign parameters", () => {
  assert.equal(fmt("[~5d][~5,'0d][~8,'0b][~@d][~:d][~4a][~4@a]", "42 42 5 3 1234567 \"ab\" \"ab\""), '"[   42][00042][00000101][+3][1,234,567][ab  ][  ab]"');
});

test("case conversion ~( ~:( ~@( ~:@(", () => {
  assert.equal(fmt("~(~a~) ~:(~a~) ~@(~a~) ~:@(~a~)", "'FOO-BAR \"hello world\" \"hello world\" 'x"), '"foo-bar Hello World Hello world X"');
});

test("iteration ~{ ~} with ~^, ~:{ and ~@{", () => {
  assert.equal(fmt("~{~a~^, ~}", "'(1 2 3)"), '"1, 2, 3"');
  assert.equal(fmt("~:{~a=~a~:^ ~}", "'((a 1) (b 2))"), '"A=1 B=2"');
  assert.equal(fmt("~:{~a~^=~a~}", "'((a 1) (b))"), '"A=1B"');
  assert.equal(fmt("~@{<~a>~}", "1 2"), '"<1><2>"');
  assert.equal(fmt("Done.~^ ~d warning~:p.", ""), '"Done."');
  assert.equal(fmt("~d item~:p, ~d pon~:@p", "1 2"), '"1 item, 2 ponies"');
});

test("newlines ~% ~& and conditionals ~[ ~]", () => {
  assert.equal(fmt("a~%b~&c~&", ""), '"a\nb\nc\n"');
  assert.equal(fmt("~[zero~;one~:;many~] ~:[no~;yes~]", "1 t"), '"one yes"');
  assert.equal(fmt("~@[(~a)~]", "nil"), '""');
});

test("format t writes to the interpreter's output, never stdout", () => {
  const ip = newInterp();
  run(ip, "(format t \"hello ~a~%\" 'world) (princ 42) (terpri) (print \"s\")");
  assert.equal(ip.output.join(""), 'hello WORLD\n42\n\n"s" ');
});

test("with-output-to-string collects stream output", () => {
  assert.equal(show("(with-output-to-string (s) (format s \"~a-\" 1) (princ 2 s) (write-string \"!\" s))"), '"1-2!"');
});

test("warn is collected in interp.warnings", () => {
  const ip = newInterp();
  run(ip, "(warn \"map ~a is large\" 'm) (warn 'simple-warning :format-control \"x~a\" :format-arguments '(1))");
  assert.deepEqual(ip.warnings, ["map M is large", "x1"]);
});

test("bad directives and missing arguments are errors", () => {
  assert.match(diagOf("(format nil \"~q\")").message, /^FORMAT: unknown directive ~Q/);
  assert.match(diagOf("(format nil \"~a ~a\" 1)").message, /^FORMAT: not enough arguments for ~A/);
});
