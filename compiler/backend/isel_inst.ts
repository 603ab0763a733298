// Lowering of individual IR instructions to MIR: two-address ALU forms with immediates,
// extensions, loads/stores addressed off R10 for frame slots, atomics, helper calls, ld_abs/ld_ind.
import type { BinKind, Inst, VReg } from "../ir.ts";
import { fail } from "../diag.ts";
import { FP, type FrameRef, type MInst } from "./mir.ts";
import * as M from "./minst.ts";
import { fitsS32 } from "./fold.ts";
import type { Selector } from "./isel.ts";

const ALU_OF: Record<BinKind, M.AluName> = {
  add: "add", sub: "sub", mul: "mul", udiv: "div", umod: "mod", sdiv: "sdiv", smod: "smod",
  and: "and", or: "or", xor: "xor", shl: "lsh", lshr: "rsh", ashr: "arsh",
};
const COMMUTATIVE = new Set<BinKind>(["add", "mul", "and", "or", "xor"]);
const SHIFTS = new Set<BinKind>(["shl", "lshr", "ashr"]);
const IDENTITY_ZERO = new Set<BinKind>(["add", "sub", "or", "xor", "shl", "lshr", "ashr"]);

/** Select one IR instruction (params are handled by the caller). */
export function selectInst(sel: Selector, i: Inst): void {
  // Values known at compile time are recreated at their uses; only a large constant with several
  // uses is materialised here, once.
  if ("dst" in i && i.dst !== undefined && i.op !== "call" && i.op !== "load" && sel.facts.remat.has(i.dst)) {
    if (!sel.rematOf(i.dst)) sel.emit(M.ldImm64(sel.vr(i.dst), sel.constOf(i.dst)!));
    return;
  }
  switch (i.op) {
    case "const": case "mapref": case "stack": case "param":
      return; // always rematerialised (param: copied from R1.. in the entry block)
    case "copy":
      return sel.materializeInto(i.src, sel.vr(i.dst));
    case "bin":
      return selectBin(sel, i);
    case "neg": {
      const d = sel.vr(i.dst);
      return sel.emit(M.neg(d, sel.tiedInput(i.a, d)));
    }
    case "ext":
      return selectExt(sel, i);
    case "bswap": {
      const d = sel.vr(i.dst);
      return sel.emit(M.toBE(d, i.bits, sel.tiedInput(i.a, d)));
    }
    case "load":
      return selectLoad(sel, i);
    case "store":
      return selectStore(sel, i);
    case "atomic":
      return selectAtomic(sel, i);
    case "call": {
      if (i.args.length > 5) fail(`Helper calls take at most 5 arguments, got ${i.args.length}`, i.span);
      // Register arguments first, then those recreated in place (constants, map refs, frame addresses).
      i.args.forEach((a, k) => sel.rematOf(a) || sel.materializeInto(a, k + 1));
      i.args.forEach((a, k) => sel.rematOf(a) && sel.materializeInto(a, k + 1));
      sel.emit(M.call(i.helper, i.args.length));
      return sel.emit(M.copy(sel.vr(i.dst), 0));
    }
    case "ldabs":
      sel.materializeInto(i.ctx, 6);
      sel.emit(M.ldAbs(i.size, i.off));
      return sel.emit(M.copy(sel.vr(i.dst), 0));
    case "ldind": {
      const idx = sel.operand(i.index);
      sel.materializeInto(i.ctx, 6);
      sel.emit(M.ldInd(i.size, idx, i.off));
      return sel.emit(M.copy(sel.vr(i.dst), 0));
    }
    case "asm":
      return sel.emit(M.rawInsn(i.code, i.dstReg, i.srcReg, i.off, i.imm));
  }
}

function selectBin(sel: Selector, i: Inst & { op: "bin" }): void {
  let { a, b } = i;
  const { kind } = i;
  const w32 = i.w32 === true;
  const width = w32 ? 32 : 64;
  if ((kind === "sdiv" || kind === "smod") && sel.opts.cpu < 4) {
    fail(`Signed ${kind === "sdiv" ? "division" : "remainder"} needs -mcpu=v4 (BPF_SDIV/BPF_SMOD); use unsigned operands or a newer CPU`, i.span);
  }
  const d = sel.vr(i.dst);
  const cb = sel.constOf(b);
  if (i.core && cb !== undefined && fitsS32(cb)) {
    // A CO-RE field offset: libbpf patches this immediate, so it stays an ALU_K even when 0.
    const mi = M.aluK(ALU_OF[kind], w32, d, Number(BigInt.asIntN(32, cb)), sel.tiedInput(a, d));
    mi.insn.core = { typeName: i.core.struct, accessStr: i.core.accessStr, kind: "field_byte_offset" };
    return sel.emit(mi);
  }
  if (cb !== undefined && BigInt.asUintN(width, cb) === 0n && (kind === "udiv" || kind === "sdiv" || kind === "umod" || kind === "smod")) {
    // BPF semantics x/0 = 0 and x%0 = x; the verifier rejects a K-form division by zero.
    if (kind === "udiv" || kind === "sdiv") return sel.loadConst(d, 0n);
    if (w32) return sel.emit(M.mov32(d, sel.operand(a)));
    return sel.materializeInto(a, d);
  }
  if (sel.constOf(a) !== undefined && cb === undefined && COMMUTATIVE.has(kind)) [a, b] = [b, a];
  // Identities (x + 0, x * 1, x & -1, ...) are moves; a 32-bit one zero-extends.
  const nb = sel.constOf(b) === undefined ? undefined : BigInt.asUintN(width, sel.constOf(b)!);
  const ones = (1n << BigInt(width)) - 1n;
  if (nb !== undefined && (nb === 0n && IDENTITY_ZERO.has(kind) || nb === 1n && (kind === "mul" || kind === "udiv" || kind === "sdiv") || nb === ones && kind === "and")) {
    return w32 ? sel.emit(M.mov32(d, sel.operand(a))) : sel.materializeInto(a, d);
  }
  // x & 0xffffffff is a zero-extending 32-bit move.
  if (kind === "and" && BigInt.asUintN(width, sel.constOf(b) ?? 0n) === 0xffffffffn) return sel.emit(M.mov32(d, sel.operand(a)));
  let imm = sel.immOf(b, w32);
  if (imm !== undefined && SHIFTS.has(kind)) imm &= width - 1;
  if (imm !== undefined) return sel.emit(M.aluK(ALU_OF[kind], w32, d, imm, sel.tiedInput(a, d)));
  const rb = sel.operand(b); // before a possible load into d, which must not clobber b
  sel.emit(M.aluX(ALU_OF[kind], w32, d, rb, sel.tiedInput(a, d)));
}

function selectExt(sel: Selector, i: Inst & { op: "ext" }): void {
  const d = sel.vr(i.dst);
  if (!i.signed) {
    if (i.bits === 32) return sel.emit(M.mov32(d, sel.operand(i.a)));
    return sel.emit(M.aluK("and", false, d, i.bits === 8 ? 0xff : 0xffff, sel.tiedInput(i.a, d)));
  }
  if (sel.opts.cpu >= 4) return sel.emit(M.movsx(d, sel.operand(i.a), i.bits));
  sel.emit(M.aluK("lsh", false, d, 64 - i.bits, sel.tiedInput(i.a, d)));
  sel.emit(M.aluK("arsh", false, d, 64 - i.bits));
}

const fitsS16 = (n: number): boolean => n >= -0x8000 && n <= 0x7fff;

/** A memory operand: a frame slot addressed off R10, or a register plus a 16-bit offset. */
function address(sel: Selector, base: VReg, off: number): { reg: number; off: number; frame?: FrameRef } {
  const s = sel.stackOf(base);
  if (s) {
    sel.useSlot(s.slot);
    return { reg: FP, off: 0, frame: { slot: s.slot, off: s.off + off, field: "off" } };
  }
  const reg = sel.operand(base);
  if (fitsS16(off)) return { reg, off };
  const t = sel.fresh();
  if (fitsS32(BigInt(off))) sel.emit(M.aluK("add", false, t, off, reg));
  else {
    const k = sel.fresh();
    sel.loadConst(k, BigInt(off));
    sel.emit(M.aluX("add", false, t, k, reg));
  }
  return { reg: t, off: 0 };
}

function withFrame(mi: MInst, frame?: FrameRef): MInst {
  if (frame) mi.frame = frame;
  return mi;
}

function selectLoad(sel: Selector, i: Inst & { op: "load" }): void {
  const a = address(sel, i.base, i.off);
  const d = sel.vr(i.dst);
  const signed = i.signed && i.size < 8;
  const mi = withFrame(M.ldx(i.size, d, a.reg, a.off, signed && sel.opts.cpu >= 4), a.frame);
  if (i.core) mi.insn.core = { typeName: i.core.struct, accessStr: i.core.accessStr, kind: "field_byte_offset" };
  sel.emit(mi);
  if (signed && sel.opts.cpu < 4) {
    sel.emit(M.aluK("lsh", false, d, 64 - 8 * i.size));
    sel.emit(M.aluK("arsh", false, d, 64 - 8 * i.size));
  }
}

function selectStore(sel: Selector, i: Inst & { op: "store" }): void {
  const a = address(sel, i.base, i.off);
  const c = sel.constOf(i.value);
  let mi: MInst;
  // BPF_ST with an immediate, except through the context (the verifier refuses BPF_ST into ctx).
  if (c !== undefined && (i.size < 8 || fitsS32(c)) && !sel.facts.ctx.has(i.base)) {
    mi = M.st(i.size, a.reg, a.off, Number(BigInt.asIntN(i.size < 8 ? 32 : 64, c)));
  } else {
    mi = M.stx(i.size, a.reg, sel.operand(i.value), a.off);
  }
  if (i.core) mi.insn.core = { typeName: i.core.struct, accessStr: i.core.accessStr, kind: "field_byte_offset" };
  sel.emit(withFrame(mi, a.frame));
}

function selectAtomic(sel: Selector, i: Inst & { op: "atomic" }): void {
  const a = address(sel, i.base, i.off);
  if (i.kind === "cmpxchg") {
    if (i.expected === undefined) throw new Error(`internal: cmpxchg without an expected value in ${sel.fn.name}`);
    const v = sel.operand(i.value);
    sel.materializeInto(i.expected, 0);
    sel.emit(withFrame(M.atomic("cmpxchg", true, i.size, a.reg, v, a.off), a.frame));
    if (i.dst !== undefined) sel.emit(M.copy(sel.vr(i.dst), 0));
    return;
  }
  if (i.fetch || i.kind === "xchg") {
    // The old value comes back in the source register: dst is tied to the value operand.
    const d = i.dst !== undefined ? sel.vr(i.dst) : sel.fresh();
    sel.emit(withFrame(M.atomic(i.kind, true, i.size, a.reg, d, a.off, sel.tiedInput(i.value, d)), a.frame));
    return;
  }
  sel.emit(withFrame(M.atomic(i.kind, false, i.size, a.reg, sel.operand(i.value), a.off), a.frame));
}
