// Exact constant semantics (SPEC §3): every value is a u64, arithmetic wraps modulo 2^64,
// BPF's run-time rules for x/0 and x mod 0. Used by lowering and by constant-folding passes.

import type { BinKind, Cond } from "./ir.ts";

const MASK = (1n << 64n) - 1n;

/** Normalise to the unsigned 64-bit representative. */
export const u64 = (x: bigint): bigint => x & MASK;
/** Reinterpret as signed 64-bit. */
export const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);

export function foldBin(kind: BinKind, a: bigint, b: bigint, w32 = false): bigint {
  if (w32) return foldBin32(kind, BigInt.asUintN(32, a), BigInt.asUintN(32, b));
  a = u64(a);
  b = u64(b);
  switch (kind) {
    case "add": return u64(a + b);
    case "sub": return u64(a - b);
    case "mul": return u64(a * b);
    case "udiv": return b === 0n ? 0n : a / b;
    case "umod": return b === 0n ? a : a % b;
    case "sdiv": {
      if (b === 0n) return 0n;
      return u64(s64(a) / s64(b)); // BigInt division truncates toward zero, as BPF sdiv
    }
    case "smod": {
      if (b === 0n) return a;
      return u64(s64(a) % s64(b)); // sign follows the dividend, as BPF smod
    }
    case "and": return a & b;
    case "or": return a | b;
    case "xor": return a ^ b;
    case "shl": return u64(a << (b & 63n));
    case "lshr": return a >> (b & 63n);
    case "ashr": return u64(s64(a) >> (b & 63n));
  }
}

/** 32-bit ALU semantics (ALU32): operands are the low 32 bits, shift counts mod 32, the sign is
 * bit 31, and the result is zero-extended to 64 bits. */
function foldBin32(kind: BinKind, a: bigint, b: bigint): bigint {
  const w = (x: bigint) => BigInt.asUintN(32, x);
  const s = (x: bigint) => BigInt.asIntN(32, x);
  switch (kind) {
    case "add": return w(a + b);
    case "sub": return w(a - b);
    case "mul": return w(a * b);
    case "udiv": return b === 0n ? 0n : a / b;
    case "umod": return b === 0n ? a : a % b;
    case "sdiv": return b === 0n ? 0n : w(s(a) / s(b));
    case "smod": return b === 0n ? a : w(s(a) % s(b));
    case "and": return a & b;
    case "or": return a | b;
    case "xor": return a ^ b;
    case "shl": return w(a << (b & 31n));
    case "lshr": return a >> (b & 31n);
    case "ashr": return w(s(a) >> (b & 31n));
  }
}

export function foldCond(cond: Cond, a: bigint, b: bigint, w32 = false): boolean {
  if (w32) {
    a = BigInt.asUintN(32, a);
    b = BigInt.asUintN(32, b);
  } else {
    a = u64(a);
    b = u64(b);
  }
  const sa = w32 ? BigInt.asIntN(32, a) : s64(a), sb = w32 ? BigInt.asIntN(32, b) : s64(b);
  switch (cond) {
    case "eq": return a === b;
    case "ne": return a !== b;
    case "ugt": return a > b;
    case "uge": return a >= b;
    case "ult": return a < b;
    case "ule": return a <= b;
    case "sgt": return sa > sb;
    case "sge": return sa >= sb;
    case "slt": return sa < sb;
    case "sle": return sa <= sb;
    case "set": return (a & b) !== 0n;
  }
}

/** Keep the low `bits` and zero- or sign-extend back to 64 bits. */
export function foldExt(a: bigint, bits: 8 | 16 | 32, signed: boolean): bigint {
  return signed ? u64(BigInt.asIntN(bits, a)) : BigInt.asUintN(bits, a);
}

/** Byte-swap the low `bits` (host little-endian to big-endian), result zero-extended. */
export function foldBswap(a: bigint, bits: 16 | 32 | 64): bigint {
  let out = 0n;
  for (let i = 0; i < bits / 8; i++) out = (out << 8n) | ((a >> BigInt(i * 8)) & 0xffn);
  return out;
}

/** floor(log2(x)) of the 64-bit value, 0 for 0. */
export function foldLog2(a: bigint): bigint {
  a = u64(a);
  let n = 0n;
  while (a > 1n) {
    a >>= 1n;
    n++;
  }
  return n;
}

/** The condition with operands swapped: a OP b == b SWAP(OP) a. */
export function swapCond(c: Cond): Cond {
  const m: Record<Cond, Cond> = {
    eq: "eq", ne: "ne", ugt: "ult", uge: "ule", ult: "ugt", ule: "uge", sgt: "slt", sge: "sle", slt: "sgt", sle: "sge", set: "set",
  };
  return m[c];
}

/** The negated condition (undefined for `set`, which has no BPF inverse). */
export function invertCond(c: Cond): Cond | undefined {
  const m: Partial<Record<Cond, Cond>> = {
    eq: "ne", ne: "eq", ugt: "ule", uge: "ult", ult: "uge", ule: "ugt", sgt: "sle", sge: "slt", slt: "sge", sle: "sgt",
  };
  return m[c];
}
