// The `asm` escape hatch: (asm opcode dst src off imm) emits one raw instruction.

import type { FormHandler } from "./lower.ts";
import { spanOf } from "./sexp.ts";

const range = (v: bigint, lo: bigint, hi: bigint) => v >= lo && v <= hi;

export const ASM_OPS: Record<string, FormHandler> = {
  asm: (L, form, args) => {
    if (args.length !== 5) L.error(`"asm" takes 5 arguments (opcode dst src off imm), got ${args.length}`, spanOf(form));
    const names = ["opcode", "dst register", "src register", "offset", "immediate"];
    const [code, dst, src, off, imm] = args.map((a, i) => {
      const c = L.constValue(a.d);
      if (c === undefined) L.error(`The ${names[i]} of asm must be a compile-time constant`, a.span);
      return BigInt.asIntN(64, c!);
    });
    if (!range(code, 0n, 255n)) L.error(`asm opcode ${code} is out of range (0 to 255)`, args[0].span);
    if (!range(dst, 0n, 10n)) L.error(`asm dst register ${dst} is out of range (0 to 10)`, args[1].span);
    if (!range(src, 0n, 10n)) L.error(`asm src register ${src} is out of range (0 to 10)`, args[2].span);
    if (!range(off, -32768n, 32767n)) L.error(`asm offset ${off} is out of range (-32768 to 32767)`, args[3].span);
    if (!range(imm, -(1n << 31n), (1n << 32n) - 1n)) L.error(`asm immediate ${imm} does not fit 32 bits`, args[4].span);
    if (code === 0x18n) L.error("asm cannot emit ld_imm64 (opcode 0x18): it takes two slots", args[0].span);
    L.emit({ op: "asm", code: Number(code), dstReg: Number(dst), srcReg: Number(src), off: Number(off), imm: Number(BigInt.asIntN(32, imm)) });
    return L.const(0n);
  },
};
