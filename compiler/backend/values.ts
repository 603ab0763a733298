// Value facts for instruction selection: constants, map references and frame addresses (recreated at
// each use), use counts, and which registers may hold the context pointer (no BPF_ST through it).
import type { Block, VReg } from "../ir.ts";
import { termUses, uses } from "../ir.ts";
import { fitsS32, foldBin, foldBswap, foldExt, foldNeg } from "./fold.ts";

/** A value that can be recreated anywhere: a constant, a map reference, or a frame address. */
export type Remat =
  | { k: "const"; value: bigint }
  | { k: "map"; name: string }
  | { k: "stack"; slot: number; off: number };

export interface ValueFacts {
  remat: Map<VReg, Remat>;
  useCount: Map<VReg, number>;
  /** Registers that may hold the program context (param 0), through copies and φs. */
  ctx: Set<VReg>;
}

/** A constant loadable by one 8-byte instruction (`mov` sign-extending, or `mov32` zero-extending). */
export const cheapConst = (v: bigint): boolean => fitsS32(v) || BigInt.asUintN(64, v) <= 0xffffffffn;

/** Facts over the reachable blocks, given in reverse post-order (definitions before uses, φs aside). */
export function analyzeValues(blocks: Block[]): ValueFacts {
  const remat = new Map<VReg, Remat>();
  const constOf = (v: VReg): bigint | undefined => {
    const r = remat.get(v);
    return r?.k === "const" ? r.value : undefined;
  };
  for (const b of blocks) {
    for (const i of b.insts) {
      switch (i.op) {
        case "const": remat.set(i.dst, { k: "const", value: BigInt.asUintN(64, i.value) }); break;
        case "mapref": remat.set(i.dst, { k: "map", name: i.map }); break;
        case "stack": remat.set(i.dst, { k: "stack", slot: i.slot, off: 0 }); break;
        case "copy": {
          const r = remat.get(i.src);
          if (r) remat.set(i.dst, r);
          break;
        }
        case "bin": {
          if (i.core) break; // a CO-RE field offset is patched by libbpf: never a known value
          const a = constOf(i.a), c = constOf(i.b);
          if (a !== undefined && c !== undefined) {
            remat.set(i.dst, { k: "const", value: foldBin(i.kind, a, c, i.w32) });
            break;
          }
          // BPF division by zero gives 0.
          if ((i.kind === "udiv" || i.kind === "sdiv") && c !== undefined && BigInt.asUintN(i.w32 ? 32 : 64, c) === 0n) {
            remat.set(i.dst, { k: "const", value: 0n });
            break;
          }
          // A frame address plus or minus a constant is still a frame address.
          const ra = remat.get(i.a), rb = remat.get(i.b);
          if (i.w32) break;
          const small = (x: bigint | undefined) => x !== undefined && fitsS32(x) ? Number(BigInt.asIntN(64, x)) : undefined;
          if (ra?.k === "stack" && (i.kind === "add" || i.kind === "sub") && small(c) !== undefined) {
            remat.set(i.dst, { ...ra, off: ra.off + (i.kind === "add" ? small(c)! : -small(c)!) });
          } else if (rb?.k === "stack" && i.kind === "add" && small(a) !== undefined) {
            remat.set(i.dst, { ...rb, off: rb.off + small(a)! });
          }
          break;
        }
        case "neg": {
          const a = constOf(i.a);
          if (a !== undefined) remat.set(i.dst, { k: "const", value: foldNeg(a) });
          break;
        }
        case "ext": {
          const a = constOf(i.a);
          if (a !== undefined) remat.set(i.dst, { k: "const", value: foldExt(a, i.bits, i.signed) });
          break;
        }
        case "bswap": {
          const a = constOf(i.a);
          if (a !== undefined) remat.set(i.dst, { k: "const", value: foldBswap(a, i.bits) });
          break;
        }
      }
    }
  }

  const useCount = new Map<VReg, number>();
  const use = (v: VReg) => useCount.set(v, (useCount.get(v) ?? 0) + 1);
  for (const b of blocks) {
    for (const p of b.phis) for (const a of p.args) use(a.value);
    for (const i of b.insts) uses(i).forEach(use);
    termUses(b.term).forEach(use);
  }

  const ctx = new Set<VReg>();
  for (let changed = true; changed;) {
    changed = false;
    const mark = (v: VReg) => {
      if (!ctx.has(v)) {
        ctx.add(v);
        changed = true;
      }
    };
    for (const b of blocks) {
      for (const p of b.phis) if (p.args.some((a) => ctx.has(a.value))) mark(p.dst);
      for (const i of b.insts) {
        if (i.op === "param" && i.index === 0) mark(i.dst);
        if (i.op === "copy" && ctx.has(i.src)) mark(i.dst);
      }
    }
  }
  return { remat, useCount, ctx };
}
