// load-hoist: hoisting out of both arms of a branch. When both successors of a branch (each
// reached only from it) start by computing the same thing — the same load with nothing before it
// that may write memory, or the same pure operation — it is computed once before the branch.
// Never hoisted: anything that reads a register the branch tests (a pointer before its NULL or
// bounds check), context loads with CO-RE relocations, and anything after a store or call.

import type { SsaPass } from "../compiler/registry.ts";
import { type Block, type Inst, type VReg, predecessors } from "../compiler/ir.ts";
import { replaceAll } from "../compiler/ir_util.ts";
import { Facts } from "./analysis.ts";

/** A key equal for instructions computing the same value from the same registers. */
function keyOf(f: Facts, i: Inst): string | undefined {
  const r = (x: VReg) => f.root(x);
  switch (i.op) {
    case "load": return i.core ? undefined : `load ${i.size} ${i.signed} ${r(i.base)} ${i.off}`;
    case "bin": return i.core ? undefined : `bin ${i.kind} ${!!i.w32} ${r(i.a)} ${r(i.b)}`;
    case "ext": return `ext ${i.bits} ${i.signed} ${r(i.a)}`;
    case "bswap": return `bswap ${i.bits} ${r(i.a)}`;
    case "neg": return `neg ${r(i.a)}`;
    default: return undefined;
  }
}

const operands = (i: Inst): VReg[] =>
  i.op === "load" ? [i.base] : i.op === "bin" ? [i.a, i.b] : i.op === "ext" || i.op === "bswap" || i.op === "neg" ? [i.a] : [];

/** Candidates at the top of a block: instruction, key, index; stops at the first memory write. */
function prefix(f: Facts, b: Block): Map<string, Inst> {
  const out = new Map<string, Inst>();
  for (const i of b.insts) {
    if (i.op === "store" || i.op === "atomic" || i.op === "call" || i.op === "asm" || i.op === "ldabs" || i.op === "ldind") break;
    const k = keyOf(f, i);
    if (k && !out.has(k)) out.set(k, i);
  }
  return out;
}

export const loadHoist: SsaPass = {
  name: "load-hoist",
  kind: "ssa",
  description: "computes a load or operation both arms of a branch start with once, before the branch",
  run(fn) {
    let changed = false;
    const preds = predecessors(fn);
    for (const b of fn.blocks) {
      const t = b.term;
      if (t.op !== "br" || t.then === t.else) continue;
      const s1 = fn.blocks[t.then], s2 = fn.blocks[t.else];
      if (preds[s1.id].length !== 1 || preds[s2.id].length !== 1) continue;
      const f = new Facts(fn);
      // Registers the branch tests, and everything with the same base (a pointer and its offsets).
      const tested = new Set([t.a, t.b].map((x) => f.split(x).base));
      const mine = (blk: Block) => new Set(blk.insts.flatMap((i) => ("dst" in i && i.dst !== undefined ? [i.dst] : [])));
      const d1 = mine(s1), d2 = mine(s2);
      const p2 = prefix(f, s2);
      const replace = new Map<VReg, VReg>();
      const hoisted: Inst[] = [];
      for (const [k, i1] of prefix(f, s1)) {
        const i2 = p2.get(k);
        if (!i2) continue;
        const ops = operands(i1);
        if (ops.some((o) => d1.has(o) || d2.has(o) || tested.has(f.split(o).base))) continue;
        if (!("dst" in i1) || !("dst" in i2) || i1.dst === undefined || i2.dst === undefined) continue;
        hoisted.push(i1);
        replace.set(i2.dst, i1.dst);
      }
      if (!hoisted.length) continue;
      const set = new Set(hoisted);
      s1.insts = s1.insts.filter((i) => !set.has(i));
      s2.insts = s2.insts.filter((i) => !("dst" in i && i.dst !== undefined && replace.has(i.dst)));
      b.insts.push(...hoisted);
      replaceAll(fn, replace);
      changed = true;
    }
    return changed;
  },
};
