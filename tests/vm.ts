// Test utility: a BPF interpreter over instruction records (symbolic labels) in tests/ir_interp.ts's world,
// rejecting what the verifier would: reads of unset registers (R1–R5 poisoned by calls), R10 writes.
import { type Insn, type Item, isLabel } from "../compiler/asm/insn.ts";
import { AluOp, AtomicOp, Class, JmpOp, Mode, Pseudo, Size, Src, opClass, sizeBytes } from "../compiler/asm/opcodes.ts";
import { CTX_BASE, ProgramAbort, type World } from "./ir_interp.ts";

export const STACK_BASE = 0x4000_0000n;
export const STACK_SIZE = 512;

const U64 = (x: bigint): bigint => BigInt.asUintN(64, x);
const POISON = 0xdead_beef_dead_beefn;

export interface VmOptions {
  maxSteps?: number;
}

export interface VmResult {
  ret: bigint;
  steps: number;
}

/** Execute a program. Throws on anything the kernel would reject or fault on. */
export function runVm(items: Item[], world: World, opts: VmOptions = {}): VmResult {
  const prog: Insn[] = [];
  const labels = new Map<string, number>();
  for (const it of items) {
    if (isLabel(it)) {
      if (labels.has(it.label)) throw new Error(`duplicate label ${it.label}`);
      labels.set(it.label, prog.length);
    } else prog.push(it);
  }
  world.mem.add({ name: "stack", base: STACK_BASE, bytes: new Uint8Array(STACK_SIZE), written: new Uint8Array(STACK_SIZE) });
  const regs: bigint[] = new Array(11).fill(POISON);
  const init: boolean[] = new Array(11).fill(false);
  regs[1] = CTX_BASE;
  init[1] = true;
  regs[10] = STACK_BASE + BigInt(STACK_SIZE);
  init[10] = true;

  const rd = (r: number, pc: number): bigint => {
    if (r < 0 || r > 10) throw new Error(`pc ${pc}: bad register r${r}`);
    if (!init[r]) throw new Error(`pc ${pc}: read of uninitialised r${r}`);
    return regs[r];
  };
  const wr = (r: number, v: bigint, pc: number) => {
    if (r === 10) throw new Error(`pc ${pc}: write to r10 (frame pointer is read-only)`);
    if (r < 0 || r > 10) throw new Error(`pc ${pc}: bad register r${r}`);
    regs[r] = U64(v);
    init[r] = true;
  };
  const clobber = () => {
    for (let r = 1; r <= 5; r++) {
      regs[r] = POISON;
      init[r] = false;
    }
  };
  const checkStack = (addr: bigint, size: number, pc: number) => {
    if (addr >= STACK_BASE && addr < STACK_BASE + BigInt(STACK_SIZE) && size === 8 && addr % 8n !== 0n) {
      throw new Error(`pc ${pc}: misaligned 8-byte stack access`);
    }
  };
  const jumpTo = (insn: Insn, pc: number): number => {
    if (insn.target !== undefined) {
      const at = labels.get(insn.target);
      if (at === undefined) throw new Error(`pc ${pc}: unknown label ${insn.target}`);
      return at;
    }
    return pc + 1 + insn.off;
  };

  let pc = 0;
  let steps = 0;
  const limit = opts.maxSteps ?? 1_000_000;
  try {
    for (;;) {
      if (pc < 0 || pc >= prog.length) throw new Error(`pc ${pc}: fell off the program`);
      if (++steps > limit) throw new Error("step limit exceeded");
      const insn = prog[pc];
      const { code, dst, src, off, imm } = insn;
      const cls = opClass(code);
      switch (cls) {
        case Class.ALU:
        case Class.ALU64: {
          const is64 = cls === Class.ALU64;
          const op = code & 0xf0;
          const bits = is64 ? 64 : 32;
          const trunc = (x: bigint) => BigInt.asUintN(bits, x);
          const sgn = (x: bigint) => BigInt.asIntN(bits, x);
          if (op === AluOp.end) {
            const v = rd(dst, pc);
            if (imm !== 16 && imm !== 32 && imm !== 64) throw new Error(`pc ${pc}: bad byte swap width ${imm}`);
            const swap = is64 || (code & 0x08) !== 0; // ALU64 = bswap, ALU|TO_BE = swap on little endian
            let r = 0n;
            if (swap) for (let i = 0; i < imm; i += 8) r = (r << 8n) | ((v >> BigInt(i)) & 0xffn);
            else r = BigInt.asUintN(imm, v);
            wr(dst, r, pc);
            break;
          }
          const srcVal = (code & Src.X) ? rd(src, pc) : U64(BigInt(imm)); // K: imm sign-extended
          if (op === AluOp.mov) {
            let v = srcVal;
            if (off !== 0) {
              if (!(code & Src.X) || ![8, 16, 32].includes(off)) throw new Error(`pc ${pc}: bad movsx`);
              v = BigInt.asIntN(off, v);
            }
            wr(dst, trunc(v), pc);
            break;
          }
          const a = trunc(rd(dst, pc));
          const b = trunc(srcVal);
          const signedDiv = off === 1;
          if (off !== 0 && !((op === AluOp.div || op === AluOp.mod) && off === 1)) throw new Error(`pc ${pc}: bad ALU off ${off}`);
          if (!(code & Src.X) && (op === AluOp.div || op === AluOp.mod) && imm === 0) throw new Error(`pc ${pc}: division by zero immediate`);
          if (!(code & Src.X) && (op === AluOp.lsh || op === AluOp.rsh || op === AluOp.arsh) && (imm < 0 || imm >= bits)) {
            throw new Error(`pc ${pc}: invalid shift ${imm}`);
          }
          const sh = b & BigInt(bits - 1);
          let r: bigint;
          switch (op) {
            case AluOp.add: r = a + b; break;
            case AluOp.sub: r = a - b; break;
            case AluOp.mul: r = a * b; break;
            case AluOp.div: r = b === 0n ? 0n : signedDiv ? sgn(a) / sgn(b) : a / b; break;
            case AluOp.mod: r = b === 0n ? a : signedDiv ? sgn(a) % sgn(b) : a % b; break;
            case AluOp.or: r = a | b; break;
            case AluOp.and: r = a & b; break;
            case AluOp.xor: r = a ^ b; break;
            case AluOp.lsh: r = a << sh; break;
            case AluOp.rsh: r = a >> sh; break;
            case AluOp.arsh: r = sgn(a) >> sh; break;
            case AluOp.neg: r = -a; break;
            default: throw new Error(`pc ${pc}: unknown ALU op 0x${op.toString(16)}`);
          }
          wr(dst, trunc(r), pc);
          break;
        }
        case Class.JMP:
        case Class.JMP32: {
          const op = code & 0xf0;
          if (op === JmpOp.ja) {
            pc = jumpTo(insn, pc);
            continue;
          }
          if (op === JmpOp.exit) return { ret: rd(0, pc), steps };
          if (op === JmpOp.call) {
            const n = world.arity(imm);
            const args = Array.from({ length: n }, (_, k) => rd(k + 1, pc));
            const r = world.call(imm, args);
            clobber();
            wr(0, r, pc);
            break;
          }
          const w32 = cls === Class.JMP32;
          const bits = w32 ? 32 : 64;
          const a = rd(dst, pc);
          const b = (code & Src.X) ? rd(src, pc) : U64(BigInt(imm));
          const ua = BigInt.asUintN(bits, a), ub = BigInt.asUintN(bits, b);
          const sa = BigInt.asIntN(bits, a), sb = BigInt.asIntN(bits, b);
          let taken: boolean;
          switch (op) {
            case JmpOp.jeq: taken = ua === ub; break;
            case JmpOp.jne: taken = ua !== ub; break;
            case JmpOp.jgt: taken = ua > ub; break;
            case JmpOp.jge: taken = ua >= ub; break;
            case JmpOp.jlt: taken = ua < ub; break;
            case JmpOp.jle: taken = ua <= ub; break;
            case JmpOp.jsgt: taken = sa > sb; break;
            case JmpOp.jsge: taken = sa >= sb; break;
            case JmpOp.jslt: taken = sa < sb; break;
            case JmpOp.jsle: taken = sa <= sb; break;
            case JmpOp.jset: taken = (ua & ub) !== 0n; break;
            default: throw new Error(`pc ${pc}: unknown jump op 0x${op.toString(16)}`);
          }
          if (taken) {
            pc = jumpTo(insn, pc);
            continue;
          }
          break;
        }
        case Class.LD: {
          if (code === (Class.LD | Size.DW | Mode.IMM)) {
            if (insn.map !== undefined) {
              if (src !== Pseudo.MAP_FD) throw new Error(`pc ${pc}: map load without src = MAP_FD`);
              wr(dst, world.mapHandle(insn.map), pc);
            } else wr(dst, insn.imm64 ?? BigInt(imm), pc);
            break;
          }
          const mode = code & 0xe0;
          const size = sizeBytes(code & 0x18);
          if (mode !== Mode.ABS && mode !== Mode.IND) throw new Error(`pc ${pc}: bad LD mode`);
          if (rd(6, pc) !== CTX_BASE) throw new Error(`pc ${pc}: ld_abs/ld_ind needs the context in r6`);
          const at = mode === Mode.ABS ? BigInt(imm) : BigInt.asIntN(32, rd(src, pc) + BigInt(imm));
          const v = world.packetLoad(at, size);
          clobber();
          wr(0, v, pc);
          break;
        }
        case Class.LDX: {
          const mode = code & 0xe0;
          const size = sizeBytes(code & 0x18);
          const addr = U64(rd(src, pc) + BigInt(off));
          checkStack(addr, size, pc);
          const v = world.mem.load(addr, size);
          if (mode === Mode.MEM) wr(dst, v, pc);
          else if (mode === Mode.MEMSX && size < 8) wr(dst, BigInt.asIntN(8 * size, v), pc);
          else throw new Error(`pc ${pc}: bad LDX mode`);
          break;
        }
        case Class.ST:
        case Class.STX: {
          const mode = code & 0xe0;
          const size = sizeBytes(code & 0x18);
          const addr = U64(rd(dst, pc) + BigInt(off));
          checkStack(addr, size, pc);
          if (cls === Class.ST) {
            if (mode !== Mode.MEM) throw new Error(`pc ${pc}: bad ST mode`);
            world.mem.store(addr, size, U64(BigInt(imm)));
          } else if (mode === Mode.MEM) {
            world.mem.store(addr, size, rd(src, pc));
          } else if (mode === Mode.ATOMIC) {
            if (size !== 4 && size !== 8) throw new Error(`pc ${pc}: bad atomic size`);
            const old = world.mem.load(addr, size);
            const val = BigInt.asUintN(8 * size, rd(src, pc));
            const base = imm & ~AtomicOp.fetch;
            if (imm === AtomicOp.cmpxchg) {
              const expect = BigInt.asUintN(8 * size, rd(0, pc));
              if (old === expect) world.mem.store(addr, size, val);
              wr(0, old, pc);
            } else if (imm === AtomicOp.xchg) {
              world.mem.store(addr, size, val);
              wr(src, old, pc);
            } else {
              let nv: bigint;
              switch (base) {
                case AtomicOp.add: nv = old + val; break;
                case AtomicOp.and: nv = old & val; break;
                case AtomicOp.or: nv = old | val; break;
                case AtomicOp.xor: nv = old ^ val; break;
                default: throw new Error(`pc ${pc}: bad atomic op ${imm}`);
              }
              world.mem.store(addr, size, BigInt.asUintN(8 * size, nv));
              if (imm & AtomicOp.fetch) wr(src, old, pc);
            }
          } else throw new Error(`pc ${pc}: bad STX mode`);
          break;
        }
        default:
          throw new Error(`pc ${pc}: unknown class`);
      }
      pc++;
    }
  } catch (e) {
    if (e instanceof ProgramAbort) return { ret: 0n, steps };
    throw e;
  }
}

