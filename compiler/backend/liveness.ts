// Liveness of MIR registers (virtual and physical): live-in/live-out sets per block by the usual
// backward dataflow, and a per-instruction backward walk that hands out the live-after set.
import { BitSet } from "./bitset.ts";
import { type MBlock, type MFunction, type MInst, instDefs, instUses, mirReversePostOrder, termSuccs, termUses } from "./mir.ts";

export interface Liveness {
  liveIn: BitSet[];
  liveOut: BitSet[];
}

export function liveness(mf: MFunction): Liveness {
  const n = mf.nextReg;
  const nb = mf.blocks.length;
  const gen: BitSet[] = [];
  const kill: BitSet[] = [];
  for (const b of mf.blocks) {
    const g = new BitSet(n), k = new BitSet(n);
    const use = (r: number) => {
      if (!k.has(r)) g.add(r);
    };
    for (const mi of b.insts) {
      for (const r of instUses(mi)) use(r);
      for (const r of instDefs(mi)) k.add(r);
    }
    for (const r of termUses(b.term)) use(r);
    gen.push(g);
    kill.push(k);
  }
  const liveIn = mf.blocks.map(() => new BitSet(n));
  const liveOut = mf.blocks.map(() => new BitSet(n));
  // Post-order converges fastest for a backward problem; unreachable blocks are appended.
  const rpo = mirReversePostOrder(mf);
  const seen = new Set(rpo);
  const order = [...rpo.reverse(), ...Array.from({ length: nb }, (_, i) => i).filter((i) => !seen.has(i))];
  let changed = true;
  while (changed) {
    changed = false;
    for (const b of order) {
      const out = liveOut[b];
      for (const s of termSuccs(mf.blocks[b].term)) if (out.unionWith(liveIn[s])) changed = true;
      // in = gen ∪ (out − kill)
      const inn = liveIn[b].words, o = out.words, g = gen[b].words, k = kill[b].words;
      for (let w = 0; w < inn.length; w++) {
        const v = (g[w] | (o[w] & ~k[w])) >>> 0;
        if (v !== inn[w]) {
          inn[w] = v;
          changed = true;
        }
      }
    }
  }
  return { liveIn, liveOut };
}

/**
 * Walk a block backwards. `f` sees each instruction (index, record) with the set live after it
 * (mutated as the walk proceeds: copy it to keep it). The terminator is visited first as index -1.
 * When `f` returns true the instruction is treated as deleted (its defs and uses are skipped).
 */
export function walkBackward(b: MBlock, liveOut: BitSet, f: (index: number, mi: MInst | null, liveAfter: BitSet) => boolean | void): BitSet {
  const live = liveOut.clone();
  f(-1, null, live);
  for (const r of termUses(b.term)) live.add(r);
  for (let i = b.insts.length - 1; i >= 0; i--) {
    const mi = b.insts[i];
    if (f(i, mi, live) === true) continue;
    for (const r of instDefs(mi)) live.delete(r);
    for (const r of instUses(mi)) live.add(r);
  }
  return live;
}
