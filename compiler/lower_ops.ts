// Lowering of operator forms: arithmetic, byte order, memory, context, maps and helper calls.
// Each handler takes the Lowerer, the form and its arguments and returns the result register.

import type { BinKind, VReg, Width } from "./ir.ts";
import type { Arg, FormHandler, Lowerer } from "./lower.ts";
import { Cons, type Datum, Sym, print, spanOf } from "./sexp.ts";
import { type ScalarName, SCALARS, isScalarName } from "./unit.ts";
import { HELPERS, type Helper, CTX_STRUCTS } from "./uapi.ts";
import { ASM_OPS } from "./lower_asm.ts";
import { MAPPED_FORMS, ctxCore, warnRawOffset } from "./mapped.ts";
import { ctxAccess } from "./progtypes.ts";

const lname = (d: Datum): string | undefined => (d instanceof Sym ? d.name.toLowerCase() : undefined);

const HELPER_BY_NAME = new Map<string, Helper>(HELPERS.map((h) => [h.name.replace(/_/g, "-"), h]));

function arity(L: Lowerer, form: Cons, args: Arg[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const name = lname(form.car);
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    L.error(`"${name}" takes ${want} argument${want === "1" ? "" : "s"}, got ${args.length}`, spanOf(form));
  }
}

function bin(L: Lowerer, kind: BinKind, a: VReg, b: VReg): VReg {
  return L.value((dst) => ({ op: "bin", dst, kind, a, b }));
}

/** n-ary left fold: (+ a b c) = ((a + b) + c). */
function nary(kind: BinKind, unit: bigint): FormHandler {
  return (L, _form, args) => {
    if (args.length === 0) return L.const(unit);
    let acc = L.expr(args[0]);
    for (const a of args.slice(1)) acc = bin(L, kind, acc, L.expr(a));
    return acc;
  };
}

/** A binary operator whose right operand, when constant, is checked (division by 0, shift ≥ 64). */
function checked(kind: BinKind, what: "divisor" | "shift"): FormHandler {
  return (L, form, args) => {
    if (what === "divisor" ? args.length < 2 : args.length !== 2) arity(L, form, args, 2, what === "divisor" ? Infinity : 2);
    let acc = L.expr(args[0]);
    for (const a of args.slice(1)) {
      const c = L.constValue(a.d);
      if (c !== undefined && what === "divisor" && c === 0n) L.error(`Division by zero: the ${kind === "umod" ? "modulus" : "divisor"} is the constant 0`, a.span ?? spanOf(form));
      if (c !== undefined && what === "shift" && c >= 64n) L.error(`Shift count ${BigInt.asIntN(64, c)} is out of range (0 to 63)`, a.span ?? spanOf(form));
      acc = bin(L, kind, acc, L.expr(a));
    }
    return acc;
  };
}

function scalarType(L: Lowerer, a: Arg | undefined, form: Cons): ScalarName {
  const t = a && lname(a.d);
  if (!t || !isScalarName(t)) L.error(`Expected a type (u8 u16 u32 u64 i8 i16 i32 i64), got ${a ? print(a.d) : "nothing"}`, a?.span ?? spanOf(form));
  return t;
}

/** A compile-time integer argument (offsets, sizes). */
export function constArg(L: Lowerer, a: Arg, what: string): bigint {
  const c = L.constValue(a.d);
  if (c === undefined) L.error(`The ${what} must be a compile-time constant, got ${print(a.d)}`, a.span);
  return c;
}

/** Signed 16-bit displacement for a load/store offset; runtime offsets are added to the pointer. */
function address(L: Lowerer, ptr: Arg, off: Arg | undefined): { base: VReg; off: number } {
  const base = L.expr(ptr);
  if (!off) return { base, off: 0 };
  const c = L.constValue(off.d);
  if (c !== undefined) {
    const s = Number(BigInt.asIntN(64, c));
    if (s >= -32768 && s <= 32767) return { base, off: s };
  }
  return { base: bin(L, "add", base, L.expr(off)), off: 0 };
}

function load(L: Lowerer, type: ScalarName, base: VReg, off: number): VReg {
  const t = SCALARS[type];
  return L.value((dst) => ({ op: "load", dst, size: t.size, signed: t.signed, base, off }));
}

const BSWAP: Record<string, 16 | 32 | 64> = { ntohs: 16, htons: 16, ntohl: 32, htonl: 32, ntohll: 64, htonll: 64 };

function atomicForm(kind: "add" | "and" | "or" | "xor" | "xchg" | "cmpxchg", fetch: boolean): FormHandler {
  return (L, form, args) => {
    const cmp = kind === "cmpxchg";
    arity(L, form, args, cmp ? 4 : 3, cmp ? 5 : 4);
    const typeArg = args[cmp ? 4 : 3];
    const type = typeArg ? scalarType(L, typeArg, form) : "u64";
    const size = SCALARS[type].size;
    if (size !== 4 && size !== 8) L.error(`Atomic operations work on u32 or u64, not ${type}`, typeArg?.span ?? spanOf(form));
    const { base, off } = address(L, args[0], args[1]);
    const expected = cmp ? L.expr(args[2]) : undefined;
    const value = L.expr(args[cmp ? 3 : 2]);
    const returns = fetch || kind === "xchg" || cmp;
    const dst = returns ? L.b.newReg() : undefined;
    L.emit({ op: "atomic", kind, fetch: returns, size: size as 4 | 8, base, off, value, expected, dst });
    return dst ?? L.const(0n);
  };
}

/** Address of a stack slot holding `value` with `size` bytes (keys and values for map helpers). */
function spill(L: Lowerer, value: VReg, size: number, what: string, span: Arg["span"], temps?: number[]): VReg {
  if (![1, 2, 4, 8].includes(size)) L.error(`A ${what} of ${size} bytes must be passed as a pointer (use a struct and the -ptr form)`, span);
  const slot = temps ? L.tempSlot(size, what) : L.b.addSlot({ size, align: size as 1 | 2 | 4 | 8, name: what });
  temps?.push(slot);
  const base = L.value((dst) => ({ op: "stack", dst, slot }));
  L.emit({ op: "store", size: size as Width, base, off: 0, value });
  return base;
}

/** A key/value argument: a pointer when already on the stack (struct) or when too big, else spilled. */
function keyArg(L: Lowerer, a: Arg, size: number, what: string, asPointer: boolean, temps?: number[]): VReg {
  const v = L.expr(a);
  if (asPointer || L.isStackPointer(a.d, v)) return v;
  if (size > 8) {
    L.error(`The ${what} is ${size} bytes: pass a struct (e.g. from make-NAME) or a pointer, not a number`, a.span);
  }
  return spill(L, v, size, what, a.span, temps);
}

function mapOf(L: Lowerer, a: Arg | undefined, form: Cons) {
  const name = a && lname(a.d);
  const m = name ? L.env.maps.get(name) : undefined;
  if (!m) L.error(`Expected a map name${a ? `, got ${print(a.d)}` : ""}`, a?.span ?? spanOf(form));
  return m;
}

function mapRef(L: Lowerer, symbol: string): VReg {
  return L.value((dst) => ({ op: "mapref", dst, map: symbol }));
}

function mapOp(kind: "lookup" | "update" | "delete", ptr: boolean): FormHandler {
  return (L, form, args) => {
    arity(L, form, args, kind === "update" ? 3 : 2, kind === "update" ? 4 : 2);
    const m = mapOf(L, args[0], form);
    const temps: number[] = [];
    const key = keyArg(L, args[1], m.keySize, `key of ${m.name}`, ptr, temps);
    const callArgs = [mapRef(L, m.symbol), key];
    if (kind === "update") {
      callArgs.push(keyArg(L, args[2], m.valueSize, `value of ${m.name}`, ptr, temps));
      callArgs.push(args[3] ? L.expr(args[3]) : L.const(0n));
    }
    const helper = kind === "lookup" ? 1 : kind === "update" ? 2 : 3;
    const r = L.value((dst) => ({ op: "call", dst, helper, args: callArgs }));
    L.releaseTemps(temps); // the helper has read the key and value
    return r;
  };
}

/** `(ctx FIELD [INDEX])`: the field's offset and size, checked against the program type's rules. */
function ctxField(L: Lowerer, nameArg: Arg | undefined, form: Cons, write: boolean, indexArg?: Arg) {
  const p = L.env.program;
  const fieldName = (nameArg && lname(nameArg.d)?.replace(/-/g, "_")) ?? "";
  const r = ctxAccess(p.type, p.section, fieldName, write);
  if (typeof r === "string") return L.error(r, nameArg?.span ?? spanOf(form));
  const field = r.field;
  let offset = field.offset;
  if (field.count !== undefined) {
    const shown = fieldName.replace(/_/g, "-");
    const max = field.count || 12; // a flexible array (raw tracepoint args): up to 12 arguments
    if (!indexArg) return L.error(`${r.struct}.${field.name} is an array: give an index, (ctx ${shown} 0) … (ctx ${shown} ${max - 1})`, spanOf(form));
    const i = Number(constArg(L, indexArg, `index of ${r.struct}.${field.name}`));
    if (i < 0 || i >= max) return L.error(`Index ${i} is out of range for ${r.struct}.${field.name} (0 to ${max - 1})`, indexArg.span);
    offset += i * field.size;
  } else if (indexArg) {
    return L.error(`${r.struct}.${field.name} is not an array: it takes no index`, indexArg.span);
  }
  return { field, offset };
}

function ctxLoad(L: Lowerer, ctxName: string, fieldName: string): VReg {
  const s = CTX_STRUCTS[ctxName];
  const f = s.fields.find((x) => x.name === fieldName)!;
  return L.value((dst) => ({ op: "load", dst, size: f.size as Width, signed: false, base: L.ctxReg, off: f.offset }));
}

/** x86_64 pt_regs registers for function arguments 1–6 and the return value. */
const PT_REGS_ARGS = ["di", "si", "dx", "cx", "r8", "r9"];

function packetBound(which: "data" | "data_end", needs: "xdp" | "skb"): FormHandler {
  return (L, form, args) => {
    arity(L, form, args, 0);
    const t = L.env.program.type;
    if (t.packet !== needs) L.error(`"${lname(form.car)}" needs ${needs === "xdp" ? "an XDP" : "a TC/skb"} program, not :${t.name}`, spanOf(form));
    return ctxLoad(L, t.ctx!, which);
  };
}

export const OPERATOR_FORMS: Record<string, FormHandler> = {
  "+": nary("add", 0n),
  "*": nary("mul", 1n),
  "-": (L, form, args) => {
    arity(L, form, args, 1, Infinity);
    if (args.length === 1) return L.value((dst) => ({ op: "neg", dst, a: L.expr(args[0]) }));
    let acc = L.expr(args[0]);
    for (const a of args.slice(1)) acc = bin(L, "sub", acc, L.expr(a));
    return acc;
  },
  "/": checked("udiv", "divisor"),
  mod: checked("umod", "divisor"),
  logand: nary("and", (1n << 64n) - 1n),
  logior: nary("or", 0n),
  logxor: nary("xor", 0n),
  lognot: (L, form, args) => {
    arity(L, form, args, 1);
    return bin(L, "xor", L.expr(args[0]), L.const(-1n));
  },
  "<<": checked("shl", "shift"),
  ">>": checked("lshr", "shift"),
  ">>>": checked("ashr", "shift"),
  ash: (L, form, args) => {
    arity(L, form, args, 2);
    const k = BigInt.asIntN(64, constArg(L, args[1], "shift count of ash"));
    if (k >= 64n || k <= -64n) L.error(`Shift count ${k} is out of range (-63 to 63)`, args[1].span);
    const x = L.expr(args[0]);
    if (k === 0n) return x;
    return k > 0n ? bin(L, "shl", x, L.const(k)) : bin(L, "ashr", x, L.const(-k));
  },
  cast: (L, form, args) => {
    arity(L, form, args, 2);
    const t = scalarType(L, args[0], form);
    const v = L.expr(args[1]);
    const s = SCALARS[t];
    if (s.size === 8) return v;
    return L.value((dst) => ({ op: "ext", dst, a: v, bits: (s.size * 8) as 8 | 16 | 32, signed: s.signed }));
  },
  ...Object.fromEntries(Object.entries(BSWAP).map(([name, bits]) => [name, ((L, form, args) => {
    arity(L, form, args, 1);
    const v = L.expr(args[0]);
    return L.value((dst) => ({ op: "bswap", dst, a: v, bits }));
  }) as FormHandler])),

  load: (L, form, args) => {
    arity(L, form, args, 2, 3);
    const type = scalarType(L, args[0], form);
    const { base, off } = address(L, args[1], args[2]);
    warnRawOffset(L, base, off, SCALARS[type].size);
    return load(L, type, base, off);
  },
  store: (L, form, args) => {
    arity(L, form, args, 4);
    const type = scalarType(L, args[0], form);
    const { base, off } = address(L, args[1], args[2]);
    warnRawOffset(L, base, off, SCALARS[type].size);
    const value = L.expr(args[3]);
    L.emit({ op: "store", size: SCALARS[type].size, base, off, value });
    return value;
  },
  "atomic-add": atomicForm("add", false),
  "atomic-and": atomicForm("and", false),
  "atomic-or": atomicForm("or", false),
  "atomic-xor": atomicForm("xor", false),
  "atomic-fetch-add": atomicForm("add", true),
  "atomic-fetch-and": atomicForm("and", true),
  "atomic-fetch-or": atomicForm("or", true),
  "atomic-fetch-xor": atomicForm("xor", true),
  "atomic-xchg": atomicForm("xchg", true),
  "atomic-cmpxchg": atomicForm("cmpxchg", true),
  "stack-addr": (L, form, args) => {
    arity(L, form, args, 1);
    const name = lname(args[0].d);
    const bnd = name ? L.binding(name) : undefined;
    if (!bnd || bnd.slot === undefined) return L.error(`"stack-addr" needs a variable bound by let, got ${print(args[0].d)}`, args[0].span);
    return L.value((dst) => ({ op: "stack", dst, slot: bnd.slot! }));
  },
  "%make-struct": (L, form, args) => {
    arity(L, form, args, 1);
    const name = lname(args[0].d)!;
    const s = L.env.structs.get(name);
    if (!s) return L.error(`Unknown struct "${name}"`, args[0].span);
    const slot = L.b.addSlot({ size: s.size, align: Math.min(8, s.align) as 1 | 2 | 4 | 8, name });
    const base = L.value((dst) => ({ op: "stack", dst, slot }));
    const zero = L.const(0n);
    let off = 0;
    for (const w of [8, 4, 2, 1] as Width[]) {
      while (off + w <= s.size && off % w === 0 && (w <= s.align || w === 1)) {
        L.emit({ op: "store", size: w, base, off, value: zero });
        off += w;
      }
    }
    return base;
  },
  log2: (L, form, args) => {
    arity(L, form, args, 1);
    return log2(L, L.expr(args[0]));
  },
  "%key-ptr": (L, form, args) => {
    arity(L, form, args, 2);
    const size = Number(constArg(L, args[0], "size of %key-ptr"));
    return keyArg(L, args[1], size, "key", false);
  },
  "%spill": (L, form, args) => {
    arity(L, form, args, 2);
    const size = Number(constArg(L, args[0], "size of %spill"));
    return spill(L, L.expr(args[1]), size, "spilled value", args[1].span);
  },
  memset: (L, form, args) => {
    arity(L, form, args, 4);
    const { base, off } = address(L, args[0], args[1]);
    const byte = constArg(L, args[2], "fill byte of memset") & 0xffn;
    const n = Number(constArg(L, args[3], "length of memset"));
    let pos = 0;
    for (const w of [8, 4, 2, 1] as Width[]) {
      let pattern = 0n;
      for (let i = 0; i < w; i++) pattern = (pattern << 8n) | byte;
      while (pos + w <= n) {
        L.emit({ op: "store", size: w, base, off: off + pos, value: L.const(pattern) });
        pos += w;
      }
    }
    return base;
  },
  memcpy: (L, form, args) => {
    arity(L, form, args, 5);
    const d = address(L, args[0], args[1]);
    const s = address(L, args[2], args[3]);
    const n = Number(constArg(L, args[4], "length of memcpy"));
    let pos = 0;
    for (const w of [8, 4, 2, 1] as Width[]) {
      while (pos + w <= n) {
        const v = L.value((dst) => ({ op: "load", dst, size: w, signed: false, base: s.base, off: s.off + pos }));
        L.emit({ op: "store", size: w, base: d.base, off: d.off + pos, value: v });
        pos += w;
      }
    }
    return d.base;
  },

  "ctx-load": (L, form, args) => {
    arity(L, form, args, 2);
    const type = scalarType(L, args[0], form);
    const off = Number(constArg(L, args[1], "context offset"));
    warnRawOffset(L, L.ctxReg, off, SCALARS[type].size);
    return load(L, type, L.ctxReg, off);
  },
  "ctx-store": (L, form, args) => {
    arity(L, form, args, 3);
    const type = scalarType(L, args[0], form);
    const off = Number(constArg(L, args[1], "context offset"));
    const v = L.expr(args[2]);
    L.emit({ op: "store", size: SCALARS[type].size, base: L.ctxReg, off, value: v });
    return v;
  },
  "ctx-ptr": (L, form, args) => {
    arity(L, form, args, 0);
    return L.ctxReg;
  },
  ctx: (L, form, args) => {
    arity(L, form, args, 1, 2);
    const { field, offset } = ctxField(L, args[0], form, false, args[1]);
    const core = ctxCore(L, field, offset);
    return L.value((dst) => ({ op: "load", dst, size: field.size as Width, signed: !!field.signed, base: L.ctxReg, off: offset, ...(core ? { core } : {}) }));
  },
  "%ctx-set": (L, form, args) => {
    arity(L, form, args, 2, 3);
    const { field, offset } = ctxField(L, args[0], form, true, args[2]);
    const v = L.expr(args[1]);
    const core = ctxCore(L, field, offset);
    L.emit({ op: "store", size: field.size as Width, base: L.ctxReg, off: offset, value: v, ...(core ? { core } : {}) });
    return v;
  },
  "xdp-data": packetBound("data", "xdp"),
  "xdp-data-end": packetBound("data_end", "xdp"),
  "tc-data": packetBound("data", "skb"),
  "tc-data-end": packetBound("data_end", "skb"),
  ...Object.fromEntries([...PT_REGS_ARGS.map((r, i) => [`pt-regs-parm${i + 1}`, r]), ["pt-regs-ret", "ax"]].map(([form, reg]) => [
    form,
    ((L, f, args) => {
      arity(L, f, args, 0);
      if (L.env.program.type.ctx !== "pt_regs") L.error(`"${form}" needs a kprobe or uprobe program`, spanOf(f));
      return ctxLoad(L, "pt_regs", reg);
    }) as FormHandler,
  ])),

  "map-lookup": mapOp("lookup", false),
  "map-update": mapOp("update", false),
  "map-delete": mapOp("delete", false),
  "map-lookup-ptr": mapOp("lookup", true),
  "map-update-ptr": mapOp("update", true),
  "map-delete-ptr": mapOp("delete", true),
  "tail-call": (L, form, args) => {
    arity(L, form, args, 2);
    const m = mapOf(L, args[0], form);
    if (m.type !== "prog-array") L.error(`"tail-call" needs a :prog-array map, "${m.name}" is :${m.type}`, args[0].span);
    const idx = L.expr(args[1]);
    return L.value((dst) => ({ op: "call", dst, helper: 12, args: [L.ctxReg, mapRef(L, m.symbol), idx] }));
  },
  "load-abs": (L, form, args) => {
    arity(L, form, args, 2);
    if (!L.env.program.type.skb) L.error(`"load-abs" needs a socket-filter or other skb program`, spanOf(form));
    const type = scalarType(L, args[0], form);
    const size = SCALARS[type].size;
    if (size === 8) L.error("load-abs reads 1, 2 or 4 bytes", args[0].span);
    const off = Number(constArg(L, args[1], "offset of load-abs"));
    return L.value((dst) => ({ op: "ldabs", dst, size: size as 1 | 2 | 4, ctx: L.ctxReg, off }));
  },
  "load-ind": (L, form, args) => {
    arity(L, form, args, 3);
    if (!L.env.program.type.skb) L.error(`"load-ind" needs a socket-filter or other skb program`, spanOf(form));
    const type = scalarType(L, args[0], form);
    const size = SCALARS[type].size;
    if (size === 8) L.error("load-ind reads 1, 2 or 4 bytes", args[0].span);
    const index = L.expr(args[1]);
    const off = Number(constArg(L, args[2], "offset of load-ind"));
    return L.value((dst) => ({ op: "ldind", dst, size: size as 1 | 2 | 4, ctx: L.ctxReg, index, off }));
  },
  ...ASM_OPS,
  ...MAPPED_FORMS,
};

/**
 * floor(log2(x)) of the 64-bit value (0 for 0): a binary search over 32, 16, 8, 4, 2, 1 bits,
 * each step a compare, a conditional shift and a conditional add (6 steps, no loop).
 */
function log2(L: Lowerer, x0: VReg): VReg {
  const xv = { name: "%log2-x" }, rv = { name: "%log2-r" };
  L.b.writeVar(xv, x0);
  L.b.writeVar(rv, L.const(0n));
  for (const bits of [32, 16, 8, 4, 2, 1]) {
    const yes = L.b.newBlock(), join = L.b.newBlock();
    const x = L.b.readVar(xv);
    L.branch("uge", x, L.const(1n << BigInt(bits)), yes, join);
    L.b.seal(yes);
    L.b.setBlock(yes);
    L.b.writeVar(xv, bin(L, "lshr", L.b.readVar(xv), L.const(BigInt(bits))));
    L.b.writeVar(rv, bin(L, "add", L.b.readVar(rv), L.const(BigInt(bits))));
    L.b.jump(join);
    L.b.seal(join);
    L.b.setBlock(join);
  }
  return L.b.readVar(rv);
}

/** A call to a BPF helper by its kernel name with '_' → '-', or undefined when `name` is not one. */
export function helperCall(L: Lowerer, name: string, form: Cons, args: Arg[]): VReg | undefined {
  const h = HELPER_BY_NAME.get(name);
  if (!h) return undefined;
  const max = h.variadic ? 5 : h.args.length;
  if (args.length < h.args.length || args.length > max) {
    const want = h.variadic ? `${h.args.length} to 5` : `${h.args.length}`;
    L.error(`Helper "${name}" (bpf_${h.name}, id ${h.id}) takes ${want} argument${want === "1" ? "" : "s"}, got ${args.length}`, spanOf(form));
  }
  const regs = args.map((a) => L.expr(a));
  return L.value((dst) => ({ op: "call", dst, helper: h.id, args: regs }));
}

export { HELPER_BY_NAME };
