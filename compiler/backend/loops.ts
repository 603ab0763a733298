// Loop nesting depth of each MIR block (natural loops of back edges, found with dominators),
// used to weight spill costs: a use inside a loop counts more than one outside.
import { type MFunction, mirReversePostOrder, predecessorsOf, termSuccs } from "./mir.ts";

/** Immediate dominators (Cooper–Harvey–Kennedy iteration); -1 for unreachable blocks, idom(entry) = entry. */
export function dominators(mf: MFunction): number[] {
  const rpo = mirReversePostOrder(mf);
  const index = new Array<number>(mf.blocks.length).fill(-1);
  rpo.forEach((b, i) => (index[b] = i));
  const preds = predecessorsOf(mf);
  const idom = new Array<number>(mf.blocks.length).fill(-1);
  idom[rpo[0]] = rpo[0];
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (index[a] > index[b]) a = idom[a];
      while (index[b] > index[a]) b = idom[b];
    }
    return a;
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (const b of rpo.slice(1)) {
      let d = -1;
      for (const p of preds[b]) {
        if (idom[p] === -1) continue;
        d = d === -1 ? p : intersect(p, d);
      }
      if (d !== idom[b]) {
        idom[b] = d;
        changed = true;
      }
    }
  }
  return idom;
}

/** Number of natural loops containing each block (0 outside loops and for unreachable blocks). */
export function loopDepth(mf: MFunction): number[] {
  const idom = dominators(mf);
  const dominates = (a: number, b: number): boolean => {
    for (let x = b; ; x = idom[x]) {
      if (x === a) return true;
      if (x === -1 || idom[x] === x) return false;
    }
  };
  const preds = predecessorsOf(mf);
  const depth = new Array<number>(mf.blocks.length).fill(0);
  // Back edges sharing a header form one loop.
  const loops = new Map<number, Set<number>>();
  mf.blocks.forEach((blk, tail) => {
    if (idom[tail] === -1) return;
    for (const head of termSuccs(blk.term)) {
      if (!dominates(head, tail)) continue;
      // Natural loop of the back edge tail → head: head plus everything reaching tail without head.
      if (!loops.has(head)) loops.set(head, new Set([head]));
      const body = loops.get(head)!;
      const work = [tail];
      while (work.length) {
        const x = work.pop()!;
        if (body.has(x)) continue;
        body.add(x);
        for (const p of preds[x]) if (idom[p] !== -1) work.push(p);
      }
    }
  });
  for (const body of loops.values()) for (const x of body) depth[x]++;
  return depth;
}
