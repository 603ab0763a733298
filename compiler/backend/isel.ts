// Instruction selection: SSA IR → MIR over virtual registers. φs become edge copies, constants and
// frame addresses are recreated at uses, fixed registers (R1.. args, R0 result, R6 ld_abs) become copies.
import type { Block, BlockId, Function, Inst, Term, VReg } from "../ir.ts";
import type { Span } from "../diag.ts";
import { reversePostOrder, successors } from "../ir.ts";
import type { SourcePos } from "../asm/insn.ts";
import type { CondName } from "../asm/opcodes.ts";
import { fail } from "../diag.ts";
import { type FrameObject, type MBlock, type MFunction, type MInst, type MTerm, FP, VREG_BASE } from "./mir.ts";
import * as M from "./minst.ts";
import { type EdgeCopies, type PhiCopy, phiEdges, sequentialize } from "./out_of_ssa.ts";
import { type Remat, type ValueFacts, analyzeValues, cheapConst } from "./values.ts";
import { fitsS32, foldCond } from "./fold.ts";
import { JUMP_OF, SWAPPED } from "./cond.ts";
import { selectInst } from "./isel_inst.ts";

export interface IselOptions {
  cpu: 1 | 2 | 3 | 4;
}

export const toPos = (s?: Span): SourcePos | undefined => (s ? { file: s.file, line: s.line, col: s.col, len: s.len } : undefined);

/** Per-function selection state shared with the instruction lowering in isel_inst.ts. */
export class Selector {
  readonly blocks: MBlock[] = [];
  readonly frame: FrameObject[];
  readonly facts: ValueFacts;
  nextReg: number;
  /** Instructions of the block being selected. */
  cur: MInst[] = [];
  /** Span of the IR record being selected (copied to every instruction made for it). */
  span?: Span;

  constructor(readonly fn: Function, readonly opts: IselOptions, rpoBlocks: Block[]) {
    this.facts = analyzeValues(rpoBlocks);
    let max = fn.nextReg;
    for (const b of fn.blocks) {
      for (const p of b.phis) max = Math.max(max, p.dst + 1);
      for (const i of b.insts) if ("dst" in i && i.dst !== undefined) max = Math.max(max, i.dst + 1);
    }
    this.nextReg = VREG_BASE + max;
    this.frame = fn.slots.map((s, i) => ({ size: s.size, align: s.align, name: s.name ?? `slot${i}`, spill: false }));
  }

  fresh(): number {
    return this.nextReg++;
  }

  vr(v: VReg): number {
    return VREG_BASE + v;
  }

  emit(mi: MInst): void {
    const pos = toPos(this.span);
    if (pos) mi.insn.pos = pos;
    this.cur.push(mi);
  }

  /** How `v` is recreated at a use, or undefined when it lives in a register. */
  rematOf(v: VReg): Remat | undefined {
    const r = this.facts.remat.get(v);
    if (r?.k === "const" && !cheapConst(r.value) && (this.facts.useCount.get(v) ?? 0) >= 2) return undefined;
    return r;
  }

  constOf(v: VReg): bigint | undefined {
    const r = this.facts.remat.get(v);
    return r?.k === "const" ? r.value : undefined;
  }

  /** `v` as a K-form immediate (64-bit sign-extended, or the low 32 bits for 32-bit operations). */
  immOf(v: VReg, w32: boolean): number | undefined {
    const c = this.constOf(v);
    if (c === undefined) return undefined;
    if (w32) return Number(BigInt.asIntN(32, c));
    return fitsS32(c) ? Number(BigInt.asIntN(64, c)) : undefined;
  }

  /** The stack slot (and offset) `v` addresses, if it is a frame address. */
  stackOf(v: VReg): { slot: number; off: number } | undefined {
    const r = this.facts.remat.get(v);
    return r?.k === "stack" ? r : undefined;
  }

  useSlot(slot: number): void {
    if (!this.frame[slot]) throw new Error(`internal: stack slot ${slot} does not exist in ${this.fn.name}`);
  }

  loadConst(into: number, c: bigint): void {
    if (fitsS32(c)) this.emit(M.movK(into, Number(BigInt.asIntN(64, c))));
    else if (BigInt.asUintN(64, c) <= 0xffffffffn) this.emit(M.movK(into, Number(BigInt.asIntN(32, c)), true));
    else this.emit(M.ldImm64(into, c));
  }

  /** Put the value of `v` into register `into`. */
  materializeInto(v: VReg, into: number): void {
    const r = this.rematOf(v);
    if (!r) this.emit(M.copy(into, this.vr(v)));
    else if (r.k === "const") this.loadConst(into, r.value);
    else if (r.k === "map") this.emit(M.ldMapFd(into, r.name));
    else {
      this.useSlot(r.slot);
      this.emit(M.copy(into, FP));
      const add = M.aluK("add", false, into, 0);
      add.frame = { slot: r.slot, off: r.off, field: "imm" };
      this.emit(add);
    }
  }

  /**
   * The two-address input for a result computed in `d` from `a`: the register holding `a`, or
   * undefined after loading a rematerialised `a` into `d` itself.
   */
  tiedInput(a: VReg, d: number): number | undefined {
    if (!this.rematOf(a)) return this.vr(a);
    this.materializeInto(a, d);
    return undefined;
  }

  /** A register holding `v` (a fresh one when it has to be rematerialised). */
  operand(v: VReg): number {
    if (!this.rematOf(v)) return this.vr(v);
    const t = this.fresh();
    this.materializeInto(v, t);
    return t;
  }

  /** Emit a parallel copy (φ copies of one edge). */
  parallelCopy(copies: PhiCopy[]): void {
    const seq = sequentialize(copies.map((c) => ({ dst: this.vr(c.dst), src: c.src })),
      (s) => (this.rematOf(s) ? undefined : this.vr(s)), () => this.fresh());
    for (const m of seq) {
      this.span = copies.find((c) => this.vr(c.dst) === m.dst)?.span ?? this.span;
      if ("reg" in m.src) this.emit(M.copy(m.dst, m.src.reg));
      else this.materializeInto(m.src.value, m.dst);
    }
  }

  /** Select the branch terminator `a cond b`. */
  branch(t: Term & { op: "br" }, then: number, els: number): MTerm {
    let { a, b, cond } = t;
    const w32 = t.w32 === true;
    const pos = toPos(t.span);
    const ca = this.constOf(a), cb = this.constOf(b);
    if (ca !== undefined && cb !== undefined) return { k: "jmp", target: foldCond(cond, ca, cb, w32) ? then : els, pos };
    let jc = JUMP_OF[cond];
    if (ca !== undefined) {
      [a, b] = [b, a];
      jc = SWAPPED[jc];
    }
    if (w32 && this.opts.cpu < 3) return this.branch32Lowered(jc, a, b, then, els, pos);
    const imm = this.immOf(b, w32);
    if (imm !== undefined) return { k: "br", cond: jc, w32, a: this.operand(a), b: null, imm, then, else: els, pos };
    return { k: "br", cond: jc, w32, a: this.operand(a), b: this.operand(b), imm: 0, then, else: els, pos };
  }

  /** Without JMP32 (cpu < 3), compare extended copies of the low 32 bits with a 64-bit jump. */
  private branch32Lowered(jc: CondName, a: VReg, b: VReg, then: number, els: number, pos?: SourcePos): MTerm {
    const signed = jc === "jsgt" || jc === "jsge" || jc === "jslt" || jc === "jsle" || jc === "jeq" || jc === "jne";
    const ext = (v: VReg): number => {
      const t = this.fresh();
      if (signed) {
        this.emit(M.aluK("lsh", false, t, 32, this.tiedInput(v, t)));
        this.emit(M.aluK("arsh", false, t, 32));
      } else {
        this.emit(M.mov32(t, this.operand(v)));
      }
      return t;
    };
    const ra = ext(a);
    const cb = this.constOf(b);
    if (cb !== undefined) {
      const v = signed ? BigInt.asIntN(32, cb) : BigInt.asUintN(32, cb);
      if (fitsS32(v)) return { k: "br", cond: jc, w32: false, a: ra, b: null, imm: Number(v), then, else: els, pos };
    }
    return { k: "br", cond: jc, w32: false, a: ra, b: ext(b), imm: 0, then, else: els, pos };
  }
}

/** Instruction selection for one function. */
export function select(fn: Function, opts: IselOptions): MFunction {
  const rpo = reversePostOrder(fn);
  const byId = new Map<BlockId, Block>(fn.blocks.map((b) => [b.id, b]));
  const rpoBlocks = rpo.map((id) => byId.get(id)!);
  const preds: BlockId[][] = [];
  for (const b of rpoBlocks) preds[b.id] ??= [];
  for (const b of rpoBlocks) for (const s of successors(b.term)) (preds[s] ??= []).push(b.id);

  const sel = new Selector(fn, opts, rpoBlocks);
  const newBlock = (): number => sel.blocks.push({ insts: [], term: { k: "exit" } }) - 1;
  const entryId = rpo[0];
  // The entry must have no predecessors (parameters are copied out of R1.. there).
  if (preds[entryId].length > 0) newBlock();
  const mirOf = new Map<BlockId, number>();
  for (const id of rpo) mirOf.set(id, newBlock());
  if (mirOf.get(entryId) !== 0) sel.blocks[0].term = { k: "jmp", target: mirOf.get(entryId)! };

  // φ copies: where each edge's copies go, and the block a terminator jumps to for that edge.
  const edges = phiEdges(rpoBlocks, byId, preds, fn.name);
  const edgeTarget = new Map<string, number>();
  const topCopies = new Map<BlockId, EdgeCopies>();
  const endCopies = new Map<BlockId, EdgeCopies>();
  for (const e of edges) {
    if (e.where === "succ-top") topCopies.set(e.to, e);
    else if (e.where === "pred-end") endCopies.set(e.from, e);
    else {
      const split = newBlock();
      sel.blocks[split].term = { k: "jmp", target: mirOf.get(e.to)! };
      edgeTarget.set(`${e.from}>${e.to}`, split);
      sel.cur = sel.blocks[split].insts;
      sel.span = undefined;
      sel.parallelCopy(e.copies);
    }
  }
  const target = (from: BlockId, to: BlockId): number => edgeTarget.get(`${from}>${to}`) ?? mirOf.get(to)!;

  // Parameters are copied out of R1.. first thing in the function.
  sel.cur = sel.blocks[0].insts;
  for (const blk of rpoBlocks) {
    for (const i of blk.insts) {
      if (i.op !== "param") continue;
      if (i.index < 0 || i.index > 4) fail(`Parameter ${i.index} cannot be passed in a register (BPF passes at most 5)`, i.span);
      sel.span = i.span;
      sel.emit(M.copy(sel.vr(i.dst), i.index + 1));
    }
  }
  for (const b of rpoBlocks) {
    const mb = sel.blocks[mirOf.get(b.id)!];
    sel.cur = mb.insts;
    const top = topCopies.get(b.id);
    if (top) {
      sel.span = undefined;
      sel.parallelCopy(top.copies);
    }
    for (const i of b.insts) {
      sel.span = i.span;
      if (i.op !== "param") selectInst(sel, i as Inst);
    }
    const end = endCopies.get(b.id);
    if (end) {
      sel.span = b.term.span;
      sel.parallelCopy(end.copies);
    }
    sel.span = b.term.span;
    const t = b.term;
    if (t.op === "ret") {
      sel.materializeInto(t.value, 0);
      mb.term = { k: "exit", pos: toPos(t.span) };
    } else if (t.op === "jmp" || t.then === t.else) {
      const to = t.op === "jmp" ? t.target : t.then;
      mb.term = { k: "jmp", target: target(b.id, to), pos: toPos(t.span) };
    } else {
      mb.term = sel.branch(t, target(b.id, t.then), target(b.id, t.else));
    }
  }
  return { name: fn.name, blocks: sel.blocks, frame: sel.frame, nextReg: sel.nextReg };
}
