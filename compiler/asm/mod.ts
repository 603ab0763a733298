// The BPF assembler: opcode constants, instruction records and constructors, encoding,
// decoding, llvm-objdump-style printing and label layout.
export * from "./opcodes.ts";
export * from "./insn.ts";
export * from "./alu.ts";
export * from "./jump.ts";
export * from "./func.ts";
export * from "./load_store.ts";
export * from "./raw.ts";
export * from "./encode.ts";
export * from "./decode.ts";
export * from "./format.ts";
export * from "./layout.ts";
