// Shared facts for the built-in SSA passes (not a pass): definitions, constants, frame addresses,
// base + constant decomposition, pointer provenance, and known zero high bits of every value.
//
// Known bits are conservative in one important way: a load from the program context may be
// rewritten by the kernel verifier into a 64-bit pointer load (xdp_md.data is declared u32), so
// context loads are treated as unknown 64-bit values, never as zero-extended narrow ones.

import type { BlockId, Function, Inst, Phi, VReg } from "../compiler/ir.ts";
import { foldBswap, foldExt } from "../compiler/fold.ts";
// compiler/fold.ts's foldBin evaluates 32-bit shifts and signed operations on 64 bits; the back
// end's version has the BPF ALU32 semantics (shift counts mod 32, signs at bit 31).
import { foldBin } from "../compiler/backend/fold.ts";
export { foldBin };
import { HELPERS } from "../compiler/uapi.ts";

const POINTER_HELPERS = new Set(HELPERS.filter((h) => h.ret.includes("*")).map((h) => h.id));
const KERNEL_OBJECTS = new Set([
  "struct bpf_map *", "struct sk_buff *", "struct xdp_buff *", "struct pt_regs *", "struct bpf_sock *",
  "struct bpf_sock_addr *", "struct bpf_sock_ops *", "struct bpf_sysctl *", "struct sk_msg_buff *",
  "struct sk_reuseport_md *", "struct task_struct *", "struct file *", "struct inode *", "struct cgroup *",
  "struct linux_binprm *", "struct path *", "struct seq_file *", "struct bpf_perf_event_data *",
]);
const WRITES = new Map(HELPERS.map((h) => [h.id, h.args.map((a) =>
  a.type.includes("*") && !a.type.startsWith("const ") && !KERNEL_OBJECTS.has(a.type) && a.name !== "ctx")]));

/**
 * Whether helper `id` may write through its argument `index` (a non-const pointer). Unknown
 * helpers and variadic extra arguments are assumed to write.
 */
export function helperMayWrite(id: number, index: number): boolean {
  const w = WRITES.get(id);
  return w === undefined || index >= w.length || w[index];
}

/** Number of significant low bits of a constant (0 for 0). */
export const bitLength = (c: bigint): number => BigInt.asUintN(64, c).toString(2).replace(/^0+/, "").length;

export class Facts {
  readonly def = new Map<VReg, Inst>();
  readonly phi = new Map<VReg, Phi>();
  readonly blockOf = new Map<VReg, BlockId>();
  private zb?: Map<VReg, number>;
  private ptr?: Set<VReg>;
  private ctx?: Set<VReg>;

  constructor(readonly fn: Function) {
    for (const b of fn.blocks) {
      for (const p of b.phis) {
        this.phi.set(p.dst, p);
        this.blockOf.set(p.dst, b.id);
      }
      for (const i of b.insts) {
        if ("dst" in i && i.dst !== undefined) {
          this.def.set(i.dst, i);
          this.blockOf.set(i.dst, b.id);
        }
      }
    }
  }

  /** Follow copies to the register that really holds the value. */
  root(v: VReg): VReg {
    for (let g = 0; g < 64; g++) {
      const d = this.def.get(v);
      if (d?.op !== "copy") return v;
      v = d.src;
    }
    return v;
  }

  /** The value of a constant register (unsigned 64-bit), through copies. */
  constOf(v: VReg): bigint | undefined {
    const d = this.def.get(this.root(v));
    return d?.op === "const" ? BigInt.asUintN(64, d.value) : undefined;
  }

  /** `v` as base + k (64-bit adds/subs of constants that fit in 32 bits, followed through chains). */
  split(v: VReg): { base: VReg; k: bigint } {
    let base = this.root(v), k = 0n;
    for (let g = 0; g < 32; g++) {
      const d = this.def.get(base);
      if (d?.op !== "bin" || d.w32 || d.core || (d.kind !== "add" && d.kind !== "sub")) break;
      const cb = this.constOf(d.b), ca = d.kind === "add" ? this.constOf(d.a) : undefined;
      const c = cb ?? ca;
      if (c === undefined) break;
      const s = BigInt.asIntN(64, c);
      if (s < -0x80000000n || s > 0x7fffffffn) break;
      k += d.kind === "sub" ? -s : s;
      base = this.root(cb !== undefined ? d.a : d.b);
    }
    return { base, k };
  }

  /** The frame slot and byte offset `v` points to, when it is a frame address. */
  stackAddr(v: VReg): { slot: number; off: number } | undefined {
    const { base, k } = this.split(v);
    const d = this.def.get(base);
    if (d?.op !== "stack") return undefined;
    return { slot: d.slot, off: Number(k) };
  }

  /** Registers derived from the context pointer (param 0) by copies, φs and constant offsets. */
  ctxDerived(v: VReg): boolean {
    if (!this.ctx) {
      const s = new Set<VReg>();
      for (let changed = true; changed;) {
        changed = false;
        const mark = (r: VReg) => { if (!s.has(r)) { s.add(r); changed = true; } };
        for (const [r, d] of this.def) {
          if (d.op === "param" || (d.op === "copy" && s.has(d.src)) || (d.op === "bin" && (d.kind === "add" || d.kind === "sub") && (s.has(d.a) || s.has(d.b)))) mark(r);
        }
        for (const [r, p] of this.phi) if (p.args.some((a) => s.has(a.value))) mark(r);
      }
      this.ctx = s;
    }
    return this.ctx.has(v);
  }

  /**
   * Whether `v` may hold a pointer the verifier tracks (context, packet, stack, map value, …):
   * such values must never go through 32-bit ALU operations.
   */
  mayBePointer(v: VReg): boolean {
    if (!this.ptr) {
      const s = new Set<VReg>();
      const base = (d: Inst): boolean => {
        switch (d.op) {
          case "param": case "stack": case "mapref": return true;
          case "call": return POINTER_HELPERS.has(d.helper);
          case "load": return d.size === 8 || this.ctxDerived(d.base);
          case "atomic": return d.size === 8;
          default: return false;
        }
      };
      for (const [r, d] of this.def) if (base(d)) s.add(r);
      for (let changed = true; changed;) {
        changed = false;
        const mark = (r: VReg) => { if (!s.has(r)) { s.add(r); changed = true; } };
        for (const [r, d] of this.def) {
          if (s.has(r)) continue;
          if (d.op === "copy" && s.has(d.src)) mark(r);
          else if (d.op === "bin" && (s.has(d.a) || s.has(d.b))) mark(r);
          else if ((d.op === "neg" || d.op === "ext" || d.op === "bswap") && s.has(d.a)) mark(r);
        }
        for (const [r, p] of this.phi) if (!s.has(r) && p.args.some((a) => s.has(a.value))) mark(r);
      }
      this.ptr = s;
    }
    return this.ptr.has(v);
  }

  /** An upper bound on the number of significant bits of `v` (the value is below 2^bits). */
  zbits(v: VReg): number {
    if (!this.zb) this.zb = this.computeZbits();
    return this.zb.get(v) ?? 64;
  }

  private computeZbits(): Map<VReg, number> {
    // Optimistic start for φs (0 bits), then iterate: every rule is monotone, values only grow.
    const zb = new Map<VReg, number>();
    const get = (r: VReg) => zb.get(r) ?? (this.phi.has(r) ? 0 : this.def.has(r) ? 0 : 64);
    const rule = (d: Inst): number => {
      const c = (r: VReg) => this.constOf(r);
      switch (d.op) {
        case "const": return bitLength(d.value);
        case "copy": return get(d.src);
        case "load": return d.signed || this.ctxDerived(d.base) ? 64 : d.size * 8;
        case "ldabs": case "ldind": return d.size * 8;
        case "ext": return d.signed ? (get(d.a) < d.bits ? get(d.a) : 64) : Math.min(d.bits, get(d.a));
        case "bswap": return d.bits;
        case "bin": {
          if (d.core) return 64; // the constant is a placeholder libbpf relocates
          const a = get(d.a), b = get(d.b), cb = c(d.b);
          const cap = d.w32 ? 32 : 64;
          const ca = c(d.a);
          if (ca !== undefined && cb !== undefined) return bitLength(foldBin(d.kind, ca, cb, d.w32));
          let r: number;
          switch (d.kind) {
            case "and": r = Math.min(a, b); break;
            case "or": case "xor": r = Math.max(a, b); break;
            case "add": r = Math.max(a, b) + 1; break;
            case "mul": r = a + b; break;
            case "udiv": r = a; break;
            case "umod": r = a; break; // x mod 0 = x
            case "shl": r = cb !== undefined && cb < BigInt(cap) ? a + Number(cb) : cap; break;
            case "lshr": r = cb !== undefined ? Math.max(0, a - Number(cb & BigInt(cap - 1))) : a; break;
            case "ashr": r = a < cap ? (cb !== undefined ? Math.max(0, a - Number(cb & BigInt(cap - 1))) : a) : cap; break;
            default: r = cap; // sub, sdiv, smod
          }
          return Math.min(cap, Math.min(64, r));
        }
        default: return 64; // param, mapref, stack, call, neg
      }
    };
    let changed = true;
    for (let guard = 0; changed && guard < 500; guard++) {
      changed = false;
      for (const b of this.fn.blocks) {
        for (const p of b.phis) {
          const v = Math.max(0, ...p.args.map((a) => get(a.value)));
          if (v > (zb.get(p.dst) ?? -1)) { zb.set(p.dst, v); changed = true; }
        }
        for (const i of b.insts) {
          if (!("dst" in i) || i.dst === undefined) continue;
          const v = Math.max(rule(i), zb.get(i.dst) ?? 0);
          if (v !== zb.get(i.dst)) { zb.set(i.dst, v); changed = true; }
        }
      }
    }
    if (changed) return new Map(); // did not converge: know nothing (every value 64 bits)
    return zb;
  }
}

/** Evaluate a pure instruction on constant operands (undefined when it is not pure or not constant). */
export function evalPure(i: Inst, c: (r: VReg) => bigint | undefined): bigint | undefined {
  switch (i.op) {
    case "const": return BigInt.asUintN(64, i.value);
    case "copy": return c(i.src);
    case "bin": {
      if (i.core) return undefined; // a CO-RE offset is patched at load time
      const a = c(i.a), b = c(i.b);
      return a === undefined || b === undefined ? undefined : foldBin(i.kind, a, b, i.w32);
    }
    case "neg": { const a = c(i.a); return a === undefined ? undefined : BigInt.asUintN(64, -a); }
    case "ext": { const a = c(i.a); return a === undefined ? undefined : foldExt(a, i.bits, i.signed); }
    case "bswap": { const a = c(i.a); return a === undefined ? undefined : foldBswap(a, i.bits); }
    default: return undefined;
  }
}

/**
 * Frame slots whose address never escapes: it is only used as the base of loads, stores and
 * atomics (at constant offsets) or passed to helpers. Memory facts about these slots are exact.
 * Empty when the function has raw `asm` (which may touch the frame).
 */
export function trackedSlots(fn: Function, f: Facts): Set<number> {
  const out = new Set(fn.slots.map((_, i) => i));
  const addr = (v: VReg) => f.stackAddr(v);
  const escape = (v: VReg) => {
    const a = addr(v);
    if (a) out.delete(a.slot);
  };
  for (const b of fn.blocks) {
    for (const p of b.phis) p.args.forEach((a) => escape(a.value));
    for (const i of b.insts) {
      switch (i.op) {
        case "asm": return new Set();
        case "load": break;
        case "store": escape(i.value); break;
        case "atomic": escape(i.value); if (i.expected !== undefined) escape(i.expected); break;
        case "call": break;
        case "copy": break;
        case "bin":
          // Address arithmetic by constants derives another tracked address; anything else escapes.
          if (addr(i.dst) === undefined) { escape(i.a); escape(i.b); }
          break;
        case "neg": case "ext": case "bswap": escape(i.a); break;
        case "ldabs": escape(i.ctx); break;
        case "ldind": escape(i.ctx); escape(i.index); break;
      }
    }
    const t = b.term;
    if (t.op === "br") { escape(t.a); escape(t.b); }
    else if (t.op === "ret") escape(t.value);
  }
  // Accesses must stay inside the slot.
  for (const b of fn.blocks) {
    for (const i of b.insts) {
      if (i.op !== "load" && i.op !== "store" && i.op !== "atomic") continue;
      const a = addr(i.base);
      if (a && (a.off + i.off < 0 || a.off + i.off + i.size > fn.slots[a.slot].size)) out.delete(a.slot);
    }
  }
  return out;
}

/** The tracked-slot byte range a memory access touches, if it is one. */
export function slotAccess(f: Facts, tracked: Set<number>, base: VReg, off: number, size: number): { slot: number; lo: number; hi: number } | undefined {
  const a = f.stackAddr(base);
  if (!a || !tracked.has(a.slot)) return undefined;
  return { slot: a.slot, lo: a.off + off, hi: a.off + off + size };
}
