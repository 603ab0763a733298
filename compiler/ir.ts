// The SSA IR: functions of basic blocks holding plain-record instructions over virtual
// registers, φ-nodes at block heads, one terminator per block. Source spans ride on every record.

import type { Span } from "./diag.ts";

/** A virtual register (an SSA value). */
export type VReg = number;
/** A basic block id (index into Function.blocks). */
export type BlockId = number;

/** 64-bit binary operations. Division, modulo and right shift come unsigned and signed. */
export type BinKind =
  | "add" | "sub" | "mul" | "udiv" | "umod" | "sdiv" | "smod"
  | "and" | "or" | "xor" | "shl" | "lshr" | "ashr";

/** Branch conditions (a OP b); `set` is (a & b) != 0. */
export type Cond = "eq" | "ne" | "ugt" | "uge" | "ult" | "ule" | "sgt" | "sge" | "slt" | "sle" | "set";

export type Width = 1 | 2 | 4 | 8;

/** CO-RE field access recorded on a context/kernel-struct load or store. */
export interface CoreRef {
  struct: string; // C name of the root struct, e.g. "xdp_md"
  accessStr: string; // e.g. "0:1"
}

interface Base {
  span?: Span;
}

/** Instructions. Every `dst` is defined exactly once (SSA). Operands are always VRegs. */
export type Inst =
  | Base & { op: "const"; dst: VReg; value: bigint } // value is taken modulo 2^64
  | Base & { op: "param"; dst: VReg; index: number } // program argument (index 0: ctx in R1)
  | Base & { op: "mapref"; dst: VReg; map: string } // ld_imm64 of a map fd (relocated)
  | Base & { op: "stack"; dst: VReg; slot: number } // address of frame slot (R10 - offset)
  | Base & { op: "copy"; dst: VReg; src: VReg }
  | Base & { op: "bin"; dst: VReg; kind: BinKind; a: VReg; b: VReg; w32?: boolean; core?: CoreRef } // core: add of a relocated field offset
  | Base & { op: "neg"; dst: VReg; a: VReg }
  | Base & { op: "ext"; dst: VReg; a: VReg; bits: 8 | 16 | 32; signed: boolean } // keep low bits, zero/sign-extend
  | Base & { op: "bswap"; dst: VReg; a: VReg; bits: 16 | 32 | 64 } // host (LE) <-> big endian, result zero-extended
  | Base & { op: "load"; dst: VReg; size: Width; signed: boolean; base: VReg; off: number; core?: CoreRef }
  | Base & { op: "store"; size: Width; base: VReg; off: number; value: VReg; core?: CoreRef }
  | Base & {
    op: "atomic";
    kind: "add" | "and" | "or" | "xor" | "xchg" | "cmpxchg";
    fetch: boolean; // add/and/or/xor: return the old value in dst
    size: 4 | 8;
    base: VReg;
    off: number;
    value: VReg;
    expected?: VReg; // cmpxchg: compared with memory (must be in R0 at the instruction)
    dst?: VReg; // old value (fetch, xchg, cmpxchg)
  }
  | Base & { op: "call"; dst: VReg; helper: number; args: VReg[] } // BPF helper: args in R1..R5, result R0
  | Base & { op: "ldabs"; dst: VReg; size: 1 | 2 | 4; ctx: VReg; off: number } // legacy packet load, ctx must be in R6
  | Base & { op: "ldind"; dst: VReg; size: 1 | 2 | 4; ctx: VReg; index: VReg; off: number }
  | Base & { op: "asm"; code: number; dstReg: number; srcReg: number; off: number; imm: number }; // raw instruction

/** Block terminators. */
export type Term =
  | Base & { op: "br"; cond: Cond; a: VReg; b: VReg; then: BlockId; else: BlockId; w32?: boolean }
  | Base & { op: "jmp"; target: BlockId }
  | Base & { op: "ret"; value: VReg };

export interface Phi {
  dst: VReg;
  /** One incoming value per predecessor. */
  args: { block: BlockId; value: VReg }[];
  span?: Span;
}

export interface Block {
  id: BlockId;
  phis: Phi[];
  insts: Inst[];
  term: Term;
}

/** A stack frame object (variables whose address is taken, keys, structs). */
export interface Slot {
  size: number;
  align: 1 | 2 | 4 | 8;
  name?: string;
}

export interface Function {
  name: string;
  /** blocks[0] is the entry. Removed blocks may be left as `undefined`-free compacted lists by passes. */
  blocks: Block[];
  slots: Slot[];
  /** Next unused VReg number. */
  nextReg: number;
  span?: Span;
}

/** The registers an instruction defines. */
export function defs(i: Inst): VReg[] {
  if (i.op === "store" || i.op === "asm") return [];
  if (i.op === "atomic") return i.dst === undefined ? [] : [i.dst];
  return [i.dst];
}

/** The registers an instruction reads. */
export function uses(i: Inst): VReg[] {
  switch (i.op) {
    case "const": case "param": case "mapref": case "stack": case "asm": return [];
    case "copy": return [i.src];
    case "bin": return [i.a, i.b];
    case "neg": case "ext": case "bswap": return [i.a];
    case "load": return [i.base];
    case "store": return [i.base, i.value];
    case "atomic": return i.expected === undefined ? [i.base, i.value] : [i.base, i.value, i.expected];
    case "call": return [...i.args];
    case "ldabs": return [i.ctx];
    case "ldind": return [i.ctx, i.index];
  }
}

export function termUses(t: Term): VReg[] {
  if (t.op === "br") return [t.a, t.b];
  if (t.op === "ret") return [t.value];
  return [];
}

export function successors(t: Term): BlockId[] {
  if (t.op === "br") return t.then === t.else ? [t.then] : [t.then, t.else];
  if (t.op === "jmp") return [t.target];
  return [];
}

/** Whether an instruction has effects beyond defining its result (may not be removed when unused). */
export function hasSideEffects(i: Inst): boolean {
  return i.op === "store" || i.op === "atomic" || i.op === "call" || i.op === "asm" ||
    i.op === "ldabs" || i.op === "ldind";
}

/** Rewrite every use of a register in an instruction through `f`. Returns a new record. */
export function mapUses(i: Inst, f: (r: VReg) => VReg): Inst {
  switch (i.op) {
    case "const": case "param": case "mapref": case "stack": case "asm": return i;
    case "copy": return { ...i, src: f(i.src) };
    case "bin": return { ...i, a: f(i.a), b: f(i.b) };
    case "neg": case "ext": case "bswap": return { ...i, a: f(i.a) };
    case "load": return { ...i, base: f(i.base) };
    case "store": return { ...i, base: f(i.base), value: f(i.value) };
    case "atomic":
      return { ...i, base: f(i.base), value: f(i.value), ...(i.expected === undefined ? {} : { expected: f(i.expected) }) };
    case "call": return { ...i, args: i.args.map(f) };
    case "ldabs": return { ...i, ctx: f(i.ctx) };
    case "ldind": return { ...i, ctx: f(i.ctx), index: f(i.index) };
  }
}

export function mapTermUses(t: Term, f: (r: VReg) => VReg): Term {
  if (t.op === "br") return { ...t, a: f(t.a), b: f(t.b) };
  if (t.op === "ret") return { ...t, value: f(t.value) };
  return t;
}

/** Predecessor lists for every block, in a stable order. */
export function predecessors(fn: Function): BlockId[][] {
  const preds: BlockId[][] = fn.blocks.map(() => []);
  for (const b of fn.blocks) for (const s of successors(b.term)) preds[s].push(b.id);
  return preds;
}

/** Blocks in reverse post-order from the entry (unreachable blocks omitted). */
export function reversePostOrder(fn: Function): BlockId[] {
  const seen = new Set<BlockId>();
  const order: BlockId[] = [];
  const stack: [BlockId, number][] = [[0, 0]];
  seen.add(0);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const succ = successors(fn.blocks[top[0]].term);
    if (top[1] < succ.length) {
      const s = succ[top[1]++];
      if (!seen.has(s)) {
        seen.add(s);
        stack.push([s, 0]);
      }
    } else {
      order.push(top[0]);
      stack.pop();
    }
  }
  return order.reverse();
}

const CONST_NAMES: Record<Cond, string> = {
  eq: "==", ne: "!=", ugt: ">", uge: ">=", ult: "<", ule: "<=", sgt: "s>", sge: "s>=", slt: "s<", sle: "s<=", set: "&",
};

/** Text form of the IR, stable for golden tests and --print-after. */
export function printFunction(fn: Function): string {
  const out: string[] = [`func ${fn.name} {`];
  fn.slots.forEach((s, i) => out.push(`  slot${i}: ${s.size} bytes align ${s.align}${s.name ? ` ; ${s.name}` : ""}`));
  for (const b of fn.blocks) {
    out.push(`b${b.id}:`);
    for (const p of b.phis) out.push(`  v${p.dst} = phi ${p.args.map((a) => `[b${a.block}: v${a.value}]`).join(" ")}`);
    for (const i of b.insts) out.push(`  ${printInst(i)}`);
    out.push(`  ${printTerm(b.term)}`);
  }
  out.push("}");
  return out.join("\n");
}

export function printInst(i: Inst): string {
  const v = (r: VReg) => `v${r}`;
  switch (i.op) {
    case "const": return `${v(i.dst)} = const ${BigInt.asUintN(64, i.value) > 0xffffffffn ? "0x" + BigInt.asUintN(64, i.value).toString(16) : BigInt.asIntN(64, i.value)}`;
    case "param": return `${v(i.dst)} = param ${i.index}`;
    case "mapref": return `${v(i.dst)} = mapref ${i.map}`;
    case "stack": return `${v(i.dst)} = stack slot${i.slot}`;
    case "copy": return `${v(i.dst)} = ${v(i.src)}`;
    case "bin": return `${v(i.dst)} = ${i.kind}${i.w32 ? "32" : ""} ${v(i.a)}, ${v(i.b)}${i.core ? ` core(${i.core.struct}:${i.core.accessStr})` : ""}`;
    case "neg": return `${v(i.dst)} = neg ${v(i.a)}`;
    case "ext": return `${v(i.dst)} = ${i.signed ? "sext" : "zext"}${i.bits} ${v(i.a)}`;
    case "bswap": return `${v(i.dst)} = bswap${i.bits} ${v(i.a)}`;
    case "load": return `${v(i.dst)} = load.${i.signed ? "s" : "u"}${i.size * 8} [${v(i.base)} + ${i.off}]${i.core ? ` core(${i.core.struct}:${i.core.accessStr})` : ""}`;
    case "store": return `store.${i.size * 8} [${v(i.base)} + ${i.off}], ${v(i.value)}${i.core ? ` core(${i.core.struct}:${i.core.accessStr})` : ""}`;
    case "atomic": {
      const lhs = i.dst === undefined ? "" : `${v(i.dst)} = `;
      const exp = i.expected === undefined ? "" : `, expect ${v(i.expected)}`;
      return `${lhs}atomic.${i.kind}${i.fetch ? ".fetch" : ""}.${i.size * 8} [${v(i.base)} + ${i.off}], ${v(i.value)}${exp}`;
    }
    case "call": return `${v(i.dst)} = call ${i.helper}(${i.args.map(v).join(", ")})`;
    case "ldabs": return `${v(i.dst)} = ldabs.${i.size * 8} ${v(i.ctx)}[${i.off}]`;
    case "ldind": return `${v(i.dst)} = ldind.${i.size * 8} ${v(i.ctx)}[${v(i.index)} + ${i.off}]`;
    case "asm": return `asm 0x${i.code.toString(16)} ${i.dstReg} ${i.srcReg} ${i.off} ${i.imm}`;
  }
}

export function printTerm(t: Term): string {
  if (t.op === "br") return `br v${t.a} ${CONST_NAMES[t.cond]}${t.w32 ? "32" : ""} v${t.b}, b${t.then}, b${t.else}`;
  if (t.op === "jmp") return `jmp b${t.target}`;
  return `ret v${t.value}`;
}
