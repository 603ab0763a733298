// Leaving SSA: decide where each φ edge's copies go (edge splitting for critical edges) and
// turn a parallel copy into a sequence of moves, breaking cycles with a temporary.
import type { Block, BlockId, Phi, VReg } from "../ir.ts";
import type { Span } from "../diag.ts";
import { successors } from "../ir.ts";

/** One φ copy on an edge: `dst` (the φ) takes `src` (its incoming value). */
export interface PhiCopy {
  dst: VReg;
  src: VReg;
  span?: Span;
}

/**
 * Where an edge's copies are placed: at the end of the predecessor (it has one successor),
 * at the top of the successor (it has one predecessor), or in a new block on the split edge.
 */
export type Placement = "pred-end" | "succ-top" | "split";

export interface EdgeCopies {
  from: BlockId;
  to: BlockId;
  where: Placement;
  copies: PhiCopy[];
}

/**
 * The φ copies of every edge into a block with φs, for the given (reachable) blocks. `preds`
 * lists the reachable predecessors of each block. A critical edge (predecessor with two successors into
 * a block with two predecessors) is split, which also prevents the lost-copy problem.
 */
export function phiEdges(blocks: Block[], byId: ReadonlyMap<BlockId, Block>, preds: BlockId[][], fname: string): EdgeCopies[] {
  const out: EdgeCopies[] = [];
  for (const b of blocks) {
    if (b.phis.length === 0) continue;
    for (const p of preds[b.id]) {
      const copies = b.phis.map((phi: Phi) => ({ dst: phi.dst, src: incoming(phi, p, fname), span: phi.span }));
      const nSucc = successors(byId.get(p)!.term).length;
      const where: Placement = preds[b.id].length === 1 ? "succ-top" : nSucc === 1 ? "pred-end" : "split";
      out.push({ from: p, to: b.id, where, copies });
    }
  }
  return out;
}

function incoming(phi: Phi, pred: BlockId, fname: string): VReg {
  const a = phi.args.find((x) => x.block === pred);
  if (!a) throw new Error(`internal: φ v${phi.dst} in ${fname} has no argument for predecessor b${pred}`);
  return a.value;
}

/** A move of a sequentialised parallel copy. `src` is a register, or an opaque non-register source. */
export interface Move<S> {
  dst: number;
  src: { reg: number } | { value: S };
}

/**
 * Sequentialise the parallel copy { dst_i := src_i } (all dst distinct). `regOf` gives the
 * register a source reads, or undefined for sources that are not registers (constants, which
 * never take part in a cycle). Copies whose source already is their destination vanish. A cycle
 * is broken by saving one destination's old value in a fresh register.
 */
export function sequentialize<S>(copies: { dst: number; src: S }[], regOf: (s: S) => number | undefined, fresh: () => number): Move<S>[] {
  type P = { dst: number; src: { reg: number } | { value: S } };
  let pending: P[] = [];
  for (const c of copies) {
    const r = regOf(c.src);
    if (r === c.dst) continue;
    pending.push({ dst: c.dst, src: r === undefined ? { value: c.src } : { reg: r } });
  }
  const out: Move<S>[] = [];
  const readers = (r: number) => pending.filter((p) => "reg" in p.src && p.src.reg === r).length;
  while (pending.length) {
    // Register copies first (their sources may be overwritten by later moves), constants last.
    const ready = pending.find((p) => "reg" in p.src && readers(p.dst) === 0) ??
      pending.find((p) => !("reg" in p.src) && readers(p.dst) === 0);
    if (ready) {
      out.push(ready);
      pending = pending.filter((p) => p !== ready);
      continue;
    }
    // Every destination is still read by another copy: a cycle. Save one destination.
    const victim = pending.find((p) => "reg" in p.src)!;
    const t = fresh();
    out.push({ dst: t, src: { reg: victim.dst } });
    pending = pending.map((p) => ("reg" in p.src && p.src.reg === victim.dst ? { dst: p.dst, src: { reg: t } } : p));
  }
  return out;
}
