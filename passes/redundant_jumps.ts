// redundant-jumps: removes jumps to the label that immediately follows them, and labels
// nothing jumps to.

import type { PeepholePass } from "../compiler/registry.ts";
import { type Item, isLabel } from "../compiler/asm/insn.ts";

export const redundantJumps: PeepholePass = {
  name: "redundant-jumps",
  kind: "peephole",
  description: "removes jumps to the next instruction",
  run(items: Item[]) {
    let changed = false;
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (isLabel(it) || it.target === undefined) continue;
      // Is the target among the labels directly after this instruction?
      let j = i + 1, falls = false;
      while (j < items.length && isLabel(items[j])) {
        if ((items[j] as { label: string }).label === it.target) falls = true;
        j++;
      }
      if (falls && (it.code === 0x05 || (it.code & 0x07) === 0x05 || (it.code & 0x07) === 0x06)) {
        // Unconditional or conditional jump to the next instruction: both are no-ops.
        const isCall = (it.code & 0xf0) === 0x80 || (it.code & 0xf0) === 0x90;
        if (isCall) continue;
        items.splice(i, 1);
        i--;
        changed = true;
      }
    }
    return changed;
  },
};
