// narrow: type narrowing to 32-bit ALU and JMP32 (-mcpu=v3 and up), only where the result is
// provably the same (SPEC §3). A 64-bit operation whose every use reads only the low 32 bits
// (a zero-extension, a narrow store, another 32-bit operation) is computed with ALU32, whose
// result is already zero-extended, so the extension disappears; a comparison of two values that
// are both zero-extended (or both sign-extended) 32-bit values becomes a JMP32 comparison of the
// unextended registers. Values that may be pointers are never narrowed (the verifier refuses
// 32-bit pointer arithmetic).

import type { SsaPass } from "../compiler/registry.ts";
import { type BinKind, type Cond, type Inst, type Term, type VReg, uses } from "../compiler/ir.ts";
import { Facts } from "./analysis.ts";

/** Operations whose low 32 result bits depend only on the low 32 bits of their operands. */
const LOW_ONLY = new Set<BinKind>(["add", "sub", "mul", "and", "or", "xor"]);
// (Every 32-bit operation reads only the low 32 bits of its operands: extensions of them can go.)
const UNSIGNED: Record<string, Cond> = { sgt: "ugt", sge: "uge", slt: "ult", sle: "ule" };

type Use = { kind: "inst"; inst: Inst } | { kind: "term"; term: Term } | { kind: "phi" };

export const narrow: SsaPass = {
  name: "narrow",
  kind: "ssa",
  description: "computes values only used as 32-bit with ALU32 and compares 32-bit values with JMP32 (-mcpu=v3+)",
  run(fn, ctx) {
    if (ctx.cpu < 3) return false;
    let changed = false;
    for (let round = 0; round < 16; round++) {
      const f = new Facts(fn);
      const users = new Map<VReg, Use[]>();
      const add = (r: VReg, u: Use) => (users.get(r) ?? users.set(r, []).get(r)!).push(u);
      for (const b of fn.blocks) {
        for (const p of b.phis) p.args.forEach((a) => add(a.value, { kind: "phi" }));
        for (const i of b.insts) {
          for (const r of uses(i)) add(r, { kind: "inst", inst: i });
        }
        if (b.term.op === "br") [b.term.a, b.term.b].forEach((r) => add(r, { kind: "term", term: b.term }));
        else if (b.term.op === "ret") add(b.term.value, { kind: "phi" });
      }
      /** Whether a use reads only the low 32 bits of `r` (32-bit operations and jumps read no more). */
      const low32Use = (r: VReg, u: Use): boolean => {
        if (u.kind === "phi") return false;
        if (u.kind === "term") return u.term.op === "br" && !!u.term.w32;
        const i = u.inst;
        if (i.op === "ext") return i.bits <= 32;
        if (i.op === "store") return i.value === r && i.base !== r && i.size <= 4;
        return i.op === "bin" && !!i.w32;
      };
      /** The register holding the same low 32 bits without an extension in between. */
      const low = (r: VReg): VReg => {
        const d = f.def.get(f.root(r));
        if (d?.op === "ext" && d.bits === 32) return d.a;
        if (d?.op === "bin" && d.kind === "and" && !d.w32 && f.constOf(d.b) === 0xffffffffn) return d.a;
        return r;
      };
      let any = false;
      for (const b of fn.blocks) {
        b.insts = b.insts.map((i): Inst => {
          if (i.op === "bin" && i.core) return i;
          if (i.op === "bin" && !i.w32) {
            if (f.mayBePointer(i.a) || f.mayBePointer(i.b) || f.mayBePointer(i.dst)) return i;
            const us = users.get(i.dst) ?? [];
            if (us.length === 0 || !us.every((u) => low32Use(i.dst, u))) return i;
            const shiftOk = (i.kind === "shl" || i.kind === "lshr") && (f.constOf(i.b) ?? 64n) < 32n && (i.kind === "shl" || f.zbits(i.a) <= 32);
            const divOk = (i.kind === "udiv" || i.kind === "umod") && f.zbits(i.a) <= 32 && f.zbits(i.b) <= 32;
            if (!LOW_ONLY.has(i.kind) && !shiftOk && !divOk) return i;
            any = true;
            return { ...i, w32: true, a: low(i.a), b: low(i.b) };
          }
          if (i.op === "bin" && i.w32) {
            const a = low(i.a), c = low(i.b);
            if (a !== i.a || c !== i.b) {
              any = true;
              return { ...i, a, b: c };
            }
          }
          // The value of a 32-bit operation is already zero-extended.
          if (i.op === "ext" && !i.signed && i.bits === 32) {
            const d = f.def.get(f.root(i.a));
            if (d?.op === "bin" && d.w32) {
              any = true;
              return { op: "copy", dst: i.dst, src: i.a, span: i.span };
            }
          }
          return i;
        });
        const t = b.term;
        if (t.op === "br" && !t.w32) {
          const nt = narrowBranch(f, t);
          if (nt) {
            b.term = nt;
            any = true;
          }
        }
      }
      if (!any) break;
      changed = true;
    }
    return changed;
  },
};

/** A JMP32 form of `t` over unextended registers, when both sides are 32-bit values of one kind. */
function narrowBranch(f: Facts, t: Term & { op: "br" }): Term | undefined {
  // Registers fed to a sign extension are scalars: the verifier refuses shifts of pointers.
  const side = (r: VReg): { zext?: VReg; sext?: VReg } => {
    const c = f.constOf(r);
    if (c !== undefined) {
      const s = BigInt.asIntN(64, c);
      return { zext: c <= 0xffffffffn ? r : undefined, sext: s >= -0x80000000n && s <= 0x7fffffffn ? r : undefined };
    }
    const d = f.def.get(f.root(r));
    if (d?.op === "ext" && d.bits === 32 && d.signed) return { sext: d.a };
    if (f.mayBePointer(r)) return {};
    if (d?.op === "ext" && d.bits === 32) return f.mayBePointer(d.a) ? {} : { zext: d.a };
    if (d?.op === "bin" && d.kind === "and" && !d.w32 && f.constOf(d.b) === 0xffffffffn) return f.mayBePointer(d.a) ? {} : { zext: d.a };
    return f.zbits(r) <= 32 ? { zext: r } : {};
  };
  const a = side(t.a), b = side(t.b);
  if (a.zext !== undefined && b.zext !== undefined && (a.zext !== t.a || b.zext !== t.b)) {
    return { ...t, w32: true, a: a.zext, b: b.zext, cond: UNSIGNED[t.cond] ?? t.cond };
  }
  if (a.sext !== undefined && b.sext !== undefined && t.cond !== "set" && (a.sext !== t.a || b.sext !== t.b)) {
    return { ...t, w32: true, a: a.sext, b: b.sext };
  }
  return undefined;
}

