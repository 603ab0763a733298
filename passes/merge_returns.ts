// merge-returns: blocks that only return the same constant are merged into one, so branches
// to "return XDP_PASS" share a single exit (as clang's code does).

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

export const mergeReturns: SsaPass = {
  name: "merge-returns",
  kind: "ssa",
  description: "merges blocks that return the same constant into one exit",
  run(fn) {
    const first = new Map<bigint, BlockId>();
    const redirect = new Map<BlockId, BlockId>();
    for (const b of fn.blocks) {
      const v = constReturn(fn, b.id);
      if (v === undefined) continue;
      const f = first.get(v);
      if (f === undefined) first.set(v, b.id);
      else redirect.set(b.id, f);
    }
    if (redirect.size === 0) return false;
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
