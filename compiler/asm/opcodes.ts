// BPF opcode constants (from linux/bpf_common.h and linux/bpf.h), named for use in records.
// Nothing here depends on the rest of the compiler.

/** Instruction classes (low 3 bits of the opcode). */
export const Class = {
  LD: 0x00, LDX: 0x01, ST: 0x02, STX: 0x03, ALU: 0x04, JMP: 0x05, JMP32: 0x06, ALU64: 0x07,
} as const;

/** Load/store sizes (bits 3-4). */
export const Size = { W: 0x00, H: 0x08, B: 0x10, DW: 0x18 } as const;

/** Load/store modes (bits 5-7). */
export const Mode = { IMM: 0x00, ABS: 0x20, IND: 0x40, MEM: 0x60, MEMSX: 0x80, ATOMIC: 0xc0 } as const;

/** Operand source: immediate (K) or register (X). */
export const Src = { K: 0x00, X: 0x08 } as const;

/** ALU operations (bits 4-7). */
export const AluOp = {
  add: 0x00, sub: 0x10, mul: 0x20, div: 0x30, or: 0x40, and: 0x50, lsh: 0x60, rsh: 0x70,
  neg: 0x80, mod: 0x90, xor: 0xa0, mov: 0xb0, arsh: 0xc0, end: 0xd0,
} as const;
export type AluOpName = keyof typeof AluOp;

/** Jump operations (bits 4-7). */
export const JmpOp = {
  ja: 0x00, jeq: 0x10, jgt: 0x20, jge: 0x30, jset: 0x40, jne: 0x50, jsgt: 0x60, jsge: 0x70,
  call: 0x80, exit: 0x90, jlt: 0xa0, jle: 0xb0, jslt: 0xc0, jsle: 0xd0,
} as const;
export type JmpOpName = keyof typeof JmpOp;
/** Conditional jumps only. */
export type CondName = Exclude<JmpOpName, "ja" | "call" | "exit">;

/** BPF_END source bit: convert to little- or big-endian. BPF_ALU64|BPF_END (v4) is an unconditional bswap. */
export const Endian = { TO_LE: 0x00, TO_BE: 0x08 } as const;

/** Atomic operations, carried in imm of a BPF_STX|BPF_ATOMIC instruction. */
export const AtomicOp = {
  add: 0x00, or: 0x40, and: 0x50, xor: 0xa0,
  fetch: 0x01, xchg: 0xe1, cmpxchg: 0xf1,
} as const;

/** src_reg values of ld_imm64 and call. */
export const Pseudo = {
  MAP_FD: 1, MAP_VALUE: 2, BTF_ID: 3, FUNC: 4, MAP_IDX: 5, MAP_IDX_VALUE: 6,
  CALL: 1, KFUNC_CALL: 2,
} as const;

/** Registers. R10 is the read-only frame pointer. */
export const Reg = { R0: 0, R1: 1, R2: 2, R3: 3, R4: 4, R5: 5, R6: 6, R7: 7, R8: 8, R9: 9, R10: 10 } as const;
export const FP = 10;

/** Bytes for each memory size code, and back. */
export const sizeBytes = (size: number): 1 | 2 | 4 | 8 =>
  size === Size.B ? 1 : size === Size.H ? 2 : size === Size.W ? 4 : 8;
export const sizeCode = (bytes: number): number => {
  switch (bytes) {
    case 1: return Size.B;
    case 2: return Size.H;
    case 4: return Size.W;
    case 8: return Size.DW;
  }
  throw new RangeError(`No BPF access size for ${bytes} bytes`);
};

export const opClass = (code: number): number => code & 0x07;
export const isLdImm64 = (code: number): boolean => code === (Class.LD | Size.DW | Mode.IMM);
