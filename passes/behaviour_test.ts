// Behavioural check of every pass in the kernel: each benchmark fixture with packet cases is
// compiled at -O0 (the reference), at -O1/-O2/-Os, at -O2 with -mcpu=v1 and v4, with each
// registered pass alone, and with -O2 minus each pass; every object must load (the verifier
// accepts it) and give the same verdicts, output packets, contexts and maps as -O0 on the
// bench's packets. Identical objects are loaded once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import process from "node:process";
import { compile, type CompileOptions, render } from "../mod.ts";
import { hostFiles } from "../host/fs.ts";
import { findFixtures } from "../host/bench_core.ts";
import { CASES } from "../bench/cases.ts";
import { differences, observe, type Observation } from "../bench/equiv.ts";
import { kernelStatus, skipTest } from "../tests/kernel.ts";
import { PIPELINES } from "../compiler/pipeline.ts";
import { BUILTIN_PASSES } from "./mod.ts";

const DIR = new URL("../bench/fixtures/", import.meta.url).pathname;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "whistler-pass-behaviour-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

type Variant = { label: string; opts: CompileOptions };
const O2 = PIPELINES.O2;
const VARIANTS: Variant[] = [
  { label: "-O1", opts: { opt: "1" } },
  { label: "-O2", opts: { opt: "2" } },
  { label: "-Os", opts: { opt: "s" } },
  { label: "-O2 -mcpu=v1", opts: { opt: "2", cpu: 1 } },
  { label: "-O2 -mcpu=v4", opts: { opt: "2", cpu: 4 } },
  ...BUILTIN_PASSES.map((p) => ({ label: `--passes=${p.name}`, opts: { passes: [p.name] } })),
  ...[...new Set(O2)].map((n) => ({ label: `-O2 without ${n}`, opts: { passes: O2.filter((x) => x !== n) } })),
];

function build(file: string, opts: CompileOptions): Uint8Array {
  const r = compile(fs.readFileSync(file, "utf8"), { file, files: hostFiles, includePaths: [path.dirname(file)], cpu: 3, hooks: { verifyEach: true }, ...opts });
  assert.ok(r.ok && r.object, render(r.diagnostics, (f) => r.sources.get(f)));
  return r.object!;
}

for (const f of findFixtures([DIR])) {
  const c = CASES[f.name];
  if (!c || f.pending) continue;
  const name = `passes keep ${f.name}'s behaviour (-O0 as reference): -O1/-O2/-Os, v1/v4, each pass alone, -O2 minus each pass`;
  test(name, { timeout: 600_000 }, (t) => {
    const s = kernelStatus();
    if (!s.ok) {
      if (process.env.WHISTLER_REQUIRE_KERNEL === "1") throw new Error(`kernel required: ${s.reason}`);
      return skipTest(t, name, s.reason);
    }
    const seen = new Map<string, string>();
    const run = (obj: Uint8Array): Observation => {
      const file = path.join(tmp, `${f.name}-${seen.size}.o`);
      fs.writeFileSync(file, obj);
      return observe(file, c);
    };
    const reference = run(build(f.lisp, { opt: "0" }));
    const failures: string[] = [];
    for (const v of VARIANTS) {
      const obj = build(f.lisp, v.opts);
      const hash = createHash("sha256").update(obj).digest("hex");
      if (seen.has(hash)) continue;
      seen.set(hash, v.label);
      let diffs: string[];
      try {
        diffs = differences(run(obj), reference);
      } catch (e) {
        diffs = [`does not load or run: ${(e as Error).message.split("\n").slice(0, 6).join(" | ")}`];
      }
      if (diffs.length) failures.push(`${v.label}:\n  ${diffs.join("\n  ").replaceAll("clang", "-O0")}`);
    }
    assert.deepEqual(failures, [], `${f.name}: objects differing from -O0\n${failures.join("\n")}`);
  });
}
