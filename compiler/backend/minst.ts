// Constructors for MIR instructions: BPF instruction templates over (virtual) registers, each
// tagged with how it reads and writes its register fields and which registers it clobbers.
import { AluOp, AtomicOp, Class, JmpOp, Mode, Pseudo, Src, sizeCode } from "../asm/opcodes.ts";
import type { Insn } from "../asm/insn.ts";
import { CALLER_SAVED, type MInst } from "./mir.ts";

/** ALU operations selectable in two-address form. */
export type AluName = "add" | "sub" | "mul" | "div" | "mod" | "sdiv" | "smod" | "or" | "and" | "lsh" | "rsh" | "arsh" | "xor";

const COMMUTATIVE = new Set<number>([AluOp.add, AluOp.mul, AluOp.or, AluOp.and, AluOp.xor]);

/** A register-register ALU operation whose operands may be swapped (add, mul, or, and, xor). */
export function isCommutative(mi: MInst): boolean {
  const { code, off } = mi.insn;
  const cls = code & 0x07;
  return (cls === Class.ALU || cls === Class.ALU64) && (code & Src.X) !== 0 && off === 0 && COMMUTATIVE.has(code & 0xf0);
}

const insn = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });

function aluCode(op: AluName, w32: boolean): [number, number] {
  const cls = w32 ? Class.ALU : Class.ALU64;
  if (op === "sdiv") return [cls | AluOp.div, 1];
  if (op === "smod") return [cls | AluOp.mod, 1];
  return [cls | AluOp[op], 0];
}

/** Two-address operand roles: `d` read and written, or written starting from `tied`. */
const twoAddr = (tied: number | undefined): Pick<MInst, "dstRole" | "tied"> =>
  tied === undefined ? { dstRole: "usedef" } : { dstRole: "def", tied };

/** `d op= s`, or `d = tied op s` when `tied` is given. */
export function aluX(op: AluName, w32: boolean, d: number, s: number, tied?: number): MInst {
  const [code, off] = aluCode(op, w32);
  return { insn: insn(code | Src.X, d, s, off, 0), ...twoAddr(tied), srcRole: "use" };
}

/** `d op= imm`, or `d = tied op imm`. */
export function aluK(op: AluName, w32: boolean, d: number, imm: number, tied?: number): MInst {
  const [code, off] = aluCode(op, w32);
  return { insn: insn(code | Src.K, d, 0, off, imm | 0), ...twoAddr(tied), srcRole: "none" };
}

/** `rD = rS`, a coalescing candidate. */
export const copy = (d: number, s: number): MInst =>
  ({ insn: insn(Class.ALU64 | AluOp.mov | Src.X, d, s, 0, 0), dstRole: "def", srcRole: "use", move: true });

/** `rD = imm` (sign-extended) or, with w32, `wD = imm` (zero-extended). */
export const movK = (d: number, imm: number, w32 = false): MInst =>
  ({ insn: insn((w32 ? Class.ALU : Class.ALU64) | AluOp.mov | Src.K, d, 0, 0, imm | 0), dstRole: "def", srcRole: "none" });

/** `wD = wS`: copy the low 32 bits, zero-extending. */
export const mov32 = (d: number, s: number): MInst =>
  ({ insn: insn(Class.ALU | AluOp.mov | Src.X, d, s, 0, 0), dstRole: "def", srcRole: "use" });

/** v4 `rD = (sN)rS`. */
export const movsx = (d: number, s: number, bits: 8 | 16 | 32): MInst =>
  ({ insn: insn(Class.ALU64 | AluOp.mov | Src.X, d, s, bits, 0), dstRole: "def", srcRole: "use" });

export const neg = (d: number, tied?: number): MInst =>
  ({ insn: insn(Class.ALU64 | AluOp.neg | Src.K, d, 0, 0, 0), ...twoAddr(tied), srcRole: "none" });

/** `rD = be16/be32/be64 rD` (BPF_END, to big endian; 16/32 zero-extend). */
export const toBE = (d: number, bits: 16 | 32 | 64, tied?: number): MInst =>
  ({ insn: insn(Class.ALU | AluOp.end | 0x08, d, 0, 0, bits), ...twoAddr(tied), srcRole: "none" });

const LD_IMM64 = Class.LD | 0x18 | Mode.IMM;

export const ldImm64 = (d: number, value: bigint): MInst =>
  ({ insn: { ...insn(LD_IMM64, d, 0, 0, 0), imm64: BigInt.asUintN(64, value) }, dstRole: "def", srcRole: "none" });

export const ldMapFd = (d: number, map: string): MInst =>
  ({ insn: { ...insn(LD_IMM64, d, Pseudo.MAP_FD, 0, 0), imm64: 0n, map }, dstRole: "def", srcRole: "none" });

/** `rD = *(uN *)(rS + off)`; with `signed` the v4 sign-extending load. */
export const ldx = (size: number, d: number, s: number, off: number, signed = false): MInst =>
  ({ insn: insn(Class.LDX | (signed ? Mode.MEMSX : Mode.MEM) | sizeCode(size), d, s, off, 0), dstRole: "def", srcRole: "use" });

/** `*(uN *)(rD + off) = rS`. */
export const stx = (size: number, base: number, s: number, off: number): MInst =>
  ({ insn: insn(Class.STX | Mode.MEM | sizeCode(size), base, s, off, 0), dstRole: "use", srcRole: "use" });

/** `*(uN *)(rD + off) = imm`. */
export const st = (size: number, base: number, off: number, imm: number): MInst =>
  ({ insn: insn(Class.ST | Mode.MEM | sizeCode(size), base, 0, off, imm | 0), dstRole: "use", srcRole: "none" });

/**
 * Atomic read-modify-write of `*(uN *)(rBase + off)` with `rS`. With fetch (and xchg) the old
 * value lands in rS; cmpxchg compares with and returns in R0.
 */
export function atomic(kind: "add" | "and" | "or" | "xor" | "xchg" | "cmpxchg", fetch: boolean, size: 4 | 8, base: number, s: number, off: number, tied?: number): MInst {
  const imm = kind === "xchg" || kind === "cmpxchg" ? AtomicOp[kind] : AtomicOp[kind] | (fetch ? AtomicOp.fetch : 0);
  const code = Class.STX | Mode.ATOMIC | sizeCode(size);
  if (kind === "cmpxchg") return { insn: insn(code, base, s, off, imm), dstRole: "use", srcRole: "use", iuses: [0], idefs: [0] };
  if (!(kind === "xchg" || fetch)) return { insn: insn(code, base, s, off, imm), dstRole: "use", srcRole: "use" };
  // The old value comes back in the source register.
  return { insn: insn(code, base, s, off, imm), dstRole: "use", ...(tied === undefined ? { srcRole: "usedef" } : { srcRole: "def", tied }) };
}

/** Helper call: arguments in R1..R(nargs), result in R0, R0–R5 clobbered. */
export const call = (helper: number, nargs: number): MInst => ({
  insn: insn(Class.JMP | JmpOp.call, 0, 0, 0, helper | 0),
  dstRole: "none",
  srcRole: "none",
  iuses: Array.from({ length: nargs }, (_, i) => i + 1),
  idefs: CALLER_SAVED,
});

/** Legacy packet loads: context in R6, result in R0, R0–R5 clobbered. */
export const ldAbs = (size: number, imm: number): MInst => ({
  insn: insn(Class.LD | Mode.ABS | sizeCode(size), 0, 0, 0, imm | 0),
  dstRole: "none",
  srcRole: "none",
  iuses: [6],
  idefs: CALLER_SAVED,
});

export const ldInd = (size: number, index: number, imm: number): MInst => ({
  insn: insn(Class.LD | Mode.IND | sizeCode(size), 0, index, 0, imm | 0),
  dstRole: "none",
  srcRole: "use",
  iuses: [6],
  idefs: CALLER_SAVED,
});

/** A raw instruction passed through verbatim (registers are not allocated). */
export const rawInsn = (code: number, dst: number, src: number, off: number, imm: number): MInst => ({
  insn: code === LD_IMM64 ? { ...insn(code, dst, src, off, 0), imm64: BigInt.asUintN(64, BigInt(imm)) } : insn(code, dst, src, off, imm | 0),
  dstRole: "none",
  srcRole: "none",
  raw: true,
});
