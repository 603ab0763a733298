// Kernel test: random IR functions (socket-filter context rules) compiled by the back end must pass
// the real verifier (spilled pointers, null checks, R6 for ld_abs, no BPF_ST into ctx); skipped without one.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelTest, loadObject } from "../../tests/kernel.ts";
import { generate } from "./mod.ts";
import { MAP, Rng, randomFunction } from "./testing/random_ir.ts";
import { layout } from "../asm/layout.ts";
import { byteOffsets, encode } from "../asm/encode.ts";
import { Class, JmpOp } from "../asm/opcodes.ts";
import type { Item } from "../asm/insn.ts";
import { type ProgramCode, writeObject } from "../object.ts";

const CALL = Class.JMP | JmpOp.call;
const PRANDOM = 7; // bpf_get_prandom_u32: stands in for the test-only "mix" helpers

function program(name: string, items: Item[], cpu: 1 | 2 | 3 | 4): ProgramCode {
  const real = items.map((i) => ("code" in i && i.code === CALL && i.imm > 100 ? { ...i, imm: PRANDOM } : i));
  const insns = layout(real, { cpu });
  const offsets = byteOffsets(insns);
  const relocs = insns.flatMap((i, k) => (i.map ? [{ offset: offsets[k], symbol: i.map }] : []));
  const code = encode(insns.map((i) => (i.map ? { ...i, src: 0 } : i)));
  return { name, section: "socket", code, relocs, ctxType: null, lines: [], coreRelos: [] };
}

kernelTest("random programs pass the kernel verifier (all CPU versions)", () => {
  const dir = mkdtempSync(join(tmpdir(), "whistler-backend-"));
  try {
    for (let batch = 0; batch < 6; batch++) {
      const programs: ProgramCode[] = [];
      for (let k = 0; k < 10; k++) {
        const seed = 500 + batch * 10 + k;
        const cpu = ([1, 2, 3, 4] as const)[seed % 4];
        const fn = randomFunction(new Rng(seed), { cpu, size: 3 + (seed % 5), depth: 2, kernel: true });
        programs.push(program(`p${seed}_v${cpu}`, generate(fn, { cpu }).items, cpu));
      }
      const obj = join(dir, `b${batch}.o`);
      writeFileSync(obj, writeObject({
        license: "GPL",
        programs,
        maps: [{ name: MAP, type: 1, keySize: 4, valueSize: 16, maxEntries: 16, flags: 0 }],
      }));
      const loaded = loadObject(obj); // throws with the verifier log on rejection
      assert.equal(loaded.progs.length, programs.length);
      loaded.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
