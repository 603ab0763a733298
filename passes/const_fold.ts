// const-fold: evaluates operations on constants by the exact u64 rules (SPEC §3) and turns
// branches on constants into jumps.

import type { SsaPass } from "../compiler/registry.ts";
import { defMap, prunePhis, replaceAll } from "../compiler/ir_util.ts";
import type { Inst, VReg } from "../compiler/ir.ts";
import { foldBswap, foldCond, foldExt, u64 } from "../compiler/fold.ts";
import { foldBin } from "./analysis.ts";

export const constFold: SsaPass = {
  name: "const-fold",
  kind: "ssa",
  description: "evaluates operations on constants and branches on constants",
  run(fn) {
    let changed = false;
    const consts = new Map<VReg, bigint>();
    for (const [r, i] of defMap(fn)) if (i.op === "const") consts.set(r, i.value);
    // Values are defined before use in RPO, which is the block order (blocks are compacted).
    for (const b of fn.blocks) {
      // A φ whose inputs are all the same constant is that constant.
      for (const p of b.phis) {
        const vals = p.args.map((a) => consts.get(a.value));
        if (vals.length && vals.every((v) => v !== undefined && v === vals[0])) {
          consts.set(p.dst, vals[0]!);
        }
      }
      b.insts = b.insts.map((i): Inst => {
        const c = (r: VReg) => consts.get(r);
        let v: bigint | undefined;
        if (i.op === "bin" && !i.core && c(i.a) !== undefined && c(i.b) !== undefined) v = foldBin(i.kind, c(i.a)!, c(i.b)!, i.w32);
        else if (i.op === "neg" && c(i.a) !== undefined) v = u64(-c(i.a)!);
        else if (i.op === "ext" && c(i.a) !== undefined) v = foldExt(c(i.a)!, i.bits, i.signed);
        else if (i.op === "bswap" && c(i.a) !== undefined) v = foldBswap(c(i.a)!, i.bits);
        if (v === undefined || !("dst" in i) || i.dst === undefined) return i;
        consts.set(i.dst, v);
        changed = true;
        return { op: "const", dst: i.dst, value: v, span: i.span };
      });
      const t = b.term;
      if (t.op === "br" && consts.get(t.a) !== undefined && consts.get(t.b) !== undefined) {
        b.term = { op: "jmp", target: foldCond(t.cond, consts.get(t.a)!, consts.get(t.b)!, t.w32) ? t.then : t.else, span: t.span };
        changed = true;
      } else if (t.op === "br" && t.then === t.else) {
        b.term = { op: "jmp", target: t.then, span: t.span };
        changed = true;
      }
    }
    // φs that became constants: materialise a const in their block instead.
    const phiConsts = new Map<VReg, VReg>();
    for (const b of fn.blocks) {
      b.phis = b.phis.filter((p) => {
        const v = consts.get(p.dst);
        if (v === undefined || p.args.length === 0) return true;
        const dst = fn.nextReg++;
        b.insts.unshift({ op: "const", dst, value: v, span: p.span });
        phiConsts.set(p.dst, dst);
        changed = true;
        return false;
      });
    }
    replaceAll(fn, phiConsts);
    // Branches turned into jumps removed CFG edges: drop the φ inputs that came along them.
    if (changed) prunePhis(fn);
    return changed;
  },
};
