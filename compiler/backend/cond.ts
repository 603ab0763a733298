// Branch conditions: IR conditions to BPF jump operations, and the equivalent forms (inverted,
// operands swapped) that block layout may choose from, given which jumps the CPU version has.
import type { Cond } from "../ir.ts";
import type { CondName } from "../asm/opcodes.ts";

export const JUMP_OF: Record<Cond, CondName> = {
  eq: "jeq", ne: "jne", ugt: "jgt", uge: "jge", ult: "jlt", ule: "jle",
  sgt: "jsgt", sge: "jsge", slt: "jslt", sle: "jsle", set: "jset",
};

/** The condition that holds exactly when `c` does not (jset has none). */
export const INVERSE: Partial<Record<CondName, CondName>> = {
  jeq: "jne", jne: "jeq", jgt: "jle", jle: "jgt", jge: "jlt", jlt: "jge",
  jsgt: "jsle", jsle: "jsgt", jsge: "jslt", jslt: "jsge",
};

/** `a c b` ⇔ `b SWAPPED[c] a`. */
export const SWAPPED: Record<CondName, CondName> = {
  jeq: "jeq", jne: "jne", jgt: "jlt", jlt: "jgt", jge: "jle", jle: "jge",
  jsgt: "jslt", jslt: "jsgt", jsge: "jsle", jsle: "jsge", jset: "jset",
};

/** The less-than family arrived with -mcpu=v2. */
export const available = (c: CondName, cpu: number): boolean =>
  cpu >= 2 || !(c === "jlt" || c === "jle" || c === "jslt" || c === "jsle");
