// Builds SSA IR while lowering: blocks, instructions, and variables turned into SSA values with
// φ-nodes placed on demand (Braun et al., "Simple and Efficient Construction of SSA Form").

import type { Span } from "./diag.ts";
import {
  type Block, type BlockId, type Function, type Inst, type Phi, type Slot, type Term, type VReg,
  mapTermUses, mapUses, reversePostOrder, successors,
} from "./ir.ts";

/** A source variable; each binding is its own Var (so shadowing works). */
export interface Var {
  name: string;
}

const UNTERMINATED: Term = { op: "ret", value: -1 };

export class FnBuilder {
  readonly fn: Function;
  private cur: BlockId = 0;
  private readonly preds: BlockId[][] = [];
  private readonly sealed = new Set<BlockId>();
  private readonly terminated = new Set<BlockId>();
  private readonly defsByVar = new Map<Var, Map<BlockId, VReg>>();
  private readonly incomplete = new Map<BlockId, Map<Var, Phi>>();
  private readonly phiVar = new Map<VReg, Var>();

  constructor(name: string, span?: Span) {
    this.fn = { name, blocks: [], slots: [], nextReg: 0, span };
    this.newBlock();
  }

  newReg(): VReg {
    return this.fn.nextReg++;
  }

  newBlock(): BlockId {
    const id = this.fn.blocks.length;
    this.fn.blocks.push({ id, phis: [], insts: [], term: UNTERMINATED });
    this.preds.push([]);
    return id;
  }

  get current(): BlockId {
    return this.cur;
  }

  /** True when the current block already ended (code after `return`): further code is dead. */
  get isTerminated(): boolean {
    return this.terminated.has(this.cur);
  }

  setBlock(b: BlockId): void {
    this.cur = b;
  }

  addSlot(slot: Slot): number {
    this.fn.slots.push(slot);
    return this.fn.slots.length - 1;
  }

  /** Append an instruction to the current block. */
  emit(inst: Inst): void {
    if (this.isTerminated) {
      // Dead code after a terminator: give it a fresh unreachable block.
      this.setBlock(this.newBlock());
      this.seal(this.cur);
    }
    this.fn.blocks[this.cur].insts.push(inst);
  }

  /** Emit an instruction producing a fresh register. */
  value(make: (dst: VReg) => Inst): VReg {
    const dst = this.newReg();
    this.emit(make(dst));
    return dst;
  }

  /** End the current block. */
  terminate(t: Term): void {
    if (this.isTerminated) {
      this.setBlock(this.newBlock());
      this.seal(this.cur);
    }
    this.fn.blocks[this.cur].term = t;
    this.terminated.add(this.cur);
    for (const s of successors(t)) this.preds[s].push(this.cur);
  }

  jump(target: BlockId, span?: Span): void {
    this.terminate({ op: "jmp", target, span });
  }

  /** No more predecessors will be added to `b`. */
  seal(b: BlockId): void {
    if (this.sealed.has(b)) return;
    const pending = this.incomplete.get(b);
    this.sealed.add(b);
    if (pending) {
      for (const [v, phi] of pending) this.addPhiOperands(v, phi, b);
      this.incomplete.delete(b);
    }
  }

  writeVar(v: Var, value: VReg, block = this.cur): void {
    let m = this.defsByVar.get(v);
    if (!m) this.defsByVar.set(v, m = new Map());
    m.set(block, value);
  }

  readVar(v: Var, block = this.cur): VReg {
    const local = this.defsByVar.get(v)?.get(block);
    if (local !== undefined) return local;
    return this.readVarRecursive(v, block);
  }

  private readVarRecursive(v: Var, block: BlockId): VReg {
    let val: VReg;
    if (!this.sealed.has(block)) {
      const phi = this.newPhi(v, block);
      let m = this.incomplete.get(block);
      if (!m) this.incomplete.set(block, m = new Map());
      m.set(v, phi);
      val = phi.dst;
    } else if (this.preds[block].length === 1) {
      val = this.readVar(v, this.preds[block][0]);
    } else if (this.preds[block].length === 0) {
      // Unreachable block (or read before any definition): a placeholder zero.
      val = this.newReg();
      this.fn.blocks[block].insts.unshift({ op: "const", dst: val, value: 0n });
    } else {
      const phi = this.newPhi(v, block);
      this.writeVar(v, phi.dst, block);
      this.addPhiOperands(v, phi, block);
      val = phi.dst;
    }
    this.writeVar(v, val, block);
    return val;
  }

  private newPhi(v: Var, block: BlockId): Phi {
    const phi: Phi = { dst: this.newReg(), args: [] };
    this.fn.blocks[block].phis.push(phi);
    this.phiVar.set(phi.dst, v);
    return phi;
  }

  private addPhiOperands(v: Var, phi: Phi, block: BlockId): void {
    for (const p of this.preds[block]) phi.args.push({ block: p, value: this.readVar(v, p) });
  }

  /** Finish: seal everything, drop unreachable blocks, remove trivial φs, renumber blocks. */
  finish(): Function {
    for (let b = 0; b < this.fn.blocks.length; b++) this.seal(b);
    for (const b of this.fn.blocks) {
      if (b.term === UNTERMINATED) throw new Error(`internal: block b${b.id} of ${this.fn.name} has no terminator`);
    }
    compact(this.fn);
    removeTrivialPhis(this.fn);
    return this.fn;
  }
}

/** Replace φs whose operands are all one value (or the φ itself) by that value, to a fixed point. */
export function removeTrivialPhis(fn: Function): boolean {
  const replace = new Map<VReg, VReg>();
  const resolve = (r: VReg): VReg => {
    let x = r;
    while (replace.has(x)) x = replace.get(x)!;
    return x;
  };
  let changed = true, any = false;
  while (changed) {
    changed = false;
    for (const b of fn.blocks) {
      b.phis = b.phis.filter((p) => {
        let same: VReg | undefined;
        for (const a of p.args) {
          const v = resolve(a.value);
          if (v === p.dst || v === same) continue;
          if (same !== undefined) return true;
          same = v;
        }
        if (same === undefined) return true; // φ of only itself: leave (unreachable loop)
        replace.set(p.dst, same);
        changed = any = true;
        return false;
      });
    }
  }
  if (any) {
    for (const b of fn.blocks) {
      for (const p of b.phis) for (const a of p.args) a.value = resolve(a.value);
      b.insts = b.insts.map((i) => mapUses(i, resolve));
      b.term = mapTermUses(b.term, resolve);
    }
  }
  return any;
}

/** Remove unreachable blocks and renumber the rest in reverse post-order (entry first). */
export function compact(fn: Function): void {
  const order = reversePostOrder(fn);
  const newId = new Map<BlockId, BlockId>();
  order.forEach((old, i) => newId.set(old, i));
  const blocks: Block[] = order.map((old) => fn.blocks[old]);
  for (const b of blocks) {
    b.id = newId.get(b.id)!;
    b.phis = b.phis.map((p) => ({ ...p, args: p.args.filter((a) => newId.has(a.block)).map((a) => ({ block: newId.get(a.block)!, value: a.value })) }));
    const t = b.term;
    if (t.op === "br") b.term = { ...t, then: newId.get(t.then)!, else: newId.get(t.else)! };
    else if (t.op === "jmp") b.term = { ...t, target: newId.get(t.target)! };
  }
  fn.blocks = blocks;
}
