// Range checks for instruction fields, shared by the constructors and the encoder.
// Every check throws a RangeError naming the field and the offending value.

/** Check a register number (r0..r10) and return it. */
export function checkReg(reg: number, what = "register"): number {
  if (!Number.isInteger(reg) || reg < 0 || reg > 10) {
    throw new RangeError(`${what} must be a register 0..10, got ${reg}`);
  }
  return reg;
}

/** Check a 16-bit signed offset and return it. */
export function checkOff(off: number, what = "off"): number {
  if (!Number.isInteger(off) || off < -0x8000 || off > 0x7fff) {
    throw new RangeError(`${what} must be a signed 16-bit integer, got ${off}`);
  }
  return off;
}

/**
 * Check a 32-bit immediate. Accepts the signed range and the unsigned range
 * (-2^31 .. 2^32-1) and normalises to signed (0xffffffff becomes -1).
 */
export function toS32(imm: number, what = "imm"): number {
  if (!Number.isInteger(imm) || imm < -0x80000000 || imm > 0xffffffff) {
    throw new RangeError(`${what} must fit in 32 bits (signed or unsigned), got ${imm}`);
  }
  return imm | 0;
}

/** Check a 64-bit immediate (-2^63 .. 2^64-1) and normalise to unsigned 64-bit. */
export function toU64(value: bigint, what = "imm64"): bigint {
  if (typeof value !== "bigint" || value < -(1n << 63n) || value >= 1n << 64n) {
    throw new RangeError(`${what} must fit in 64 bits (signed or unsigned), got ${value}`);
  }
  return BigInt.asUintN(64, value);
}
