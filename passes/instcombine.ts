// instcombine: algebraic simplification by the exact u64 rules (SPEC §3). Identities (x + 0,
// x * 1, x & -1 …), constant chains ((x + 3) + 4 → x + 7, also for and/or/xor/shifts), strength
// reduction (x / 2^k → x >> k, (x << k) + x → x * (2^k + 1)), extensions and masks that known
// high-zero bits make no-ops, truncations a narrow store makes redundant, and byte swaps compared
// with constants (bswap16(x) == C → x == bswap16(C) when x has 16 significant bits). Runs to a
// fixed point; results are left as copies for copy-prop and dead code for dce.

import type { SsaPass } from "../compiler/registry.ts";
import { type Cond, type Inst, type Term, type VReg, reversePostOrder } from "../compiler/ir.ts";
import { prunePhis, useCounts } from "../compiler/ir_util.ts";
import { foldBswap, foldCond, swapCond } from "../compiler/fold.ts";
import { Facts, bitLength, evalPure } from "./analysis.ts";

const COMMUTATIVE = new Set(["add", "mul", "and", "or", "xor"]);
const mask = (bits: number): bigint => (1n << BigInt(bits)) - 1n;
const fitsS32 = (c: bigint): boolean => {
  const s = BigInt.asIntN(64, c);
  return s >= -0x80000000n && s <= 0x7fffffffn;
};
const isPow2 = (c: bigint): boolean => c > 0n && (c & (c - 1n)) === 0n;

/** One sweep's rewriting context. */
class Combiner {
  readonly f: Facts;
  readonly uses: Map<VReg, number>;
  changed = false;

  constructor(readonly fn: import("../compiler/ir.ts").Function) {
    this.f = new Facts(fn);
    this.uses = useCounts(fn);
  }

  private c(v: VReg): bigint | undefined {
    return this.f.constOf(v);
  }

  private konst(value: bigint, span: Inst["span"]): { reg: VReg; inst: Inst } {
    const reg = this.fn.nextReg++;
    return { reg, inst: { op: "const", dst: reg, value: BigInt.asUintN(64, value), span } };
  }

  /** Instructions replacing `i` (same dst), or undefined to keep it. */
  inst(i: Inst): Inst[] | undefined {
    const f = this.f;
    if (!("dst" in i) || i.dst === undefined) return i.op === "store" ? this.store(i) : undefined;
    const dst = i.dst, span = i.span;
    const copy = (src: VReg): Inst[] => [{ op: "copy", dst, src, span }];
    const value = (v: bigint): Inst[] => [{ op: "const", dst, value: BigInt.asUintN(64, v), span }];
    if (i.op !== "const" && i.op !== "copy") {
      const v = evalPure(i, (r) => this.c(r));
      if (v !== undefined) return value(v);
    }
    switch (i.op) {
      case "bin": return i.core ? undefined : this.bin(i as Inst & { op: "bin" }, copy, value);
      case "neg": {
        const d = f.def.get(f.root(i.a));
        return d?.op === "neg" ? copy(d.a) : undefined;
      }
      case "ext": {
        const za = f.zbits(i.a);
        if (!i.signed && za <= i.bits) return copy(i.a);
        if (i.signed && za < i.bits) return copy(i.a);
        const d = f.def.get(f.root(i.a));
        if (d?.op === "ext" && d.bits >= i.bits) return [{ ...i, a: d.a }]; // only the low i.bits matter
        if (d?.op === "ext" && d.bits < i.bits && d.signed === i.signed) return copy(i.a); // already extended
        if (d?.op === "ext" && d.bits < i.bits && !d.signed && i.signed) return copy(i.a); // zext8 then sext16: sign bit is 0
        if (!i.signed && d?.op === "bin" && d.kind === "and" && !d.w32) {
          const cm = this.c(d.b);
          if (cm !== undefined && (cm & mask(i.bits)) <= 0x7fffffffn) {
            const k = this.konst(cm & mask(i.bits), span);
            return [k.inst, { op: "bin", dst, kind: "and", a: d.a, b: k.reg, span }];
          }
        }
        return undefined;
      }
      case "bswap": {
        const d = f.def.get(f.root(i.a));
        if (d?.op === "bswap" && d.bits === i.bits) {
          return i.bits === 64 ? copy(d.a) : [{ op: "ext", dst, a: d.a, bits: i.bits, signed: false, span }];
        }
        return undefined;
      }
    }
    return undefined;
  }

  private bin(i: Inst & { op: "bin" }, copy: (s: VReg) => Inst[], value: (v: bigint) => Inst[]): Inst[] | undefined {
    const f = this.f, dst = i.dst, span = i.span;
    const w = i.w32 ? 32 : 64;
    let { a, b } = i;
    if (COMMUTATIVE.has(i.kind) && this.c(a) !== undefined && this.c(b) === undefined) {
      [a, b] = [b, a];
      this.changed = true;
      i = { ...i, a, b };
    }
    // A 32-bit identity still zero-extends its operand.
    const same = (x: VReg): Inst[] => (i.w32 && f.zbits(x) > 32 ? [{ op: "ext", dst, a: x, bits: 32, signed: false, span }] : copy(x));
    const ra = f.root(a), rb = f.root(b);
    if (ra === rb) {
      if (i.kind === "sub" || i.kind === "xor") return value(0n);
      if (i.kind === "and" || i.kind === "or") return same(a);
    }
    const c0 = this.c(b);
    if (c0 === undefined) {
      // (x << k) + x → x * (2^k + 1) when the shift has no other use.
      if (i.kind === "add" || i.kind === "sub") {
        for (const [s, o] of i.kind === "add" ? [[a, b], [b, a]] : [[a, b]]) {
          const d = f.def.get(f.root(s));
          const k = d?.op === "bin" && d.kind === "shl" && !!d.w32 === !!i.w32 ? this.c(d.b) : undefined;
          if (d?.op !== "bin" || d.core || k === undefined || k < 1n || k > 30n || f.root(d.a) !== f.root(o) || (this.uses.get(s) ?? 0) !== 1) continue;
          if (f.mayBePointer(o)) continue;
          const m = this.konst((1n << k) + (i.kind === "add" ? 1n : -1n), span);
          return [m.inst, { op: "bin", dst, kind: "mul", a: o, b: m.reg, w32: i.w32, span }];
        }
      }
      return undefined;
    }
    const c = BigInt.asUintN(w, c0);
    const za = f.zbits(a);
    switch (i.kind) {
      case "add": case "or": case "xor": case "shl": case "lshr": case "ashr":
        if (c === 0n) return same(a);
        break;
      case "sub":
        if (c === 0n) return same(a);
        break;
      case "mul": case "udiv": case "sdiv":
        if (c === 1n) return same(a);
        if (i.kind === "mul" && c === 0n) return value(0n);
        break;
      case "umod":
        if (c === 1n) return value(0n);
        break;
      case "and":
        if (c === 0n) return value(0n);
        if ((c & mask(Math.min(za, w))) === mask(Math.min(za, w))) return same(a);
        break;
    }
    if (i.kind === "lshr" && za <= Number(c & BigInt(w - 1))) return value(0n);
    // (x ^ C) & (2^n - 1) with x below 2^n: the mask only trims the constant (lognot then mask).
    if (i.kind === "and" && isPow2(c + 1n)) {
      const d = f.def.get(f.root(a));
      const n = bitLength(c);
      const k = d?.op === "bin" && (d.kind === "xor" || d.kind === "or") && !d.core && !!d.w32 === !!i.w32 ? this.c(d.b) : undefined;
      if (d?.op === "bin" && k !== undefined && f.zbits(d.a) <= n && (this.uses.get(a) ?? 0) === 1 && (k & c) <= 0x7fffffffn) {
        const m = this.konst(k & c, span);
        return [m.inst, { op: "bin", dst, kind: d.kind, a: d.a, b: m.reg, w32: i.w32, span }];
      }
    }
    // Division and remainder by a power of two.
    if (i.kind === "udiv" && isPow2(c)) {
      const k = this.konst(BigInt(bitLength(c) - 1), span);
      return [k.inst, { ...i, kind: "lshr", b: k.reg }];
    }
    if (i.kind === "umod" && isPow2(c) && (c - 1n) <= 0x7fffffffn) {
      const k = this.konst(c - 1n, span);
      return [k.inst, { ...i, kind: "and", b: k.reg }];
    }
    // Constant chains: (x op c1) op c2 → x op (c1 ⊕ c2).
    const d = f.def.get(f.root(a));
    if (d?.op === "bin" && !!d.w32 === !!i.w32 && !d.core) {
      const c1 = this.c(d.b);
      if (c1 !== undefined && this.c(d.a) === undefined) {
        const sub = (k: string) => (k === "sub" ? -1n : 1n);
        let merged: { kind: typeof i.kind; c: bigint } | undefined;
        if ((i.kind === "add" || i.kind === "sub") && (d.kind === "add" || d.kind === "sub") && !i.w32) {
          const sum = BigInt.asIntN(64, sub(d.kind) * BigInt.asIntN(64, c1) + sub(i.kind) * BigInt.asIntN(64, c0));
          if (fitsS32(sum)) merged = { kind: "add", c: sum };
        } else if (i.kind === d.kind && (i.kind === "and" || i.kind === "or" || i.kind === "xor")) {
          const m = i.kind === "and" ? c1 & c0 : i.kind === "or" ? c1 | c0 : c1 ^ c0;
          merged = { kind: i.kind, c: m };
        } else if (i.kind === d.kind && (i.kind === "shl" || i.kind === "lshr")) {
          const s1 = BigInt.asUintN(w, c1), s2 = c;
          if (s1 < BigInt(w) && s2 < BigInt(w)) {
            if (s1 + s2 >= BigInt(w)) return value(0n);
            merged = { kind: i.kind, c: s1 + s2 };
          }
        }
        if (merged) {
          if (merged.c === 0n && merged.kind !== "and") return same(d.a);
          const k = this.konst(merged.c, span);
          return [k.inst, { ...i, kind: merged.kind, a: d.a, b: k.reg }];
        }
      }
    }
    // Canonical form of a constant subtraction: x + (-c).
    if (i.kind === "sub" && !i.w32 && fitsS32(-BigInt.asIntN(64, c0)) && f.def.get(f.root(a))?.op !== "const") {
      const k = this.konst(-BigInt.asIntN(64, c0), span);
      return [k.inst, { ...i, kind: "add", b: k.reg }];
    }
    if (a !== i.a || b !== i.b) return [i];
    return undefined;
  }

  /** A narrow store keeps only the low bytes: extensions and masks of the value are not needed. */
  private store(i: Inst & { op: "store" }): Inst[] | undefined {
    const bits = i.size * 8;
    if (bits === 64) return undefined;
    const d = this.f.def.get(this.f.root(i.value));
    if (d?.op === "ext" && d.bits >= bits) return [{ ...i, value: d.a }];
    if (d?.op === "bin" && d.kind === "and") {
      const m = this.c(d.b);
      if (m !== undefined && (m & mask(bits)) === mask(bits)) return [{ ...i, value: d.a }];
    }
    return undefined;
  }

  term(t: Term): Term | undefined {
    if (t.op !== "br") return undefined;
    const f = this.f;
    let { a, b, cond } = t;
    const ca = this.c(a), cb = this.c(b);
    if (ca !== undefined && cb !== undefined) return { op: "jmp", target: foldCond(cond, ca, cb, t.w32) ? t.then : t.else, span: t.span };
    if (t.then === t.else) return { op: "jmp", target: t.then, span: t.span };
    if (ca !== undefined) {
      [a, b] = [b, a];
      cond = swapCond(cond);
    }
    const jump = (taken: boolean): Term => ({ op: "jmp", target: taken ? t.then : t.else, span: t.span });
    if (f.root(a) === f.root(b) && cond !== "set") return jump(["eq", "uge", "ule", "sge", "sle"].includes(cond));
    const c = this.c(b);
    if (c !== undefined && c === 0n && !t.w32) {
      if (cond === "ult") return jump(false);
      if (cond === "uge") return jump(true);
      if (cond === "ugt") cond = "ne";
      else if (cond === "ule") cond = "eq";
    }
    // bswapN(x) == C  ⇔  x == bswapN(C), when x has at most N significant bits.
    const d = f.def.get(f.root(a));
    if (c !== undefined && (cond === "eq" || cond === "ne") && !t.w32 && d?.op === "bswap" && f.zbits(d.a) <= d.bits) {
      if (c > mask(d.bits)) return jump(cond === "ne");
      const k = this.konst(foldBswap(c, d.bits), t.span);
      this.pending.push(k.inst);
      return { ...t, cond, a: d.a, b: k.reg };
    }
    if (a !== t.a || b !== t.b || cond !== t.cond) return { ...t, a, b, cond: cond as Cond };
    return undefined;
  }

  /** Constants created for a terminator, appended to its block. */
  pending: Inst[] = [];
}

export const instcombine: SsaPass = {
  name: "instcombine",
  kind: "ssa",
  description: "algebraic identities, constant chains, strength reduction, redundant extensions and byte swaps",
  run(fn) {
    let changed = false;
    for (let round = 0; round < 8; round++) {
      const cb = new Combiner(fn);
      let any = false;
      for (const id of reversePostOrder(fn)) {
        const blk = fn.blocks[id];
        const out: Inst[] = [];
        for (const i of blk.insts) {
          const r = cb.inst(i);
          if (r === undefined) out.push(i);
          else {
            out.push(...r);
            any = true;
          }
        }
        cb.pending = [];
        const t = cb.term(blk.term);
        if (t) {
          out.push(...cb.pending);
          blk.term = t;
          any = true;
        }
        blk.insts = out;
      }
      if (!any && !cb.changed) break;
      changed = true;
    }
    // Terminators folded to jumps removed edges.
    if (changed) prunePhis(fn);
    return changed;
  },
};
