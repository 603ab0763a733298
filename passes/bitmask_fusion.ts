// bitmask-fusion: bit tests as single jumps. `(x & C) != 0` and `(x & C) == 0` become a `jset`
// (the `and` disappears when nothing else reads it), as does `(x & B) == B` for a single bit B;
// two `jset`s of the same register chained to the same target — `if x & A goto T; if x & B goto T`
// — fuse into one test of A|B.

import type { SsaPass } from "../compiler/registry.ts";
import { type BlockId, type Term, type VReg, predecessors } from "../compiler/ir.ts";
import { cleanupCfg, useCounts } from "../compiler/ir_util.ts";
import { Facts } from "./analysis.ts";

const single = (c: bigint) => c > 0n && (c & (c - 1n)) === 0n;
const fitsImm = (c: bigint) => c <= 0x7fffffffn;

export const bitmaskFusion: SsaPass = {
  name: "bitmask-fusion",
  kind: "ssa",
  description: "turns (x & C) tests into jset and fuses chained jsets of one register into one",
  run(fn) {
    let changed = false;
    const f = new Facts(fn);
    const counts = useCounts(fn);
    // 1. (x & C) compared with 0 (or with a single bit C) → x set C.
    for (const b of fn.blocks) {
      const t = b.term;
      if (t.op !== "br" || (t.cond !== "eq" && t.cond !== "ne")) continue;
      const d = f.def.get(f.root(t.a));
      const k = f.constOf(t.b);
      if (d?.op !== "bin" || d.kind !== "and" || k === undefined || (counts.get(t.a) ?? 0) !== 1) continue;
      const c = f.constOf(d.b);
      if (c === undefined || f.constOf(d.a) !== undefined) continue;
      const w = d.w32 ? 32 : 64;
      const cm = BigInt.asUintN(w, c), km = BigInt.asUintN(w, k);
      if (!t.w32 && d.w32) continue; // a 64-bit test of a 32-bit result: leave it
      let nonzeroGoesTo: BlockId;
      if (km === 0n) nonzeroGoesTo = t.cond === "ne" ? t.then : t.else;
      else if (km === cm && single(cm)) nonzeroGoesTo = t.cond === "eq" ? t.then : t.else;
      else continue;
      const zeroGoesTo = nonzeroGoesTo === t.then ? t.else : t.then;
      b.term = { op: "br", cond: "set", a: d.a, b: d.b, then: nonzeroGoesTo, else: zeroGoesTo, w32: d.w32 || t.w32, span: t.span };
      changed = true;
    }
    // 2. if x & A goto T; (next block) if x & B goto T  →  if x & (A|B) goto T.
    for (let again = true; again;) {
      again = false;
      const preds = predecessors(fn);
      const g = new Facts(fn);
      for (const a of fn.blocks) {
        const t = a.term;
        if (t.op !== "br" || t.cond !== "set") continue;
        const nb = fn.blocks[t.else];
        const u = nb.term;
        if (t.else === a.id || preds[t.else].length !== 1 || nb.phis.length || nb.insts.some((i) => i.op !== "const")) continue;
        if (u.op !== "br" || u.cond !== "set" || u.then !== t.then || u.else === nb.id || !!u.w32 !== !!t.w32 || g.root(u.a) !== g.root(t.a)) continue;
        const c1 = g.constOf(t.b), c2 = g.constOf(u.b);
        if (c1 === undefined || c2 === undefined || !fitsImm(c1 | c2)) continue;
        // T's φs must get the same value from both blocks.
        const T = fn.blocks[t.then];
        if (T.phis.some((p) => p.args.find((x) => x.block === a.id)?.value !== p.args.find((x) => x.block === nb.id)?.value)) continue;
        if (nb.insts.length && !nb.insts.every((i) => "dst" in i && (counts.get(i.dst as VReg) ?? 0) <= (i.dst === u.b ? 1 : 0))) continue;
        const dst = fn.nextReg++;
        a.insts.push({ op: "const", dst, value: c1 | c2, span: t.span });
        a.term = { ...t, b: dst, else: u.else } as Term;
        for (const p of fn.blocks[u.else].phis) {
          const v = p.args.find((x) => x.block === nb.id);
          if (v) v.block = a.id;
        }
        for (const p of T.phis) p.args = p.args.filter((x) => x.block !== nb.id);
        nb.term = { op: "jmp", target: nb.id };
        again = changed = true;
        cleanupCfg(fn);
        break;
      }
    }
    return changed;
  },
};
