// The `asm` escape hatch: an instruction from raw fields, range-checked like everything else.
import type { Insn } from "./insn.ts";
import { isLdImm64 } from "./opcodes.ts";
import { checkOff, checkReg, toS32, toU64 } from "./fields.ts";

/**
 * An instruction from its kernel fields. For ld_imm64 (code 0x18) `imm` is the full 64-bit
 * constant (number or bigint) and goes to `imm64`; otherwise it must fit in 32 bits.
 */
export function raw(code: number, dst: number, src: number, off: number, imm: number | bigint): Insn {
  if (!Number.isInteger(code) || code < 0 || code > 0xff) throw new RangeError(`code must be a byte 0..255, got ${code}`);
  const fields = { code, dst: checkReg(dst, "dst"), src: checkReg(src, "src"), off: checkOff(off) };
  if (isLdImm64(code)) return { ...fields, imm: 0, imm64: toU64(BigInt(imm)) };
  if (typeof imm === "bigint") {
    if (imm < -0x80000000n || imm > 0xffffffffn) throw new RangeError(`imm must fit in 32 bits (signed or unsigned), got ${imm}`);
    imm = Number(imm);
  }
  return { ...fields, imm: toS32(imm) };
}
