// jump-thread: jump threading on the emitted code. A jump to a block that only jumps on goes
// straight to the final target; a `goto` to a lone `exit` becomes that `exit`; a conditional jump
// over an unconditional one (`if c goto A; goto B; A:`) becomes the inverted jump to B; blocks
// nothing reaches any more, and labels nothing names, disappear.

import type { PeepholePass } from "../compiler/registry.ts";
import type { Insn, Item } from "../compiler/asm/insn.ts";
import { JmpOp } from "../compiler/asm/opcodes.ts";
import { EXIT, fallsThrough, isCall, isCond, isExit, isGoto, joinBlocks, labelIndex, splitBlocks, hasRaw } from "./items.ts";

const INVERSE: Record<number, number> = {
  [JmpOp.jeq]: JmpOp.jne, [JmpOp.jne]: JmpOp.jeq, [JmpOp.jgt]: JmpOp.jle, [JmpOp.jle]: JmpOp.jgt,
  [JmpOp.jge]: JmpOp.jlt, [JmpOp.jlt]: JmpOp.jge, [JmpOp.jsgt]: JmpOp.jsle, [JmpOp.jsle]: JmpOp.jsgt,
  [JmpOp.jsge]: JmpOp.jslt, [JmpOp.jslt]: JmpOp.jsge,
};
/** Jumps that arrived with -mcpu=v2. */
const V2 = new Set<number>([JmpOp.jlt, JmpOp.jle, JmpOp.jslt, JmpOp.jsle]);

export const jumpThread: PeepholePass = {
  name: "jump-thread",
  kind: "peephole",
  description: "retargets jumps to jumps, turns gotos to exit into exit, inverts jumps over gotos, drops dead blocks",
  run(items, ctx) {
    if (hasRaw(items)) return false;
    let changed = false;
    for (let round = 0; round < 16; round++) {
      let any = false;
      const blocks = splitBlocks(items);
      const at = labelIndex(blocks);
      // Final destination of a label through blocks that only `goto` elsewhere.
      const final = (label: string): string => {
        const seen = new Set<string>();
        let l = label;
        for (;;) {
          const b = blocks[at.get(l) ?? -1];
          if (!b || seen.has(l) || b.insns.length !== 1 || !isGoto(b.insns[0]) || b.insns[0].target === undefined) return l;
          seen.add(l);
          l = b.insns[0].target;
        }
      };
      blocks.forEach((b, k) => {
        const last = b.insns[b.insns.length - 1];
        if (!last || last.target === undefined || isCall(last)) return;
        const f = final(last.target);
        if (f !== last.target) {
          b.insns[b.insns.length - 1] = { ...last, target: f };
          any = true;
        }
        const tb = blocks[at.get(f) ?? -1];
        const cur = b.insns[b.insns.length - 1];
        if (isGoto(cur) && tb && tb.insns.length === 1 && isExit(tb.insns[0])) {
          const { target: _t, ...rest } = cur;
          b.insns[b.insns.length - 1] = { ...rest, code: EXIT, off: 0, imm: 0 } as Insn;
          any = true;
        }
        // if c goto A; goto B; A:  →  if !c goto B; A:
        const nb = blocks[k + 1];
        if (isCond(cur) && nb && nb.labels.length === 0 && nb.insns.length === 1 && isGoto(nb.insns[0]) && nb.insns[0].target !== undefined) {
          const op = cur.code & 0xf0;
          const inv = INVERSE[op];
          const after = blocks[k + 2];
          if (inv !== undefined && (ctx.cpu >= 2 || !V2.has(inv)) && after && after.labels.includes(cur.target!)) {
            b.insns[b.insns.length - 1] = { ...cur, code: (cur.code & ~0xf0) | inv, target: nb.insns[0].target };
            nb.insns = [];
            any = true;
          }
        }
      });
      // Drop blocks no one reaches and labels no one names.
      const targeted = new Set<string>();
      for (const b of blocks) for (const i of b.insns) if (i.target !== undefined && !isCall(i)) targeted.add(i.target);
      const kept = blocks.filter((b, k) => {
        if (k === 0) return true;
        const reached = fallsThrough(blocks[k - 1].insns[blocks[k - 1].insns.length - 1]) || b.labels.some((l) => targeted.has(l));
        if (!reached && b.insns.length) any = true;
        return reached;
      });
      for (const b of kept) {
        const before = b.labels.length;
        b.labels = b.labels.filter((l) => targeted.has(l));
        if (b.labels.length !== before) any = true;
      }
      const next: Item[] = joinBlocks(kept);
      items.splice(0, items.length, ...next);
      if (!any) break;
      changed = true;
    }
    return changed;
  },
};
