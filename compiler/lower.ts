// Lowering: a program's fully expanded body (core forms only) to SSA IR. Control flow,
// bindings and variables live here; the operator forms are in lower_ops.ts.

import { type Span, fail } from "./diag.ts";
import type { BlockId, Cond, Function, Inst, VReg } from "./ir.ts";
import { FnBuilder, type Var } from "./ssa_builder.ts";
import { Cons, type Datum, NIL, type Origin, Sym, cells, print, spanOf } from "./sexp.ts";
import { originNotes } from "./expand.ts";
import { type ScalarName, SCALARS, type MapDecl, type ProgDecl, type StructDecl, isScalarName } from "./unit.ts";
import { foldBin, foldCond, foldExt, u64 } from "./fold.ts";
import { OPERATOR_FORMS, helperCall } from "./lower_ops.ts";
import { type ValueInfo, infoOf, sameInfo } from "./mapped.ts";

/** What lowering needs to know about the unit. */
export interface LowerEnv {
  program: ProgDecl;
  maps: Map<string, MapDecl>;
  structs: Map<string, StructDecl>;
  /** Constant value of a symbol (defconstant, -D, built-in constants), or undefined. */
  constant(name: string): bigint | undefined;
  /** Report a warning (raw offsets where a CO-RE relocation would be portable, …). */
  warn?(message: string, span?: Span): void;
}

export interface Binding {
  var: Var;
  type: ScalarName | null; // null: untyped u64
  /** Variables whose address is taken live in a stack slot. */
  slot?: number;
  /** The variable holds the address of a stack object (a struct from make-NAME, stack-addr). */
  stackPtr?: boolean;
  /** What the bound value points at (mapped values, provenance; see mapped.ts). */
  info?: ValueInfo;
}

class Scope {
  readonly vars = new Map<string, Binding>();
  constructor(readonly parent?: Scope) {}
  lookup(name: string): Binding | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }
}

/** An argument of a form, with its own span when known. */
export interface Arg {
  d: Datum;
  span?: Span;
}

export type FormHandler = (L: Lowerer, form: Cons, args: Arg[]) => VReg;

const lname = (d: Datum): string | undefined => (d instanceof Sym ? d.name.toLowerCase() : undefined);

export class Lowerer {
  readonly b: FnBuilder;
  span: Span | undefined;
  private scope = new Scope();
  private readonly addressTaken: Set<string>;

  constructor(readonly env: LowerEnv) {
    this.span = env.program.span;
    this.b = new FnBuilder(env.program.symbol, env.program.span);
    this.addressTaken = collectAddressTaken(env.program.body);
  }

  /** Lower the program and return its SSA function. */
  run(): Function {
    const ctx = this.b.value((dst) => ({ op: "param", dst, index: 0, span: this.span }));
    this.ctxReg = ctx;
    const result = this.body(this.env.program.body.map((d) => ({ d, span: spanOf(d) })));
    if (!this.b.isTerminated) this.b.terminate({ op: "ret", value: result, span: this.span });
    return this.b.finish();
  }

  ctxReg: VReg = 0;
  /** Compile-time facts about values: provenance, mapped struct values (mapped.ts). */
  readonly info = new Map<VReg, ValueInfo>();

  // ---- helpers for operator modules ----

  /** The macro expansion the form being lowered came from (for notes). */
  origin: Origin | undefined;

  error(message: string, span?: Span): never {
    fail(message, span ?? this.span, originNotes(this.origin));
  }

  private readonly defMap = new Map<VReg, Inst>();

  emit(inst: Inst): void {
    const rec = { ...inst, span: inst.span ?? this.span } as Inst;
    this.b.emit(rec);
    if ("dst" in rec && rec.dst !== undefined) this.defMap.set(rec.dst, rec);
  }

  value(make: (dst: VReg) => Inst): VReg {
    const dst = this.b.newReg();
    this.emit(make(dst));
    return dst;
  }

  const(value: bigint): VReg {
    return this.value((dst) => ({ op: "const", dst, value: u64(value) }));
  }

  /** The defining instruction of a register in the current function (for local peeks). */
  defOf(r: VReg): Inst | undefined {
    return this.defMap.get(r);
  }

  /** Constant value of an expanded form when it is a literal, a constant or arithmetic of those. */
  constValue(d: Datum): bigint | undefined {
    if (typeof d === "bigint") return u64(d);
    if (d instanceof Sym) {
      if (this.scope.lookup(d.name.toLowerCase())) return undefined;
      return this.env.constant(d.name.toLowerCase());
    }
    if (!(d instanceof Cons)) return undefined;
    const head = lname(d.car);
    const items = cells(d.cdr).map((c) => c.car);
    const vals = items.map((x) => this.constValue(x));
    if (vals.some((v) => v === undefined)) return undefined;
    const v = vals as bigint[];
    const nary: Record<string, Parameters<typeof foldBin>[0]> = { "+": "add", "*": "mul", logand: "and", logior: "or", logxor: "xor" };
    if (head && nary[head] && v.length >= 1) return v.slice(1).reduce((a, x) => foldBin(nary[head], a, x), v[0]);
    if (head === "-" && v.length === 1) return u64(-v[0]);
    if (head === "-" && v.length > 1) return v.slice(1).reduce((a, x) => foldBin("sub", a, x), v[0]);
    const bin: Record<string, Parameters<typeof foldBin>[0]> = { "/": "udiv", mod: "umod", "<<": "shl", ">>": "lshr", ">>>": "ashr" };
    if (head && bin[head] && v.length === 2) return foldBin(bin[head], v[0], v[1]);
    if (head === "lognot" && v.length === 1) return u64(~v[0]);
    if (head === "cast" && items.length === 2) {
      const t = lname(items[0]) as ScalarName;
      const c = this.constValue(items[1]);
      if (!isScalarName(t) || c === undefined) return undefined;
      return SCALARS[t].size === 8 ? c : foldExt(c, (SCALARS[t].size * 8) as 8 | 16 | 32, SCALARS[t].signed);
    }
    return undefined;
  }

  withSpan<T>(span: Span | undefined, f: () => T): T {
    const saved = this.span;
    if (span) this.span = span;
    try {
      return f();
    } finally {
      this.span = saved;
    }
  }

  args(form: Cons): Arg[] {
    return cells(form.cdr).map((c) => ({ d: c.car, span: c.carSpan ?? spanOf(c.car) }));
  }

  // ---- expressions ----

  /** Lower a form for its value. */
  expr(a: Arg): VReg {
    const saved = this.origin;
    if (a.d instanceof Cons) this.origin = a.d.origin;
    try {
      return this.withSpan(a.span ?? spanOf(a.d), () => this.exprInner(a.d));
    } finally {
      this.origin = saved;
    }
  }

  private exprInner(d: Datum): VReg {
    if (typeof d === "bigint") return this.const(checkInt(this, d));
    if (d instanceof Sym) return this.symbolValue(d);
    if (typeof d === "string") this.error(`A string literal cannot be used as a value here: ${print(d)}`);
    if (!(d instanceof Cons)) this.error(`Cannot compile ${print(d)} as a program expression`);
    const head = d.car;
    if (!(head instanceof Sym)) this.error(`Expected an operator name, got ${print(head)}`);
    const name = head.name.toLowerCase();
    const special = this.special(name);
    if (special) return special(d, this.args(d));
    const handler = OPERATOR_FORMS[name];
    if (handler) return handler(this, d, this.args(d));
    const call = helperCall(this, name, d, this.args(d));
    if (call !== undefined) return call;
    return this.error(`Unknown function or form "${name}"`, spanOf(d));
  }

  symbolValue(s: Sym): VReg {
    const name = s.name.toLowerCase();
    const bnd = this.scope.lookup(name);
    if (bnd) {
      const r = this.readBinding(bnd);
      if (bnd.info) this.info.set(r, bnd.info);
      return r;
    }
    const c = this.env.constant(name);
    if (c !== undefined) return this.const(c);
    if (this.env.maps.has(name)) return this.value((dst) => ({ op: "mapref", dst, map: this.env.maps.get(name)!.symbol }));
    if (name === "nil") return this.const(0n);
    if (name === "t") return this.const(1n);
    return this.error(`Unbound variable "${name}"`);
  }

  readBinding(bnd: Binding): VReg {
    if (bnd.slot !== undefined) {
      const t = SCALARS[bnd.type ?? "u64"];
      const base = this.value((dst) => ({ op: "stack", dst, slot: bnd.slot! }));
      return this.value((dst) => ({ op: "load", dst, size: t.size, signed: t.signed, base, off: 0 }));
    }
    return this.b.readVar(bnd.var);
  }

  writeBinding(bnd: Binding, v: VReg): VReg {
    const stored = bnd.type ? this.narrow(v, bnd.type) : v;
    if (bnd.slot !== undefined) {
      const t = SCALARS[bnd.type ?? "u64"];
      const base = this.value((dst) => ({ op: "stack", dst, slot: bnd.slot! }));
      this.emit({ op: "store", size: t.size, base, off: 0, value: stored });
    } else {
      this.b.writeVar(bnd.var, stored);
    }
    return stored;
  }

  /** Truncate to a scalar type's width (sign-extending signed types), skipping provably no-op cases. */
  narrow(v: VReg, type: ScalarName): VReg {
    const t = SCALARS[type];
    if (t.size === 8) return v;
    const bits = (t.size * 8) as 8 | 16 | 32;
    const def = this.defOf(v);
    if (def?.op === "const") return this.const(foldExt(def.value, bits, t.signed));
    if (def?.op === "load" && (def.size < t.size || (def.size === t.size && def.signed === t.signed))) return v;
    if (def?.op === "ext" && def.signed === t.signed && def.bits <= bits) return v;
    return this.value((dst) => ({ op: "ext", dst, a: v, bits, signed: t.signed }));
  }

  /** Lower a sequence, returning the last value (0 for an empty body). */
  body(forms: Arg[]): VReg {
    let last: VReg | undefined;
    for (const f of forms) {
      if (isDeclare(f.d)) continue;
      last = this.expr(f);
    }
    return last ?? this.const(0n);
  }

  // ---- conditions ----

  /** Lower a form in branch context: jump to `t` when non-zero, else to `f`. */
  cond(a: Arg, t: BlockId, f: BlockId): void {
    this.withSpan(a.span ?? spanOf(a.d), () => this.condInner(a, t, f));
  }

  private condInner(a: Arg, t: BlockId, f: BlockId): void {
    const d = a.d;
    const c = this.constValue(d);
    if (c !== undefined && !(d instanceof Sym && this.scope.lookup(d.name.toLowerCase()))) {
      this.b.jump(c !== 0n ? t : f);
      return;
    }
    if (d instanceof Cons && d.car instanceof Sym) {
      const name = d.car.name.toLowerCase();
      const args = this.args(d);
      const cmp = COMPARISONS[name];
      if (cmp && args.length === 2) {
        const x = this.expr(args[0]), y = this.expr(args[1]);
        this.branch(cmp, x, y, t, f);
        return;
      }
      if (name === "not" && args.length === 1) return this.cond(args[0], f, t);
      if (name === "and") {
        if (args.length === 0) return this.b.jump(t);
        for (let i = 0; i < args.length - 1; i++) {
          const next = this.b.newBlock();
          this.cond(args[i], next, f);
          this.b.seal(next);
          this.b.setBlock(next);
        }
        return this.cond(args[args.length - 1], t, f);
      }
      if (name === "or") {
        if (args.length === 0) return this.b.jump(f);
        for (let i = 0; i < args.length - 1; i++) {
          const next = this.b.newBlock();
          this.cond(args[i], t, next);
          this.b.seal(next);
          this.b.setBlock(next);
        }
        return this.cond(args[args.length - 1], t, f);
      }
      if (name === "logand" && args.length === 2) {
        const x = this.expr(args[0]), y = this.expr(args[1]);
        this.branch("set", x, y, t, f);
        return;
      }
    }
    const v = this.expr(a);
    if (this.b.isTerminated) return;
    this.branch("ne", v, this.const(0n), t, f);
  }

  branch(cond: Cond, a: VReg, b: VReg, t: BlockId, f: BlockId): void {
    if (this.b.isTerminated) return;
    const ca = this.defOf(a), cb = this.defOf(b);
    if (ca?.op === "const" && cb?.op === "const") {
      this.b.jump(foldCond(cond, ca.value, cb.value) ? t : f, this.span);
      return;
    }
    this.b.terminate({ op: "br", cond, a, b, then: t, else: f, span: this.span });
  }

  /** Value of a condition as 0/1, through branches joined by a φ. */
  condValue(a: Arg): VReg {
    const tmp: Var = { name: "%bool" };
    const t = this.b.newBlock(), f = this.b.newBlock(), join = this.b.newBlock();
    this.cond(a, t, f);
    this.b.seal(t);
    this.b.seal(f);
    this.b.setBlock(t);
    this.b.writeVar(tmp, this.const(1n));
    this.b.jump(join);
    this.b.setBlock(f);
    this.b.writeVar(tmp, this.const(0n));
    this.b.jump(join);
    this.b.seal(join);
    this.b.setBlock(join);
    return this.b.readVar(tmp);
  }

  // ---- special forms ----

  private special(name: string): ((form: Cons, args: Arg[]) => VReg) | undefined {
    switch (name) {
      case "progn": return (_f, args) => this.body(args);
      case "let": return (f, args) => this.let(f, args, false);
      case "let*": return (f, args) => this.let(f, args, true);
      case "setq": return (f, args) => this.setq(f, args);
      case "if": return (f, args) => this.if(f, args);
      case "and": case "or": return (f, args) => this.andOr(name, f, args);
      case "return": return (f, args) => this.return(f, args);
      case "dotimes": return (f, args) => this.dotimes(f, args);
      case "quote": return (f, args) => {
        if (typeof args[0]?.d === "bigint") return this.const(args[0].d as bigint);
        if (args[0]?.d === NIL) return this.const(0n);
        return this.error(`Cannot compile quoted data ${print(args[0]?.d ?? NIL)} into a program`, spanOf(f));
      };
    }
    if (COMPARISONS[name] || name === "not") return (f) => this.condValue({ d: f, span: spanOf(f) });
    return undefined;
  }

  private let(form: Cons, args: Arg[], sequential: boolean): VReg {
    if (args.length === 0 || (args[0].d !== NIL && !(args[0].d instanceof Cons))) {
      this.error(`Malformed ${sequential ? "let*" : "let"}: expected a list of bindings`, spanOf(form));
    }
    const declared = declaredTypes(args.slice(1).map((a) => a.d), (m, s) => this.error(m, s ?? spanOf(form)));
    const outer = this.scope;
    const inner = new Scope(outer);
    const pending: [string, Binding, VReg | undefined][] = [];
    for (const cell of cells(args[0].d)) {
      const spec = cell.car;
      const span = cell.carSpan ?? spanOf(spec) ?? spanOf(form);
      let name: string, type: ScalarName | null = null, init: Arg | undefined;
      if (spec instanceof Sym) {
        name = spec.name.toLowerCase();
      } else if (spec instanceof Cons && spec.car instanceof Sym) {
        name = spec.car.name.toLowerCase();
        const rest = cells(spec.cdr);
        if (rest.length === 2) {
          const t = lname(rest[0].car);
          if (!t || !isScalarName(t)) this.error(`Unknown type "${print(rest[0].car)}" in binding of "${name}"`, rest[0].carSpan ?? span);
          type = t;
          init = { d: rest[1].car, span: rest[1].carSpan ?? spanOf(rest[1].car) };
        } else if (rest.length === 1) {
          init = { d: rest[0].car, span: rest[0].carSpan ?? spanOf(rest[0].car) };
        } else if (rest.length > 2) {
          this.error(`Malformed binding for "${name}": expected (name init) or (name type init)`, span);
        }
      } else {
        return this.error(`Malformed binding ${print(spec)}`, span);
      }
      if (this.env.constant(name) !== undefined && /^\+.*\+$/.test(name)) this.error(`Cannot bind constant "${name}"`, span);
      type = declared.get(name) ?? type;
      const bnd: Binding = { var: { name }, type };
      if (this.addressTaken.has(name)) {
        const size = SCALARS[type ?? "u64"].size;
        bnd.slot = this.b.addSlot({ size, align: size, name });
      }
      if (sequential) this.scope = inner;
      const v = init ? this.withSpan(span, () => this.expr(init!)) : this.const(0n);
      if (init && this.isStackPointer(init.d, v)) bnd.stackPtr = true;
      if (init) bnd.info = infoOf(this, v);
      if (sequential) {
        inner.vars.set(name, bnd);
        this.withSpan(span, () => this.writeBinding(bnd, v));
      } else {
        pending.push([name, bnd, v]);
      }
    }
    for (const [name, bnd, v] of pending) {
      inner.vars.set(name, bnd);
      this.writeBinding(bnd, v!);
    }
    this.scope = inner;
    try {
      return this.body(args.slice(1));
    } finally {
      this.scope = outer;
    }
  }

  private setq(form: Cons, args: Arg[]): VReg {
    if (args.length % 2 !== 0) this.error("setf/setq needs an even number of arguments (place value …)", spanOf(form));
    let last: VReg = -1;
    for (let i = 0; i < args.length; i += 2) {
      const place = args[i];
      if (!(place.d instanceof Sym)) this.error(`Cannot assign to ${print(place.d)}`, place.span);
      const name = place.d.name.toLowerCase();
      const bnd = this.scope.lookup(name);
      if (!bnd) {
        if (this.env.constant(name) !== undefined) this.error(`Cannot assign to constant "${name}"`, place.span);
        this.error(`Unbound variable "${name}"`, place.span);
      }
      const v = this.expr(args[i + 1]);
      bnd.info = sameInfo(bnd.info, infoOf(this, v)) ? bnd.info : undefined;
      last = this.writeBinding(bnd, v);
    }
    return last;
  }

  private if(form: Cons, args: Arg[]): VReg {
    if (args.length < 2 || args.length > 3) this.error(`"if" takes 2 or 3 arguments, got ${args.length}`, spanOf(form));
    const tmp: Var = { name: "%if" };
    const t = this.b.newBlock(), f = this.b.newBlock(), join = this.b.newBlock();
    this.cond(args[0], t, f);
    this.b.seal(t);
    this.b.seal(f);
    for (const [blk, arm] of [[t, args[1]], [f, args[2]]] as const) {
      this.b.setBlock(blk);
      const v = arm ? this.expr(arm) : this.const(0n);
      if (!this.b.isTerminated) {
        this.b.writeVar(tmp, v);
        this.b.jump(join);
      }
    }
    this.b.seal(join);
    this.b.setBlock(join);
    return this.b.readVar(tmp);
  }

  private andOr(name: string, form: Cons, args: Arg[]): VReg {
    if (args.length === 0) return this.const(name === "and" ? 1n : 0n);
    const tmp: Var = { name: `%${name}` };
    const join = this.b.newBlock();
    for (let i = 0; i < args.length; i++) {
      const v = this.expr(args[i]);
      if (this.b.isTerminated) break;
      this.b.writeVar(tmp, i === args.length - 1 || name === "or" ? v : this.const(0n));
      if (i === args.length - 1) {
        this.b.jump(join);
        break;
      }
      const next = this.b.newBlock();
      const zero = this.const(0n);
      if (name === "and") {
        this.b.writeVar(tmp, zero);
        this.branch("ne", v, zero, next, join);
      } else {
        this.b.writeVar(tmp, v);
        this.branch("ne", v, zero, join, next);
      }
      this.b.seal(next);
      this.b.setBlock(next);
    }
    this.b.seal(join);
    this.b.setBlock(join);
    void form;
    return this.b.readVar(tmp);
  }

  private return(form: Cons, args: Arg[]): VReg {
    if (args.length > 1) this.error(`"return" takes at most one argument, got ${args.length}`, spanOf(form));
    const v = args.length ? this.expr(args[0]) : this.const(0n);
    if (!this.b.isTerminated) this.b.terminate({ op: "ret", value: v, span: spanOf(form) ?? this.span });
    return v;
  }

  private dotimes(form: Cons, args: Arg[]): VReg {
    const spec = args[0]?.d;
    if (!(spec instanceof Cons) || !(spec.car instanceof Sym)) this.error("Malformed dotimes: expected (dotimes (var count) body…)", spanOf(form));
    const specArgs = cells(spec.cdr);
    const name = spec.car.name.toLowerCase();
    const countArg = specArgs[0];
    if (!countArg) this.error("dotimes needs a count: (dotimes (var count) body…)", spanOf(spec));
    const count = this.constValue(countArg.car);
    if (count === undefined) {
      this.error(`The count of dotimes must be a compile-time constant (the verifier needs a bound), got ${print(countArg.car)}`, countArg.carSpan ?? spanOf(spec));
    }
    if (count > 0xffffffffn) {
      const shown = BigInt.asIntN(64, count);
      this.error(`The count of dotimes must be between 0 and 4294967295 (the counter is u32), got ${shown}`, countArg.carSpan ?? spanOf(spec));
    }
    const bnd: Binding = { var: { name }, type: "u32" };
    const outer = this.scope;
    this.scope = new Scope(outer);
    this.scope.vars.set(name, bnd);
    try {
      this.writeBinding(bnd, this.const(0n));
      const header = this.b.newBlock(), bodyB = this.b.newBlock(), exit = this.b.newBlock();
      this.b.jump(header);
      this.b.setBlock(header);
      const i = this.readBinding(bnd);
      this.branch("ult", i, this.const(count), bodyB, exit);
      this.b.seal(bodyB);
      this.b.setBlock(bodyB);
      this.body(args.slice(1));
      if (!this.b.isTerminated) {
        const next = this.value((dst) => ({ op: "bin", dst, kind: "add", a: this.readBinding(bnd), b: this.const(1n) }));
        this.writeBinding(bnd, next);
        this.b.jump(header);
      }
      this.b.seal(header);
      this.b.seal(exit);
      this.b.setBlock(exit);
      return specArgs[1] ? this.expr({ d: specArgs[1].car, span: specArgs[1].carSpan }) : this.const(0n);
    } finally {
      this.scope = outer;
    }
  }

  /**
   * Whether the value of form `d` (lowered to `v`) is the address of a stack object: a struct
   * from make-NAME, (stack-addr x), or a variable bound to one.
   */
  isStackPointer(d: Datum, v: VReg): boolean {
    if (this.defOf(v)?.op === "stack") return true;
    if (d instanceof Sym) return this.scope.lookup(d.name.toLowerCase())?.stackPtr === true;
    if (d instanceof Cons && d.car instanceof Sym) {
      const head = d.car.name.toLowerCase();
      if (head === "%make-struct" || head === "stack-addr" || head === "%spill") return true;
      if ((head === "let" || head === "let*" || head === "progn") && d.cdr instanceof Cons) {
        const items = cells(d.cdr);
        return items.length > 0 && this.isStackPointer(items[items.length - 1].car, v);
      }
    }
    return false;
  }

  private readonly freeTemps: number[] = [];

  /** A stack slot for a value a helper reads during one call (map keys and values). */
  tempSlot(size: number, name: string): number {
    const i = this.freeTemps.findIndex((s) => this.b.fn.slots[s].size === size);
    if (i >= 0) return this.freeTemps.splice(i, 1)[0];
    return this.b.addSlot({ size, align: Math.min(8, size) as 1 | 2 | 4 | 8, name });
  }

  /** The call that read the temporary slots is done: they can be used again. */
  releaseTemps(slots: number[]): void {
    this.freeTemps.push(...slots);
  }

  /** Binding of a variable by name (for `stack-addr`). */
  binding(name: string): Binding | undefined {
    return this.scope.lookup(name);
  }
}

/** An integer literal must fit 64 bits (as unsigned or signed). */
function checkInt(L: Lowerer, v: bigint): bigint {
  if (v >= 1n << 64n || v < -(1n << 63n)) L.error(`Integer ${v} does not fit in 64 bits`);
  return v;
}

export const COMPARISONS: Record<string, Cond> = {
  "=": "eq", "/=": "ne", ">": "ugt", ">=": "uge", "<": "ult", "<=": "ule", "s>": "sgt", "s>=": "sge", "s<": "slt", "s<=": "sle",
};

const isDeclare = (d: Datum): boolean => d instanceof Cons && lname(d.car) === "declare";

/** Types from leading (declare (type T v…)) forms. */
function declaredTypes(body: Datum[], err: (m: string, s?: Span) => never): Map<string, ScalarName> {
  const out = new Map<string, ScalarName>();
  for (const d of body) {
    if (!isDeclare(d)) break;
    for (const spec of cells((d as Cons).cdr)) {
      const s = spec.car;
      if (!(s instanceof Cons)) continue;
      const items = cells(s).map((c) => c.car);
      const kind = lname(items[0]);
      let type: string | undefined, names: Datum[];
      if (kind === "type") {
        type = lname(items[1]);
        names = items.slice(2);
      } else if (kind && isScalarName(kind)) {
        type = kind;
        names = items.slice(1);
      } else continue; // ignore, optimize, etc.
      if (!type || !isScalarName(type)) err(`Unknown type "${print(items[1])}" in declare`, spec.carSpan);
      for (const n of names) if (n instanceof Sym) out.set(n.name.toLowerCase(), type as ScalarName);
    }
  }
  return out;
}

/** Names of variables whose address is taken with (stack-addr v). */
function collectAddressTaken(body: Datum[]): Set<string> {
  const out = new Set<string>();
  const walk = (d: Datum, depth: number) => {
    if (!(d instanceof Cons) || depth > 10000) return;
    if (lname(d.car) === "stack-addr" && d.cdr instanceof Cons && d.cdr.car instanceof Sym) out.add(d.cdr.car.name.toLowerCase());
    for (let c: Datum = d; c instanceof Cons; c = c.cdr) walk(c.car, depth + 1);
  };
  body.forEach((d) => walk(d, 0));
  return out;
}

/** Lower one program's expanded body. */
export function lowerProgram(env: LowerEnv): Function {
  return new Lowerer(env).run();
}
