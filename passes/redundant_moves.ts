// redundant-moves: removes moves that change nothing — `rX = rX`, a constant or map address
// loaded into a register that already holds it on every path here (forward dataflow over the
// emitted code), and `rX = rY` right after `rY = rX` with nothing between.

import type { PeepholePass } from "../compiler/registry.ts";
import type { Insn } from "../compiler/asm/insn.ts";
import { AluOp, Class, Src } from "../compiler/asm/opcodes.ts";
import { joinBlocks, labelIndex, regDefs, splitBlocks, successorsOf, hasRaw } from "./items.ts";

const MOV64X = Class.ALU64 | AluOp.mov | Src.X;
const MOV64K = Class.ALU64 | AluOp.mov | Src.K;
const MOV32K = Class.ALU | AluOp.mov | Src.K;

/** The value a constant load puts in its register, as a key (undefined for anything else). */
function constKey(i: Insn): string | undefined {
  if (i.code === MOV64K && i.off === 0) return `k${BigInt.asUintN(64, BigInt(i.imm))}`;
  if (i.code === MOV32K && i.off === 0) return `k${BigInt.asUintN(32, BigInt(i.imm))}`;
  if (i.code === 0x18) return i.map !== undefined ? `map ${i.map} ${i.src}` : `k${BigInt.asUintN(64, i.imm64 ?? 0n)}`;
  return undefined;
}

type State = Map<number, string>; // register → constant key

export const redundantMoves: PeepholePass = {
  name: "redundant-moves",
  kind: "peephole",
  description: "removes self-moves, reloads of constants a register already holds, and moves straight back",
  run(items) {
    if (hasRaw(items)) return false;
    const blocks = splitBlocks(items);
    const at = labelIndex(blocks);
    const preds: number[][] = blocks.map(() => []);
    blocks.forEach((_, k) => successorsOf(blocks, k, at).forEach((s) => preds[s].push(k)));
    const transfer = (insns: Insn[], inn: State, sweep: boolean): { out: State; keep: boolean[] } => {
      const st = new Map(inn);
      const keep = insns.map(() => true);
      insns.forEach((i, n) => {
        const ck = constKey(i);
        if (ck !== undefined && st.get(i.dst) === ck) {
          if (sweep) keep[n] = false;
          return;
        }
        for (const d of regDefs(i)) st.delete(d);
        if (ck !== undefined) st.set(i.dst, ck);
      });
      return { out: st, keep };
    };
    // Forward must-analysis; blocks not yet computed are skipped at merges (optimistic).
    const outs = new Map<number, State>();
    const inOf = (k: number): State => {
      if (k === 0) return new Map();
      let acc: State | undefined;
      for (const p of preds[k]) {
        const o = outs.get(p);
        if (!o) continue;
        if (!acc) acc = new Map(o);
        else for (const [r, v] of [...acc]) if (o.get(r) !== v) acc.delete(r);
      }
      return acc ?? new Map();
    };
    for (let changed = true, guard = 0; changed; guard++) {
      if (guard > 100) return false;
      changed = false;
      blocks.forEach((b, k) => {
        const { out } = transfer(b.insns, inOf(k), false);
        const old = outs.get(k);
        if (!old || old.size !== out.size || [...out].some(([r, v]) => old.get(r) !== v)) {
          outs.set(k, out);
          changed = true;
        }
      });
    }
    let changed = false;
    blocks.forEach((b, k) => {
      const { keep } = transfer(b.insns, inOf(k), true);
      let insns = b.insns.filter((_, n) => keep[n]);
      // rX = rX; and rY = rX directly after rX = rY.
      insns = insns.filter((i, n) => {
        if (i.code === MOV64X && i.off === 0 && i.dst === i.src) return false;
        const prev = insns[n - 1];
        return !(n > 0 && i.code === MOV64X && i.off === 0 && prev.code === MOV64X && prev.off === 0 && prev.dst === i.src && prev.src === i.dst);
      });
      if (insns.length !== b.insns.length) {
        b.insns = insns;
        changed = true;
      }
    });
    if (changed) items.splice(0, items.length, ...joinBlocks(blocks));
    return changed;
  },
};
