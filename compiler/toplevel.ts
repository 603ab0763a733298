// Top-level forms: defmap, defprog, defconstant, defstruct/defunion, defheader, include,
// and everything else handed to the compile-time interpreter (defmacro, defun, eval-when…).

import { CompileError, type Span, fail } from "./diag.ts";
import { Cons, type Datum, NIL, Sym, cells, print, spanOf } from "./sexp.ts";
import { readAll } from "./reader.ts";
import { MAP_TYPES } from "./uapi.ts";
import { MAP_RULES, MAP_TYPE_NAMES, checkMap, defaultSizes } from "./maptypes.ts";
import { PROG_TYPE_TABLE, sectionSuggestion, tracepointEvent, typeFromSection } from "./progtypes.ts";
import { loadTracepoint } from "./tracepoint.ts";
import {
  type FieldDecl, type HeaderDecl, type MapDecl, type ProgDecl, type ScalarName, type StructDecl, type TypeRef,
  isScalarName, layoutOf, symbolName,
} from "./unit.ts";
import type { Plugin } from "./registry.ts";
import { headerPlugin, structPlugin } from "./surface/structs.ts";

/** What top-level processing needs from the compilation. */
export interface TopEnv {
  maps: Map<string, MapDecl>;
  programs: ProgDecl[];
  structs: Map<string, StructDecl>;
  headers: Map<string, HeaderDecl>;
  constants: Map<string, bigint>;
  constant(name: string): bigint | undefined;
  /** Evaluate a compile-time form (defmacro, defun, …) in the interpreter. */
  evalToplevel(form: Datum, span?: Span): Datum;
  /** Make a constant visible to compile-time code (later defconstant expressions, macros). */
  defineConstant(name: string, value: bigint, span?: Span): void;
  /** Evaluate an expression to a value (defconstant). */
  evalExpr(form: Datum, span?: Span): Datum;
  /** Expand a top-level macro call once (in a local macro scope), or undefined when not a macro call. */
  macroexpand1(form: Cons, scope?: unknown): Datum | undefined;
  /** A local macro scope for a top-level (macrolet …) or (symbol-macrolet …). */
  localMacros(kind: "macrolet" | "symbol-macrolet", defs: Datum, scope?: unknown): unknown;
  /** Register declarations' accessor macros. */
  usePlugin(p: Plugin): void;
  /** Read an included file through the host's provider. */
  include(path: string, span?: Span): { text: string; file: string };
  warn(message: string, span?: Span): void;
  read(text: string, file: string): { datum: Datum; span: Span }[];
}

const lname = (d: Datum): string | undefined => (d instanceof Sym ? d.name.toLowerCase() : undefined);
const kw = (d: Datum): string | undefined => (d instanceof Sym && d.keyword ? d.name.slice(1).toLowerCase() : undefined);

/** Keyword options of a form: (:key value …) → map, with spans. */
function options(cellsList: Cons[], allowed: string[], what: string, formSpan?: Span): Map<string, { v: Datum; span?: Span }> {
  const out = new Map<string, { v: Datum; span?: Span }>();
  for (let i = 0; i < cellsList.length; i += 2) {
    const k = kw(cellsList[i].car);
    const span = cellsList[i].carSpan ?? formSpan;
    if (!k) fail(`Expected a keyword option in ${what}, got ${print(cellsList[i].car)}`, span);
    if (!allowed.includes(k)) fail(`Unknown option :${k} in ${what} (expected ${allowed.map((a) => ":" + a).join(" ")})`, span);
    if (i + 1 >= cellsList.length) fail(`Option :${k} in ${what} has no value`, span);
    if (out.has(k)) fail(`Option :${k} given twice in ${what}`, span);
    out.set(k, { v: cellsList[i + 1].car, span: cellsList[i + 1].carSpan ?? span });
  }
  return out;
}

export function processToplevel(form: Datum, span: Span, env: TopEnv, depth = 0, scope?: unknown): void {
  if (depth > 200) fail("Top-level macro expansion too deep", span);
  if (!(form instanceof Cons)) {
    if (form === NIL || typeof form === "bigint" || typeof form === "string") return; // harmless literal
    return fail(`Unexpected top-level form ${print(form)}`, span);
  }
  const head = lname(form.car);
  const fspan = spanOf(form) ?? span;
  switch (head) {
    case "in-package": case "declaim": case "proclaim":
      return;
    case "defmap":
      return defmap(form, fspan, env);
    case "defprog":
      return defprog(form, fspan, env);
    case "defconstant":
      return defconstant(form, fspan, env);
    case "defstruct": case "defunion":
      return defstruct(form, fspan, env, head === "defunion");
    case "defheader":
      return defheader(form, fspan, env);
    case "include": {
      const [, file] = cells(form);
      if (!file || typeof file.car !== "string") fail('include takes a file name: (include "file.lisp")', fspan);
      const { text, file: path } = env.include(file.car as string, file.carSpan ?? fspan);
      for (const f of env.read(text, path)) processToplevel(f.datum, f.span, env, depth + 1);
      return;
    }
    case "progn":
      for (const c of cells(form.cdr)) processToplevel(c.car, c.carSpan ?? spanOf(c.car) ?? fspan, env, depth + 1, scope);
      return;
    case "eval-when": {
      // (eval-when (situations…) body…): with :load-toplevel or :execute the body's forms are
      // top-level forms (defmap, defprog…); with only :compile-toplevel they run at compile time.
      const [, sit, ...body] = cells(form);
      const names = sit ? cells(sit.car).map((c) => (c.car instanceof Sym ? c.car.name.replace(/^:/, "") : "")) : [];
      if (names.some((n) => n === "LOAD-TOPLEVEL" || n === "EXECUTE" || n === "LOAD" || n === "EVAL")) {
        for (const c of body) processToplevel(c.car, c.carSpan ?? spanOf(c.car) ?? fspan, env, depth + 1, scope);
        return;
      }
      break;
    }
    case "macrolet": case "symbol-macrolet": {
      const [, defs, ...body] = cells(form);
      if (!defs) fail(`Malformed ${head}: expected (${head} (definitions…) body…)`, fspan);
      const inner = env.localMacros(head, defs.car, scope);
      for (const c of body) processToplevel(c.car, c.carSpan ?? spanOf(c.car) ?? fspan, env, depth + 1, inner);
      return;
    }
  }
  const expanded = env.macroexpand1(form, scope);
  if (expanded !== undefined) return processToplevel(expanded, fspan, env, depth + 1, scope);
  env.evalToplevel(form, fspan);
}

/** Maps and programs become ELF symbols (lower-case, '-' → '_'): two names may not collide. */
function checkElfName(env: TopEnv, sym: string, what: string, span: Span): void {
  for (const m of env.maps.values()) {
    if (m.symbol === sym) fail(`The ELF symbol "${sym}" of ${what} is already used by map "${m.name}"`, span, m.span ? [{ message: `map "${m.name}" is defined here`, span: m.span }] : []);
  }
  for (const p of env.programs) {
    if (p.symbol === sym) fail(`The ELF symbol "${sym}" of ${what} is already used by program "${p.name}"`, span, p.span ? [{ message: `program "${p.name}" is defined here`, span: p.span }] : []);
  }
  if (sym === "_license") fail(`"${sym}" is reserved for the license symbol`, span);
}

function intOpt(env: TopEnv, o: { v: Datum; span?: Span } | undefined, what: string, min = 0): number | undefined {
  if (!o) return undefined;
  let v: Datum = o.v;
  if (v instanceof Sym) {
    const c = env.constant(v.name.toLowerCase());
    if (c === undefined) fail(`${what} must be an integer, got "${v.name.toLowerCase()}"`, o.span);
    v = c;
  } else if (v instanceof Cons) {
    v = env.evalExpr(v, o.span);
  }
  if (typeof v !== "bigint") fail(`${what} must be an integer, got ${print(v)}`, o.span);
  if (v < BigInt(min) || v > 0xffffffffn) fail(`${what} must be between ${min} and 4294967295, got ${v}`, o.span);
  return Number(v);
}

function defmap(form: Cons, span: Span, env: TopEnv): void {
  const [, nameCell, ...rest] = cells(form);
  const name = nameCell && lname(nameCell.car);
  if (!name) fail("defmap needs a name: (defmap NAME :type T …)", span);
  const nspan = nameCell.carSpan ?? span;
  if (env.maps.has(name)) fail(`Map "${name}" is already defined`, nspan);
  checkElfName(env, symbolName(name), `map "${name}"`, nspan);
  const o = options(rest, ["type", "key-size", "value-size", "max-entries", "map-flags", "key-type", "value-type", "pinning"], `defmap ${name}`, span);
  const typeOpt = o.get("type");
  if (!typeOpt) fail(`Map "${name}" needs a :type (one of ${MAP_TYPE_NAMES.map((t) => ":" + t).join(" ")})`, nspan);
  const type = kw(typeOpt.v);
  if (!type || !MAP_TYPE_NAMES.includes(type)) {
    fail(`Unknown map type ${print(typeOpt.v)} for "${name}" (expected one of ${MAP_TYPE_NAMES.map((t) => ":" + t).join(" ")})`, typeOpt.span);
  }
  const kernelType = MAP_TYPES[`BPF_MAP_TYPE_${type.toUpperCase().replace(/-/g, "_")}`];
  const structOpt = (k: string) => {
    const x = o.get(k);
    if (!x) return undefined;
    const s = lname(x.v);
    if (!s || !env.structs.has(s)) fail(`:${k} of map "${name}" must name a struct defined with defstruct, got ${print(x.v)}`, x.span);
    return s;
  };
  const keyType = structOpt("key-type"), valueType = structOpt("value-type");
  const defaults = defaultSizes(type);
  const sized = (k: "key" | "value", st: string | undefined): number => {
    const given = intOpt(env, o.get(`${k}-size`), `:${k}-size of map "${name}"`);
    const fromType = st ? env.structs.get(st)!.size : undefined;
    if (given !== undefined && fromType !== undefined && given !== fromType) {
      fail(`:${k}-size ${given} of map "${name}" differs from the size of its :${k}-type ${st} (${fromType})`, o.get(`${k}-size`)!.span);
    }
    const n = given ?? fromType ?? defaults[k];
    if (n === undefined) fail(`Map "${name}" needs :${k}-size (or :${k}-type)`, nspan);
    return n;
  };
  const keySize = sized("key", keyType), valueSize = sized("value", valueType);
  const rule = MAP_RULES[type];
  const maxEntries = intOpt(env, o.get("max-entries"), `:max-entries of map "${name}"`, rule.optionalEntries ? 0 : 1) ?? (rule.optionalEntries ? 0 : undefined);
  if (maxEntries === undefined) fail(`Map "${name}" needs :max-entries`, nspan);
  const flags = intOpt(env, o.get("map-flags"), `:map-flags of map "${name}"`) ?? rule.requiredFlags ?? 0;
  const problem = checkMap({ type, keySize, valueSize, maxEntries, flags });
  if (problem) fail(`Map "${name}": ${problem.message}`, o.get(problem.option)?.span ?? (problem.option.endsWith("-size") ? o.get(problem.option.replace("size", "type"))?.span : undefined) ?? typeOpt.span ?? nspan);
  const pinOpt = o.get("pinning");
  let pinning: number | undefined;
  if (pinOpt) {
    const p = kw(pinOpt.v);
    if (p === "by-name") pinning = 1;
    else if (p === "none") pinning = undefined;
    else fail(`:pinning must be :by-name or :none, got ${print(pinOpt.v)}`, pinOpt.span);
  }
  env.maps.set(name, {
    name, symbol: symbolName(name), type, kernelType, keySize, valueSize, maxEntries, flags,
    keyType, valueType, pinning, span: nspan,
  });
}

function defprog(form: Cons, span: Span, env: TopEnv): void {
  const [, nameCell, optsCell, ...body] = cells(form);
  const name = nameCell && lname(nameCell.car);
  if (!name) fail("defprog needs a name: (defprog NAME (:type T …) body…)", span);
  const nspan = nameCell.carSpan ?? span;
  if (!optsCell || (optsCell.car !== NIL && !(optsCell.car instanceof Cons))) {
    fail(`defprog ${name} needs an option list after the name, e.g. (:type :xdp), even if empty: ()`, optsCell?.carSpan ?? nspan);
  }
  if (env.programs.some((p) => p.name === name)) fail(`Program "${name}" is already defined`, nspan);
  checkElfName(env, symbolName(name), `program "${name}"`, nspan);
  const o = options(cells(optsCell.car), ["type", "section", "license", "format"], `defprog ${name}`, optsCell.carSpan ?? span);
  const sectionOpt = o.get("section");
  if (sectionOpt && typeof sectionOpt.v !== "string") fail(`:section must be a string, got ${print(sectionOpt.v)}`, sectionOpt.span);
  const section = sectionOpt?.v as string | undefined;
  let typeName = o.get("type") ? kw(o.get("type")!.v) : undefined;
  if (o.get("type") && (!typeName || !PROG_TYPE_TABLE[typeName])) {
    fail(`Unknown program type ${print(o.get("type")!.v)} (expected one of ${Object.keys(PROG_TYPE_TABLE).map((t) => ":" + t).join(" ")})`, o.get("type")!.span);
  }
  typeName ??= (section && typeFromSection(section)) || "xdp";
  let type = PROG_TYPE_TABLE[typeName];
  if (!section && !type.section) fail(`:${type.name} programs need a :section naming ${type.target}, e.g. "${type.name}/do_unlinkat"`, nspan);
  const licenseOpt = o.get("license");
  if (licenseOpt && typeof licenseOpt.v !== "string") fail(`:license must be a string, got ${print(licenseOpt.v)}`, licenseOpt.span);
  const license = (licenseOpt?.v as string | undefined) ?? "GPL";
  if (env.programs.length && env.programs[0].license !== license) {
    fail(`Conflicting licenses in one file: "${env.programs[0].license}" (program "${env.programs[0].name}") and "${license}"`, licenseOpt?.span ?? nspan);
  }
  const sec = section ?? type.section;
  if (section) {
    const suggestion = sectionSuggestion(section, type);
    const implied = typeFromSection(section);
    if (suggestion && implied) {
      env.warn(`libbpf loads section "${section}" as a :${implied} program, not :${type.name}; loaders will need the type given explicitly (libbpf recognises "${suggestion}" for :${type.name})`, sectionOpt!.span);
    } else if (suggestion) {
      env.warn(`libbpf does not recognise section "${section}" for :${type.name} programs; loaders will need the type given explicitly (libbpf recognises "${suggestion}")`, sectionOpt!.span);
    }
  }
  const formatOpt = o.get("format");
  if (formatOpt && (type.name !== "tracepoint" || typeof formatOpt.v !== "string")) {
    fail(`:format gives a tracepoint's format file, as a string, to a :tracepoint program`, formatOpt.span);
  }
  if (type.name === "tracepoint") {
    const ev = tracepointEvent(sec) ?? (formatOpt ? { category: "", event: "" } : undefined);
    if (ev) type = { ...type, record: loadTracepoint(ev.category, ev.event, fileReader(env), formatOpt?.v as string | undefined) };
  }
  if (body.length === 0) fail(`Program "${name}" has an empty body: it must return a value`, nspan);
  env.programs.push({ name, symbol: symbolName(name), type, section: sec, license, body: body.map((c) => c.car), span: nspan });
}

/** Read a file through the host's provider (as include does), or undefined when none was given. */
function fileReader(env: TopEnv): ((path: string) => string | undefined) | undefined {
  try {
    env.include("/");
  } catch (e) {
    if (e instanceof CompileError && /no file access/.test(e.message)) return undefined;
  }
  return (path) => {
    try {
      return env.include(path).text;
    } catch (e) {
      if (e instanceof CompileError) return undefined;
      throw e;
    }
  };
}

function defconstant(form: Cons, span: Span, env: TopEnv): void {
  const [, nameCell, valueCell, ...rest] = cells(form);
  const name = nameCell && lname(nameCell.car);
  if (!name || !valueCell) fail("defconstant takes a name and a value: (defconstant +NAME+ value)", span);
  if (rest.length > 1) fail("defconstant takes a name, a value and an optional documentation string", span);
  const v = env.evalExpr(valueCell.car, valueCell.carSpan ?? span);
  if (typeof v !== "bigint") fail(`defconstant ${name}: the value must be an integer for use in programs, got ${print(v)}`, valueCell.carSpan ?? span);
  const prev = env.constants.get(name);
  if (prev !== undefined && prev !== BigInt.asUintN(64, v)) fail(`Constant "${name}" is already defined with another value (${prev})`, nameCell.carSpan ?? span);
  env.constants.set(name, BigInt.asUintN(64, v));
  env.defineConstant(name, v, valueCell.carSpan ?? span);
}

function parseType(d: Datum, env: TopEnv, span?: Span): TypeRef {
  const n = lname(d);
  if (n && isScalarName(n)) return { kind: "scalar", name: n as ScalarName };
  if (n && env.structs.has(n)) return { kind: "struct", name: n };
  if (d instanceof Cons && lname(d.car) === "array") {
    const [, elem, count] = cells(d);
    if (!elem || !count) fail("Array types are written (array TYPE COUNT)", span);
    let c: Datum = count.car;
    if (c instanceof Sym) c = env.constant(c.name.toLowerCase()) ?? c;
    if (typeof c !== "bigint" || c < 1n) fail(`Array length must be a positive constant, got ${print(count.car)}`, count.carSpan ?? span);
    return { kind: "array", elem: parseType(elem.car, env, elem.carSpan ?? span), count: Number(c) };
  }
  return fail(`Unknown type ${print(d)} (expected u8 u16 u32 u64 i8 i16 i32 i64, (array T N) or a struct name)`, span);
}

function defstruct(form: Cons, span: Span, env: TopEnv, union: boolean): void {
  const [, nameCell, ...fieldCells] = cells(form);
  let name: string | undefined, kernel: string | undefined;
  if (nameCell?.car instanceof Cons) {
    name = lname(nameCell.car.car);
    for (const opt of cells(nameCell.car.cdr)) {
      if (opt.car instanceof Cons && kw(opt.car.car) === "kernel" && typeof (opt.car.cdr as Cons).car === "string") {
        kernel = (opt.car.cdr as Cons).car as string;
      }
    }
  } else name = nameCell && lname(nameCell.car);
  const what = union ? "defunion" : "defstruct";
  if (!name) fail(`${what} needs a name: (${what} NAME (field type)…)`, span);
  if (env.structs.has(name)) fail(`Struct "${name}" is already defined`, nameCell.carSpan ?? span);
  const fields: FieldDecl[] = [];
  let off = 0, align = 1, size = 0;
  for (const fc of fieldCells) {
    const fspan = fc.carSpan ?? spanOf(fc.car) ?? span;
    if (typeof fc.car === "string") continue; // documentation string
    if (!(fc.car instanceof Cons)) fail(`Malformed field ${print(fc.car)}: expected (name type)`, fspan);
    const parts = cells(fc.car);
    const fname = lname(parts[0].car);
    if (!fname || parts.length !== 2) fail(`Malformed field ${print(fc.car)}: expected (name type)`, fspan);
    if (fields.some((f) => f.name === fname)) fail(`Field "${fname}" appears twice in ${name}`, fspan);
    const type = parseType(parts[1].car, env, parts[1].carSpan ?? fspan);
    const l = layoutOf(type, env.structs);
    if (!union) off = Math.ceil(off / l.align) * l.align;
    fields.push({ name: fname, offset: union ? 0 : off, type, span: fspan });
    align = Math.max(align, l.align);
    size = union ? Math.max(size, l.size) : off + l.size;
    if (!union) off += l.size;
  }
  size = Math.ceil(size / align) * align;
  const decl: StructDecl = { name, cName: kernel ?? symbolName(name), size, align, fields, union, kernel: kernel !== undefined, span };
  env.structs.set(name, decl);
  env.constants.set(`+${name}-size+`, BigInt(size));
  env.usePlugin(structPlugin(decl, env.structs));
}

function defheader(form: Cons, span: Span, env: TopEnv): void {
  const [, nameCell, ...fieldCells] = cells(form);
  const name = nameCell && lname(nameCell.car);
  if (!name) fail("defheader needs a name: (defheader NAME (field :offset N :type T)…)", span);
  if (env.headers.has(name)) fail(`Header "${name}" is already defined`, nameCell.carSpan ?? span);
  const fields = fieldCells.map((fc) => {
    const fspan = fc.carSpan ?? spanOf(fc.car) ?? span;
    if (!(fc.car instanceof Cons)) fail(`Malformed header field ${print(fc.car)}`, fspan);
    const [fn, ...opts] = cells(fc.car);
    const fname = lname(fn.car);
    if (!fname) fail(`Malformed header field ${print(fc.car)}`, fspan);
    const o = options(opts, ["offset", "type", "net-order"], `field ${fname} of ${name}`, fspan);
    const offset = intOpt(env, o.get("offset"), `:offset of ${name}-${fname}`);
    if (offset === undefined) fail(`Header field "${fname}" needs :offset`, fspan);
    const t = o.get("type") ? lname(o.get("type")!.v) : undefined;
    if (!t || !isScalarName(t)) fail(`Header field "${fname}" needs :type u8, u16, u32 or u64`, o.get("type")?.span ?? fspan);
    const netOrder = o.get("net-order") ? o.get("net-order")!.v !== NIL : false;
    return { name: fname, offset, type: t as ScalarName, netOrder };
  });
  const size = Math.max(0, ...fields.map((f) => f.offset + { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, u64: 8, i64: 8 }[f.type]));
  env.headers.set(name, { name, size, fields });
  env.usePlugin(headerPlugin({ name, size, fields }));
}
