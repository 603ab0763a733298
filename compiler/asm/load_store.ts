// Load/store constructors: 64-bit immediates and map references, memory loads (zero- and
// sign-extending), stores, atomic read-modify-write, and the legacy packet loads (ld_abs/ld_ind).
import { AtomicOp, Class, Mode, Pseudo, Size, sizeCode } from "./opcodes.ts";
import type { Insn } from "./insn.ts";
import { checkOff, checkReg, toS32, toU64 } from "./fields.ts";

const LD_IMM64 = Class.LD | Size.DW | Mode.IMM;

/** `rdst = value ll`. The 64-bit value is stored in `imm64` as unsigned (negative inputs wrap). */
export const ldImm64 = (dst: number, value: bigint): Insn =>
  ({ code: LD_IMM64, dst: checkReg(dst, "dst"), src: 0, off: 0, imm: 0, imm64: toU64(value) });

/** Load a map reference (src = Pseudo.MAP_FD); the object writer relocates it against `mapName`. */
export function ldMapFd(dst: number, mapName: string): Insn {
  if (typeof mapName !== "string" || mapName === "") throw new RangeError(`map name must be a non-empty string`);
  return { code: LD_IMM64, dst: checkReg(dst, "dst"), src: Pseudo.MAP_FD, off: 0, imm: 0, imm64: 0n, map: mapName };
}

function size(bytes: number, allowed: readonly number[], what: string): number {
  if (!allowed.includes(bytes)) throw new RangeError(`${what} size must be one of ${allowed.join(", ")} bytes, got ${bytes}`);
  return sizeCode(bytes);
}

/** `rdst = *(uN *)(rsrc + off)`, zero-extending. */
export const ldx = (bytes: 1 | 2 | 4 | 8, dst: number, src: number, off: number): Insn =>
  ({ code: Class.LDX | Mode.MEM | size(bytes, [1, 2, 4, 8], "ldx"), dst: checkReg(dst, "dst"), src: checkReg(src, "src"), off: checkOff(off), imm: 0 });

/** v4 `rdst = *(sN *)(rsrc + off)`, sign-extending (BPF_MEMSX). */
export const ldxsx = (bytes: 1 | 2 | 4, dst: number, src: number, off: number): Insn =>
  ({ code: Class.LDX | Mode.MEMSX | size(bytes, [1, 2, 4], "ldxsx"), dst: checkReg(dst, "dst"), src: checkReg(src, "src"), off: checkOff(off), imm: 0 });

/** `*(uN *)(rdst + off) = rsrc`. */
export const stx = (bytes: 1 | 2 | 4 | 8, dst: number, src: number, off: number): Insn =>
  ({ code: Class.STX | Mode.MEM | size(bytes, [1, 2, 4, 8], "stx"), dst: checkReg(dst, "dst"), src: checkReg(src, "src"), off: checkOff(off), imm: 0 });

/** `*(uN *)(rdst + off) = imm`. */
export const st = (bytes: 1 | 2 | 4 | 8, dst: number, off: number, imm: number): Insn =>
  ({ code: Class.ST | Mode.MEM | size(bytes, [1, 2, 4, 8], "st"), dst: checkReg(dst, "dst"), src: 0, off: checkOff(off), imm: toS32(imm) });

export type AtomicName = "add" | "and" | "or" | "xor" | "xchg" | "cmpxchg";

/**
 * Atomic read-modify-write on `*(uN *)(rdst + off)` with operand `rsrc` (BPF_STX | BPF_ATOMIC).
 * add/and/or/xor: without `fetch` `lock *(u64 *)(rdst + off) += rsrc`; with `fetch` the old
 * value is also returned in rsrc. xchg always fetches into rsrc; cmpxchg compares with r0 and
 * returns the old value in r0. For xchg/cmpxchg `fetch` is implied and ignored.
 */
export function atomic(op: AtomicName, bytes: 4 | 8, dst: number, src: number, off: number, fetch = false): Insn {
  let imm: number;
  switch (op) {
    case "add": case "and": case "or": case "xor":
      imm = AtomicOp[op] | (fetch ? AtomicOp.fetch : 0);
      break;
    case "xchg": case "cmpxchg":
      imm = AtomicOp[op];
      break;
    default:
      throw new RangeError(`unknown atomic operation ${JSON.stringify(op)}`);
  }
  return { code: Class.STX | Mode.ATOMIC | size(bytes, [4, 8], "atomic"), dst: checkReg(dst, "dst"), src: checkReg(src, "src"), off: checkOff(off), imm };
}

/** Legacy packet load `r0 = *(uN *)skb[imm]` (BPF_LD | BPF_ABS; the context must be in r6). */
export const ldAbs = (bytes: 1 | 2 | 4, imm: number): Insn =>
  ({ code: Class.LD | Mode.ABS | size(bytes, [1, 2, 4], "ld_abs"), dst: 0, src: 0, off: 0, imm: toS32(imm) });

/** Legacy packet load `r0 = *(uN *)skb[rsrc + imm]` (BPF_LD | BPF_IND). */
export const ldInd = (bytes: 1 | 2 | 4, src: number, imm: number): Insn =>
  ({ code: Class.LD | Mode.IND | size(bytes, [1, 2, 4], "ld_ind"), dst: 0, src: checkReg(src, "src"), off: 0, imm: toS32(imm) });
