// stack-coloring: stack-slot reuse. Two frame slots of the same size whose contents are never
// needed at the same time (no store to one while the other still holds something a later load or
// helper reads) become one slot. Liveness is per byte, backwards, as in dse; only slots whose
// address never escapes take part. Keeps the frame small after lookup-delete-fusion gives keys
// their own slots, and lets separate structs and keys share space.

import type { SsaPass } from "../compiler/registry.ts";
import { type BlockId, type Inst, reversePostOrder, successors } from "../compiler/ir.ts";
import { Facts, helperMayWrite, slotAccess, trackedSlots } from "./analysis.ts";

export const stackColoring: SsaPass = {
  name: "stack-coloring",
  kind: "ssa",
  description: "lets frame slots whose contents are never live at the same time share one slot",
  run(fn) {
    const f = new Facts(fn);
    const tracked = [...trackedSlots(fn, f)];
    if (tracked.length < 2) return false;
    const isTracked = new Set(tracked);
    // Bytes live (bit per byte) per slot, walking a block backwards; `onDef` sees each write.
    type Live = Map<number, Uint8Array>;
    const empty = (): Live => new Map(tracked.map((s) => [s, new Uint8Array(fn.slots[s].size)]));
    const walk = (id: BlockId, out: Live, onDef?: (slot: number, live: Live) => void): Live => {
      const live = new Map([...out].map(([k, v]) => [k, v.slice()]));
      const insts = fn.blocks[id].insts;
      for (let k = insts.length - 1; k >= 0; k--) {
        const i: Inst = insts[k];
        if (i.op === "store" || i.op === "atomic" || i.op === "load") {
          const a = slotAccess(f, isTracked, i.base, i.off, i.size);
          if (!a) continue;
          if (i.op !== "load") onDef?.(a.slot, live);
          if (i.op === "store") live.get(a.slot)!.fill(0, a.lo, a.hi);
          if (i.op !== "store") live.get(a.slot)!.fill(1, a.lo, a.hi);
        } else if (i.op === "call") {
          i.args.forEach((r, n) => {
            const a = f.stackAddr(r);
            if (!a || !isTracked.has(a.slot)) return;
            if (helperMayWrite(i.helper, n)) onDef?.(a.slot, live);
            live.get(a.slot)!.fill(1);
          });
        }
      }
      return live;
    };
    const order = reversePostOrder(fn).reverse();
    const liveIn = new Map<BlockId, Live>();
    const outOf = (id: BlockId): Live => {
      const out = empty();
      for (const s of successors(fn.blocks[id].term)) {
        for (const [slot, bytes] of liveIn.get(s) ?? []) {
          const o = out.get(slot)!;
          bytes.forEach((x, n) => (o[n] |= x));
        }
      }
      return out;
    };
    for (let changed = true; changed;) {
      changed = false;
      for (const id of order) {
        const inn = walk(id, outOf(id));
        const old = liveIn.get(id);
        if (!old || [...inn].some(([k, v]) => v.some((x, n) => x !== old.get(k)![n]))) {
          liveIn.set(id, inn);
          changed = true;
        }
      }
    }
    // Interference: a write to one slot while another's contents are live.
    const clash = new Set<string>();
    for (const id of order) {
      walk(id, outOf(id), (slot, live) => {
        for (const [other, bytes] of live) {
          if (other !== slot && bytes.some((x) => x)) clash.add(`${slot}:${other}`).add(`${other}:${slot}`);
        }
      });
    }
    // Greedy: each slot joins the first earlier group of the same size and alignment it does not clash with.
    const rep = new Map<number, number>();
    const groups: number[][] = [];
    for (const s of tracked) {
      const g = groups.find((m) => {
        const r = fn.slots[m[0]];
        return r.size === fn.slots[s].size && r.align === fn.slots[s].align && m.every((x) => !clash.has(`${x}:${s}`));
      });
      if (g) {
        g.push(s);
        rep.set(s, g[0]);
      } else groups.push([s]);
    }
    if (rep.size === 0) return false;
    for (const b of fn.blocks) {
      b.insts = b.insts.map((i) => (i.op === "stack" && rep.has(i.slot) ? { ...i, slot: rep.get(i.slot)! } : i));
    }
    return true;
  },
};
