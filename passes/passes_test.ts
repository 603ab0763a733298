// Golden tests per pass: each passes/testdata/*.lisp starts with ";; RUN: --passes=a,b" and has
// the expected IR after those passes in the .ir file beside it. WHISTLER_UPDATE=1 rewrites the
// .ir files (review every change in the diff). Every run also verifies the IR after each pass.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { compile, render } from "../mod.ts";

const DIR = new URL("./testdata/", import.meta.url).pathname;
const UPDATE = process.env.WHISTLER_UPDATE === "1";

for (const f of readdirSync(DIR).filter((x) => x.endsWith(".lisp")).sort()) {
  test(`pass golden: ${f}`, () => {
    const src = readFileSync(join(DIR, f), "utf8");
    const run = /^;; RUN: --passes=(\S*)/m.exec(src);
    assert.ok(run, `${f} has no ";; RUN: --passes=…" line`);
    const passes = run[1] ? run[1].split(",") : [];
    const r = compile(src, { file: f, passes, emit: "ir", hooks: { verifyEach: true } });
    assert.ok(r.ok, render(r.diagnostics, (x) => r.sources.get(x)));
    const golden = join(DIR, f.replace(/\.lisp$/, ".ir"));
    if (UPDATE || !existsSync(golden)) {
      writeFileSync(golden, r.text!);
      if (!UPDATE) assert.fail(`wrote missing golden ${golden}: review it and commit`);
      return;
    }
    assert.equal(r.text, readFileSync(golden, "utf8"));
  });
}
