// Instruction records to text, in the syntax `llvm-objdump -d` prints for BPF
// (e.g. `r1 = *(u32 *)(r1 + 0x4)`, `if w1 s< -0x5 goto -0x2`, `lock *(u64 *)(r1 + 0x0) += r2`).
import { type Insn, slots } from "./insn.ts";
import { AluOp, AtomicOp, Class, JmpOp, Mode, Size, Src, isLdImm64, opClass } from "./opcodes.ts";

export interface FormatOptions {
  /**
   * Print 8/16/32-bit zero-extending loads and plain stores with w registers, as
   * `llvm-objdump --mcpu=v3` or later does (alu32). Default false: r registers, as plain
   * `llvm-objdump -d` (which knows only the `lock *(u32 *)(..) += rN` form of the 32-bit atomics;
   * the others print with w registers either way).
   */
  alu32?: boolean;
}

const UNKNOWN = "<unknown>";
/** BPF_JMP | 0xe0: the may_goto (JCOND) instruction; not in JmpOp since it takes no operands. */
const JCOND = 0xe0;

const hex = (n: number | bigint): string => (n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`);
const rel = (n: number): string => (n < 0 ? `-0x${(-n).toString(16)}` : `+0x${n.toString(16)}`);
const mem = (reg: number, off: number): string => `r${reg} ${off < 0 ? "-" : "+"} 0x${Math.abs(off).toString(16)}`;
const bits = (size: number): number => (size === Size.B ? 8 : size === Size.H ? 16 : size === Size.W ? 32 : 64);

const ALU_SYM: Record<number, string> = {
  [AluOp.add]: "+", [AluOp.sub]: "-", [AluOp.mul]: "*", [AluOp.div]: "/", [AluOp.or]: "|", [AluOp.and]: "&",
  [AluOp.lsh]: "<<", [AluOp.rsh]: ">>", [AluOp.mod]: "%", [AluOp.xor]: "^", [AluOp.arsh]: "s>>",
};
const JMP_SYM: Record<number, string> = {
  [JmpOp.jeq]: "==", [JmpOp.jgt]: ">", [JmpOp.jge]: ">=", [JmpOp.jset]: "&", [JmpOp.jne]: "!=", [JmpOp.jsgt]: "s>",
  [JmpOp.jsge]: "s>=", [JmpOp.jlt]: "<", [JmpOp.jle]: "<=", [JmpOp.jslt]: "s<", [JmpOp.jsle]: "s<=",
};
const ATOMIC_SYM: Record<number, string> = { [AtomicOp.add]: "+", [AtomicOp.or]: "|", [AtomicOp.and]: "&", [AtomicOp.xor]: "^" };
const ATOMIC_NAME: Record<number, string> = { [AtomicOp.add]: "add", [AtomicOp.or]: "or", [AtomicOp.and]: "and", [AtomicOp.xor]: "xor" };

function formatAlu(insn: Insn): string {
  const { code, dst, src, off, imm } = insn;
  const is64 = opClass(code) === Class.ALU64;
  const r = is64 ? "r" : "w";
  const op = code & 0xf0;
  const isX = (code & Src.X) !== 0;
  const operand = isX ? `${r}${src}` : hex(imm);
  switch (op) {
    case AluOp.end: {
      if (imm !== 16 && imm !== 32 && imm !== 64) return UNKNOWN;
      if (is64) return isX ? UNKNOWN : `r${dst} = bswap${imm} r${dst}`;
      return `r${dst} = ${isX ? "be" : "le"}${imm} r${dst}`;
    }
    case AluOp.neg:
      return isX ? UNKNOWN : `${r}${dst} = -${r}${dst}`;
    case AluOp.mov:
      if (off === 0) return `${r}${dst} = ${operand}`;
      if (!isX) return UNKNOWN;
      if (off === 8 || off === 16 || (is64 && off === 32)) return `${r}${dst} = (s${off})${r}${src}`;
      if (is64 && off === 1) return `r${dst} = addr_space_cast(r${src}, ${hex(imm >>> 16)}, ${hex(imm & 0xffff)})`;
      return UNKNOWN;
    case AluOp.div:
    case AluOp.mod:
      if (off !== 0 && off !== 1) return UNKNOWN;
      return `${r}${dst} ${off === 1 ? "s" : ""}${ALU_SYM[op]}= ${operand}`;
  }
  if (off !== 0 || !(op in ALU_SYM)) return UNKNOWN;
  return `${r}${dst} ${ALU_SYM[op]}= ${operand}`;
}

function formatJmp(insn: Insn): string {
  const { code, dst, src, off, imm } = insn;
  const w32 = opClass(code) === Class.JMP32;
  const op = code & 0xf0;
  const isX = (code & Src.X) !== 0;
  const note = insn.target !== undefined ? ` <${insn.target}>` : "";
  switch (op) {
    case JmpOp.ja:
      if (isX) return UNKNOWN;
      return w32 ? `gotol ${rel(imm)}${note}` : `goto ${rel(off)}${note}`;
    case JmpOp.call:
      if (w32) return UNKNOWN;
      return isX ? `callx r${dst}` : `call ${hex(imm)}${note}`;
    case JmpOp.exit:
      // llvm-objdump accepts exit only with every other field zero.
      return w32 || isX || dst !== 0 || src !== 0 || off !== 0 || imm !== 0 ? UNKNOWN : "exit";
    case JCOND:
      return w32 || isX ? UNKNOWN : `may_goto ${rel(off)}${note}`;
  }
  if (!(op in JMP_SYM)) return UNKNOWN;
  const r = w32 ? "w" : "r";
  return `if ${r}${dst} ${JMP_SYM[op]} ${isX ? `${r}${src}` : hex(imm)} goto ${rel(off)}${note}`;
}

function formatLd(insn: Insn): string {
  const { code, dst, src, imm } = insn;
  if (isLdImm64(code)) {
    const v = insn.imm64 ?? BigInt(imm);
    if (insn.map !== undefined) return `r${dst} = ${hex(BigInt.asIntN(64, v))} ll # map ${insn.map}`;
    if (src !== 0) return `ld_pseudo\tr${dst}, ${hex(src)}, ${hex(BigInt.asUintN(32, v))}`;
    return `r${dst} = ${hex(BigInt.asIntN(64, v))} ll`;
  }
  const size = code & 0x18;
  const mode = code & 0xe0;
  if (size === Size.DW) return UNKNOWN;
  const ty = `u${bits(size)}`;
  if (mode === Mode.ABS) return `r0 = *(${ty} *)skb[${hex(imm)}]`;
  // llvm-objdump drops a non-zero ld_ind imm; we show it (`skb[r1 + 0x4]`) so nothing is lost.
  if (mode === Mode.IND) return `r0 = *(${ty} *)skb[r${src}${imm === 0 ? "" : imm < 0 ? ` - ${hex(-imm)}` : ` + ${hex(imm)}`}]`;
  return UNKNOWN;
}

function formatMem(insn: Insn, alu32: boolean): string {
  const { code, dst, src, off, imm } = insn;
  const cls = opClass(code);
  const size = code & 0x18;
  const mode = code & 0xe0;
  const n = bits(size);
  const narrow = alu32 && size !== Size.DW ? "w" : "r";
  if (cls === Class.LDX) {
    if (mode === Mode.MEM) return `${narrow}${dst} = *(u${n} *)(${mem(src, off)})`;
    if (mode === Mode.MEMSX && size !== Size.DW) return `r${dst} = *(s${n} *)(${mem(src, off)})`;
    return UNKNOWN;
  }
  if (cls === Class.ST) return mode === Mode.MEM ? `*(u${n} *)(${mem(dst, off)}) = ${hex(imm)}` : UNKNOWN;
  if (mode === Mode.MEM) return `*(u${n} *)(${mem(dst, off)}) = ${narrow}${src}`;
  if (mode !== Mode.ATOMIC || (size !== Size.W && size !== Size.DW)) return UNKNOWN;
  // Without alu32, llvm-objdump only knows the legacy 32-bit `lock ... += rN` (XADDW) form.
  const r = size === Size.DW || (!alu32 && imm === AtomicOp.add) ? "r" : "w";
  if (imm === AtomicOp.xchg) return `${r}${src} = xchg${size === Size.W ? "32_32" : "_64"}(${mem(dst, off)}, ${r}${src})`;
  if (imm === AtomicOp.cmpxchg) return `${r}0 = cmpxchg${size === Size.W ? "32_32" : "_64"}(${mem(dst, off)}, ${r}0, ${r}${src})`;
  const base = imm & ~AtomicOp.fetch;
  if (!(base in ATOMIC_SYM)) return UNKNOWN;
  if (imm & AtomicOp.fetch) return `${r}${src} = atomic_fetch_${ATOMIC_NAME[base]}((u${n} *)(${mem(dst, off)}), ${r}${src})`;
  return `lock *(u${n} *)(${mem(dst, off)}) ${ATOMIC_SYM[base]}= ${r}${src}`;
}

/**
 * One instruction as text. Jumps carrying a `target` append ` <target>` as llvm-objdump does
 * for a symbol (the printed offset is `off`/`imm`, meaningful after layout). An ld_imm64 with
 * `map` prints `r1 = 0x0 ll # map NAME` (a comment, so the line still assembles). Encodings
 * llvm-objdump rejects print `<unknown>`.
 */
export function formatInsn(insn: Insn, opts: FormatOptions = {}): string {
  switch (opClass(insn.code)) {
    case Class.ALU:
    case Class.ALU64:
      return formatAlu(insn);
    case Class.JMP:
    case Class.JMP32:
      return formatJmp(insn);
    case Class.LD:
      return formatLd(insn);
    default:
      return formatMem(insn, opts.alu32 ?? false);
  }
}

/** A listing, one line per record: slot number (8-byte units, as llvm-objdump), tab, text. */
export function formatProgram(insns: Insn[], opts: FormatOptions = {}): string {
  const lines: string[] = [];
  let slot = 0;
  for (const insn of insns) {
    lines.push(`${String(slot).padStart(8)}:\t${formatInsn(insn, opts)}`);
    slot += slots(insn);
  }
  return lines.join("\n");
}
