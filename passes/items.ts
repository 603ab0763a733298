// Shared helpers for the peephole passes (not a pass): the emitted instruction list cut into
// basic blocks (labels + straight-line code), their successors, each instruction's register reads
// and writes (helper calls read R1–R5 and clobber R0–R5, exit reads R0), and register liveness.

import { type Insn, type Item, isLabel } from "../compiler/asm/insn.ts";
import { AluOp, Class, JmpOp, Mode, Src, opClass } from "../compiler/asm/opcodes.ts";
import { isRawInsn } from "../compiler/backend/mir.ts";

/** Whether the code contains raw `asm` instructions (the peephole passes then leave it alone). */
export const hasRaw = (items: Item[]): boolean => items.some((i) => !isLabel(i) && isRawInsn(i));

export interface IBlock {
  labels: string[];
  insns: Insn[];
}

export const GOTO = Class.JMP | JmpOp.ja;
export const EXIT = Class.JMP | JmpOp.exit;
export const CALL = Class.JMP | JmpOp.call;

export const isGoto = (i: Insn): boolean => i.code === GOTO || i.code === (Class.JMP32 | JmpOp.ja);
export const isExit = (i: Insn): boolean => i.code === EXIT;
export const isCall = (i: Insn): boolean => i.code === CALL;
/** A conditional jump (JMP or JMP32 class, not ja/call/exit). */
export const isCond = (i: Insn): boolean => {
  const cls = opClass(i.code);
  if (cls !== Class.JMP && cls !== Class.JMP32) return false;
  const op = i.code & 0xf0;
  return op !== JmpOp.ja && op !== JmpOp.call && op !== JmpOp.exit;
};
/** Whether control may continue with the next instruction after `i`. */
export const fallsThrough = (i: Insn | undefined): boolean => i === undefined || !(isGoto(i) || isExit(i));

/** Cut items into blocks: a block starts at labels or after a jump/exit, and ends at a jump/exit. */
export function splitBlocks(items: Item[]): IBlock[] {
  const out: IBlock[] = [];
  let cur: IBlock = { labels: [], insns: [] };
  const flush = () => {
    if (cur.labels.length || cur.insns.length) out.push(cur);
    cur = { labels: [], insns: [] };
  };
  for (const it of items) {
    if (isLabel(it)) {
      if (cur.insns.length) flush();
      cur.labels.push(it.label);
      continue;
    }
    cur.insns.push(it);
    if (isGoto(it) || isExit(it) || isCond(it)) flush();
  }
  flush();
  return out;
}

export function joinBlocks(blocks: IBlock[]): Item[] {
  const out: Item[] = [];
  for (const b of blocks) {
    for (const l of b.labels) out.push({ label: l });
    out.push(...b.insns);
  }
  return out;
}

/** Successor block indices of block k (fall-through and jump targets). */
export function successorsOf(blocks: IBlock[], k: number, labelAt?: Map<string, number>): number[] {
  const at = labelAt ?? labelIndex(blocks);
  const last = blocks[k].insns[blocks[k].insns.length - 1];
  const out: number[] = [];
  if (last && last.target !== undefined && !isCall(last)) {
    const t = at.get(last.target);
    if (t !== undefined) out.push(t);
  }
  if (fallsThrough(last) && k + 1 < blocks.length) out.push(k + 1);
  return [...new Set(out)];
}

export function labelIndex(blocks: IBlock[]): Map<string, number> {
  const m = new Map<string, number>();
  blocks.forEach((b, k) => b.labels.forEach((l) => m.set(l, k)));
  return m;
}

const ALU_CLASSES = new Set<number>([Class.ALU, Class.ALU64]);

/** Registers an instruction reads. */
export function regUses(i: Insn): number[] {
  const cls = opClass(i.code);
  const x = (i.code & Src.X) !== 0;
  if (ALU_CLASSES.has(cls)) {
    const op = i.code & 0xf0;
    if (op === AluOp.mov) return x ? [i.src] : [];
    if (op === AluOp.neg || op === AluOp.end) return [i.dst];
    return x ? [i.dst, i.src] : [i.dst];
  }
  if (cls === Class.LDX) return [i.src];
  if (cls === Class.ST) return [i.dst];
  if (cls === Class.STX) {
    if ((i.code & 0xe0) === Mode.ATOMIC && i.imm === 0xf1) return [i.dst, i.src, 0];
    return [i.dst, i.src];
  }
  if (cls === Class.LD) {
    const mode = i.code & 0xe0;
    if (mode === Mode.ABS) return [6];
    if (mode === Mode.IND) return [6, i.src];
    return [];
  }
  if (isCall(i)) return [1, 2, 3, 4, 5];
  if (isExit(i)) return [0];
  if (isCond(i)) return x ? [i.dst, i.src] : [i.dst];
  return [];
}

/** Registers an instruction writes. */
export function regDefs(i: Insn): number[] {
  const cls = opClass(i.code);
  if (ALU_CLASSES.has(cls) || cls === Class.LDX) return [i.dst];
  if (cls === Class.STX && (i.code & 0xe0) === Mode.ATOMIC) {
    if (i.imm === 0xf1) return [0];
    if (i.imm & 0x01 || i.imm === 0xe1) return [i.src];
    return [];
  }
  if (cls === Class.LD) {
    const mode = i.code & 0xe0;
    if (mode === Mode.ABS || mode === Mode.IND) return [0, 1, 2, 3, 4, 5];
    return [i.dst];
  }
  if (isCall(i)) return [0, 1, 2, 3, 4, 5];
  return [];
}

/** Registers live on entry to each block (bit n = Rn), by the usual backward dataflow. */
export function liveIn(blocks: IBlock[]): number[] {
  const at = labelIndex(blocks);
  const succ = blocks.map((_, k) => successorsOf(blocks, k, at));
  const inn = blocks.map(() => 0);
  for (let changed = true; changed;) {
    changed = false;
    for (let k = blocks.length - 1; k >= 0; k--) {
      let live = 0;
      for (const s of succ[k]) live |= inn[s];
      live = liveBefore(blocks[k].insns, 0, live);
      if (live !== inn[k]) {
        inn[k] = live;
        changed = true;
      }
    }
  }
  return inn;
}

/** Registers live before instruction `from` of `insns`, given those live after the last one. */
export function liveBefore(insns: Insn[], from: number, liveOut: number): number {
  let live = liveOut;
  for (let n = insns.length - 1; n >= from; n--) {
    for (const d of regDefs(insns[n])) live &= ~(1 << d);
    for (const u of regUses(insns[n])) live |= 1 << u;
  }
  return live;
}

/** Registers live after each block (union of successors' live-in). */
export function liveOut(blocks: IBlock[]): number[] {
  const inn = liveIn(blocks);
  const at = labelIndex(blocks);
  return blocks.map((_, k) => successorsOf(blocks, k, at).reduce((a, s) => a | inn[s], 0));
}

/** Two instructions are the same when every field the encoder and the object writer use is. */
export function sameInsn(a: Insn, b: Insn): boolean {
  return a.code === b.code && a.dst === b.dst && a.src === b.src && a.off === b.off && a.imm === b.imm &&
    a.imm64 === b.imm64 && a.target === b.target && a.map === b.map &&
    (a.core === undefined) === (b.core === undefined) && (!a.core || (a.core.typeName === b.core!.typeName && a.core.accessStr === b.core!.accessStr));
}
