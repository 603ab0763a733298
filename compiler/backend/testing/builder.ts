// Test helper: a small builder for hand-written IR functions (blocks, φs, instructions, slots)
// plus a printer of generated Items in llvm-objdump syntax with labels.
import type { BinKind, Block, BlockId, Cond, Function, Inst, Phi, Term, VReg, Width } from "../../ir.ts";
import type { Item } from "../../asm/insn.ts";
import { isLabel } from "../../asm/insn.ts";
import { formatInsn } from "../../asm/format.ts";

type NoSpan<T> = T extends unknown ? Omit<T, "span"> : never;
type InstNoDst = NoSpan<Inst> extends infer I ? I extends { dst: VReg } ? Omit<I, "dst"> : never : never;

export class FnBuilder {
  private blocks: Block[] = [];
  private slots: Function["slots"] = [];
  private next = 0;
  private cur = 0;

  constructor(private name = "f") {
    this.block();
  }

  /** A new block (the first one, created by the constructor, is the entry). Selects it. */
  block(): BlockId {
    const id = this.blocks.length;
    this.blocks.push({ id, phis: [], insts: [], term: { op: "ret", value: -1 } });
    this.cur = id;
    return id;
  }

  at(b: BlockId): this {
    this.cur = b;
    return this;
  }

  reg(): VReg {
    return this.next++;
  }

  slot(size: number, align: 1 | 2 | 4 | 8 = 8, name?: string): number {
    return this.slots.push({ size, align, ...(name ? { name } : {}) }) - 1;
  }

  /** An instruction with a result. */
  def(i: InstNoDst): VReg {
    const dst = this.reg();
    this.blocks[this.cur].insts.push({ ...i, dst } as Inst);
    return dst;
  }

  /** An instruction without a result (store, atomic without fetch, asm). */
  put(i: NoSpan<Inst>): void {
    this.blocks[this.cur].insts.push(i as Inst);
  }

  const(value: bigint | number): VReg {
    return this.def({ op: "const", value: BigInt(value) });
  }
  param(index = 0): VReg {
    return this.def({ op: "param", index });
  }
  bin(kind: BinKind, a: VReg, b: VReg, w32 = false): VReg {
    return this.def({ op: "bin", kind, a, b, ...(w32 ? { w32 } : {}) });
  }
  load(size: Width, base: VReg, off = 0, signed = false): VReg {
    return this.def({ op: "load", size, signed, base, off });
  }
  store(size: Width, base: VReg, off: number, value: VReg): void {
    this.put({ op: "store", size, base, off, value });
  }
  stack(slot: number): VReg {
    return this.def({ op: "stack", slot });
  }
  call(helper: number, ...args: VReg[]): VReg {
    return this.def({ op: "call", helper, args });
  }
  mapref(map: string): VReg {
    return this.def({ op: "mapref", map });
  }
  /** A φ in block `b` (filled in later with `args` per predecessor). */
  phi(b: BlockId, args: [BlockId, VReg][] = []): VReg {
    const dst = this.reg();
    this.blocks[b].phis.push({ dst, args: args.map(([block, value]) => ({ block, value })) });
    return dst;
  }
  phiArg(b: BlockId, dst: VReg, from: BlockId, value: VReg): void {
    const p = this.blocks[b].phis.find((x: Phi) => x.dst === dst)!;
    p.args.push({ block: from, value });
  }

  term(t: NoSpan<Term>): void {
    this.blocks[this.cur].term = t as Term;
  }
  ret(v: VReg): void {
    this.term({ op: "ret", value: v });
  }
  jmp(target: BlockId): void {
    this.term({ op: "jmp", target });
  }
  br(cond: Cond, a: VReg, b: VReg, then: BlockId, els: BlockId, w32 = false): void {
    this.term({ op: "br", cond, a, b, then, else: els, ...(w32 ? { w32 } : {}) });
  }

  build(): Function {
    return { name: this.name, blocks: this.blocks, slots: this.slots, nextReg: this.next };
  }
}

/** Items as text: labels as `NAME:`, instructions indented, jump targets by label. */
export function listing(items: Item[]): string {
  return items.map((it) => {
    if (isLabel(it)) return `${it.label}:`;
    const text = formatInsn(it);
    return "  " + (it.target ? text.replace(/goto [+-]0x[0-9a-f]+ <([^>]+)>/, "goto $1") : text);
  }).join("\n");
}
