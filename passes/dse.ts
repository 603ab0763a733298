// dse: dead store elimination on frame slots. A store is dead when every byte it writes is
// overwritten or the program returns before anything reads it (backward liveness of slot bytes;
// a helper given a pointer into a slot reads all of it). A store is redundant when the slot
// already holds that value there on every path (forward availability; helpers that may write
// through a pointer argument forget the slot). Only slots whose address never escapes count.
// Typical wins: make-STRUCT zeroing overwritten field by field, and map keys stored again.

import type { SsaPass } from "../compiler/registry.ts";
import { type BlockId, type Inst, type VReg, predecessors, reversePostOrder, successors } from "../compiler/ir.ts";
import { Facts, helperMayWrite, slotAccess, trackedSlots } from "./analysis.ts";

type Live = Map<number, Uint8Array>; // slot → live byte flags

function cloneLive(l: Live): Live {
  return new Map([...l].map(([k, v]) => [k, v.slice()]));
}

/** Remove stores no later read can observe. Returns whether any were removed. */
function deadStores(fnc: import("../compiler/ir.ts").Function, f: Facts, tracked: Set<number>): boolean {
  const fn = fnc;
  const empty = (): Live => new Map([...tracked].map((s) => [s, new Uint8Array(fn.slots[s].size)]));
  const callReads = (i: Inst & { op: "call" }, live: Live) => {
    for (const a of i.args) {
      const s = f.stackAddr(a);
      if (s && tracked.has(s.slot)) live.get(s.slot)!.fill(1);
    }
  };
  /** Walk a block backwards from `out`; with `sweep`, delete dead stores. Returns live-in. */
  const walk = (id: BlockId, out: Live, sweep: boolean): [Live, boolean] => {
    const live = cloneLive(out);
    const b = fn.blocks[id];
    let removed = false;
    const keep: boolean[] = b.insts.map(() => true);
    for (let k = b.insts.length - 1; k >= 0; k--) {
      const i = b.insts[k];
      if (i.op === "store") {
        const acc = slotAccess(f, tracked, i.base, i.off, i.size);
        if (!acc) continue;
        const bytes = live.get(acc.slot)!;
        if (!bytes.subarray(acc.lo, acc.hi).some((x) => x)) {
          if (sweep) {
            keep[k] = false;
            removed = true;
          }
          continue;
        }
        bytes.fill(0, acc.lo, acc.hi);
      } else if (i.op === "load" || i.op === "atomic") {
        const acc = slotAccess(f, tracked, i.base, i.off, i.size);
        if (acc) live.get(acc.slot)!.fill(1, acc.lo, acc.hi);
      } else if (i.op === "call") callReads(i, live);
    }
    if (removed) b.insts = b.insts.filter((_, k) => keep[k]);
    return [live, removed];
  };
  const order = reversePostOrder(fn).reverse();
  const liveIn = new Map<BlockId, Live>();
  const outOf = (id: BlockId): Live => {
    const out = empty();
    for (const s of successors(fn.blocks[id].term)) {
      const li = liveIn.get(s);
      if (!li) continue;
      for (const [slot, bytes] of li) {
        const o = out.get(slot)!;
        for (let x = 0; x < bytes.length; x++) o[x] |= bytes[x];
      }
    }
    return out;
  };
  const same = (a: Live, b: Live | undefined) => b !== undefined && [...a].every(([k, v]) => v.every((x, i) => x === b.get(k)![i]));
  for (let changed = true; changed;) {
    changed = false;
    for (const id of order) {
      const [inn] = walk(id, outOf(id), false);
      if (!same(inn, liveIn.get(id))) {
        liveIn.set(id, inn);
        changed = true;
      }
    }
  }
  let removed = false;
  for (const id of order) if (walk(id, outOf(id), true)[1]) removed = true;
  return removed;
}

/** What a slot range holds: the register (or constant) last stored there. */
type Avail = Map<string, string>; // "slot:lo:size" → value key

/** Remove stores of a value the slot already holds. */
function redundantStores(fn: import("../compiler/ir.ts").Function, f: Facts, tracked: Set<number>): boolean {
  const valueKey = (v: VReg, size: number): string => {
    const c = f.constOf(v);
    return c !== undefined ? `#${BigInt.asUintN(size * 8, c)}` : `v${f.root(v)}`;
  };
  const kill = (av: Avail, slot: number, lo?: number, hi?: number) => {
    for (const k of [...av.keys()]) {
      const [s, l, z] = k.split(":").map(Number);
      if (s !== slot) continue;
      if (lo === undefined || (l < hi! && lo < l + z)) av.delete(k);
    }
  };
  const transfer = (id: BlockId, inn: Avail, sweep: boolean): [Avail, boolean] => {
    const av = new Map(inn);
    const b = fn.blocks[id];
    let removed = false;
    b.insts = b.insts.filter((i) => {
      if (i.op === "store" || i.op === "atomic") {
        const acc = slotAccess(f, tracked, i.base, i.off, i.size);
        if (!acc) return true;
        if (i.op === "store") {
          const key = `${acc.slot}:${acc.lo}:${i.size}`, vk = valueKey(i.value, i.size);
          if (av.get(key) === vk) {
            if (sweep) removed = true;
            return !sweep;
          }
          kill(av, acc.slot, acc.lo, acc.hi);
          av.set(key, vk);
        } else kill(av, acc.slot, acc.lo, acc.hi);
      } else if (i.op === "call") {
        i.args.forEach((a, n) => {
          const s = f.stackAddr(a);
          if (s && tracked.has(s.slot) && helperMayWrite(i.helper, n)) kill(av, s.slot);
        });
      }
      return true;
    });
    return [av, removed];
  };
  const order = reversePostOrder(fn);
  const preds = predecessors(fn);
  const outs = new Map<BlockId, Avail>();
  const inOf = (id: BlockId): Avail => {
    if (id === 0) return new Map();
    let acc: Avail | undefined;
    for (const p of preds[id]) {
      const o = outs.get(p);
      if (!o) continue; // not computed yet (back edge): optimistic
      if (!acc) acc = new Map(o);
      else for (const [k, v] of [...acc]) if (o.get(k) !== v) acc.delete(k);
    }
    return acc ?? new Map();
  };
  const same = (a: Avail, b: Avail | undefined) => b !== undefined && a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
  for (let changed = true; changed;) {
    changed = false;
    for (const id of order) {
      const [out] = transfer(id, inOf(id), false);
      if (!same(out, outs.get(id))) {
        outs.set(id, out);
        changed = true;
      }
    }
  }
  let removed = false;
  for (const id of order) if (transfer(id, inOf(id), true)[1]) removed = true;
  return removed;
}

export const dse: SsaPass = {
  name: "dse",
  kind: "ssa",
  description: "removes stores to frame slots that are overwritten or never read, and stores of values already there",
  run(fn) {
    let changed = false;
    for (let round = 0; round < 4; round++) {
      const f = new Facts(fn);
      const tracked = trackedSlots(fn, f);
      if (tracked.size === 0) break;
      const a = redundantStores(fn, f, tracked);
      const b = deadStores(fn, f, tracked);
      if (!a && !b) break;
      changed = true;
    }
    return changed;
  },
};
