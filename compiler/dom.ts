// Dominator tree of an IR function (Cooper, Harvey & Kennedy's iterative algorithm).

import { type BlockId, type Function, predecessors, reversePostOrder } from "./ir.ts";

export interface Dominators {
  /** Immediate dominator of each reachable block (entry: itself); -1 when unreachable. */
  idom: BlockId[];
  /** Whether a dominates b. */
  dominates(a: BlockId, b: BlockId): boolean;
  /** Reverse post-order of reachable blocks. */
  rpo: BlockId[];
}

export function dominators(fn: Function): Dominators {
  const rpo = reversePostOrder(fn);
  const index = new Map<BlockId, number>();
  rpo.forEach((b, i) => index.set(b, i));
  const preds = predecessors(fn);
  const idom: BlockId[] = fn.blocks.map(() => -1);
  if (rpo.length) idom[rpo[0]] = rpo[0];
  const intersect = (a: BlockId, b: BlockId): BlockId => {
    while (a !== b) {
      while (index.get(a)! > index.get(b)!) a = idom[a];
      while (index.get(b)! > index.get(a)!) b = idom[b];
    }
    return a;
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (const b of rpo.slice(1)) {
      let nd = -1;
      for (const p of preds[b]) {
        if (idom[p] === -1 || !index.has(p)) continue;
        nd = nd === -1 ? p : intersect(p, nd);
      }
      if (nd !== idom[b]) {
        idom[b] = nd;
        changed = true;
      }
    }
  }
  const dominates = (a: BlockId, b: BlockId): boolean => {
    if (idom[b] === -1) return false;
    for (let x = b; ; x = idom[x]) {
      if (x === a) return true;
      if (idom[x] === x) return false;
    }
  };
  return { idom, dominates, rpo };
}
