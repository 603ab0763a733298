// MIR cleanup before register allocation: delete instructions whose results are never read
// (unused parameters and call results, values only needed by removed code).
import { Class, opClass } from "../asm/opcodes.ts";
import { type MFunction, type MInst, instDefs, instUses, termUses } from "./mir.ts";

/** Pure instructions: removable when nothing reads what they write. */
function removable(mi: MInst): boolean {
  if (mi.idefs || mi.iuses || mi.dstRole === "none" || mi.dstRole === "use") return false;
  const cls = opClass(mi.insn.code);
  return cls === Class.ALU || cls === Class.ALU64 || cls === Class.LDX || mi.insn.code === 0x18;
}

/**
 * Mark and sweep: an instruction is needed when it has effects or writes a register that a
 * needed instruction (or a terminator) reads. Flow-insensitive, so linear in program size.
 */
export function removeDeadCode(mf: MFunction): void {
  const needed = new Uint8Array(mf.nextReg);
  const defsOf: MInst[][] = Array.from({ length: mf.nextReg }, () => []);
  const work: number[] = [];
  const need = (r: number) => {
    if (!needed[r]) {
      needed[r] = 1;
      work.push(r);
    }
  };
  const live = new Set<MInst>();
  const keep = (mi: MInst) => {
    if (live.has(mi)) return;
    live.add(mi);
    for (const r of instUses(mi)) need(r);
  };
  for (const b of mf.blocks) {
    for (const mi of b.insts) {
      for (const r of instDefs(mi)) defsOf[r].push(mi);
      if (!removable(mi)) keep(mi);
    }
    for (const r of termUses(b.term)) need(r);
  }
  while (work.length) for (const mi of defsOf[work.pop()!]) keep(mi);
  for (const b of mf.blocks) b.insts = b.insts.filter((mi) => live.has(mi));
}
