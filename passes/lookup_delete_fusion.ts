// lookup-delete-fusion: a later operation on the key an earlier lookup in the same map used
// takes the lookup's key off the stack instead of storing the key again. `(when-let (v
// (map-lookup m k)) … (map-delete m k))` stores k once: the delete (or update) is given the
// lookup's key pointer while that slot still holds k, and its own store dies (dse removes it).
// When a temporary key slot was reused in between (by another map's key), that other use moves to
// a slot of its own so the first key survives; this happens only when it lets a helper share a key.

import type { SsaPass } from "../compiler/registry.ts";
import { type BlockId, type Function, type Inst, type VReg, predecessors, reversePostOrder } from "../compiler/ir.ts";
import { markDerivedSlot } from "../compiler/backend/frame.ts";
import { Facts, helperMayWrite, trackedSlots } from "./analysis.ts";

/** A whole-slot store or a whole-slot pointer passed to a helper: the only accesses we rename. */
interface Access {
  block: BlockId;
  inst: Inst;
  slot: number;
  kind: "store" | "use";
}

/** Slots of at most 16 bytes accessed only by whole stores and as helper pointer arguments. */
function simpleAccesses(fn: Function, f: Facts, tracked: Set<number>): Map<number, Access[]> {
  const out = new Map<number, Access[]>();
  const bad = new Set<number>();
  for (const b of fn.blocks) {
    for (const i of b.insts) {
      if (i.op === "store" || i.op === "load" || i.op === "atomic") {
        const a = f.stackAddr(i.base);
        if (!a || !tracked.has(a.slot)) continue;
        const full = i.op === "store" && a.off + i.off === 0 && i.size === fn.slots[a.slot].size;
        if (!full) bad.add(a.slot);
        else (out.get(a.slot) ?? out.set(a.slot, []).get(a.slot)!).push({ block: b.id, inst: i, slot: a.slot, kind: "store" });
      } else if (i.op === "call") {
        for (const r of i.args) {
          const a = f.stackAddr(r);
          if (!a || !tracked.has(a.slot)) continue;
          if (a.off !== 0) bad.add(a.slot);
          else (out.get(a.slot) ?? out.set(a.slot, []).get(a.slot)!).push({ block: b.id, inst: i, slot: a.slot, kind: "use" });
        }
      }
    }
  }
  for (const s of [...out.keys()]) if (bad.has(s) || fn.slots[s].size > 16) out.delete(s);
  return out;
}

/** Give every group of stores that reach common helper uses its own slot. Returns new slot ids. */
function splitWebs(fn: Function, f: Facts, slot: number, accs: Access[]): boolean {
  const stores = accs.filter((a) => a.kind === "store");
  const id = new Map(stores.map((s, k) => [s.inst, k]));
  // Reaching whole-slot stores (forward dataflow).
  const preds = predecessors(fn);
  const order = reversePostOrder(fn);
  const outs = new Map<BlockId, Set<number>>();
  const reachIn = (bid: BlockId) => {
    const s = new Set<number>();
    for (const p of preds[bid]) for (const x of outs.get(p) ?? []) s.add(x);
    return s;
  };
  const useReach = new Map<Inst, Set<number>>();
  for (let changed = true; changed;) {
    changed = false;
    for (const bid of order) {
      const cur = reachIn(bid);
      for (const i of fn.blocks[bid].insts) {
        const k = id.get(i);
        if (k !== undefined) {
          cur.clear();
          cur.add(k);
        } else if (accs.some((a) => a.inst === i && a.kind === "use")) useReach.set(i, new Set(cur));
      }
      const old = outs.get(bid);
      if (!old || old.size !== cur.size || [...cur].some((x) => !old.has(x))) {
        outs.set(bid, cur);
        changed = true;
      }
    }
  }
  // Union stores reaching one use.
  const parent = stores.map((_, k) => k);
  const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x])));
  for (const reach of useReach.values()) {
    if (reach.size === 0) return false; // a use no store reaches: leave the slot alone
    const [first, ...rest] = [...reach];
    for (const r of rest) parent[find(r)] = find(first);
  }
  const roots = [...new Set(stores.map((_, k) => find(k)))];
  if (roots.length < 2) return false;
  const newSlot = new Map<number, number>([[roots[0], slot]]);
  for (const r of roots.slice(1)) {
    const s = { ...fn.slots[slot], name: `${fn.slots[slot].name ?? `slot${slot}`} (copy)` };
    markDerivedSlot(s);
    newSlot.set(r, fn.slots.push(s) - 1);
  }
  const slotOfUse = (i: Inst) => newSlot.get(find([...useReach.get(i)!][0]))!;
  // Rewrite each access to address its web's slot.
  for (const b of fn.blocks) {
    const out: Inst[] = [];
    for (const i of b.insts) {
      const k = id.get(i);
      const addr = (s: number): VReg => {
        const dst = fn.nextReg++;
        out.push({ op: "stack", dst, slot: s, span: i.span });
        return dst;
      };
      if (k !== undefined && i.op === "store") {
        const s = newSlot.get(find(k))!;
        out.push(s === slot ? i : { ...i, base: addr(s), off: 0 });
        continue;
      }
      if (i.op === "call" && useReach.has(i)) {
        const s = slotOfUse(i);
        if (s !== slot) {
          const a = addr(s);
          out.push({ ...i, args: i.args.map((r) => (f.stackAddr(r)?.slot === slot ? a : r)) });
          continue;
        }
      }
      out.push(i);
    }
    b.insts = out;
  }
  return true;
}

/** map_lookup_elem, map_update_elem, map_delete_elem: (map, key, …). */
const MAP_HELPERS = new Set([1, 2, 3]);
/** Slot facts are "CONTENT@MAP,MAP": what the slot holds and which maps were looked up with it. */
const contentOf = (fact: string) => fact.split("@")[0];
const mapsOf = (fact: string) => (fact.includes("@") ? fact.split("@")[1].split(",") : []);

/** Point a map helper's key argument at another slot holding the same key a lookup in that map used. */
function shareKeys(fn: Function): boolean {
  const f = new Facts(fn);
  const tracked = trackedSlots(fn, f);
  const accs = simpleAccesses(fn, f, tracked);
  const preds = predecessors(fn);
  const order = reversePostOrder(fn);
  type Avail = Map<number, string>; // slot → value key of its whole content
  const vkey = (v: VReg, size: number) => {
    const c = f.constOf(v);
    return c !== undefined ? `#${BigInt.asUintN(size * 8, c)}` : `v${f.root(v)}`;
  };
  const outs = new Map<BlockId, Avail>();
  const inOf = (bid: BlockId): Avail => {
    let acc: Avail | undefined;
    for (const p of preds[bid]) {
      const o = outs.get(p);
      if (!o) continue;
      if (!acc) acc = new Map(o);
      else for (const [k, v] of [...acc]) if (o.get(k) !== v) acc.delete(k);
    }
    return acc ?? new Map();
  };
  let changed = false;
  const same = (a: Avail, b: Avail | undefined) => b !== undefined && a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
  for (let round = 0, stable = false, sweep = false; round < 100; round++) {
    if (stable) sweep = true;
    stable = true;
    for (const bid of order) {
      const av = bid === 0 ? new Map() : inOf(bid);
      const b = fn.blocks[bid];
      const out: Inst[] = [];
      for (const i of b.insts) {
        let cur = i;
        if (i.op === "store") {
          const a = f.stackAddr(i.base);
          if (a && tracked.has(a.slot)) {
            av.delete(a.slot);
            if (accs.has(a.slot) && a.off + i.off === 0) av.set(a.slot, `${i.size}:${vkey(i.value, i.size)}`);
          }
        } else if (i.op === "load" || i.op === "atomic") {
          const a = f.stackAddr(i.base);
          if (a && i.op === "atomic") av.delete(a.slot);
        } else if (i.op === "call") {
          // Only the key of a lookup, update or delete, and only a key a lookup in the same map used.
          const map = MAP_HELPERS.has(i.helper) ? f.def.get(f.root(i.args[0]))?.op === "mapref" ? (f.def.get(f.root(i.args[0])) as { map: string }).map : undefined : undefined;
          const keyArg = i.args[1];
          const ka = keyArg === undefined ? undefined : f.stackAddr(keyArg);
          let args = i.args;
          if (map !== undefined && ka && ka.off === 0 && accs.has(ka.slot) && av.has(ka.slot)) {
            const want = contentOf(av.get(ka.slot)!);
            const other = [...av].find(([s, v]) => s !== ka.slot && accs.has(s) && contentOf(v) === want && mapsOf(v).includes(map));
            if (other && sweep) {
              const dst = fn.nextReg++;
              out.push({ op: "stack", dst, slot: other[0], span: i.span });
              args = i.args.map((r, n) => (n === 1 ? dst : r));
              changed = true;
            }
          }
          cur = sweep ? { ...i, args } : i;
          i.args.forEach((r, n) => {
            const a = f.stackAddr(r);
            if (a && helperMayWrite(i.helper, n)) av.delete(a.slot);
          });
          // The slot now holds a key `map` was looked up with.
          const used = f.stackAddr(args === i.args ? keyArg : args[1]);
          if (map !== undefined && i.helper === 1 && used && av.has(used.slot)) {
            const v = av.get(used.slot)!;
            av.set(used.slot, `${contentOf(v)}@${[...new Set([...mapsOf(v), map])].sort().join(",")}`);
          }
        }
        out.push(cur);
      }
      if (sweep) b.insts = out;
      if (!same(av, outs.get(bid))) stable = false;
      outs.set(bid, av);
    }
    if (sweep) return changed;
  }
  return false; // did not converge: change nothing
}

export const lookupDeleteFusion: SsaPass = {
  name: "lookup-delete-fusion",
  kind: "ssa",
  description: "lets a later delete/update of the key a lookup used take the lookup's key slot (one key store)",
  run(fn) {
    const copy = structuredClone(fn);
    // One slot at a time, with fresh facts (a split rewrites the instructions the next one sees).
    for (let guard = 0; guard < 64; guard++) {
      const f = new Facts(copy);
      const tracked = trackedSlots(copy, f);
      if (![...simpleAccesses(copy, f, tracked)].some(([slot, accs]) => splitWebs(copy, f, slot, accs))) break;
    }
    if (!shareKeys(copy)) return false;
    // Keep the result (slots split only where a key is now shared).
    fn.blocks = copy.blocks;
    fn.slots = copy.slots;
    fn.nextReg = copy.nextReg;
    return true;
  },
};
