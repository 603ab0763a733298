// MIR: machine instructions over virtual registers, between instruction selection and emission.
// Each MInst wraps an Insn template whose dst/src fields name registers (virtual until allocated).
import type { CondName } from "../asm/opcodes.ts";
import type { Insn, SourcePos } from "../asm/insn.ts";
import { formatInsn } from "../asm/format.ts";

/** Physical registers are 0..9; 10 is the frame pointer (never allocated); virtual registers start here. */
export const FP = 10;
export const VREG_BASE = 16;
/** Allocatable registers: R0..R9. */
export const NUM_REGS = 10;
/** Registers a helper call (and ld_abs/ld_ind) clobbers. */
export const CALLER_SAVED: readonly number[] = [0, 1, 2, 3, 4, 5];

export const isVirtual = (r: number): boolean => r >= VREG_BASE;

/** How an instruction field uses its register: read, written, both (two-address), or not a register. */
export type Role = "def" | "use" | "usedef" | "none";

/** A memory offset (insn.off) or immediate (insn.imm) relative to a frame object; fixed at emission. */
export interface FrameRef {
  /** Frame object index (MFunction.frame). */
  slot: number;
  /** Added to the object's address: the field becomes -objectOffset + off. */
  off: number;
  field: "off" | "imm";
}

export interface MInst {
  /** Template; `dst`/`src` hold register numbers according to dstRole/srcRole. */
  insn: Insn;
  dstRole: Role;
  srcRole: Role;
  /** Physical registers implicitly written (clobbered) / read. */
  idefs?: readonly number[];
  iuses?: readonly number[];
  /** `rD = rS`: a coalescing candidate, deleted when both sides get the same register. */
  move?: boolean;
  /**
   * Two-address input: the field with role "def" must hold this register's value before the
   * instruction (`d = a op b` is `d op= b` with `d` starting as `a`). After allocation a
   * `mov` is inserted when they got different registers (or, for a commutative operation, the
   * operands are swapped when `b` got d's register).
   */
  tied?: number;
  frame?: FrameRef;
  /** Spill code: a store to / load from a spill slot (frame object). */
  spill?: "store" | "load";
  /** A raw `asm` instruction, passed through untouched. */
  raw?: boolean;
}

/** Emitted instructions that came from `asm` forms (peephole passes leave code with them alone). */
const RAW = new WeakSet<object>();
export const markRaw = (insn: object): void => void RAW.add(insn);
export const isRawInsn = (insn: object): boolean => RAW.has(insn);

export type MTerm =
  | { k: "jmp"; target: number; pos?: SourcePos }
  | {
    k: "br";
    cond: CondName;
    w32: boolean;
    a: number;
    /** Register compared with, or null for the immediate form. */
    b: number | null;
    imm: number;
    then: number;
    else: number;
    pos?: SourcePos;
  }
  | { k: "exit"; pos?: SourcePos };

export interface MBlock {
  insts: MInst[];
  term: MTerm;
}

/** A stack object: a user slot from the IR or a spill slot. */
export interface FrameObject {
  size: number;
  align: number;
  name: string;
  spill: boolean;
}

export interface MFunction {
  name: string;
  /** blocks[0] is the entry. */
  blocks: MBlock[];
  frame: FrameObject[];
  nextReg: number;
}

const has = (role: Role, what: "def" | "use"): boolean => role === what || role === "usedef";

/** Registers an instruction writes (virtual and physical, never FP). */
export function instDefs(mi: MInst): number[] {
  const out: number[] = [];
  if (has(mi.dstRole, "def") && mi.insn.dst !== FP) out.push(mi.insn.dst);
  if (has(mi.srcRole, "def") && mi.insn.src !== FP) out.push(mi.insn.src);
  if (mi.idefs) for (const r of mi.idefs) if (!out.includes(r)) out.push(r);
  return out;
}

/** Registers an instruction reads (never FP). */
export function instUses(mi: MInst): number[] {
  const out: number[] = [];
  if (has(mi.dstRole, "use") && mi.insn.dst !== FP) out.push(mi.insn.dst);
  if (has(mi.srcRole, "use") && mi.insn.src !== FP && !out.includes(mi.insn.src)) out.push(mi.insn.src);
  if (mi.tied !== undefined && !out.includes(mi.tied)) out.push(mi.tied);
  if (mi.iuses) for (const r of mi.iuses) if (!out.includes(r)) out.push(r);
  return out;
}

/** The register field a tied instruction writes ("dst" for ALU, "src" for a fetching atomic). */
export const tiedField = (mi: MInst): "dst" | "src" => (mi.dstRole === "def" ? "dst" : "src");

export function termUses(t: MTerm): number[] {
  if (t.k === "exit") return [0];
  if (t.k === "br") return t.b === null || t.b === t.a ? [t.a] : [t.a, t.b];
  return [];
}

export function termSuccs(t: MTerm): number[] {
  if (t.k === "jmp") return [t.target];
  if (t.k === "br") return t.then === t.else ? [t.then] : [t.then, t.else];
  return [];
}

/** Rename registers in an instruction (explicit operands only; implicit ones are physical). */
export function renameInst(mi: MInst, f: (r: number, role: "def" | "use" | "usedef") => number): MInst {
  const insn = { ...mi.insn };
  if (mi.dstRole !== "none" && insn.dst !== FP) insn.dst = f(insn.dst, mi.dstRole);
  if (mi.srcRole !== "none" && insn.src !== FP) insn.src = f(insn.src, mi.srcRole);
  if (mi.tied !== undefined) return { ...mi, insn, tied: f(mi.tied, "use") };
  return { ...mi, insn };
}

export function renameTerm(t: MTerm, f: (r: number) => number): MTerm {
  if (t.k !== "br") return t;
  return { ...t, a: f(t.a), b: t.b === null ? null : f(t.b) };
}

export function predecessorsOf(mf: MFunction): number[][] {
  const preds: number[][] = mf.blocks.map(() => []);
  mf.blocks.forEach((b, i) => {
    for (const s of termSuccs(b.term)) preds[s].push(i);
  });
  return preds;
}

/** Blocks reachable from the entry, in reverse post-order (successors visited in order). */
export function mirReversePostOrder(mf: MFunction): number[] {
  const seen = new Uint8Array(mf.blocks.length);
  const order: number[] = [];
  const stack: [number, number][] = [[0, 0]];
  seen[0] = 1;
  while (stack.length) {
    const top = stack[stack.length - 1];
    const succ = termSuccs(mf.blocks[top[0]].term);
    if (top[1] < succ.length) {
      const s = succ[top[1]++];
      if (!seen[s]) {
        seen[s] = 1;
        stack.push([s, 0]);
      }
    } else {
      order.push(top[0]);
      stack.pop();
    }
  }
  return order.reverse();
}

const regName = (r: number): string => (r < VREG_BASE ? `r${r}` : `%${r - VREG_BASE}`);

/** Text form for debugging and tests: registers print as r0..r10 or %N (virtual). */
export function printMFunction(mf: MFunction): string {
  const out: string[] = [];
  mf.blocks.forEach((b, i) => {
    out.push(`bb${i}:`);
    for (const mi of b.insts) out.push(`  ${printMInst(mi)}`);
    const t = b.term;
    if (t.k === "jmp") out.push(`  goto bb${t.target}`);
    else if (t.k === "exit") out.push(`  exit`);
    else {
      const rhs = t.b === null ? `${t.imm}` : regName(t.b);
      out.push(`  if ${regName(t.a)} ${t.cond}${t.w32 ? "32" : ""} ${rhs} goto bb${t.then} else bb${t.else}`);
    }
  });
  return out.join("\n");
}

export function printMInst(mi: MInst): string {
  // Format with placeholder physical registers, then substitute names.
  const d = mi.insn.dst, s = mi.insn.src;
  const text = formatInsn({ ...mi.insn, dst: d === FP ? 10 : 8, src: s === FP ? 10 : 9 });
  const frame = (mi.frame ? ` [frame ${mi.frame.slot}${mi.frame.off ? `+${mi.frame.off}` : ""}]` : "") +
    (mi.tied !== undefined ? ` (from ${regName(mi.tied)})` : "");
  return text
    .replace(/\b([rw])8\b/g, (_m, p) => (p === "w" ? "w:" : "") + regName(d))
    .replace(/\b([rw])9\b/g, (_m, p) => (p === "w" ? "w:" : "") + regName(s)) + frame;
}
