// phi-thread: φ-branch threading. A block that only merges values (φs, constants) and branches
// on them decides its branch for every predecessor that brings constants: such a predecessor
// jumps straight to the successor it would reach. `(or (getmap m 0) 100)` tests the 0 its miss
// path merged in; after threading the miss path goes directly to the default.
// The merging block's values must be used only there and in its successors' φs (on its edges),
// so bypassing it leaves every use dominated by its definition.

import type { SsaPass } from "../compiler/registry.ts";
import { type BlockId, type Function, type Inst, type VReg, predecessors, termUses, uses } from "../compiler/ir.ts";
import { cleanupCfg } from "../compiler/ir_util.ts";
import { foldCond } from "../compiler/fold.ts";
import { Facts } from "./analysis.ts";

/** Whether every use of a value defined in `m` is in `m` or in a successor's φ on an edge from `m`. */
function localValues(fn: Function, m: BlockId): boolean {
  const b = fn.blocks[m];
  const mine = new Set<VReg>([...b.phis.map((p) => p.dst), ...b.insts.flatMap((i) => ("dst" in i && i.dst !== undefined ? [i.dst] : []))]);
  for (const o of fn.blocks) {
    for (const p of o.phis) for (const a of p.args) if (mine.has(a.value) && a.block !== m && o.id !== m) return false;
    if (o.id === m) continue;
    for (const i of o.insts) if (uses(i).some((r) => mine.has(r))) return false;
    if (termUses(o.term).some((r) => mine.has(r))) return false;
  }
  return true;
}

/** Thread one predecessor edge; returns whether something changed. */
function threadOnce(fn: Function): boolean {
  const preds = predecessors(fn);
  const f = new Facts(fn);
  for (const m of fn.blocks) {
    const t = m.term;
    if (m.id === 0 || t.op !== "br" || t.then === t.else) continue;
    if (!m.insts.every((i) => i.op === "const")) continue;
    if (!m.phis.some((p) => p.dst === t.a || p.dst === t.b)) continue;
    if (!localValues(fn, m.id)) continue;
    for (const p of preds[m.id]) {
      const pb = fn.blocks[p];
      if (p === m.id) continue;
      // The operands as seen from p: a φ of m takes p's incoming value.
      const seen = (r: VReg): VReg => m.phis.find((ph) => ph.dst === r)?.args.find((a) => a.block === p)?.value ?? r;
      const ca = f.constOf(seen(t.a)), cb = f.constOf(seen(t.b));
      if (ca === undefined || cb === undefined) continue;
      const to = foldCond(t.cond, ca, cb, t.w32) ? t.then : t.else;
      if (to === m.id || preds[to].includes(p)) continue;
      if (pb.term.op === "br" && pb.term.then === pb.term.else) continue;
      // Values m hands to `to`'s φs, as p would have: φs of m by p's input, constants copied.
      const extra: Inst[] = [];
      const viaP = (r: VReg): VReg => {
        const ph = m.phis.find((x) => x.dst === r);
        if (ph) return ph.args.find((a) => a.block === p)!.value;
        const d = m.insts.find((i) => i.op === "const" && i.dst === r);
        if (d && d.op === "const") {
          const dst = fn.nextReg++;
          extra.push({ op: "const", dst, value: d.value, span: d.span });
          return dst;
        }
        return r;
      };
      for (const ph of fn.blocks[to].phis) {
        const a = ph.args.find((x) => x.block === m.id);
        if (a) ph.args.push({ block: p, value: viaP(a.value) });
      }
      pb.insts.push(...extra);
      const pt = pb.term;
      if (pt.op === "jmp") pb.term = { ...pt, target: to };
      else if (pt.op === "br") pb.term = { ...pt, then: pt.then === m.id ? to : pt.then, else: pt.else === m.id ? to : pt.else };
      for (const ph of m.phis) ph.args = ph.args.filter((a) => a.block !== p);
      return true;
    }
  }
  return false;
}

export const phiThread: SsaPass = {
  name: "phi-thread",
  kind: "ssa",
  description: "φ-branch threading: predecessors bringing constants to a φ-tested branch jump to its known target",
  run(fn) {
    let changed = false;
    for (let n = 0; n < 64 && threadOnce(fn); n++) changed = true;
    if (changed) cleanupCfg(fn);
    return changed;
  },
};
