// The instruction record: one BPF instruction as plain data, with symbolic jump targets
// (resolved at layout) and the source position that produced it.

/** A source position carried by an instruction to the end (for -S and .BTF.ext line_info). */
export interface SourcePos {
  file: string;
  line: number; // 1-based
  col: number; // 1-based
  len?: number;
}

/**
 * One BPF instruction. `code`, `dst`, `src`, `off`, `imm` are the kernel's fields.
 * - ld_imm64 (`code` 0x18) is one record: the 64-bit constant is `imm64`; `imm` is ignored.
 * - `map` on an ld_imm64 names the map symbol it loads (src = Pseudo.MAP_FD); the object
 *   writer turns it into an R_BPF_64_64 relocation.
 * - `target` on a jump names a label; layout fills `off` (or `imm` for `gotol`).
 * - `core` marks a load/store whose `off` is a CO-RE field offset relocation.
 */
export interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
  imm64?: bigint;
  target?: string;
  map?: string;
  core?: CoreAccess;
  pos?: SourcePos;
}

/** A CO-RE field access: BTF type name of the root struct and the access path ("0:1"). */
export interface CoreAccess {
  typeName: string;
  accessStr: string;
  kind: "field_byte_offset";
}

/** A label in an instruction stream. */
export interface Label {
  label: string;
}

export type Item = Insn | Label;

export const isLabel = (item: Item): item is Label => (item as Label).label !== undefined;

/** Number of 8-byte slots an instruction occupies (2 for ld_imm64). */
export const slots = (insn: Insn): 1 | 2 => (insn.code === 0x18 ? 2 : 1);
