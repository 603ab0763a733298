// Instruction records to kernel bytes: little-endian, 8 bytes per slot, ld_imm64 in two slots.
// Every field is range-checked; a bad one throws a RangeError naming the instruction.
import { type Insn, slots } from "./insn.ts";
import { isLdImm64 } from "./opcodes.ts";
import { checkOff, checkReg, toS32, toU64 } from "./fields.ts";

/** Byte offset of each record in the encoded program (ld_imm64 takes 16 bytes). */
export function byteOffsets(insns: Insn[]): number[] {
  const out: number[] = [];
  let at = 0;
  for (const insn of insns) {
    out.push(at);
    at += 8 * slots(insn);
  }
  return out;
}

/** Encode records to bytes. Immediates may be given signed or unsigned; both encode the same. */
export function encode(insns: Insn[]): Uint8Array {
  const total = insns.reduce((n, insn) => n + 8 * slots(insn), 0);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  let at = 0;
  insns.forEach((insn, i) => {
    try {
      const { code } = insn;
      if (!Number.isInteger(code) || code < 0 || code > 0xff) throw new RangeError(`code must be a byte 0..255, got ${code}`);
      const dst = checkReg(insn.dst, "dst");
      const src = checkReg(insn.src, "src");
      const off = checkOff(insn.off);
      view.setUint8(at, code);
      view.setUint8(at + 1, (src << 4) | dst);
      view.setInt16(at + 2, off, true);
      if (isLdImm64(code)) {
        if (insn.imm64 === undefined) throw new RangeError(`ld_imm64 needs imm64`);
        const v = toU64(insn.imm64);
        view.setUint32(at + 4, Number(v & 0xffffffffn), true);
        view.setUint32(at + 12, Number(v >> 32n), true); // second slot: code/regs/off stay 0
      } else {
        view.setInt32(at + 4, toS32(insn.imm), true);
      }
    } catch (e) {
      if (e instanceof RangeError) {
        const code = typeof insn.code === "number" ? `0x${insn.code.toString(16).padStart(2, "0")}` : String(insn.code);
        throw new RangeError(`instruction ${i} (code ${code}): ${e.message}`);
      }
      throw e;
    }
    at += 8 * slots(insn);
  });
  return bytes;
}
