// Kernel bytes back to instruction records: the inverse of encode().
// ld_imm64 becomes one record whose imm64 is the unsigned 64-bit constant (imm is 0).
import type { Insn } from "./insn.ts";
import { isLdImm64 } from "./opcodes.ts";

/**
 * Decode a program. Register nibbles are returned as found (not range-checked); the length must
 * be a multiple of 8 and an ld_imm64's second slot must have code, registers and off all zero,
 * otherwise a RangeError is thrown.
 */
export function decode(bytes: Uint8Array): Insn[] {
  if (bytes.length % 8 !== 0) throw new RangeError(`BPF program length ${bytes.length} is not a multiple of 8`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Insn[] = [];
  for (let at = 0; at < bytes.length; at += 8) {
    const code = view.getUint8(at);
    const regs = view.getUint8(at + 1);
    const insn: Insn = { code, dst: regs & 0x0f, src: regs >> 4, off: view.getInt16(at + 2, true), imm: view.getInt32(at + 4, true) };
    if (isLdImm64(code)) {
      const slot = at / 8;
      if (at + 16 > bytes.length) throw new RangeError(`ld_imm64 at slot ${slot} is truncated`);
      if (view.getUint32(at + 8, true) !== 0) throw new RangeError(`ld_imm64 at slot ${slot} has a non-zero second slot header`);
      const lo = BigInt(view.getUint32(at + 4, true));
      const hi = BigInt(view.getUint32(at + 12, true));
      insn.imm = 0;
      insn.imm64 = (hi << 32n) | lo;
      at += 8;
    }
    out.push(insn);
  }
  return out;
}
