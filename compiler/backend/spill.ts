// Spill code: a spilled register gets an 8-byte slot, `*(u64 *)(r10 - off) = rT` after each
// definition and a reload into a short-lived temp before each use (constants are recreated instead).
import { FP, type MFunction, type MInst, type MTerm, instDefs, instUses, renameInst, renameTerm, termUses } from "./mir.ts";
import * as M from "./minst.ts";
import { AluOp, Class, Src, opClass } from "../asm/opcodes.ts";

/** `rD = imm`, `wD = imm` or `rD = imm64 ll` (including map loads): cheaper to redo than to reload. */
function isConstantLoad(mi: MInst): boolean {
  const cls = opClass(mi.insn.code);
  if (mi.insn.code === 0x18) return true;
  return (cls === Class.ALU || cls === Class.ALU64) && (mi.insn.code & 0xf0) === AluOp.mov && (mi.insn.code & Src.X) === 0;
}

/**
 * Rewrite `mf` so the `spilled` registers live in memory. New temporaries are added to
 * `noSpill`. A value defined by one instruction and read by the next is passed in the temp
 * directly, and a store immediately overwritten by the next instruction's store is dropped.
 */
export function rewriteSpills(mf: MFunction, spilled: readonly number[], noSpill: Set<number>): MFunction {
  const frame = [...mf.frame];
  // A register defined once by a constant load is recreated before each use instead.
  const defsOf = new Map<number, MInst[]>();
  for (const b of mf.blocks) {
    for (const mi of b.insts) for (const d of instDefs(mi)) defsOf.set(d, [...(defsOf.get(d) ?? []), mi]);
  }
  const remat = new Map<number, MInst>();
  const slotOf = new Map<number, number>();
  for (const r of spilled) {
    const defs = defsOf.get(r) ?? [];
    if (defs.length === 1 && isConstantLoad(defs[0])) {
      remat.set(r, defs[0]);
      continue;
    }
    slotOf.set(r, frame.length);
    frame.push({ size: 8, align: 8, name: `spill${frame.length}`, spill: true });
  }
  let nextReg = mf.nextReg;
  const fresh = () => {
    const t = nextReg++;
    noSpill.add(t);
    return t;
  };
  const store = (r: number, t: number, pos: MInst["insn"]["pos"]): MInst => {
    const mi = M.stx(8, FP, t, 0);
    mi.frame = { slot: slotOf.get(r)!, off: 0, field: "off" };
    mi.spill = "store";
    if (pos) mi.insn.pos = pos;
    return mi;
  };
  const load = (r: number, t: number, pos: MInst["insn"]["pos"]): MInst => {
    const mi = M.ldx(8, t, FP, 0);
    mi.frame = { slot: slotOf.get(r)!, off: 0, field: "off" };
    mi.spill = "load";
    if (pos) mi.insn.pos = pos;
    return mi;
  };

  const blocks = mf.blocks.map((b) => {
    const out: (MInst | null)[] = [];
    // Registers the previous instruction defined: register → [temp, index of its store in out].
    let pending = new Map<number, [number, number]>();
    for (const mi of b.insts) {
      const pos = mi.insn.pos;
      if (instDefs(mi).some((d) => remat.has(d))) continue;
      const map = new Map<number, number>();
      for (const u of instUses(mi)) {
        const def = remat.get(u);
        if (def) {
          const t = fresh();
          out.push(renameInst(def, () => t));
          map.set(u, t);
          continue;
        }
        if (!slotOf.has(u)) continue;
        const p = pending.get(u);
        if (p) map.set(u, p[0]);
        else {
          const t = fresh();
          out.push(load(u, t, pos));
          map.set(u, t);
        }
      }
      const defs = instDefs(mi).filter((d) => slotOf.has(d));
      for (const d of defs) {
        const p = pending.get(d);
        if (p) out[p[1]] = null; // overwritten before anyone reads the slot
        if (!map.has(d)) map.set(d, fresh());
      }
      out.push(map.size ? renameInst(mi, (r) => map.get(r) ?? r) : mi);
      pending = new Map();
      for (const d of defs) pending.set(d, [map.get(d)!, out.push(store(d, map.get(d)!, pos)) - 1]);
    }
    let term: MTerm = b.term;
    const tmap = new Map<number, number>();
    for (const u of termUses(term)) {
      const def = remat.get(u);
      if (def) {
        const t = fresh();
        out.push(renameInst(def, () => t));
        tmap.set(u, t);
        continue;
      }
      if (!slotOf.has(u)) continue;
      const p = pending.get(u);
      if (p) tmap.set(u, p[0]);
      else {
        const t = fresh();
        out.push(load(u, t, term.pos));
        tmap.set(u, t);
      }
    }
    if (tmap.size) term = renameTerm(term, (r) => tmap.get(r) ?? r);
    return { insts: out.filter((x): x is MInst => x !== null), term };
  });
  return { ...mf, blocks, frame, nextReg };
}
