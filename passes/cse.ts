// cse: common subexpression elimination — pure operations computed again in a block the
// first computation dominates are replaced by it; loads are reused within a block until a
// store, atomic or call may have changed memory.

import type { SsaPass } from "../compiler/registry.ts";
import { replaceAll } from "../compiler/ir_util.ts";
import { dominators } from "../compiler/dom.ts";
import type { BlockId, Inst, VReg } from "../compiler/ir.ts";

function key(i: Inst): string | undefined {
  switch (i.op) {
    case "bin": {
      const commutative = ["add", "mul", "and", "or", "xor"].includes(i.kind);
      const [a, b] = commutative && i.a > i.b ? [i.b, i.a] : [i.a, i.b];
      return `bin ${i.kind} ${i.w32 ? 32 : 64} ${a} ${b}${i.core ? ` core ${i.core.struct} ${i.core.accessStr}` : ""}`;
    }
    case "neg": return `neg ${i.a}`;
    case "ext": return `ext ${i.bits} ${i.signed} ${i.a}`;
    case "bswap": return `bswap ${i.bits} ${i.a}`;
    case "stack": return `stack ${i.slot}`;
    default: return undefined; // constants and map refs are rematerialised by the back end
  }
}

export const cse: SsaPass = {
  name: "cse",
  kind: "ssa",
  description: "reuses pure computations the dominator tree makes available, and loads within a block",
  run(fn) {
    const dom = dominators(fn);
    const children = new Map<BlockId, BlockId[]>();
    for (const b of dom.rpo) {
      const p = dom.idom[b];
      if (p !== b && p !== -1) (children.get(p) ?? children.set(p, []).get(p)!).push(b);
    }
    const replace = new Map<VReg, VReg>();
    const resolve = (r: VReg) => replace.get(r) ?? r;
    let changed = false;
    const walk = (bid: BlockId, avail: Map<string, VReg>) => {
      const scope = new Map(avail);
      const loads = new Map<string, VReg>();
      const blk = fn.blocks[bid];
      const keep: Inst[] = [];
      for (const raw of blk.insts) {
        const i = { ...raw } as Inst;
        // Apply replacements found so far (in dominating blocks or earlier here).
        for (const f of ["a", "b", "base", "value", "src", "expected", "ctx", "index"] as const) {
          const v = (i as unknown as Record<string, unknown>)[f];
          if (typeof v === "number" && replace.has(v)) (i as unknown as Record<string, number>)[f] = resolve(v);
        }
        if (i.op === "call") (i as { args: VReg[] }).args = i.args.map(resolve);
        if (i.op === "store" || i.op === "atomic" || i.op === "call" || i.op === "asm" || i.op === "ldabs" || i.op === "ldind") loads.clear();
        const k = key(i);
        if (k !== undefined && "dst" in i && i.dst !== undefined) {
          const prev = scope.get(k);
          if (prev !== undefined) {
            replace.set(i.dst, prev);
            changed = true;
            continue;
          }
          scope.set(k, i.dst);
        }
        if (i.op === "load" && !i.core) {
          const lk = `${i.size} ${i.signed} ${i.base} ${i.off}`;
          const prev = loads.get(lk);
          if (prev !== undefined) {
            replace.set(i.dst, prev);
            changed = true;
            continue;
          }
          loads.set(lk, i.dst);
        }
        keep.push(i);
      }
      blk.insts = keep;
      for (const c of children.get(bid) ?? []) walk(c, scope);
    };
    if (dom.rpo.length) walk(dom.rpo[0], new Map());
    replaceAll(fn, replace);
    return changed;
  },
};
