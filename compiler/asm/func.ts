// Call constructors: helper calls by id, BPF-to-BPF calls by label, and kfunc calls by BTF id.
import { Class, JmpOp, Pseudo } from "./opcodes.ts";
import type { Insn } from "./insn.ts";
import { toS32 } from "./fields.ts";

/** `call helperId` (a kernel helper, e.g. 1 = bpf_map_lookup_elem). */
export const call = (helperId: number): Insn =>
  ({ code: Class.JMP | JmpOp.call, dst: 0, src: 0, off: 0, imm: toS32(helperId, "helper id") });

/** BPF-to-BPF call (src = Pseudo.CALL); layout() puts the slot offset to `target` in `imm`. */
export function callLocal(target: string): Insn {
  if (typeof target !== "string" || target === "") throw new RangeError(`call target must be a label name, got ${JSON.stringify(target)}`);
  return { code: Class.JMP | JmpOp.call, dst: 0, src: Pseudo.CALL, off: 0, imm: 0, target };
}

/** kfunc call (src = Pseudo.KFUNC_CALL) to the function with BTF id `btfId` (0 until relocated). */
export const callKfunc = (btfId: number): Insn =>
  ({ code: Class.JMP | JmpOp.call, dst: 0, src: Pseudo.KFUNC_CALL, off: 0, imm: toS32(btfId, "btf id") });
