// offset-fold: folds a constant added to a pointer into the displacement of the loads,
// stores and atomics that use it: load [p + 34] + 13 becomes load [p + 47].

import type { SsaPass } from "../compiler/registry.ts";
import { defMap } from "../compiler/ir_util.ts";
import type { Inst, VReg } from "../compiler/ir.ts";

const S16 = (n: number) => n >= -32768 && n <= 32767;

export const offsetFold: SsaPass = {
  name: "offset-fold",
  kind: "ssa",
  description: "folds constant pointer offsets into load/store/atomic displacements",
  run(fn) {
    const defs = defMap(fn);
    const constOf = (r: VReg): bigint | undefined => {
      const d = defs.get(r);
      return d?.op === "const" ? BigInt.asIntN(64, d.value) : undefined;
    };
    /** base + k for a register defined as (add base k) or (sub base k), following chains. */
    const split = (r: VReg): { base: VReg; k: number } => {
      let base = r, k = 0;
      for (let guard = 0; guard < 16; guard++) {
        const d = defs.get(base);
        if (d?.op !== "bin" || d.w32 || d.core || (d.kind !== "add" && d.kind !== "sub")) break;
        const cb = constOf(d.b), ca = d.kind === "add" ? constOf(d.a) : undefined;
        const c = cb ?? ca;
        if (c === undefined || c < -32768n || c > 32767n) break;
        const delta = d.kind === "sub" ? -Number(c) : Number(c);
        if (!S16(k + delta)) break;
        k += delta;
        base = cb !== undefined ? d.a : d.b;
      }
      return { base, k };
    };
    let changed = false;
    for (const b of fn.blocks) {
      b.insts = b.insts.map((i): Inst => {
        if (i.op !== "load" && i.op !== "store" && i.op !== "atomic") return i;
        if ("core" in i && i.core) return i;
        const { base, k } = split(i.base);
        if (base === i.base || !S16(i.off + k)) return i;
        changed = true;
        return { ...i, base, off: i.off + k };
      });
    }
    return changed;
  },
};
