// simplify-cfg: removes unreachable blocks, threads jumps through empty blocks and merges a
// block into its only predecessor when that predecessor only jumps to it.

import type { SsaPass } from "../compiler/registry.ts";
import { cleanupCfg, predecessors } from "../compiler/ir_util.ts";
import type { BlockId } from "../compiler/ir.ts";

export const simplifyCfg: SsaPass = {
  name: "simplify-cfg",
  kind: "ssa",
  description: "removes unreachable blocks, threads empty blocks, merges straight-line blocks",
  run(fn) {
    let changed = false;
    const before = fn.blocks.length;
    cleanupCfg(fn);
    if (fn.blocks.length !== before) changed = true;
    // Thread jumps to empty blocks that only jump on (when no φ in the target would be confused).
    for (let round = 0; round < 4; round++) {
      let any = false;
      const preds = predecessors(fn);
      const forward = (t: BlockId, from: BlockId): BlockId => {
        const tb = fn.blocks[t];
        if (tb.insts.length || tb.phis.length || tb.term.op !== "jmp" || tb.term.target === t) return t;
        const final = tb.term.target;
        // The final block's φs must not already have an entry from `from`, and get t's entry.
        const fb = fn.blocks[final];
        if (fb.phis.some((p) => p.args.some((a) => a.block === from))) return t;
        for (const p of fb.phis) {
          const a = p.args.find((x) => x.block === t);
          if (a) p.args.push({ block: from, value: a.value });
        }
        any = true;
        return final;
      };
      for (const b of fn.blocks) {
        const t = b.term;
        if (t.op === "jmp") b.term = { ...t, target: forward(t.target, b.id) };
        else if (t.op === "br") {
          const th = forward(t.then, b.id);
          const el = th === t.else ? t.else : forward(t.else, b.id);
          b.term = { ...t, then: th, else: el };
        }
      }
      void preds;
      if (!any) break;
      changed = true;
      cleanupCfg(fn);
    }
    // Merge b into its single predecessor p when p ends in an unconditional jump to b.
    for (let merged = true; merged;) {
      merged = false;
      const preds = predecessors(fn);
      for (const b of fn.blocks) {
        if (b.id === 0 || preds[b.id].length !== 1) continue;
        const p = fn.blocks[preds[b.id][0]];
        if (p.term.op !== "jmp" || p === b) continue;
        // φs in b have one input: replace them by copies.
        const copies = b.phis.map((ph) => ({ op: "copy" as const, dst: ph.dst, src: ph.args[0].value, span: ph.span }));
        p.insts.push(...copies, ...b.insts);
        p.term = b.term;
        // Successors' φs now come from p.
        for (const s of fn.blocks) for (const ph of s.phis) for (const a of ph.args) if (a.block === b.id) a.block = p.id;
        b.phis = [];
        b.insts = [];
        b.term = { op: "jmp", target: b.id }; // now unreachable; removed by cleanup
        merged = changed = true;
        cleanupCfg(fn);
        break;
      }
    }
    return changed;
  },
};
