// Hoisting φ copies out of split edges: an edge block that only sets registers the other successor
// does not need moves above the branch, so no jump around it is needed (`r1 = 0; if … goto L`).
import { AluOp, Class, Src, opClass } from "../asm/opcodes.ts";
import { type MFunction, type MInst, instDefs, predecessorsOf, termUses } from "./mir.ts";
import { liveness } from "./liveness.ts";

/** Most instructions an edge block may have to be hoisted (they then run on the other path too). */
const MAX_HOISTED = 3;

/**
 * Copies, constants, map references and frame addresses only. Not loads (a speculated load may
 * fault) and not arithmetic: on a pointer not yet null-checked (a map lookup result on the other
 * path) the verifier rejects it.
 */
function speculatable(mi: MInst): boolean {
  const { code } = mi.insn;
  if (mi.idefs || mi.iuses || mi.tied !== undefined) return false;
  if (code === 0x18) return true; // ld_imm64
  if (code === (Class.ALU64 | AluOp.mov | Src.X)) return mi.insn.off === 0; // rD = rS (not movsx)
  const alu = opClass(code) === Class.ALU || opClass(code) === Class.ALU64;
  if (alu && (code & 0xf8) === (AluOp.mov | Src.K)) return true; // rD = imm, wD = imm
  return code === (Class.ALU64 | AluOp.add | Src.K) && mi.frame !== undefined; // r += -off after rX = r10
}

export function hoistEdgeCopies(mf: MFunction): void {
  const live = liveness(mf);
  const preds = predecessorsOf(mf);
  for (const p of mf.blocks) {
    const t = p.term;
    if (t.k !== "br" || t.then === t.else) continue;
    for (const [edge, other] of [[t.else, t.then], [t.then, t.else]]) {
      const e = mf.blocks[edge];
      if (preds[edge].length !== 1 || e.term.k !== "jmp" || e.insts.length === 0 || e.insts.length > MAX_HOISTED) continue;
      if (!e.insts.every(speculatable)) continue;
      const defs = e.insts.flatMap(instDefs);
      const branchUses = termUses(t);
      if (defs.some((d) => live.liveIn[other].has(d) || branchUses.includes(d))) continue;
      p.insts.push(...e.insts);
      e.insts = [];
      break; // one edge per branch: the other's check assumed these registers untouched
    }
  }
}
