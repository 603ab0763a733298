// merge-returns: a block that only returns a φ returns each input in its predecessor instead,
// and blocks that only return the same constant are merged into one, so branches to
// "return XDP_PASS" share a single exit (as clang's code does).

import type { SsaPass } from "../compiler/registry.ts";
import { cleanupCfg } from "../compiler/ir_util.ts";
import type { BlockId, Function } from "../compiler/ir.ts";

/** The constant a block returns when it does nothing else (no φs, only that constant). */
function constReturn(fn: Function, b: BlockId): bigint | undefined {
  const blk = fn.blocks[b];
  if (blk.phis.length || blk.term.op !== "ret" || blk.insts.length !== 1) return undefined;
  const i = blk.insts[0];
  return i.op === "const" && i.dst === blk.term.value ? i.value : undefined;
}

/**
 * A block that only returns its one φ is duplicated into the predecessors that jump to it: each
 * returns its own incoming value (which then may be a constant to merge), and no φ copy is left
 * for the back end to place on the way to the shared `exit`.
 */
function duplicatePhiReturns(fn: Function): boolean {
  let changed = false;
  for (const b of fn.blocks) {
    const t = b.term;
    if (t.op !== "ret" || b.insts.length || b.phis.length !== 1 || b.phis[0].dst !== t.value || b.id === 0) continue;
    const phi = b.phis[0];
    for (const p of fn.blocks) {
      if (p.term.op !== "jmp" || p.term.target !== b.id || p.id === b.id) continue;
      const arg = phi.args.find((a) => a.block === p.id);
      if (!arg) continue;
      p.term = { op: "ret", value: arg.value, span: t.span };
      phi.args = phi.args.filter((a) => a !== arg);
      changed = true;
    }
  }
  if (changed) cleanupCfg(fn);
  return changed;
}

export const mergeReturns: SsaPass = {
  name: "merge-returns",
  kind: "ssa",
  description: "returns a φ's inputs where they come from, and merges blocks that return the same constant",
  run(fn) {
    const dup = duplicatePhiReturns(fn);
    const first = new Map<bigint, BlockId>();
    const redirect = new Map<BlockId, BlockId>();
    for (const b of fn.blocks) {
      const v = constReturn(fn, b.id);
      if (v === undefined) continue;
      const f = first.get(v);
      if (f === undefined) first.set(v, b.id);
      else redirect.set(b.id, f);
    }
    if (redirect.size === 0) return dup;
    const to = (x: BlockId) => redirect.get(x) ?? x;
    for (const b of fn.blocks) {
      const t = b.term;
      if (t.op === "jmp") b.term = { ...t, target: to(t.target) };
      else if (t.op === "br") b.term = { ...t, then: to(t.then), else: to(t.else) };
    }
    cleanupCfg(fn);
    return true;
  },
};
