// Final emission: substitute allocated registers, drop self-moves, thread empty blocks, merge
// identical returns, lay blocks out in reverse post-order with fall-through, produce Items.
import type { Insn, Item } from "../asm/insn.ts";
import { Class, type CondName, JmpOp, Src } from "../asm/opcodes.ts";
import { type MFunction, type MInst, type MTerm, isVirtual, markRaw, renameInst, renameTerm, termSuccs, tiedField } from "./mir.ts";
import * as M from "./minst.ts";
import { INVERSE, SWAPPED, available } from "./cond.ts";
import type { FrameLayout } from "./frame.ts";

export interface EmitOptions {
  cpu: 1 | 2 | 3 | 4;
  /** Function number used in label names (LBB<n>_<k>). */
  fnIndex?: number;
}

/**
 * Replace virtual registers by their colours, delete moves that became `rX = rX`, and make
 * two-address instructions whose tied input got another register start with a `mov` (or swap
 * the operands of a commutative one).
 */
export function applyColors(mf: MFunction, color: Int32Array): MFunction {
  const f = (r: number) => (isVirtual(r) ? color[r] : r);
  const blocks = mf.blocks.map((b) => {
    const insts: MInst[] = [];
    for (const mi0 of b.insts) {
      const mi = renameInst(mi0, f);
      if (mi.move && mi.insn.dst === mi.insn.src) continue;
      if (mi.tied !== undefined) {
        const field = tiedField(mi);
        const d = mi.insn[field], t = mi.tied;
        delete mi.tied;
        if (t !== d) {
          if (field === "dst" && M.isCommutative(mi) && mi.insn.src === d) mi.insn.src = t;
          else {
            const mov = M.copy(d, t);
            if (mi.insn.pos) mov.insn.pos = mi.insn.pos;
            insts.push(mov);
          }
        }
      }
      insts.push(mi);
    }
    return { insts, term: renameTerm(b.term, f) };
  });
  return { ...mf, blocks };
}

function resolveFrame(mi: MInst, layout: FrameLayout): Insn {
  const insn = { ...mi.insn };
  if (mi.frame) {
    const at = layout.offsets[mi.frame.slot];
    if (at < 0) throw new Error(`internal: frame object ${mi.frame.slot} has no place`);
    const v = -at + mi.frame.off;
    if (mi.frame.field === "off") {
      if (v < -0x8000 || v > 0x7fff) throw new RangeError(`stack offset ${v} does not fit in 16 bits`);
      insn.off = v;
    } else insn.imm = v;
  }
  return insn;
}

const jumpInsn = (cond: CondName, w32: boolean, a: number, b: number | null, imm: number): Insn => ({
  code: (w32 ? Class.JMP32 : Class.JMP) | JmpOp[cond] | (b === null ? Src.K : Src.X),
  dst: a,
  src: b ?? 0,
  off: 0,
  imm: b === null ? imm : 0,
});
const GOTO = Class.JMP | JmpOp.ja;
const EXIT = Class.JMP | JmpOp.exit;

/** Lay out an allocated function (physical registers) as Items. */
export function emitFunction(mf: MFunction, layout: FrameLayout, opts: EmitOptions): Item[] {
  const blocks = mf.blocks;
  // Returning blocks with identical code are one block (tail merging): jumps go to the first.
  const sameAs = new Map<string, number>();
  const canonical = blocks.map((b, i) => {
    if (b.term.k !== "exit") return i;
    const key = b.insts.map((mi) => {
      const x = resolveFrame(mi, layout);
      return `${x.code},${x.dst},${x.src},${x.off},${x.imm},${x.imm64 ?? ""},${x.map ?? ""}`;
    }).join(";");
    if (!sameAs.has(key)) sameAs.set(key, i);
    return sameAs.get(key)!;
  });
  // Thread jumps through blocks that only jump elsewhere.
  const forward = (b: number): number => {
    const seen = new Set<number>();
    while (blocks[b].insts.length === 0 && blocks[b].term.k === "jmp" && !seen.has(b)) {
      seen.add(b);
      b = (blocks[b].term as MTerm & { k: "jmp" }).target;
    }
    return canonical[b];
  };
  const terms: MTerm[] = blocks.map((b) => {
    const t = b.term;
    if (t.k === "jmp") return { ...t, target: forward(t.target) };
    if (t.k === "br") {
      const [then, els] = [forward(t.then), forward(t.else)];
      if (then === els) return { k: "jmp", target: then, pos: t.pos };
      // Jumps the CPU lacks (v1 has no jlt/jle/jslt/jsle): swap registers, or invert the
      // condition and the targets, before layout so the fall-through is chosen with it.
      if (!available(t.cond, opts.cpu)) {
        if (t.b !== null) return { ...t, cond: SWAPPED[t.cond], a: t.b, b: t.a, then, else: els };
        return { ...t, cond: INVERSE[t.cond]!, then: els, else: then };
      }
      return { ...t, then, else: els };
    }
    return t;
  });
  const entry = forward(0);
  // Reverse post-order over the threaded graph.
  const order: number[] = [];
  {
    const seen = new Set<number>([entry]);
    const stack: [number, number][] = [[entry, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const succ = termSuccs(terms[top[0]]);
      if (top[1] < succ.length) {
        const s = succ[top[1]++];
        if (!seen.has(s)) {
          seen.add(s);
          stack.push([s, 0]);
        }
      } else {
        order.push(top[0]);
        stack.pop();
      }
    }
    order.reverse();
  }
  const exitOnly = (b: number) => blocks[b].insts.length === 0 && terms[b].k === "exit";
  // A lone `exit` block is duplicated into its `goto` predecessors; keep it only where a
  // conditional jump needs it or the block before falls into it.
  const brTargets = new Set<number>();
  for (const b of order) {
    const t = terms[b];
    if (t.k === "br") brTargets.add(t.then).add(t.else);
  }
  const final = order.filter((b, k) => {
    if (b === entry || !exitOnly(b) || brTargets.has(b)) return true;
    const prev = k > 0 ? terms[order[k - 1]] : undefined;
    return prev?.k === "jmp" && prev.target === b;
  });

  // Instructions per block with symbolic targets (block ids); labels added afterwards.
  type Out = { insn: Insn; to?: number };
  const outs: Out[][] = final.map((b, k) => {
    const next = final[k + 1];
    const out: Out[] = blocks[b].insts.map((mi) => {
      const insn = resolveFrame(mi, layout);
      if (mi.raw) markRaw(insn);
      return { insn };
    });
    const t = terms[b];
    const pos = t.pos ? { pos: t.pos } : {};
    const go = (to: number): Out => exitOnly(to) && to !== next ? { insn: { code: EXIT, dst: 0, src: 0, off: 0, imm: 0, ...pos } } : { insn: { code: GOTO, dst: 0, src: 0, off: 0, imm: 0, ...pos }, to };
    if (t.k === "exit") out.push({ insn: { code: EXIT, dst: 0, src: 0, off: 0, imm: 0, ...pos } });
    else if (t.k === "jmp") {
      if (t.target !== next) out.push(go(t.target));
    } else {
      type Form = { cond: CondName; a: number; b: number | null; to: number; fall: number };
      const forms: Form[] = [{ cond: t.cond, a: t.a, b: t.b, to: t.then, fall: t.else }];
      const inv = INVERSE[t.cond];
      if (inv) forms.push({ cond: inv, a: t.a, b: t.b, to: t.else, fall: t.then });
      if (t.b !== null) {
        for (const f of [...forms]) forms.push({ cond: SWAPPED[f.cond], a: f.b!, b: f.a, to: f.to, fall: f.fall });
      }
      const ok = forms.filter((f) => available(f.cond, opts.cpu));
      const f = ok.find((x) => x.fall === next) ?? ok[0];
      out.push({ insn: { ...jumpInsn(f.cond, t.w32, f.a, f.b, t.imm), ...pos }, to: f.to });
      if (f.fall !== next) out.push(go(f.fall));
    }
    return out;
  });

  const targeted = new Set<number>();
  for (const out of outs) for (const o of out) if (o.to !== undefined) targeted.add(o.to);
  const label = (b: number) => `LBB${opts.fnIndex ?? 0}_${final.indexOf(b)}`;
  const items: Item[] = [];
  final.forEach((b, k) => {
    if (targeted.has(b)) items.push({ label: label(b) });
    for (const o of outs[k]) items.push(o.to === undefined ? o.insn : { ...o.insn, target: label(o.to) });
  });
  return items;
}

