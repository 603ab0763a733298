// store-forward: store→load forwarding and redundant load elimination, across blocks. A load
// from a place that on every path was just stored to (or loaded from) by the same kind of access,
// with nothing in between that may change it, takes that value instead of reading memory:
// `store.16 [slot], 0x5000 … load.u16 [slot]` becomes the constant, a packet field loaded twice
// is loaded once. Frame slots whose address does not escape are tracked per byte range; other
// memory (packet, map values, context) is forgotten at any store, atomic or helper call.

import type { SsaPass } from "../compiler/registry.ts";
import { type BlockId, type Function, type Inst, type VReg, predecessors, reversePostOrder } from "../compiler/ir.ts";
import { replaceAll } from "../compiler/ir_util.ts";
import { Facts, helperMayWrite, slotAccess, trackedSlots } from "./analysis.ts";

/** What a place holds: a register, and whether it came from a store (then it is a full u64 value). */
interface Held {
  reg: VReg;
  stored: boolean;
  signed: boolean;
}
type Avail = Map<string, Held>;

const sameHeld = (a: Held | undefined, b: Held | undefined) => a !== undefined && b !== undefined && a.reg === b.reg && a.stored === b.stored && a.signed === b.signed;

function analyse(fn: Function, f: Facts, tracked: Set<number>, sweep: boolean, order: BlockId[], outs: Map<BlockId, Avail>) {
  const preds = predecessors(fn);
  const replace = new Map<VReg, VReg>();
  let changed = false;
  const inOf = (id: BlockId): Avail => {
    if (id === 0) return new Map();
    let acc: Avail | undefined;
    for (const p of preds[id]) {
      const o = outs.get(p);
      if (!o) continue; // back edge not computed yet: optimistic
      if (!acc) acc = new Map(o);
      else for (const [k, v] of [...acc]) if (!sameHeld(o.get(k), v)) acc.delete(k);
    }
    return acc ?? new Map();
  };
  const keyOf = (base: VReg, off: number, size: number): { key: string; slot?: number; lo: number; hi: number } => {
    const acc = slotAccess(f, tracked, base, off, size);
    if (acc) return { key: `S:${acc.slot}:${acc.lo}:${size}`, slot: acc.slot, lo: acc.lo, hi: acc.hi };
    const { base: r, k } = f.split(base);
    return { key: `M:${r}:${Number(k) + off}:${size}`, lo: 0, hi: 0 };
  };
  const killSlot = (av: Avail, slot: number, lo?: number, hi?: number) => {
    for (const k of [...av.keys()]) {
      if (!k.startsWith(`S:${slot}:`)) continue;
      const [, , l, z] = k.split(":").map(Number);
      if (lo === undefined || (l < hi! && lo < l + z)) av.delete(k);
    }
  };
  const killMemory = (av: Avail) => {
    for (const k of [...av.keys()]) if (k.startsWith("M:")) av.delete(k);
  };
  let changedOut = false;
  for (const id of order) {
    const av = inOf(id);
    const b = fn.blocks[id];
    const out: Inst[] = [];
    for (const i of b.insts) {
      let keep: Inst = i;
      switch (i.op) {
        case "load": {
          if (i.core) break;
          const k = keyOf(i.base, i.off, i.size);
          const h = av.get(k.key);
          if (h && sweep) {
            if (!h.stored && h.signed === i.signed) {
              replace.set(i.dst, h.reg);
              keep = { op: "copy", dst: i.dst, src: h.reg, span: i.span };
              changed = true;
            } else if (h.stored) {
              keep = i.size === 8
                ? { op: "copy", dst: i.dst, src: h.reg, span: i.span }
                : { op: "ext", dst: i.dst, a: h.reg, bits: (i.size * 8) as 8 | 16 | 32, signed: i.signed, span: i.span };
              changed = true;
            }
          }
          if (!h) av.set(k.key, { reg: i.dst, stored: false, signed: i.signed });
          break;
        }
        case "store": case "atomic": {
          const k = keyOf(i.base, i.off, i.size);
          if (k.slot !== undefined) killSlot(av, k.slot, k.lo, k.hi);
          else killMemory(av); // tracked slots cannot be reached through other pointers
          if (i.op === "store" && !i.core) av.set(k.key, { reg: i.value, stored: true, signed: false });
          break;
        }
        case "call":
          killMemory(av);
          i.args.forEach((a, n) => {
            const s = f.stackAddr(a);
            if (s && tracked.has(s.slot) && helperMayWrite(i.helper, n)) killSlot(av, s.slot);
          });
          break;
        case "asm":
          av.clear();
          break;
      }
      out.push(keep);
    }
    if (sweep) b.insts = out;
    const old = outs.get(id);
    if (!old || old.size !== av.size || [...av].some(([k, v]) => !sameHeld(old.get(k), v))) {
      outs.set(id, av);
      changedOut = true;
    }
  }
  return { changed, changedOut, replace };
}

export const storeForward: SsaPass = {
  name: "store-forward",
  kind: "ssa",
  description: "forwards stored values to later loads and reuses values already loaded (across blocks)",
  run(fn) {
    const f = new Facts(fn);
    const tracked = trackedSlots(fn, f);
    const order = reversePostOrder(fn);
    const outs = new Map<BlockId, Avail>();
    let converged = false;
    for (let guard = 0; guard < 100 && !converged; guard++) converged = !analyse(fn, f, tracked, false, order, outs).changedOut;
    if (!converged) return false;
    const r = analyse(fn, f, tracked, true, order, outs);
    replaceAll(fn, r.replace);
    return r.changed;
  },
};
