// Mapped values (SPEC §4.2, after poke's `TYPE @ offset`) and struct field access. A struct value
// is a pointer plus compile-time facts (ValueInfo): the memory it points into (provenance), whether
// it is mapped, its type and its offset. defstruct accessors expand to %field/%field-set/%field-ptr,
// lowered here: plain loads/stores at ptr + field offset, or, for kernel structs
// ((defstruct (NAME (:kernel "c_name")) …)), CO-RE-relocated reads — direct loads through BTF and
// context pointers, probe-read-kernel otherwise. Mapping over packet memory checks the whole type
// against data_end once (failing: the program returns its pass verdict). Also copy, (setf (@ …)),
// mapped-p and value-offset (a compile error on an unmapped value, as poke's E_no_map).

import type { CoreRef, VReg, Width } from "./ir.ts";
import type { Arg, FormHandler, Lowerer } from "./lower.ts";
import { type Cons, type Datum, Sym, print, spanOf } from "./sexp.ts";
import { SCALARS, type ScalarName, type StructDecl, type TypeRef, layoutOf } from "./unit.ts";
import { CTX_STRUCTS } from "./uapi.ts";

/** What memory a pointer points into. */
export type Region = "packet" | "map" | "ringbuf" | "ctx" | "stack" | "kernel" | "btf" | "other";

/** A kernel struct access under way: root pointer, root struct and CO-RE access path so far. */
export interface KernelPath {
  ptr: VReg;
  root: StructDecl;
  path: number[];
  /** Local (placeholder) byte offset of the path from `ptr`. */
  off: number;
}

export interface ValueInfo {
  region: Region;
  mapped: boolean;
  /** Struct (or header) name of a struct value. */
  type?: string;
  /** value-offset when it is a compile-time constant… */
  offset?: bigint;
  /** …or the register holding it. */
  offsetReg?: VReg;
  /** Set on kernel struct values. */
  core?: KernelPath;
}

const HELPER = { mapLookup: 1, getCurrentTask: 35, probeReadKernel: 113, ringbufReserve: 131, getCurrentTaskBtf: 158 };
/** Regions whose memory the program may load from directly (kernel structs there use CO-RE loads). */
const DIRECT: Region[] = ["packet", "map", "ringbuf", "ctx", "stack", "btf"];

const lname = (d: Datum): string | undefined => (d instanceof Sym ? d.name.toLowerCase() : undefined);

function arity(L: Lowerer, form: Cons, args: Arg[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const want = min === max ? `${min}` : `${min} or ${max}`;
    L.error(`"${lname(form.car)}" takes ${want} argument${want === "1" ? "" : "s"}, got ${args.length}`, spanOf(form));
  }
}

/** The facts known about a register: recorded by the forms here, else inferred from its definition. */
export function infoOf(L: Lowerer, v: VReg, depth = 0): ValueInfo | undefined {
  const known = L.info.get(v);
  if (known || depth > 16) return known;
  const d = L.defOf(v);
  switch (d?.op) {
    case "param": return d.index === 0 ? { region: "ctx", mapped: false } : undefined;
    case "stack": return { region: "stack", mapped: false };
    case "copy": return infoOf(L, d.src, depth + 1);
    case "call":
      if (d.helper === HELPER.mapLookup) return { region: "map", mapped: true, offset: 0n, type: mapValueType(L, d.args[0]) };
      if (d.helper === HELPER.ringbufReserve) return { region: "ringbuf", mapped: true, offset: 0n };
      if (d.helper === HELPER.getCurrentTaskBtf) return { region: "btf", mapped: false };
      if (d.helper === HELPER.getCurrentTask) return { region: "kernel", mapped: false };
      return undefined;
    case "load": {
      const t = L.env.program.type;
      if (d.base !== L.ctxReg || !t.packet || !t.ctx) return undefined;
      const f = CTX_STRUCTS[t.ctx]?.fields.find((x) => x.offset === d.off);
      return f && (f.name === "data" || f.name === "data_meta") ? { region: "packet", mapped: false } : undefined;
    }
    case "bin": {
      if (d.kind !== "add" && d.kind !== "sub") return undefined;
      const p = infoOf(L, d.a, depth + 1) ?? (d.kind === "add" ? infoOf(L, d.b, depth + 1) : undefined);
      return p && { region: p.region, mapped: false };
    }
  }
  return undefined;
}

function mapValueType(L: Lowerer, mapReg: VReg): string | undefined {
  const d = L.defOf(mapReg);
  if (d?.op !== "mapref") return undefined;
  for (const m of L.env.maps.values()) if (m.symbol === d.map) return m.valueType;
  return undefined;
}

/** Whether two facts describe the same value (a variable assigned another value keeps its facts). */
export function sameInfo(a: ValueInfo | undefined, b: ValueInfo | undefined): boolean {
  if (!a || !b) return a === b;
  return a.region === b.region && a.mapped === b.mapped && a.type === b.type && a.offset === b.offset &&
    a.offsetReg === b.offsetReg && a.core?.ptr === b.core?.ptr && a.core?.path.join() === b.core?.path.join();
}

// ---- small emitters ----

const add = (L: Lowerer, a: VReg, b: VReg, core?: CoreRef): VReg =>
  L.value((dst) => ({ op: "bin", dst, kind: "add", a, b, ...(core ? { core } : {}) }));
const mul = (L: Lowerer, a: VReg, k: number): VReg => k === 1 ? a : L.value((dst) => ({ op: "bin", dst, kind: "mul", a, b: L.const(BigInt(k)) }));

function load(L: Lowerer, type: ScalarName, base: VReg, off: number, core?: CoreRef): VReg {
  const t = SCALARS[type];
  return L.value((dst) => ({ op: "load", dst, size: t.size, signed: t.signed, base, off, ...(core ? { core } : {}) }));
}

function ctxFieldLoad(L: Lowerer, name: string): VReg {
  const f = CTX_STRUCTS[L.env.program.type.ctx!].fields.find((x) => x.name === name)!;
  return L.value((dst) => ({ op: "load", dst, size: f.size as Width, signed: false, base: L.ctxReg, off: f.offset }));
}

/** Continue only when [ptr, ptr + size) is inside the packet; else the program returns its pass verdict. */
function packetCheck(L: Lowerer, ptr: VReg, size: number): void {
  const t = L.env.program.type;
  const end = add(L, ptr, L.const(BigInt(size)));
  const fail = L.b.newBlock(), ok = L.b.newBlock();
  L.branch("ugt", end, ctxFieldLoad(L, "data_end"), fail, ok);
  L.b.seal(fail);
  L.b.seal(ok);
  L.b.setBlock(fail);
  L.b.terminate({ op: "ret", value: L.const(BigInt(t.passVerdict)), span: L.span });
  L.b.setBlock(ok);
}

/** Copy `n` bytes with loads and stores no wider than `align` (stack accesses must be aligned). */
function copyBytes(L: Lowerer, dst: VReg, dOff: number, src: VReg, sOff: number, n: number, align: number): void {
  let pos = 0;
  for (const w of [8, 4, 2, 1] as Width[]) {
    if (w > align && w !== 1) continue;
    while (pos + w <= n) {
      const v = L.value((d) => ({ op: "load", dst: d, size: w, signed: false, base: src, off: sOff + pos }));
      L.emit({ op: "store", size: w, base: dst, off: dOff + pos, value: v });
      pos += w;
    }
  }
}

function probeRead(L: Lowerer, dst: VReg, size: number, addr: VReg): void {
  L.value((d) => ({ op: "call", dst: d, helper: HELPER.probeReadKernel, args: [dst, L.const(BigInt(size)), addr] }));
}

// ---- kernel structs (CO-RE) ----

const coreRef = (k: KernelPath): CoreRef => ({ struct: k.root.cName, accessStr: k.path.join(":") });
const direct = (i: ValueInfo | undefined) => !!i && DIRECT.includes(i.region);

/** The CO-RE root of an access on `p` (a kernel struct value of type s). */
function kernelBase(s: StructDecl, p: VReg, pi: ValueInfo | undefined): KernelPath {
  return pi?.core && pi.type === s.name ? pi.core : { ptr: p, root: s, path: [0], off: 0 };
}

/** The relocated address of a kernel field (an ALU add libbpf patches). */
const kernelAddr = (L: Lowerer, k: KernelPath): VReg => add(L, k.ptr, L.const(BigInt(k.off)), coreRef(k));

/** Read a scalar kernel field: a relocated load, or probe-read-kernel of the relocated address. */
function kernelRead(L: Lowerer, k: KernelPath, type: ScalarName, isDirect: boolean): VReg {
  if (isDirect) return load(L, type, k.ptr, k.off, coreRef(k));
  const slot = L.tempSlot(8, "kernel read");
  const buf = L.value((dst) => ({ op: "stack", dst, slot }));
  probeRead(L, buf, SCALARS[type].size, kernelAddr(L, k));
  const v = load(L, type, buf, 0);
  L.releaseTemps([slot]);
  return v;
}

/** Copy a kernel struct field by field (each relocated) into its local layout at dst + dOff. */
function copyKernel(L: Lowerer, s: StructDecl, k: KernelPath, isDirect: boolean, dst: VReg, dOff: number): void {
  s.fields.forEach((f, i) => {
    const fk: KernelPath = { ...k, path: [...k.path, i], off: k.off + f.offset };
    if (f.type.kind === "scalar") {
      L.emit({ op: "store", size: SCALARS[f.type.name].size, base: dst, off: dOff + f.offset, value: kernelRead(L, fk, f.type.name, isDirect) });
    } else if (f.type.kind === "struct") {
      copyKernel(L, L.env.structs.get(f.type.name)!, fk, isDirect, dst, dOff + f.offset);
    } else {
      // Arrays: one probe-read of the whole (relocated) field into the local copy.
      const at = add(L, dst, L.const(BigInt(dOff + f.offset)));
      probeRead(L, at, layoutOf(f.type, L.env.structs).size, kernelAddr(L, fk));
    }
  });
}

// ---- the forms ----

interface MapTarget { struct?: StructDecl; size: number; name: string; align: number }

function mapTarget(L: Lowerer, a: Arg, form: Cons): MapTarget {
  const n = lname(a.d);
  const s = n ? L.env.structs.get(n) : undefined;
  if (s) return { struct: s, size: s.size, name: s.name, align: s.align };
  const hdr = n ? L.env.constant(`+${n}-hdr-len+`) : undefined;
  if (hdr !== undefined) return { size: Number(hdr), name: n!, align: 1 };
  return L.error(`"${lname(form.car)}" needs a struct or header type, got ${print(a.d)}`, a.span ?? spanOf(form));
}

function structArg(L: Lowerer, a: Arg, form: Cons): StructDecl {
  const t = mapTarget(L, a, form);
  if (!t.struct) L.error(`"${lname(form.car)}" needs a struct type (defstruct), got header "${t.name}"`, a.span);
  return t.struct;
}

/** (@ TYPE ptr [offset]): a mapped value, bounds-checked once over packet memory. */
function mapAt(L: Lowerer, form: Cons, args: Arg[]): { addr: VReg; t: MapTarget } {
  const t = mapTarget(L, args[0], form);
  const p = L.expr(args[1]);
  const pi = infoOf(L, p);
  const c = args[2] ? L.constValue(args[2].d) : 0n;
  let addr: VReg, offsetReg: VReg | undefined;
  if (c === 0n) addr = L.value((dst) => ({ op: "copy", dst, src: p })); // a register of its own, for its facts
  else if (c !== undefined) addr = add(L, p, L.const(c));
  else addr = add(L, p, (offsetReg = L.expr(args[2])));
  let region: Region = pi?.region ?? "other";
  if (region === "other" && t.struct?.kernel) region = "kernel"; // a kernel address held as a number
  if (region === "packet") packetCheck(L, addr, t.size);
  L.info.set(addr, {
    region, mapped: true, type: t.name, offset: c, offsetReg,
    core: t.struct?.kernel ? { ptr: addr, root: t.struct, path: [0], off: 0 } : undefined,
  });
  return { addr, t };
}

/** %field / %field-set / %field-ptr: what (NAME-FIELD v [idx]), its setf and NAME-FIELD-ptr expand to. */
function fieldForm(mode: "get" | "set" | "ptr"): FormHandler {
  return (L, form, args) => {
    const s = L.env.structs.get(lname(args[0].d) ?? "");
    const fi = s ? s.fields.findIndex((f) => f.name === lname(args[1].d)) : -1;
    if (!s || fi < 0) return L.error(`internal: ${print(form)} names no struct field`, spanOf(form));
    const f = s.fields[fi], acc = `${s.name}-${f.name}`;
    const idxArg = args.length === (mode === "set" ? 5 : 4) ? args[3] : undefined;
    const p = L.expr(args[2]);
    const pi = infoOf(L, p);
    const region = pi?.region ?? "other";
    if (mode === "set" && s.kernel && region !== "stack") L.error(`Cannot setf ${acc}: kernel memory is read-only (kernel struct "${s.name}" is read through CO-RE)`, spanOf(form));
    // Kernel structs are relocated where they live in kernel memory; a local copy has the local layout.
    let k = s.kernel && region !== "stack" ? kernelBase(s, p, pi) : undefined;
    if (k) k = { ...k, path: [...k.path, fi], off: k.off + f.offset };
    let elem: TypeRef = f.type, off = f.offset, idx: VReg | undefined, esize = 0;
    const count = f.type.kind === "array" ? f.type.count : 0;
    if (f.type.kind === "array" && idxArg) {
      elem = f.type.elem;
      esize = layoutOf(elem, L.env.structs).size;
      const c = L.constValue(idxArg.d);
      if (c === undefined) idx = L.expr(idxArg);
      else {
        if (c >= BigInt(count)) L.error(`Index ${BigInt.asIntN(64, c)} is out of bounds for ${acc} (${count} elements)`, idxArg.span);
        off += Number(c) * esize;
        if (k) k = { ...k, path: [...k.path, Number(c)], off: k.off + Number(c) * esize };
      }
    }
    const value = mode === "set" ? L.expr(args[args.length - 1]) : undefined;
    if (elem.kind === "scalar" && mode !== "ptr") {
      const type = elem.name, size = SCALARS[type].size;
      const access = (base: VReg, at: number): VReg => {
        if (value === undefined) return load(L, type, base, at);
        L.emit({ op: "store", size, base, off: at, value });
        return value;
      };
      const none = () => value ?? L.const(0n);
      if (idx === undefined) return k ? kernelRead(L, k, type, direct(pi)) : access(p, off);
      // A run-time index: out of range reads 0 and writes nothing, so the verifier sees a bounded offset.
      const i = idx;
      return choose(L, (t, e) => L.branch("ult", i, L.const(BigInt(count)), t, e), () => {
        const at = add(L, k ? kernelAddr(L, k) : add(L, p, L.const(BigInt(off))), mul(L, i, esize));
        if (k) {
          const slot = L.tempSlot(8, "kernel read");
          const buf = L.value((dst) => ({ op: "stack", dst, slot }));
          probeRead(L, buf, size, at);
          const v = load(L, type, buf, 0);
          L.releaseTemps([slot]);
          return v;
        }
        if (region !== "packet") return access(at, 0);
        // Over packet memory the element needs its own check against data_end.
        const end = add(L, at, L.const(BigInt(size)));
        return choose(L, (t, e) => L.branch("ule", end, ctxFieldLoad(L, "data_end"), t, e), () => access(at, 0), none);
      }, none);
    }
    // An address: a nested struct, an array (or an element of one), or NAME-FIELD-ptr.
    if (idx !== undefined) {
      const i = idx; // clamped: an address must stay inside the field
      idx = choose(L, (t, e) => L.branch("ult", i, L.const(BigInt(count)), t, e), () => i, () => L.const(BigInt(count - 1)));
    }
    let addr = k ? kernelAddr(L, k) : add(L, p, L.const(BigInt(off)));
    if (idx !== undefined) addr = add(L, addr, mul(L, idx, esize));
    // The element of a run-time index into packet memory needs its own check against data_end.
    if (idx !== undefined && region === "packet") packetCheck(L, addr, esize);
    if (value !== undefined) {
      // (setf (NAME-FIELD v) struct-value): copy the value's bytes into the field.
      const l = layoutOf(elem, L.env.structs);
      copyBytes(L, addr, 0, value, 0, l.size, Math.min(8, l.align));
      return value;
    }
    const isStruct = elem.kind === "struct" && mode !== "ptr";
    const info: ValueInfo = { region, mapped: !!pi?.mapped && isStruct, type: isStruct ? (elem as { name: string }).name : undefined };
    if (info.mapped) {
      if (pi!.offset !== undefined && idx === undefined) info.offset = pi!.offset + BigInt(off);
      else {
        info.offsetReg = add(L, pi!.offsetReg ?? L.const(pi!.offset ?? 0n), L.const(BigInt(off)));
        if (idx !== undefined) info.offsetReg = add(L, info.offsetReg, mul(L, idx, esize));
      }
    }
    if (k && isStruct && idx === undefined) info.core = k;
    L.info.set(addr, info);
    return addr;
  };
}

/** Branch with `branch(then, else)`; the value of the arm taken (joined by a φ). */
function choose(L: Lowerer, branch: (t: number, e: number) => void, then: () => VReg, otherwise: () => VReg): VReg {
  const tmp = { name: "%choose" };
  const t = L.b.newBlock(), e = L.b.newBlock(), join = L.b.newBlock();
  branch(t, e);
  L.b.seal(t);
  L.b.seal(e);
  for (const [blk, arm] of [[t, then], [e, otherwise]] as const) {
    L.b.setBlock(blk);
    const v = arm();
    if (!L.b.isTerminated) {
      L.b.writeVar(tmp, v);
      L.b.jump(join);
    }
  }
  L.b.seal(join);
  L.b.setBlock(join);
  return L.b.readVar(tmp);
}

/** (copy T v): a stack (not mapped) copy of a struct value; kernel structs are copied field by field. */
const copyForm: FormHandler = (L, form, args) => {
  arity(L, form, args, 2);
  const s = structArg(L, args[0], form);
  const m = L.expr(args[1]);
  const mi = infoOf(L, m);
  const align = Math.min(8, s.align) as 1 | 2 | 4 | 8;
  const slot = L.b.addSlot({ size: s.size, align, name: `copy of ${s.name}` });
  const base = L.value((dst) => ({ op: "stack", dst, slot }));
  if (s.kernel) {
    copyKernel(L, s, kernelBase(s, m, mi), direct(mi), base, 0);
  } else if (mi?.region === "kernel") {
    probeRead(L, base, s.size, m);
  } else {
    if (mi?.region === "packet" && !mi.mapped) packetCheck(L, m, s.size);
    copyBytes(L, base, 0, m, 0, s.size, align);
  }
  L.info.set(base, { region: "stack", mapped: false, type: s.name });
  return base;
};

/** (%store@ T ptr [offset] value): (setf (@ T ptr [offset]) value) copies the value's bytes into mapped memory. */
const storeAt: FormHandler = (L, form, args) => {
  arity(L, form, args, 3, 4);
  const { addr, t } = mapAt(L, form, args.slice(0, -1));
  if (t.struct?.kernel) L.error(`Cannot setf (@ ${t.name} …): kernel struct "${t.name}" is read-only`, spanOf(form));
  const v = L.expr(args[args.length - 1]);
  copyBytes(L, addr, 0, v, 0, t.size, Math.min(8, t.align));
  return addr;
};

export const MAPPED_FORMS: Record<string, FormHandler> = {
  "@": (L, form, args) => {
    arity(L, form, args, 2, 3);
    return mapAt(L, form, args).addr;
  },
  "%store@": storeAt,
  "%field": fieldForm("get"),
  "%field-set": fieldForm("set"),
  "%field-ptr": fieldForm("ptr"),
  copy: copyForm,
  "mapped-p": (L, form, args) => {
    arity(L, form, args, 1);
    return L.const(infoOf(L, L.expr(args[0]))?.mapped ? 1n : 0n);
  },
  "value-offset": (L, form, args) => {
    arity(L, form, args, 1);
    const i = infoOf(L, L.expr(args[0]));
    if (!i?.mapped) {
      return L.error(`"value-offset": ${print(args[0].d).toLowerCase()} is not mapped, so it has no offset (poke's E_no_map); map a value with (@ TYPE ptr offset)`, spanOf(form));
    }
    return i.offsetReg ?? L.const(i.offset ?? 0n);
  },
};

/** Warn when a raw offset reads a kernel struct or a context field that a CO-RE relocation could follow. */
export function warnRawOffset(L: Lowerer, base: VReg, off: number | undefined, size: number): void {
  if (!L.env.warn) return;
  if (base === L.ctxReg) {
    const ctx = L.env.program.type.ctx;
    const f = ctx && off !== undefined ? CTX_STRUCTS[ctx]?.fields.find((x) => x.offset === off && x.size === size && x.count === undefined) : undefined;
    if (f) L.env.warn(`Raw context offset ${off} is ${ctx}.${f.name}: (ctx ${f.name.replace(/_/g, "-")}) carries a CO-RE relocation`, L.span);
    return;
  }
  const i = infoOf(L, base);
  if (i?.core) {
    L.env.warn(`Raw offset into kernel struct "${i.core.root.name}" (${i.core.root.cName}): its layout differs between kernels; use its accessors, which libbpf relocates (CO-RE)`, L.span);
  }
}

/** CO-RE access of a field of the program's context struct (undefined for raw records). */
export function ctxCore(L: Lowerer, field: { name: string; size: number; offset: number; count?: number }, offset: number): CoreRef | undefined {
  const ctx = L.env.program.type.ctx;
  const idx = ctx ? CTX_STRUCTS[ctx]?.fields.findIndex((f) => f.name === field.name && f.offset === field.offset) ?? -1 : -1;
  if (idx < 0) return undefined;
  const elem = field.count === undefined ? "" : `:${(offset - field.offset) / field.size}`;
  return { struct: ctx!, accessStr: `0:${idx}${elem}` };
}
