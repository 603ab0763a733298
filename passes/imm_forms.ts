// imm-forms: immediate forms and stores of immediates. `rX = K` whose only remaining reader is
// the next ALU operation, comparison or frame store in the same block becomes that instruction's
// immediate (`rY += K`, `if rY > K`, `*(u32 *)(r10 - 4) = K`) and the load goes away. Stores of
// immediates are made only to the frame (R10): the verifier refuses BPF_ST into the context.

import type { PeepholePass } from "../compiler/registry.ts";
import type { Insn } from "../compiler/asm/insn.ts";
import { AluOp, Class, Mode, Src, opClass } from "../compiler/asm/opcodes.ts";
import { isCond, joinBlocks, liveBefore, liveOut, regDefs, regUses, splitBlocks, hasRaw } from "./items.ts";

const MOV64K = Class.ALU64 | AluOp.mov | Src.K;

/** `use` with register `r` replaced by the immediate `k` (a sign-extended 32-bit value), if BPF has that form. */
function withImm(use: Insn, r: number, k: number): Insn | undefined {
  const cls = opClass(use.code);
  if ((cls === Class.ALU || cls === Class.ALU64) && (use.code & Src.X) && use.src === r && use.dst !== r) {
    const op = use.code & 0xf0;
    if (op === AluOp.mov && use.off !== 0) return undefined; // movsx
    if ((op === AluOp.div || op === AluOp.mod) && k === 0) return undefined; // the verifier refuses K-form x/0
    return { ...use, code: use.code & ~Src.X, src: 0, imm: k };
  }
  if (isCond(use) && (use.code & Src.X) && use.src === r && use.dst !== r) return { ...use, code: use.code & ~Src.X, src: 0, imm: k };
  if (cls === Class.STX && (use.code & 0xe0) === Mode.MEM && use.src === r && use.dst === 10) {
    return { ...use, code: Class.ST | Mode.MEM | (use.code & 0x18), src: 0, imm: k };
  }
  return undefined;
}

export const immForms: PeepholePass = {
  name: "imm-forms",
  kind: "peephole",
  description: "folds a constant loaded for one ALU operation, comparison or frame store into its immediate",
  run(items) {
    if (hasRaw(items)) return false;
    const blocks = splitBlocks(items);
    const outs = liveOut(blocks);
    let changed = false;
    blocks.forEach((b, k) => {
      for (let n = 0; n < b.insns.length; n++) {
        const mov = b.insns[n];
        if (mov.code !== MOV64K || mov.off !== 0) continue;
        const r = mov.dst;
        // The next instruction reading r, with r unchanged in between.
        let m = n + 1;
        while (m < b.insns.length && !regUses(b.insns[m]).includes(r) && !regDefs(b.insns[m]).includes(r)) m++;
        if (m >= b.insns.length || !regUses(b.insns[m]).includes(r)) continue;
        const repl = withImm(b.insns[m], r, mov.imm);
        if (!repl) continue;
        // r must be dead after that reader.
        if (liveBefore(b.insns, m + 1, outs[k]) & (1 << r)) continue;
        b.insns[m] = repl;
        b.insns.splice(n, 1);
        n--;
        changed = true;
      }
    });
    if (changed) items.splice(0, items.length, ...joinBlocks(blocks));
    return changed;
  },
};
