// ALU instruction constructors: 32/64-bit arithmetic and moves, negation, and the v4 forms
// (signed div/mod, sign-extending moves, bswap), plus the classic BPF_END conversions.
import { AluOp, Class, Endian, Src } from "./opcodes.ts";
import type { Insn } from "./insn.ts";
import { checkReg, toS32 } from "./fields.ts";

/**
 * An immediate operand. A bare number is a register, an `Imm` is a constant:
 * `alu64("add", 1, 2)` is `r1 += r2` (X form), `alu64("add", 1, imm(2))` is `r1 += 2` (K form).
 * The value may be given signed or unsigned 32-bit; it is stored signed.
 */
export interface Imm {
  imm: number;
}
export const imm = (value: number): Imm => ({ imm: value });
export const isImm = (x: number | Imm): x is Imm => typeof x === "object" && x !== null && "imm" in x;

/**
 * Two-operand ALU operations accepted by `alu64`/`alu32`. `sdiv`/`smod` are the v4 signed
 * forms (BPF_DIV/BPF_MOD with off = 1). `neg` and `end` have their own constructors.
 */
export type AluBinOp = Exclude<keyof typeof AluOp, "neg" | "end"> | "sdiv" | "smod";

/** Opcode bits and `off` for each two-operand operation. */
const BIN_OPS: Record<AluBinOp, readonly [number, number]> = {
  add: [AluOp.add, 0], sub: [AluOp.sub, 0], mul: [AluOp.mul, 0], div: [AluOp.div, 0], sdiv: [AluOp.div, 1],
  or: [AluOp.or, 0], and: [AluOp.and, 0], lsh: [AluOp.lsh, 0], rsh: [AluOp.rsh, 0], mod: [AluOp.mod, 0],
  smod: [AluOp.mod, 1], xor: [AluOp.xor, 0], mov: [AluOp.mov, 0], arsh: [AluOp.arsh, 0],
};

function alu(cls: number, op: AluBinOp, dst: number, src: number | Imm): Insn {
  if (!Object.hasOwn(BIN_OPS, op)) throw new RangeError(`unknown ALU operation ${JSON.stringify(op)}`);
  const [code, off] = BIN_OPS[op];
  checkReg(dst, "dst");
  if (isImm(src)) return { code: cls | code | Src.K, dst, src: 0, off, imm: toS32(src.imm) };
  return { code: cls | code | Src.X, dst, src: checkReg(src, "src"), off, imm: 0 };
}

/** 64-bit ALU: `dst op= src` (register or `imm(n)`). */
export const alu64 = (op: AluBinOp, dst: number, src: number | Imm): Insn => alu(Class.ALU64, op, dst, src);
/** 32-bit ALU: `wdst op= wsrc`; the result is zero-extended into the 64-bit register. */
export const alu32 = (op: AluBinOp, dst: number, src: number | Imm): Insn => alu(Class.ALU, op, dst, src);

/** `rdst = rsrc` or `rdst = imm` (imm sign-extended to 64 bits). */
export const mov64 = (dst: number, src: number | Imm): Insn => alu64("mov", dst, src);
/** `wdst = wsrc` or `wdst = imm` (upper 32 bits zeroed). */
export const mov32 = (dst: number, src: number | Imm): Insn => alu32("mov", dst, src);

/** `rdst = -rdst`. */
export const neg64 = (dst: number): Insn => ({ code: Class.ALU64 | AluOp.neg | Src.K, dst: checkReg(dst, "dst"), src: 0, off: 0, imm: 0 });
/** `wdst = -wdst`. */
export const neg32 = (dst: number): Insn => ({ code: Class.ALU | AluOp.neg | Src.K, dst: checkReg(dst, "dst"), src: 0, off: 0, imm: 0 });

/** v4 sign-extending move: `rdst = (s8|s16|s32) rsrc` (BPF_MOVSX = MOV with off = 8/16/32). */
export function movsx64(dst: number, src: number, bits: 8 | 16 | 32): Insn {
  if (bits !== 8 && bits !== 16 && bits !== 32) throw new RangeError(`movsx64 width must be 8, 16 or 32, got ${bits}`);
  return { code: Class.ALU64 | AluOp.mov | Src.X, dst: checkReg(dst, "dst"), src: checkReg(src, "src"), off: bits, imm: 0 };
}

/** v4 sign-extending move into 32 bits: `wdst = (s8|s16) wsrc`, upper 32 bits zeroed. */
export function movsx32(dst: number, src: number, bits: 8 | 16): Insn {
  if (bits !== 8 && bits !== 16) throw new RangeError(`movsx32 width must be 8 or 16, got ${bits}`);
  return { code: Class.ALU | AluOp.mov | Src.X, dst: checkReg(dst, "dst"), src: checkReg(src, "src"), off: bits, imm: 0 };
}

function checkWidth(bits: number, what: string): number {
  if (bits !== 16 && bits !== 32 && bits !== 64) throw new RangeError(`${what} width must be 16, 32 or 64, got ${bits}`);
  return bits;
}

/** v4 unconditional byte swap of the low `bits` bits (BPF_ALU64 | BPF_END, imm = width). */
export const bswap = (dst: number, bits: 16 | 32 | 64): Insn =>
  ({ code: Class.ALU64 | AluOp.end | Endian.TO_LE, dst: checkReg(dst, "dst"), src: 0, off: 0, imm: checkWidth(bits, "bswap") });

/** Convert the low `bits` bits to little- or big-endian (BPF_ALU | BPF_END), zero-extending. */
export function endian(dst: number, order: "le" | "be", bits: 16 | 32 | 64): Insn {
  if (order !== "le" && order !== "be") throw new RangeError(`endian order must be "le" or "be", got ${order}`);
  const e = order === "le" ? Endian.TO_LE : Endian.TO_BE;
  return { code: Class.ALU | AluOp.end | e, dst: checkReg(dst, "dst"), src: 0, off: 0, imm: checkWidth(bits, "endian") };
}
