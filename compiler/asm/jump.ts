// Jump constructors: unconditional (ja, v4 gotol), conditional (JMP and JMP32 classes) and exit.
// Targets are label names; layout() turns them into slot offsets.
import { Class, type CondName, JmpOp, Src } from "./opcodes.ts";
import type { Insn } from "./insn.ts";
import { type Imm, isImm } from "./alu.ts";
import { checkReg, toS32 } from "./fields.ts";

function checkTarget(target: string): string {
  if (typeof target !== "string" || target === "") throw new RangeError(`jump target must be a label name, got ${JSON.stringify(target)}`);
  return target;
}

/** `goto target` (BPF_JMP | BPF_JA, 16-bit slot offset in `off`). */
export const jmp = (target: string): Insn =>
  ({ code: Class.JMP | JmpOp.ja, dst: 0, src: 0, off: 0, imm: 0, target: checkTarget(target) });

/** v4 `gotol target` (BPF_JMP32 | BPF_JA, 32-bit slot offset in `imm`). */
export const gotol = (target: string): Insn =>
  ({ code: Class.JMP32 | JmpOp.ja, dst: 0, src: 0, off: 0, imm: 0, target: checkTarget(target) });

const CONDS: readonly string[] = ["jeq", "jgt", "jge", "jset", "jne", "jsgt", "jsge", "jlt", "jle", "jslt", "jsle"] satisfies CondName[];

/**
 * `if dst <cond> src goto target`. `src` is a register or `imm(n)`. With `w32` the comparison
 * uses the low 32 bits (BPF_JMP32 class).
 */
export function jcond(cond: CondName, dst: number, src: number | Imm, target: string, w32 = false): Insn {
  if (!CONDS.includes(cond)) throw new RangeError(`unknown jump condition ${JSON.stringify(cond)}`);
  const cls = w32 ? Class.JMP32 : Class.JMP;
  checkReg(dst, "dst");
  checkTarget(target);
  if (isImm(src)) return { code: cls | JmpOp[cond] | Src.K, dst, src: 0, off: 0, imm: toS32(src.imm), target };
  return { code: cls | JmpOp[cond] | Src.X, dst, src: checkReg(src, "src"), off: 0, imm: 0, target };
}

/** `exit`: return r0 to the caller. */
export const exit = (): Insn => ({ code: Class.JMP | JmpOp.exit, dst: 0, src: 0, off: 0, imm: 0 });
