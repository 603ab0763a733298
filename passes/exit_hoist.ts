// exit-hoist: sets the most common return value once, first thing. When every path into an exit
// block `r0 = K; exit` comes from code that never writes R0 (no helper call, no use of R0 as a
// scratch register), `r0 = K` can be done at the entry instead: the exit block shrinks to a bare
// `exit`, which tail-merge then shares with another exit (as clang's `w0 = 2` at the top of XDP
// programs). Applied only when it removes more than it adds.

import type { PeepholePass } from "../compiler/registry.ts";
import type { Insn } from "../compiler/asm/insn.ts";
import { AluOp, Class, Src } from "../compiler/asm/opcodes.ts";
import { type IBlock, isExit, joinBlocks, labelIndex, regDefs, splitBlocks, successorsOf, hasRaw } from "./items.ts";

const isMovR0K = (i: Insn): boolean =>
  i.dst === 0 && (i.code === (Class.ALU64 | AluOp.mov | Src.K) || i.code === (Class.ALU | AluOp.mov | Src.K)) && i.off === 0;

export const exitHoist: PeepholePass = {
  name: "exit-hoist",
  kind: "peephole",
  description: "sets a return constant once at the entry when no path to its exit writes R0 before",
  run(items) {
    if (hasRaw(items)) return false;
    const blocks = splitBlocks(items);
    if (!blocks.length || blocks[0].labels.length) return false; // the entry must not be a jump target
    const at = labelIndex(blocks);
    const succ = blocks.map((_, k) => successorsOf(blocks, k, at));
    const preds: number[][] = blocks.map(() => []);
    succ.forEach((ss, k) => ss.forEach((s) => preds[s].push(k)));
    // clean[k]: on every path from the entry to the end of block k, nothing wrote R0.
    const writes = blocks.map((b) => b.insns.some((i) => regDefs(i).includes(0)));
    const clean = blocks.map(() => true);
    for (let changed = true; changed;) {
      changed = false;
      blocks.forEach((_, k) => {
        const inn = k === 0 || preds[k].every((p) => clean[p]);
        const v = inn && !writes[k] && (k === 0 || preds[k].length > 0);
        if (v !== clean[k]) {
          clean[k] = v;
          changed = true;
        }
      });
    }
    // Exit blocks `r0 = K; exit` reached only from clean code, grouped by K.
    const groups = new Map<string, number[]>();
    blocks.forEach((b, k) => {
      if (k === 0 || b.insns.length !== 2 || !isMovR0K(b.insns[0]) || !isExit(b.insns[1])) return;
      if (!preds[k].length || !preds[k].every((p) => clean[p])) return;
      const key = `${b.insns[0].code}:${b.insns[0].imm}`;
      (groups.get(key) ?? groups.set(key, []).get(key)!).push(k);
    });
    const otherExits = blocks.filter((b) => b.insns.length && isExit(b.insns[b.insns.length - 1])).length;
    let best: number[] | undefined;
    for (const ks of groups.values()) if (!best || ks.length > best.length) best = ks;
    // Gain: one `r0 = K` per block, minus the one added; the bare exit shares another's.
    if (!best || (best.length < 2 && otherExits < 2)) return false;
    const mov = blocks[best[0]].insns[0];
    const out: IBlock[] = blocks.map((b, k) => (best!.includes(k) ? { labels: b.labels, insns: b.insns.slice(1) } : b));
    out[0] = { labels: [], insns: [{ ...mov }, ...out[0].insns] };
    items.splice(0, items.length, ...joinBlocks(out));
    return true;
  },
};
