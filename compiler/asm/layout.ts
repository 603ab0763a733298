// Layout: drop labels from an instruction stream and resolve symbolic jump and call targets
// into slot offsets (8-byte units, relative to the next instruction, ld_imm64 counting 2).
import { type Insn, type Item, isLabel, slots } from "./insn.ts";
import { Class, JmpOp, Pseudo, Src, opClass } from "./opcodes.ts";

export interface LayoutOptions {
  /**
   * Target CPU version (default 3). With 4, an unconditional `goto` whose offset does not fit in
   * 16 bits is rewritten as `gotol` (same size, 32-bit offset). Otherwise it is an error.
   */
  cpu?: 1 | 2 | 3 | 4;
}

const S16_MIN = -0x8000;
const S16_MAX = 0x7fff;
const JA = Class.JMP | JmpOp.ja;
const GOTOL = Class.JMP32 | JmpOp.ja;
const CALL = Class.JMP | JmpOp.call | Src.K;

/**
 * Resolve every `target`. Returns fresh records without labels; `pos`, `map`, `core` and
 * `target` are kept (`target` only for printing: the offset is already in `off`, or in `imm` for
 * `gotol` and local calls). Throws an Error naming the label for an unknown or duplicate label,
 * a target on an instruction that cannot jump, or an offset out of range.
 */
export function layout(items: Item[], opts: LayoutOptions = {}): Insn[] {
  const cpu = opts.cpu ?? 3;
  const labels = new Map<string, number>();
  let slot = 0;
  for (const item of items) {
    if (isLabel(item)) {
      if (labels.has(item.label)) throw new Error(`duplicate label ${JSON.stringify(item.label)}`);
      labels.set(item.label, slot);
    } else {
      slot += slots(item);
    }
  }

  const out: Insn[] = [];
  slot = 0;
  for (const item of items) {
    if (isLabel(item)) continue;
    const insn: Insn = { ...item };
    slot += slots(insn);
    out.push(insn);
    if (insn.target === undefined) continue;
    const dest = labels.get(insn.target);
    if (dest === undefined) throw new Error(`unknown label ${JSON.stringify(insn.target)}`);
    const delta = dest - slot; // relative to the instruction after this one
    const cls = opClass(insn.code);
    const op = insn.code & 0xf0;
    if (insn.code === GOTOL || (insn.code === CALL && insn.src === Pseudo.CALL)) {
      insn.imm = delta;
    } else if ((cls === Class.JMP || cls === Class.JMP32) && op !== JmpOp.call && op !== JmpOp.exit) {
      if (delta >= S16_MIN && delta <= S16_MAX) {
        insn.off = delta;
      } else if (insn.code === JA && cpu >= 4) {
        Object.assign(insn, { code: GOTOL, off: 0, imm: delta });
      } else {
        throw new Error(`jump to label ${JSON.stringify(insn.target)} is ${delta} slots away, beyond the 16-bit offset range` +
          (insn.code === JA ? " (use cpu: 4 to relax it to gotol)" : ""));
      }
    } else {
      throw new Error(`instruction with code 0x${insn.code.toString(16)} cannot have a target (label ${JSON.stringify(insn.target)})`);
    }
  }
  return out;
}
