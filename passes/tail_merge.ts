// tail-merge: tail merging of identical exits. Two blocks that end in `exit` with the same last
// instructions keep one copy of them: when one block is nothing but that common tail (and nothing
// falls into it), it moves to where the other's tail starts and the other simply falls into it;
// otherwise (a tail of at least two instructions) the other block jumps to the shared copy.

import type { PeepholePass } from "../compiler/registry.ts";
import type { Insn, Item } from "../compiler/asm/insn.ts";
import { type IBlock, GOTO, fallsThrough, isExit, joinBlocks, sameInsn, splitBlocks, hasRaw } from "./items.ts";

/** Number of equal instructions at the ends of `a` and `b`. */
function commonTail(a: Insn[], b: Insn[]): number {
  let n = 0;
  while (n < a.length && n < b.length && sameInsn(a[a.length - 1 - n], b[b.length - 1 - n])) n++;
  return n;
}

function mergeOnce(items: Item[], fresh: () => string): Item[] | undefined {
  const blocks = splitBlocks(items);
  const fallenInto = (k: number) => k > 0 && fallsThrough(blocks[k - 1].insns[blocks[k - 1].insns.length - 1]);
  const exits = blocks.map((b, k) => (b.insns.length && isExit(b.insns[b.insns.length - 1]) ? k : -1)).filter((k) => k >= 0);
  let best: { gain: number; apply: () => IBlock[] } | undefined;
  for (const i of exits) {
    for (const j of exits) {
      if (i === j) continue;
      const bi = blocks[i], bj = blocks[j];
      const n = commonTail(bi.insns, bj.insns);
      if (n === 0) continue;
      // j is exactly the tail and can move: i falls into it.
      if (n === bj.insns.length && j !== 0 && !fallenInto(j) && bj.labels.length) {
        const gain = n;
        if (!best || gain > best.gain) {
          best = {
            gain,
            apply: () => {
              const out: IBlock[] = [];
              blocks.forEach((b, k) => {
                if (k === j) return;
                if (k !== i) return out.push(b);
                out.push({ labels: b.labels, insns: b.insns.slice(0, b.insns.length - n) });
                out.push({ labels: bj.labels, insns: b.insns.slice(b.insns.length - n) });
              });
              return out;
            },
          };
        }
      } else if (n >= 2 && n < bi.insns.length) {
        // i jumps into j's copy of the tail.
        const gain = n - 1;
        if (!best || gain > best.gain) {
          best = {
            gain,
            apply: () => {
              const label = n === bj.insns.length && bj.labels.length ? bj.labels[0] : fresh();
              const out: IBlock[] = [];
              blocks.forEach((b, k) => {
                if (k === i) {
                  const last = b.insns[b.insns.length - n];
                  out.push({ labels: b.labels, insns: [...b.insns.slice(0, b.insns.length - n), { code: GOTO, dst: 0, src: 0, off: 0, imm: 0, target: label, pos: last.pos }] });
                } else if (k === j && !(n === bj.insns.length && bj.labels.length)) {
                  out.push({ labels: b.labels, insns: b.insns.slice(0, b.insns.length - n) });
                  out.push({ labels: [label], insns: b.insns.slice(b.insns.length - n) });
                } else out.push(b);
              });
              return out;
            },
          };
        }
      }
    }
  }
  return best ? joinBlocks(best.apply()) : undefined;
}

export const tailMerge: PeepholePass = {
  name: "tail-merge",
  kind: "peephole",
  description: "merges identical instruction tails of blocks ending in exit",
  run(items) {
    if (hasRaw(items)) return false;
    let changed = false, n = 0;
    const used = new Set(items.filter((i): i is { label: string } => "label" in i).map((l) => l.label));
    const fresh = () => {
      let l: string;
      do l = `LTM_${n++}`; while (used.has(l));
      used.add(l);
      return l;
    };
    for (let round = 0; round < 64; round++) {
      const next = mergeOnce(items, fresh);
      if (!next) break;
      items.splice(0, items.length, ...next);
      changed = true;
    }
    return changed;
  },
};
