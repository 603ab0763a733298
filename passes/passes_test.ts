// Golden tests per pass: each passes/testdata/*.lisp starts with ";; RUN: --passes=a,b" (optionally
// "-mcpu=vN" and "--emit=asm" for peephole passes) and has the expected IR (or assembly) after
// those passes in the .ir (or .s) file beside it. Regenerate with `WHISTLER_UPDATE=1` or with
// `--update` after the test files (`deno test -A --no-check passes/passes_test.ts -- --update`)
// and review every change in the diff. Every run also verifies the IR after each pass.

import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { compile, render } from "../mod.ts";

const DIR = new URL("./testdata/", import.meta.url).pathname;
const UPDATE = process.env.WHISTLER_UPDATE === "1" || process.argv.includes("--update");

for (const f of readdirSync(DIR).filter((x) => x.endsWith(".lisp")).sort()) {
  test(`pass golden: ${f}`, () => {
    const src = readFileSync(join(DIR, f), "utf8");
    const run = /^;; RUN: --passes=(\S*)(.*)$/m.exec(src);
    assert.ok(run, `${f} has no ";; RUN: --passes=…" line`);
    const passes = run[1] ? run[1].split(",") : [];
    const asm = /--emit=asm\b/.test(run[2]);
    const cpu = Number(/-mcpu=v([1-4])/.exec(run[2])?.[1] ?? 3) as 1 | 2 | 3 | 4;
    const r = compile(src, { file: f, passes, cpu, emit: asm ? "asm" : "ir", hooks: { verifyEach: true } });
    assert.ok(r.ok, render(r.diagnostics, (x) => r.sources.get(x)));
    const golden = join(DIR, f.replace(/\.lisp$/, asm ? ".s" : ".ir"));
    if (UPDATE || !existsSync(golden)) {
      writeFileSync(golden, r.text!);
      if (!UPDATE) assert.fail(`wrote missing golden ${golden}: review it and commit`);
      return;
    }
    assert.equal(r.text, readFileSync(golden, "utf8"));
  });
}
