// dce: removes instructions and φs whose results are never used and that have no effects.

import type { SsaPass } from "../compiler/registry.ts";
import { useCounts } from "../compiler/ir_util.ts";
import { hasSideEffects, uses } from "../compiler/ir.ts";

export const dce: SsaPass = {
  name: "dce",
  kind: "ssa",
  description: "removes unused instructions and φs without side effects",
  run(fn) {
    let changed = false, again = true;
    while (again) {
      again = false;
      const counts = useCounts(fn);
      for (const b of fn.blocks) {
        const keepPhis = b.phis.filter((p) => (counts.get(p.dst) ?? 0) > 0 && !(counts.get(p.dst) === p.args.filter((a) => a.value === p.dst).length));
        if (keepPhis.length !== b.phis.length) { b.phis = keepPhis; again = changed = true; }
        const keep = b.insts.filter((i) => hasSideEffects(i) || !("dst" in i) || i.dst === undefined || (counts.get(i.dst) ?? 0) > 0);
        if (keep.length !== b.insts.length) { b.insts = keep; again = changed = true; }
      }
      void uses;
    }
    return changed;
  },
};
