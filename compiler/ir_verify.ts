// The IR verifier: checks SSA form and block structure. Run after lowering and, with
// --verify-each (always in tests), after every pass; a failure names the pass that broke it.

import { type Function, type VReg, defs, predecessors, successors, termUses, uses } from "./ir.ts";
import { dominators } from "./dom.ts";

/** Problems found in `fn` (empty when it is well formed). */
export function verifyFunction(fn: Function): string[] {
  const errs: string[] = [];
  const where = new Map<VReg, { block: number; index: number }>(); // index -1: φ
  fn.blocks.forEach((b, bi) => {
    if (b.id !== bi) errs.push(`block at index ${bi} has id b${b.id}`);
  });
  if (errs.length) return errs;
  const define = (r: VReg, block: number, index: number) => {
    if (where.has(r)) errs.push(`v${r} is defined more than once (b${where.get(r)!.block} and b${block})`);
    else where.set(r, { block, index });
    if (r >= fn.nextReg) errs.push(`v${r} is not below nextReg ${fn.nextReg}`);
  };
  for (const b of fn.blocks) {
    b.phis.forEach((p) => define(p.dst, b.id, -1));
    b.insts.forEach((i, k) => defs(i).forEach((r) => define(r, b.id, k)));
    for (const s of successors(b.term)) if (s < 0 || s >= fn.blocks.length) errs.push(`b${b.id} jumps to missing block b${s}`);
    for (const i of b.insts) {
      if (i.op === "stack" && (i.slot < 0 || i.slot >= fn.slots.length)) errs.push(`b${b.id}: stack slot${i.slot} does not exist`);
    }
  }
  if (errs.length) return errs;
  const preds = predecessors(fn);
  const dom = dominators(fn);
  const checkUse = (r: VReg, block: number, index: number, what: string) => {
    const d = where.get(r);
    if (!d) return errs.push(`${what} uses v${r}, which is never defined`);
    if (dom.idom[block] === -1) return; // unreachable code
    const ok = d.block === block ? d.index < index : dom.dominates(d.block, block);
    if (!ok) errs.push(`${what} uses v${r}, whose definition in b${d.block} does not dominate it`);
  };
  for (const b of fn.blocks) {
    for (const p of b.phis) {
      const got = p.args.map((a) => a.block).sort((x, y) => x - y);
      const want = [...preds[b.id]].sort((x, y) => x - y);
      if (got.join() !== want.join()) errs.push(`b${b.id}: phi v${p.dst} has incoming [${got.map((x) => "b" + x)}] but predecessors are [${want.map((x) => "b" + x)}]`);
      for (const a of p.args) checkUse(a.value, a.block, Infinity, `b${b.id}: phi v${p.dst} (from b${a.block})`);
    }
    b.insts.forEach((i, k) => uses(i).forEach((r) => checkUse(r, b.id, k, `b${b.id}[${k}] ${i.op}`)));
    termUses(b.term).forEach((r) => checkUse(r, b.id, Infinity, `b${b.id} terminator`));
  }
  return errs;
}
