// Constant evaluation of IR operations with BPF runtime semantics (64-bit wrap-around, x/0 = 0,
// x%0 = x, 32-bit forms zero-extend), used by instruction selection to fold constant operands.
import type { BinKind, Cond } from "../ir.ts";

const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);

/** `a kind b` on 64 bits, or on the low 32 bits zero-extended when `w32`. */
export function foldBin(kind: BinKind, a: bigint, b: bigint, w32 = false): bigint {
  const w = w32 ? 32 : 64;
  const ua = BigInt.asUintN(w, a), ub = BigInt.asUintN(w, b);
  const sa = BigInt.asIntN(w, a), sb = BigInt.asIntN(w, b);
  let r: bigint;
  switch (kind) {
    case "add": r = ua + ub; break;
    case "sub": r = ua - ub; break;
    case "mul": r = ua * ub; break;
    case "udiv": r = ub === 0n ? 0n : ua / ub; break;
    case "umod": r = ub === 0n ? ua : ua % ub; break;
    case "sdiv": r = sb === 0n ? 0n : sa / sb; break;
    case "smod": r = sb === 0n ? sa : sa % sb; break;
    case "and": r = ua & ub; break;
    case "or": r = ua | ub; break;
    case "xor": r = ua ^ ub; break;
    case "shl": r = ua << (ub & BigInt(w - 1)); break;
    case "lshr": r = ua >> (ub & BigInt(w - 1)); break;
    case "ashr": r = sa >> (ub & BigInt(w - 1)); break;
  }
  return BigInt.asUintN(w, r);
}

export const foldNeg = (a: bigint): bigint => u64(-a);

export const foldExt = (a: bigint, bits: 8 | 16 | 32, signed: boolean): bigint =>
  u64(signed ? BigInt.asIntN(bits, a) : BigInt.asUintN(bits, a));

export function foldBswap(a: bigint, bits: 16 | 32 | 64): bigint {
  let r = 0n;
  for (let i = 0n; i < BigInt(bits); i += 8n) r = (r << 8n) | ((a >> i) & 0xffn);
  return r;
}

export function foldCond(cond: Cond, a: bigint, b: bigint, w32 = false): boolean {
  const w = w32 ? 32 : 64;
  const ua = BigInt.asUintN(w, a), ub = BigInt.asUintN(w, b);
  const sa = BigInt.asIntN(w, a), sb = BigInt.asIntN(w, b);
  switch (cond) {
    case "eq": return ua === ub;
    case "ne": return ua !== ub;
    case "ugt": return ua > ub;
    case "uge": return ua >= ub;
    case "ult": return ua < ub;
    case "ule": return ua <= ub;
    case "sgt": return sa > sb;
    case "sge": return sa >= sb;
    case "slt": return sa < sb;
    case "sle": return sa <= sb;
    case "set": return (ua & ub) !== 0n;
  }
}

/** Whether a 64-bit value is a sign-extended 32-bit immediate. */
export const fitsS32 = (v: bigint): boolean => {
  const s = BigInt.asIntN(64, v);
  return s >= -0x80000000n && s <= 0x7fffffffn;
};
