// copy-prop: replaces uses of copies by their source and removes the copies.

import type { SsaPass } from "../compiler/registry.ts";
import { replaceAll } from "../compiler/ir_util.ts";
import type { VReg } from "../compiler/ir.ts";

export const copyProp: SsaPass = {
  name: "copy-prop",
  kind: "ssa",
  description: "replaces uses of copies by their source",
  run(fn) {
    const map = new Map<VReg, VReg>();
    for (const b of fn.blocks) {
      b.insts = b.insts.filter((i) => {
        if (i.op !== "copy") return true;
        map.set(i.dst, i.src);
        return false;
      });
    }
    replaceAll(fn, map);
    return map.size > 0;
  },
};
