// The plugin API's implementation: the helper namespaces every plugin gets on `api` (IR, assembler,
// forms), the checks on what a plugin registers, protocol headers placed over a layer, and the
// wrappers that name the plugin when its macro or pass fails. Plugins import nothing of this at run time.

import { CompileError, type Span, error } from "./diag.ts";
import { Cons, type Datum, NIL, Sym, cells, list, print, spanOf, toArray } from "./sexp.ts";
import {
  type BlockId, type Function, type Inst, type Term, type VReg, defs, hasSideEffects, mapTermUses, mapUses, predecessors,
  printFunction, printInst, printTerm, reversePostOrder, successors, termUses, uses,
} from "./ir.ts";
import { cleanupCfg, defMap, prunePhis, removeTrivialPhis, replaceAll, replaceUses, useCounts } from "./ir_util.ts";
import { type Dominators, dominators } from "./dom.ts";
import { verifyFunction } from "./ir_verify.ts";
import {
  AluOp, Class, FP, JmpOp, Mode, Reg, Size, Src, alu32, alu64, atomic, bswap, call, endian, exit, formatInsn, imm, isLabel,
  isLdImm64, jcond, jmp, ldImm64, ldx, mov32, mov64, neg32, neg64, opClass, raw, slots, st, stx,
} from "./asm/mod.ts";
import type { Insn, Item } from "./asm/insn.ts";
import { formatItems } from "./asm_text.ts";
import { SCALARS, isScalarName } from "./unit.ts";
import { headerPlugin } from "./surface/structs.ts";
import { type Layer, layerMacros } from "./surface/protocols.ts";
import { tmpl } from "./surface/template.ts";
import type {
  HeaderDef, HeaderFieldDef, MacroContext, MacroFunction, PassContext, PassDef, PeepholePass, Plugin, PluginApi, Registered,
  Registry, SetfFunction, SsaPass,
} from "./registry.ts";

/** A registration conflict (duplicate name) or a bad registration; the message names the plugin. */
export class RegistryError extends Error {}

const msgOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

// ───────────────────────────── IR helpers (api.ir) ─────────────────────────────

/** Captures a matched value under a name: `api.ir.capture("c", { op: "const" })`. */
export interface Capture {
  readonly capture: string;
  readonly pattern?: PatternValue;
}

/**
 * What a field of an instruction pattern may hold: a literal (compared with ===; bigints and
 * numbers compare by value), an array (any of its alternatives), a predicate, a capture, or a nested
 * {@link InstPattern} — the field must then be a register whose defining instruction matches it.
 */
export type PatternValue =
  | string | number | bigint | boolean | undefined
  | readonly PatternValue[]
  | ((value: any) => boolean)
  | Capture
  | InstPattern;

/** A pattern over an instruction or terminator record: `{ op: "bin", kind: "add", b: { op: "const" } }`. */
export interface InstPattern {
  [field: string]: PatternValue;
}

/** What a successful match captured, by capture name. */
export type Captures = Record<string, any>;

/** Pattern matching over one function's instructions (definitions are looked up once). */
export interface Matcher {
  /** The instruction defining `reg`, or undefined for φs and parameters of nothing. */
  def(reg: VReg): Inst | undefined;
  /** The value of a register defined by `const` (as a signed 64-bit bigint), else undefined. */
  constant(reg: VReg): bigint | undefined;
  /**
   * Match an instruction, a terminator, or a register (through its definition) against `pattern`.
   * Returns the captures (an empty object when there are none), or undefined when it does not match.
   */
  match(what: Inst | Term | VReg, pattern: InstPattern | Capture): Captures | undefined;
}

/** Helpers for SSA passes: `api.ir`. Every function works on the IR records of `compiler/ir.ts`. */
export interface IrApi {
  /** Registers an instruction defines (0 or 1). */
  defs(i: Inst): VReg[];
  /** Registers an instruction reads. */
  uses(i: Inst): VReg[];
  /** Registers a terminator reads. */
  termUses(t: Term): VReg[];
  /** Blocks a terminator may jump to. */
  successors(t: Term): BlockId[];
  /** Predecessor lists of every block, indexed by block id. */
  predecessors(fn: Function): BlockId[][];
  /** Reachable blocks in reverse post-order. */
  reversePostOrder(fn: Function): BlockId[];
  /** The dominator tree (`idom`, `dominates(a, b)`, `rpo`). */
  dominators(fn: Function): Dominators;
  /** Whether an instruction must stay even when its result is unused (stores, calls, atomics, …). */
  hasSideEffects(i: Inst): boolean;
  /** A copy of `i` with every register it reads passed through `f`. */
  mapUses(i: Inst, f: (r: VReg) => VReg): Inst;
  mapTermUses(t: Term, f: (r: VReg) => VReg): Term;
  /** The defining instruction of every register (φs not included). */
  defMap(fn: Function): Map<VReg, Inst>;
  /** How many times each register is read (instructions, φs, terminators). */
  useCounts(fn: Function): Map<VReg, number>;
  /** Rewrite every register read in the function through `f`. */
  replaceUses(fn: Function, f: (r: VReg) => VReg): void;
  /** Replace every read of a key of `map` by its value (chains are followed). */
  replaceAll(fn: Function, map: Map<VReg, VReg>): void;
  /** Drop φ arguments from blocks that are no longer predecessors (after removing edges). */
  prunePhis(fn: Function): void;
  /** Replace φs whose arguments are all the same value (or the φ itself) by that value. */
  removeTrivialPhis(fn: Function): void;
  /** After CFG edits: drop unreachable blocks, renumber, prune and simplify φs. */
  cleanupCfg(fn: Function): void;
  /** A fresh register number (bumps `fn.nextReg`). */
  newReg(fn: Function): VReg;
  /** Call `f` for every instruction, in block order. */
  forEachInst(fn: Function, f: (inst: Inst, block: Function["blocks"][number], index: number) => void): void;
  /**
   * Rewrite instructions in place: `f` returns undefined to keep the instruction, null to delete
   * it, or an instruction (or several) to put in its place. Returns whether anything changed.
   */
  rewrite(fn: Function, f: (inst: Inst, block: Function["blocks"][number]) => Inst | Inst[] | null | undefined): boolean;
  /** A {@link Matcher} over `fn` (reuse it while the function does not change). */
  matcher(fn: Function): Matcher;
  /** Capture the field's value (and require it to match `pattern`, when given). */
  capture(name: string, pattern?: PatternValue): Capture;
  /** The IR verifier: a list of problems, empty when `fn` is well formed. */
  verify(fn: Function): string[];
  printFunction(fn: Function): string;
  printInst(i: Inst): string;
  printTerm(t: Term): string;
}

const isCapture = (p: unknown): p is Capture => isObj(p) && typeof p.capture === "string" && Object.keys(p).every((k) => k === "capture" || k === "pattern");

function matcher(fn: Function): Matcher {
  const table = defMap(fn);
  const def = (r: VReg) => table.get(r);
  const constant = (r: VReg) => {
    const d = table.get(r);
    return d?.op === "const" ? BigInt.asIntN(64, d.value) : undefined;
  };
  const value = (actual: unknown, p: PatternValue, caps: Captures): boolean => {
    if (typeof p === "function") return !!p(actual);
    if (Array.isArray(p)) return p.some((alt) => value(actual, alt, caps));
    if (isCapture(p)) {
      if (p.pattern !== undefined && !value(actual, p.pattern, caps)) return false;
      if (p.capture in caps && caps[p.capture] !== actual) return false;
      caps[p.capture] = actual;
      return true;
    }
    if (isObj(p)) {
      if (typeof actual !== "number") return false;
      const d = table.get(actual);
      return d !== undefined && record(d, p as InstPattern, caps);
    }
    if (typeof p === "bigint" || typeof actual === "bigint") {
      return (typeof actual === "bigint" || typeof actual === "number") && (typeof p === "bigint" || typeof p === "number") &&
        BigInt.asUintN(64, BigInt(actual)) === BigInt.asUintN(64, BigInt(p));
    }
    return actual === p;
  };
  const record = (r: Inst | Term, p: InstPattern, caps: Captures): boolean =>
    Object.entries(p).every(([k, v]) => value((r as unknown as Record<string, unknown>)[k], v, caps));
  return {
    def, constant,
    match(what, pattern) {
      const caps: Captures = {};
      if (isCapture(pattern)) return value(what, pattern, caps) ? caps : undefined;
      const r = typeof what === "number" ? table.get(what) : what;
      return r !== undefined && record(r, pattern, caps) ? caps : undefined;
    },
  };
}

/** The IR helpers, as plain functions (a plugin gets them as `api.ir`). */
export const IR_API: IrApi = {
  defs, uses, termUses, successors, predecessors, reversePostOrder, dominators, hasSideEffects, mapUses, mapTermUses,
  defMap, useCounts, replaceUses, replaceAll, prunePhis, removeTrivialPhis, cleanupCfg,
  newReg: (fn) => fn.nextReg++,
  forEachInst(fn, f) {
    for (const b of fn.blocks) b.insts.forEach((i, k) => f(i, b, k));
  },
  rewrite(fn, f) {
    let changed = false;
    for (const b of fn.blocks) {
      const out: Inst[] = [];
      for (const i of b.insts) {
        const r = f(i, b);
        if (r === undefined || r === i) out.push(i);
        else {
          changed = true;
          if (r !== null) out.push(...(Array.isArray(r) ? r : [r]));
        }
      }
      b.insts = out;
    }
    return changed;
  },
  matcher,
  capture: (name, pattern) => (pattern === undefined ? { capture: name } : { capture: name, pattern }),
  verify: verifyFunction,
  printFunction, printInst, printTerm,
};

// ───────────────────────────── Assembler helpers (api.asm) ─────────────────────────────

const jmpOp = (i: Insn) => i.code & 0xf0;
const isJmpClass = (i: Insn) => opClass(i.code) === Class.JMP || opClass(i.code) === Class.JMP32;

/** Instruction constructors, opcode constants and predicates for peephole passes (`api.asm`). */
export const ASM_API = {
  Class, Size, Mode, Src, AluOp, JmpOp, Reg, FP,
  /** An immediate operand: `mov64(0, imm(1))` is `r0 = 1`; a bare number is a register. */
  imm, alu64, alu32, mov64, mov32, neg64, neg32, bswap, endian, jmp, jcond, exit, call, ldImm64, ldx, stx, st, atomic, raw,
  /** True for a label item (a jump target) in a peephole pass's item list. */
  isLabel,
  /** 8-byte slots an instruction takes (2 for ld_imm64). */
  slots, isLdImm64, opClass,
  /** One instruction in llvm-objdump syntax. */
  format: (insn: Insn): string => formatInsn(insn),
  /** Items (labels and instructions) as text, one per line, as --print-changed shows them. */
  formatItems: (items: Item[]): string => formatItems(items),
  /** A jump to a label (conditional or not; not call or exit). */
  isJump: (i: Insn): boolean => isJmpClass(i) && jmpOp(i) !== JmpOp.call && jmpOp(i) !== JmpOp.exit,
  isConditionalJump: (i: Insn): boolean => isJmpClass(i) && ![JmpOp.ja, JmpOp.call, JmpOp.exit].includes(jmpOp(i) as 0),
  isCall: (i: Insn): boolean => opClass(i.code) === Class.JMP && jmpOp(i) === JmpOp.call,
  isExit: (i: Insn): boolean => opClass(i.code) === Class.JMP && jmpOp(i) === JmpOp.exit,
  /** The ALU operation name of an ALU/ALU64 instruction ("add", "mov", …), else undefined. */
  aluOp(i: Insn): keyof typeof AluOp | undefined {
    const c = opClass(i.code);
    if (c !== Class.ALU && c !== Class.ALU64) return undefined;
    return (Object.keys(AluOp) as (keyof typeof AluOp)[]).find((k) => AluOp[k] === (i.code & 0xf0));
  },
  /** Whether the instruction takes an immediate operand (BPF_K) rather than a source register. */
  usesImm: (i: Insn): boolean => (i.code & Src.X) === 0,
};

/** The type of `api.asm`. */
export type AsmApi = typeof ASM_API;

// ───────────────────────────── Forms (api.forms) ─────────────────────────────

/** Helpers to take macro call forms apart and build new ones (`api.forms`). */
export interface FormsApi {
  /** The empty list (and false). */
  readonly nil: Datum;
  isSymbol(d: unknown): d is Sym;
  /** A keyword symbol (`:min-len`). */
  isKeyword(d: unknown): d is Sym;
  isCons(d: unknown): d is Cons;
  isNil(d: unknown): boolean;
  /** An integer (integers are bigints). */
  isInt(d: unknown): d is bigint;
  isString(d: unknown): d is string;
  /** A symbol's name in lower case (keywords keep their colon), else undefined. */
  name(d: unknown): string | undefined;
  /** The arguments of a call form: `(f a b)` → `[a, b]`. */
  args(form: Cons): Datum[];
  /** Where argument `index` (0-based) of a call form was written, for errors that point at it. */
  argSpan(form: Cons, index: number): Span | undefined;
  /** Where a list was read (or the call site a macro's output was given). */
  spanOf(d: Datum): Span | undefined;
  /** An integer literal, or a symbol naming a constant (defconstant, -D, a plugin constant). */
  intValue(d: Datum, ctx: MacroContext): bigint | undefined;
  toArray(d: Datum): Datum[];
  list(...items: Datum[]): Datum;
  cons(car: Datum, cdr: Datum): Cons;
  /** Lisp text of a datum. */
  print(d: Datum): string;
}

/** The form helpers, as plain functions (a plugin gets them as `api.forms`). */
export const FORMS_API: FormsApi = {
  nil: NIL,
  isSymbol: (d): d is Sym => d instanceof Sym,
  isKeyword: (d): d is Sym => d instanceof Sym && d.keyword,
  isCons: (d): d is Cons => d instanceof Cons,
  isNil: (d) => d === NIL,
  isInt: (d): d is bigint => typeof d === "bigint",
  isString: (d): d is string => typeof d === "string",
  name: (d) => (d instanceof Sym ? d.name.toLowerCase() : undefined),
  args: (form) => cells(form.cdr).map((c) => c.car),
  argSpan(form, index) {
    const c = cells(form.cdr)[index];
    return c ? c.carSpan ?? spanOf(c.car) ?? form.span : form.span;
  },
  spanOf,
  intValue(d, ctx) {
    if (typeof d === "bigint") return d;
    if (d instanceof Sym) return ctx.constant(d.name.toLowerCase());
    return undefined;
  },
  toArray,
  list,
  cons: (car, cdr) => new Cons(car, cdr),
  print: (d) => print(d),
};

// ───────────────────────────── Checks and wrappers ─────────────────────────────

const BUILTIN_PREFIX = "whistler:";

/** Why `p` is not a plugin (`{ name, setup(api) }`), or undefined when it is one. */
export function pluginShapeError(p: unknown): string | undefined {
  if (!isObj(p)) return `must export { name, setup(api) } as its default export (or as "plugin"), got ${p === null ? "null" : typeof p}`;
  if (typeof p.name !== "string" || !p.name.trim()) return `has no "name" (a non-empty string)`;
  if (p.name.startsWith(BUILTIN_PREFIX)) return `is named "${p.name}", but names starting with "${BUILTIN_PREFIX}" are reserved for the built-ins`;
  if (typeof p.setup !== "function") return `"${p.name}" has no setup(api) function`;
  if (p.options !== undefined && (!isObj(p.options) || !Object.values(p.options).every((v) => typeof v === "string"))) {
    return `"${p.name}": "options" must map each option name to a one-line description`;
  }
  return undefined;
}

function guardMacro<F extends MacroFunction | SetfFunction>(plugin: string, kind: string, name: string, fn: F): F {
  const wrapped = (...args: unknown[]) => {
    const form = args[0] as Cons, ctx = args[args.length - 1] as MacroContext;
    let out: unknown;
    try {
      out = (fn as (...a: unknown[]) => unknown)(...args);
    } catch (e) {
      if (e instanceof CompileError) throw e;
      return ctx.error(`${kind} "${name}" (from plugin "${plugin}") threw: ${msgOf(e)}`, form);
    }
    if (typeof out === "number" && Number.isInteger(out)) return BigInt(out);
    if (out === undefined || out === null || typeof out === "boolean" || typeof out === "function" || typeof out === "symbol") {
      return ctx.error(`${kind} "${name}" (from plugin "${plugin}") returned ${out === null ? "null" : typeof out}, not a form`, form);
    }
    return out;
  };
  return wrapped as unknown as F;
}

function peepholeProblem(items: Item[]): string | undefined {
  if (!Array.isArray(items)) return "the item list is no longer an array";
  const labels = new Set<string>();
  for (const it of items) if (isObj(it) && typeof it.label === "string") labels.add(it.label);
  for (const [k, it] of items.entries()) {
    if (!isObj(it)) return `item ${k} is ${String(it)}, not an instruction or label`;
    if (isLabel(it)) continue;
    const i = it as Insn;
    if (!Number.isInteger(i.code) || i.code < 0 || i.code > 255) return `item ${k} has opcode ${i.code}`;
    for (const r of ["dst", "src"] as const) if (!Number.isInteger(i[r]) || i[r] < 0 || i[r] > 10) return `item ${k} (${formatInsn(i)}) has ${r} register ${i[r]}`;
    if (i.target !== undefined && !labels.has(i.target)) return `item ${k} (${formatInsn(i)}) jumps to missing label "${i.target}"`;
  }
  return undefined;
}

/** A user plugin's pass: gets its plugin's options, and its result is checked (IR verifier / code checks). */
function guardPass(plugin: string, def: PassDef, options: Record<string, string>): PassDef {
  const changed = (r: unknown) => (typeof r === "boolean" ? r : isObj(r) ? !!r.changed : true);
  const blame = (program: string, what: string, detail: string[]) =>
    new CompileError([error(`Pass "${def.name}" (from "${plugin}") ${what} for "${program}":\n  ${detail.slice(0, 10).join("\n  ")}`)]);
  if (def.kind === "ssa") {
    const ssa: SsaPass = {
      ...def,
      run(fn: Function, ctx: PassContext) {
        const r = changed(def.run(fn, { ...ctx, options }));
        let errs: string[];
        try {
          errs = verifyFunction(fn);
        } catch (e) {
          errs = [`malformed IR (${msgOf(e)})`];
        }
        if (errs.length) throw blame(fn.name, "produced invalid IR (caught by the IR verifier)", errs);
        return r;
      },
    };
    return ssa;
  }
  const peep: PeepholePass = {
    ...def,
    run(items: Item[], ctx: PassContext) {
      const r = changed(def.run(items, { ...ctx, options }));
      const problem = peepholeProblem(items);
      if (problem) throw blame(ctx.program, "produced invalid code", [problem]);
      return r;
    },
  };
  return peep;
}


const PASS_NAME = /^[a-z0-9][a-z0-9._-]*$/;

function checkPass(def: unknown, bad: (m: string) => never): asserts def is PassDef {
  if (!isObj(def)) bad(`api.pass() takes a pass object { name, kind, description, run }, got ${typeof def}`);
  const name = def.name;
  if (typeof name !== "string" || !PASS_NAME.test(name)) {
    bad(`pass name ${JSON.stringify(name)} must be lower case letters, digits, "-", "_" or "." (as --passes spells it)`);
  }
  const p = `pass "${name}"`;
  if (def.kind !== "ssa" && def.kind !== "peephole") bad(`${p} has kind ${JSON.stringify(def.kind)}; use "ssa" or "peephole"`);
  if (typeof def.description !== "string" || !def.description.trim()) bad(`${p} has no description (one line for --list-passes)`);
  if (typeof def.run !== "function") bad(`${p} has no run() function`);
  for (const k of ["requires", "provides"]) {
    const v = def[k];
    if (v !== undefined && !(Array.isArray(v) && v.every((x) => typeof x === "string"))) bad(`${p}: "${k}" must be a list of names`);
  }
  const pos = def.position;
  if (pos === undefined) return;
  const ok = isObj(pos) && Object.keys(pos).length === 1 && (
    typeof pos.before === "string" || typeof pos.after === "string" || pos.slot === "start" || pos.slot === "end");
  if (!ok) bad(`${p} has position ${JSON.stringify(pos)}; use { before: "pass" }, { after: "pass" } or { slot: "start" | "end" }`);
}

/** After every plugin is set up: each pass placed before/after another names a registered pass of its stage. */
export function checkPositions(registry: Registry): void {
  for (const { value: p, plugin } of registry.passes.values()) {
    const pos = p.position;
    if (!pos || !("before" in pos || "after" in pos)) continue;
    const where = "before" in pos ? "before" : "after";
    const anchor = "before" in pos ? pos.before : pos.after;
    const a = registry.passes.get(anchor);
    if (!a) {
      const near = [...registry.passes.keys()].filter((k) => k.includes(anchor) || anchor.includes(k));
      throw new RegistryError(`Plugin "${plugin}": pass "${p.name}" asks to run ${where} "${anchor}", which is not a registered pass` +
        (near.length ? ` (did you mean ${near.map((n) => `"${n}"`).join(", ")}?)` : "; see --list-passes"));
    }
    if (a.value.kind !== p.kind) {
      throw new RegistryError(`Plugin "${plugin}": ${p.kind} pass "${p.name}" asks to run ${where} "${anchor}", which is a${a.value.kind === "ssa" ? "n SSA" : " peephole"} pass; a position must name a pass of the same stage`);
    }
  }
}

// ───────────────────────────── Protocol headers ─────────────────────────────

const HEADER_NAME = /^[a-z][a-z0-9-]*$/;

function checkHeader(def: unknown, bad: (m: string) => never): asserts def is HeaderDef {
  if (!isObj(def)) bad(`api.header() takes a header object { name, size, fields, over }, got ${typeof def}`);
  if (typeof def.name !== "string" || !HEADER_NAME.test(def.name.toLowerCase())) bad(`header name ${JSON.stringify(def.name)} must be a symbol name (letters, digits, "-")`);
  const h = `header "${def.name}"`;
  if (def.size !== undefined && !(Number.isInteger(def.size) && (def.size as number) > 0)) bad(`${h}: size must be a positive integer (bytes)`);
  if (!Array.isArray(def.fields) || !def.fields.length) bad(`${h} has no fields`);
  const seen = new Set<string>();
  for (const f of def.fields as unknown[]) {
    if (!isObj(f) || typeof f.name !== "string" || !HEADER_NAME.test(f.name.toLowerCase())) bad(`${h}: field ${JSON.stringify(f)} needs a name`);
    const fh = `${h}, field "${f.name}"`;
    if (seen.has(f.name.toLowerCase())) bad(`${fh} is defined twice`);
    seen.add(f.name.toLowerCase());
    if (typeof f.type !== "string" || !isScalarName(f.type)) bad(`${fh}: type ${JSON.stringify(f.type)} is not one of ${Object.keys(SCALARS).join(" ")}`);
    if (!Number.isInteger(f.offset) || (f.offset as number) < 0) bad(`${fh}: offset must be a non-negative integer`);
    const size = SCALARS[f.type].size;
    if (def.size !== undefined && (f.offset as number) + size > (def.size as number)) bad(`${fh} ends at byte ${(f.offset as number) + size}, past the header's size ${def.size}`);
    if (f.bits !== undefined || f.shift !== undefined) {
      const bits = f.bits ?? size * 8 - ((f.shift as number) ?? 0), shift = f.shift ?? 0;
      if (!Number.isInteger(bits) || !Number.isInteger(shift) || (bits as number) < 1 || (shift as number) < 0 || (bits as number) + (shift as number) > size * 8) {
        bad(`${fh}: bits ${f.bits} and shift ${f.shift} do not fit in a ${f.type}`);
      }
    }
  }
  if (def.over !== undefined) {
    const o = def.over;
    if (!isObj(o) || typeof o.layer !== "string") bad(`${h}: "over" must be { layer: "udp", port?: N, where?: { field: value } }`);
    if (def.size === undefined) bad(`${h} sits over "${o.layer}" and so needs a size`);
    if (o.port !== undefined && !(Number.isInteger(o.port) && (o.port as number) >= 0 && (o.port as number) <= 65535)) bad(`${h}: port ${o.port} is not a port number`);
    if (o.where !== undefined && !isObj(o.where)) bad(`${h}: "where" must map field names of "${o.layer}" to values`);
  }
}

/** Where a header placed over a layer sits: its offset from the packet start, the bytes to check, the tests. */
function placeHeader(def: HeaderDef, lookup: (name: string) => HeaderDef | undefined, bad: (m: string) => never): Layer {
  const o = def.over!;
  const lowerName = o.layer.toLowerCase();
  if (lowerName === "packet") return { offset: 0, need: def.size!, checks: [] };
  const lower = lookup(lowerName);
  if (!lower) bad(`header "${def.name}" sits over "${o.layer}", which is not a registered header`);
  if (!lower.over) bad(`header "${def.name}" sits over "${o.layer}", which has no place in the packet (no "over" of its own)`);
  const base = placeHeader(lower, lookup, bad);
  const where: [string, number | bigint][] = Object.entries(o.where ?? {});
  if (o.port !== undefined) where.push(["dst-port", o.port]);
  const checks = [...base.checks];
  for (const [fname, v] of where) {
    const f = lower.fields.find((x) => x.name.toLowerCase() === fname.toLowerCase());
    if (!f) bad(`header "${def.name}": "${o.layer}" has no field "${fname}" (fields: ${lower.fields.map((x) => x.name).join(", ")})`);
    if (f.bits !== undefined || f.shift !== undefined) bad(`header "${def.name}": field "${fname}" of "${o.layer}" is a bit field, which "where" cannot test`);
    const size = SCALARS[f.type].size;
    if (typeof v !== "number" && typeof v !== "bigint") bad(`header "${def.name}": where "${fname}" must be an integer`);
    const val = BigInt(v);
    if (val < -(1n << BigInt(size * 8 - 1)) || val >= 1n << BigInt(size * 8)) bad(`header "${def.name}": ${val} does not fit "${o.layer}-${fname}" (${f.type})`);
    checks.push(`(= (load u${size * 8} ?data ${base.offset + f.offset}) ${wire(BigInt.asUintN(size * 8, val), size, !!f.netOrder)})`);
  }
  const offset = base.offset + lower.size!;
  return { offset, need: offset + def.size!, checks };
}

/** A value as an unsigned load of its bytes reads it on a little-endian machine. */
function wire(v: bigint, size: number, net: boolean): bigint {
  if (!net || size === 1) return v;
  let out = 0n;
  for (let i = 0; i < size; i++) out = (out << 8n) | ((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** Accessor and setf of a bit field: `(NAME-FIELD p)` = (ntoh(load) >> shift) & mask. */
function bitField(api: PluginApi, header: string, f: HeaderFieldDef): void {
  const size = SCALARS[f.type].size;
  const shift = BigInt(f.shift ?? 0), bits = BigInt(f.bits ?? size * 8 - Number(shift));
  const mask = (1n << bits) - 1n, off = BigInt(f.offset), clear = BigInt.asUintN(size * 8, ~(mask << shift));
  const swap = f.netOrder && size > 1 ? ({ 2: "ntohs", 4: "ntohl", 8: "ntohll" } as Record<number, string>)[size] : undefined;
  const read = swap ? `(${swap} (load ${f.type} ?p ?off))` : `(load ${f.type} ?p ?off)`;
  const acc = `${header}-${f.name}`;
  const one = (form: Cons, ctx: MacroContext): Datum => {
    const a = FORMS_API.args(form);
    if (a.length !== 1) ctx.error(`"${acc}" takes 1 argument, got ${a.length}`, form);
    return a[0];
  };
  api.macro(acc, (form, ctx) => tmpl(ctx.symbols, `(logand (>> ${read} ?shift) ?mask)`, { p: one(form, ctx), off, shift, mask }));
  api.setf(acc, (place, value, ctx) => {
    const p = ctx.gensym("P");
    const merged = `(logior (logand ${read.replace(/\?p/g, "?tmp")} ?clear) (<< (logand ?value ?mask) ?shift))`;
    const store = swap ? `(${swap.replace("ntoh", "hton")} ${merged})` : merged;
    return tmpl(ctx.symbols, `(let ((?tmp ?p)) (store ${f.type} ?tmp ?off ${store}))`, { tmp: p, p: one(place, ctx), off, clear, value, mask, shift });
  });
}

function defineHeader(api: PluginApi, registry: Registry, def: unknown, bad: (m: string) => never, add: Adder): void {
  checkHeader(def, bad);
  const layer = def.over ? placeHeader(def, (n) => registry.headers.get(n)?.value, bad) : undefined;
  const name = def.name.toLowerCase();
  add(registry.headers, "header", name, def);
  const plain = def.fields.filter((f) => f.bits === undefined && f.shift === undefined);
  headerPlugin({ ...def, name, fields: plain }, api.plugin).setup(api);
  for (const f of def.fields) if (!plain.includes(f)) bitField(api, name, f);
  if (def.size !== undefined) api.constant(`+${name}-hdr-len+`, def.size);
  if (layer) layerMacros(api, name, layer);
}

// ───────────────────────────── The api object ─────────────────────────────

type Adder = <T>(table: Map<string, Registered<T>>, kind: string, name: string, value: T) => void;

/** The `api` given to one plugin's setup(): registrations go into `registry` under the plugin's name. */
export function createApi(registry: Registry, plugin: Plugin, options: Record<string, string>): PluginApi {
  const builtin = plugin.name.startsWith(BUILTIN_PREFIX);
  const bad = (m: string): never => {
    throw new RegistryError(`Plugin "${plugin.name}": ${m}`);
  };
  if (plugin.options) {
    for (const k of Object.keys(options)) {
      if (!(k in plugin.options)) bad(`unknown option "${k}" (--plugin-opt ${plugin.name}.KEY=VALUE; it reads: ${Object.keys(plugin.options).join(", ") || "none"})`);
    }
  }
  const add: Adder = (table, kind, name, value) => {
    if (typeof name !== "string" || !name.trim()) bad(`${kind} needs a name (a non-empty string), got ${JSON.stringify(name)}`);
    const key = name.toLowerCase();
    const prev = table.get(key);
    if (prev) throw new RegistryError(`Plugin "${plugin.name}" registers ${kind} "${key}", already registered by "${prev.plugin}"`);
    table.set(key, { value, plugin: plugin.name });
  };
  const fnArg = (fn: unknown, what: string) => {
    if (typeof fn !== "function") bad(`${what} needs a function, got ${typeof fn}`);
  };
  const api: PluginApi = {
    plugin: plugin.name,
    options: Object.freeze({ ...options }),
    macro(name, fn) {
      fnArg(fn, `macro "${name}"`);
      add(registry.macros, "macro", name, builtin ? fn : guardMacro(plugin.name, "Macro", name, fn));
    },
    setf(name, fn) {
      fnArg(fn, `setf place "${name}"`);
      add(registry.setfs, "setf place", name, builtin ? fn : guardMacro(plugin.name, "Setf expander", name, fn));
    },
    lisp(source) {
      if (typeof source !== "string") bad(`api.lisp() takes Lisp source text, got ${typeof source}`);
      registry.lisp.push({ source, plugin: plugin.name });
    },
    constant(name, value) {
      if (!(typeof value === "bigint" || (typeof value === "number" && Number.isInteger(value)))) bad(`constant "${name}" must be an integer, got ${String(value)}`);
      add(registry.constants, "constant", name, BigInt.asUintN(64, BigInt(value)));
    },
    header: (def) => defineHeader(api, registry, def, bad, add),
    pass(def) {
      checkPass(def, bad);
      add(registry.passes, "pass", def.name, builtin ? def : guardPass(plugin.name, def, api.options));
    },
    ir: IR_API,
    asm: ASM_API,
    forms: FORMS_API,
  };
  return api;
}

/** Run a plugin's setup() on its api; anything it throws becomes a RegistryError naming it. */
export function runSetup(plugin: Plugin, api: PluginApi): void {
  try {
    const out: unknown = plugin.setup(api);
    if (out instanceof Promise || (isObj(out) && typeof out.then === "function")) {
      void Promise.resolve(out).catch(() => {});
      throw new RegistryError(`Plugin "${plugin.name}": setup() must register everything before it returns (it returned a Promise)`);
    }
  } catch (e) {
    if (e instanceof RegistryError || e instanceof CompileError) throw e;
    if (plugin.name.startsWith(BUILTIN_PREFIX)) throw e;
    throw new RegistryError(`Plugin "${plugin.name}" failed in setup(): ${msgOf(e)}`);
  }
}
