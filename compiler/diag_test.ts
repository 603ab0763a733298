import { test } from "node:test";
import assert from "node:assert/strict";
import { error, render, renderJson } from "./diag.ts";

test("render: file:line:col, the source line, a caret under the span, notes", () => {
  const src = "(defprog p ()\n  (lod u32 x 0))\n";
  const d = error('Unknown function or form "lod"', { file: "a.lisp", line: 2, col: 3, len: 13 }, [
    { message: 'expanded from macro "m"', span: { file: "a.lisp", line: 1, col: 1, len: 4 } },
  ]);
  assert.equal(
    render([d], (f) => (f === "a.lisp" ? src : undefined)),
    [
      'a.lisp:2:3: error: Unknown function or form "lod"',
      "    (lod u32 x 0))",
      "    ^~~~~~~~~~~~~",
      'a.lisp:1:1: note: expanded from macro "m"',
      "  (defprog p ()",
      "  ^~~~",
      "",
    ].join("\n"),
  );
});

test("render: a diagnostic without a span", () => {
  assert.equal(render([error("No programs")], () => undefined), "whistler: error: No programs\n");
});

test("renderJson: one JSON object per line", () => {
  const out = renderJson([error("x", { file: "f", line: 1, col: 2, len: 3 }), error("y")]);
  const lines = out.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  assert.equal(lines[0].span.col, 2);
  assert.equal(lines[1].message, "y");
});
