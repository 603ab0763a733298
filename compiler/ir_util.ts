// Utilities for passes over the SSA IR: definitions, use counts, replacing uses, and CFG edits
// that keep φ-nodes consistent. Exposed to plugins through the API.

import {
  type BlockId, type Function, type Inst, type VReg, defs, mapTermUses, mapUses, predecessors, successors, termUses, uses,
} from "./ir.ts";
import { compact, removeTrivialPhis } from "./ssa_builder.ts";

/** The defining instruction of every register (φs are not included). */
export function defMap(fn: Function): Map<VReg, Inst> {
  const m = new Map<VReg, Inst>();
  for (const b of fn.blocks) for (const i of b.insts) for (const d of defs(i)) m.set(d, i);
  return m;
}

/** How many times each register is used (instructions, φs and terminators). */
export function useCounts(fn: Function): Map<VReg, number> {
  const m = new Map<VReg, number>();
  const add = (r: VReg) => m.set(r, (m.get(r) ?? 0) + 1);
  for (const b of fn.blocks) {
    for (const p of b.phis) p.args.forEach((a) => add(a.value));
    for (const i of b.insts) uses(i).forEach(add);
    termUses(b.term).forEach(add);
  }
  return m;
}

/** Replace registers everywhere by `f` (identity for those it doesn't map). */
export function replaceUses(fn: Function, f: (r: VReg) => VReg): void {
  for (const b of fn.blocks) {
    for (const p of b.phis) for (const a of p.args) a.value = f(a.value);
    b.insts = b.insts.map((i) => mapUses(i, f));
    b.term = mapTermUses(b.term, f);
  }
}

/** Replace all uses of registers in `map` (following chains). */
export function replaceAll(fn: Function, map: Map<VReg, VReg>): void {
  if (map.size === 0) return;
  const resolve = (r: VReg) => {
    let x = r;
    for (let guard = 0; map.has(x) && guard < 1000; guard++) x = map.get(x)!;
    return x;
  };
  replaceUses(fn, resolve);
}

/** Remove φ arguments from blocks that are no longer predecessors. */
export function prunePhis(fn: Function): void {
  const preds = predecessors(fn);
  for (const b of fn.blocks) {
    const ps = new Set(preds[b.id]);
    for (const p of b.phis) p.args = p.args.filter((a) => ps.has(a.block));
  }
}

/** Drop unreachable blocks, renumber, fix φs and fold trivial φs. */
export function cleanupCfg(fn: Function): void {
  compact(fn);
  prunePhis(fn);
  removeTrivialPhis(fn);
}

export { defs, uses, successors, predecessors, termUses, removeTrivialPhis };
export type { BlockId };
