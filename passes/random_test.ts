// Randomized differential test of the SSA passes: seeded random IR functions (the back end's
// generator, plus extra shapes the passes look for) are interpreted before and after each pass
// alone and after the -O2 pipeline; return value, helper log and final memory must not change, and
// the IR must stay valid (the verifier runs after every pass).
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Function, printFunction } from "../compiler/ir.ts";
import { verifyFunction } from "../compiler/ir_verify.ts";
import type { PassContext, SsaPass } from "../compiler/registry.ts";
import { PIPELINES } from "../compiler/pipeline.ts";
import { CTX_BYTES, MAP, Rng, randomFunction } from "../compiler/backend/testing/random_ir.ts";
import { interpret } from "../tests/ir_interp.ts";
import { PassWorld } from "./testing/world.ts";
import { BUILTIN_PASSES } from "./mod.ts";
import { shapedFunction } from "./testing/shapes.ts";

const SSA = BUILTIN_PASSES.filter((p): p is SsaPass => p.kind === "ssa");
const byName = new Map(SSA.map((p) => [p.name, p]));

function observe(fn: Function, bytes: Uint8Array, value: Uint8Array): string {
  const w = new PassWorld(bytes, [MAP]);
  w.setEntry(MAP, 0, value);
  w.setEntry(MAP, 1, value);
  let ret: string;
  try {
    ret = String(interpret(fn, w));
  } catch (e) {
    ret = `error: ${(e as Error).message}`;
  }
  return `${ret}\n${w.trace.join("\n")}\n${w.snapshot()}`;
}

function run(fn: Function, passes: SsaPass[], cpu: 1 | 2 | 3 | 4): void {
  const ctx: PassContext = { cpu, program: fn.name, options: {}, warn: () => {} };
  for (const p of passes) {
    p.run(fn, ctx);
    const errs = verifyFunction(fn);
    if (errs.length) throw new Error(`${p.name} produced invalid IR:\n${errs.join("\n")}\n${printFunction(fn)}`);
  }
}

function campaign(label: string, make: (rng: Rng, cpu: 1 | 2 | 3 | 4) => Function, seeds: number, first: number): void {
  const pipelines: [string, SsaPass[]][] = [
    ...SSA.map((p): [string, SsaPass[]] => [p.name, [p]]),
    ["-O2", PIPELINES.O2.map((n) => byName.get(n)).filter((p): p is SsaPass => p !== undefined)],
  ];
  for (let seed = first; seed < first + seeds; seed++) {
    const cpu = ([1, 2, 3, 4] as const)[seed % 4];
    const rng = new Rng(seed);
    const original = make(rng, cpu);
    const inputs = Array.from({ length: 3 }, () => ({
      bytes: Uint8Array.from({ length: CTX_BYTES }, () => rng.int(256)),
      value: Uint8Array.from({ length: 16 }, () => rng.int(256)),
    }));
    const want = inputs.map((x) => observe(original, x.bytes, x.value));
    if (want.some((w) => w.startsWith("error"))) continue; // the generator made something undefined
    for (const [name, passes] of pipelines) {
      const fn = structuredClone(original);
      run(fn, passes, cpu);
      inputs.forEach((x, k) => {
        const got = observe(fn, x.bytes, x.value);
        if (got !== want[k]) {
          assert.fail(`${label} seed ${seed} (cpu ${cpu}), pipeline ${name}: results differ\n--- want\n${want[k]}\n--- got\n${got}\n--- before\n${printFunction(original)}\n--- after\n${printFunction(fn)}`);
        }
      });
    }
  }
}

/** Bun's default per-test timeout is 5 s. */
const SLOW = { timeout: 300_000 };

test("every SSA pass alone, and -O2, preserves results on random programs", SLOW, () => {
  campaign("random", (rng, cpu) => randomFunction(rng, { cpu, size: 6 }), 250, 1);
});

test("every SSA pass alone, and -O2, preserves results on programs shaped like the passes' patterns", SLOW, () => {
  campaign("shaped", (rng, cpu) => shapedFunction(rng, cpu), 400, 5000);
});
