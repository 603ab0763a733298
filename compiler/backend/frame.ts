// Stack frame layout: spill slots whose contents are never live at the same time share storage,
// then objects are packed below R10 by decreasing alignment; over 512 bytes is a user error.
import type { Span } from "../diag.ts";
import { fail } from "../diag.ts";
import type { MFunction } from "./mir.ts";
import { mirReversePostOrder, termSuccs } from "./mir.ts";

export const MAX_STACK = 512;

export interface FrameLayout {
  /** Distance below R10 of each frame object's start (address = R10 - offset); -1 when unused. */
  offsets: number[];
  /** Bytes of frame used. */
  size: number;
  slots: { name: string; size: number; offset: number }[];
}

/** For each spill object, the spill object whose storage it shares (itself when it has its own). */
function shareSpillSlots(mf: MFunction, used: ReadonlySet<number>): Map<number, number> {
  const spills = mf.frame.map((o, i) => (o.spill && used.has(i) ? i : -1)).filter((i) => i >= 0);
  const share = new Map<number, number>();
  if (spills.length === 0) return share;
  // Liveness of slot contents: a load reads the slot, a store writes it.
  const nb = mf.blocks.length;
  const liveIn: Set<number>[] = Array.from({ length: nb }, () => new Set());
  const interfere = new Map<number, Set<number>>(spills.map((s) => [s, new Set<number>()]));
  const transfer = (bi: number, record: boolean): Set<number> => {
    const live = new Set<number>();
    for (const s of termSuccs(mf.blocks[bi].term)) for (const x of liveIn[s]) live.add(x);
    const insts = mf.blocks[bi].insts;
    for (let i = insts.length - 1; i >= 0; i--) {
      const mi = insts[i];
      if (!mi.spill || !mi.frame) continue;
      const slot = mi.frame.slot;
      if (mi.spill === "load") live.add(slot);
      else {
        if (record) {
          for (const x of live) {
            if (x === slot) continue;
            interfere.get(slot)!.add(x);
            interfere.get(x)!.add(slot);
          }
        }
        live.delete(slot);
      }
    }
    return live;
  };
  const order = mirReversePostOrder(mf).reverse();
  for (let changed = true; changed;) {
    changed = false;
    for (const bi of order) {
      const inn = transfer(bi, false);
      if (inn.size !== liveIn[bi].size) {
        liveIn[bi] = inn;
        changed = true;
      }
    }
  }
  for (const bi of order) transfer(bi, true);
  // Greedy: each spill slot takes the first earlier representative none of whose members interfere.
  const members = new Map<number, number[]>();
  for (const s of spills) {
    let rep = -1;
    for (const [r, ms] of members) {
      if (ms.every((m) => !interfere.get(s)!.has(m))) {
        rep = r;
        break;
      }
    }
    if (rep === -1) members.set(s, [s]);
    else members.get(rep)!.push(s);
    share.set(s, rep === -1 ? s : rep);
  }
  return share;
}

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** Lay out the frame of an allocated function; throws a CompileError over 512 bytes. */
export function layoutFrame(mf: MFunction, span?: Span): FrameLayout {
  // Objects no instruction refers to (any more) take no space.
  const used = new Set<number>();
  for (const b of mf.blocks) for (const mi of b.insts) if (mi.frame) used.add(mi.frame.slot);
  const share = shareSpillSlots(mf, used);
  const own = mf.frame.map((_, i) => i).filter((i) => used.has(i) && (share.get(i) ?? i) === i);
  // Decreasing alignment packs without padding; stable order otherwise (user slots first).
  own.sort((a, b) => mf.frame[b].align - mf.frame[a].align || a - b);
  const offsets = mf.frame.map(() => -1);
  let cursor = 0;
  for (const i of own) {
    const o = mf.frame[i];
    cursor = alignUp(cursor + o.size, Math.max(1, o.align));
    offsets[i] = cursor;
  }
  for (const [s, rep] of share) offsets[s] = offsets[rep];
  const slots = own.map((i) => ({ name: mf.frame[i].name, size: mf.frame[i].size, offset: offsets[i] }));
  if (cursor > MAX_STACK) {
    const spillBytes = slots.filter((_, k) => mf.frame[own[k]].spill).reduce((n, s) => n + s.size, 0);
    const named = slots.filter((_, k) => !mf.frame[own[k]].spill).map((s) => ({ name: `'${s.name}'`, size: s.size }));
    if (spillBytes) named.push({ name: "register spills", size: spillBytes });
    named.sort((a, b) => b.size - a.size);
    fail(`Stack usage ${cursor} bytes exceeds the BPF limit of ${MAX_STACK} bytes`, span,
      named.slice(0, 5).map((s) => ({ message: `${s.name} uses ${s.size} bytes` })));
  }
  return { offsets, size: cursor, slots };
}

/** Frame slots a pass made as copies of a program's slot (not counted by checkUserFrame). */
const DERIVED = new WeakSet<object>();
export const markDerivedSlot = (slot: object): void => void DERIVED.add(slot);

/** Fail (as layoutFrame would) when the user's frame objects alone exceed the BPF limit. */
export function checkUserFrame(slots: readonly { size: number; align: number; name?: string }[], span?: Span): void {
  const frame = slots.filter((s) => !DERIVED.has(s)).map((s, i) => ({ size: s.size, align: s.align, name: s.name ?? `slot${i}`, spill: false }));
  const total = [...frame].sort((a, b) => b.align - a.align).reduce((n, o) => alignUp(n + o.size, Math.max(1, o.align)), 0);
  if (total <= MAX_STACK) return;
  // Reuse the full report: every object counts as used.
  const blocks = [{ insts: frame.map((_, slot) => ({ insn: { code: 0, dst: 0, src: 0, off: 0, imm: 0 }, dstRole: "none" as const, srcRole: "none" as const, frame: { slot, off: 0, field: "off" as const } })), term: { k: "exit" as const } }];
  layoutFrame({ name: "", blocks, frame, nextReg: 0 }, span);
}
