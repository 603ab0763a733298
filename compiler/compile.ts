// The compiler driver: read → top level → expand → lower → SSA passes → back end → peephole
// passes → layout → object. Pure: everything it reads comes in through CompileOptions.

import { CompileError, type Diagnostic, type Span, error, warning } from "./diag.ts";
import { Cons, type Datum, Sym, SymbolTable, list, spanOf } from "./sexp.ts";
import { readAll } from "./reader.ts";
import { Registry, type MacroContext, type PassContext, type Plugin, RegistryError } from "./registry.ts";
import { Expander, originNotes } from "./expand.ts";
import { processToplevel, type TopEnv } from "./toplevel.ts";
import { lowerProgram } from "./lower.ts";
import { verifyFunction } from "./ir_verify.ts";
import { checkNullDerefs } from "./checks.ts";
import { type Function, printFunction } from "./ir.ts";
import { PIPELINES, type PipelineHooks, PassError, buildPipeline, runPeepholes, runSsaPasses } from "./pipeline.ts";
import { generate } from "./backend/mod.ts";
import { layout } from "./asm/layout.ts";
import { encode, byteOffsets } from "./asm/encode.ts";
import type { Insn } from "./asm/insn.ts";
import { writeObject, type ProgramCode, type MapDef, type TypeDesc } from "./object.ts";
import { annotatedAsm } from "./asm_text.ts";
import { pretty } from "./pretty.ts";
import { btfType, bytesDesc, ctxTypeDesc } from "./btf_types.ts";
import type { FileProvider } from "./files.ts";
import { Interp, MacroEnv } from "./interp/mod.ts";
import type { HeaderDecl, MapDecl, ProgDecl, StructDecl } from "./unit.ts";
import { BUILTIN_PLUGINS } from "./builtins.ts";
import { checkPositions, pluginShapeError } from "./plugin_api.ts";
import { tmpl } from "./surface/template.ts";
import { type GenLang, type GenUnit, generate as generateUserland } from "./gen/mod.ts";

export type OptLevel = "0" | "1" | "2" | "s";
export type EmitKind = "obj" | "asm" | "ir" | "expanded";

export interface CompileOptions {
  /** File name used in diagnostics and line info. */
  file?: string;
  opt?: OptLevel;
  /** A custom list of optimisation passes (overrides `opt`). */
  passes?: string[];
  cpu?: 1 | 2 | 3 | 4;
  /** .BTF.ext line info (default true; -g0 turns it off). */
  lineInfo?: boolean;
  /** -D NAME=VALUE constants. */
  defines?: Record<string, bigint>;
  /** Search path for (include "file"). */
  includePaths?: string[];
  /** Read-only files the compiler may read (includes, tracepoint formats). */
  files?: FileProvider;
  /** Plugins, applied after the built-ins, in order. */
  plugins?: { plugin: Plugin; options?: Record<string, string> }[];
  emit?: EmitKind;
  /** --gen: userland definitions of the structs, maps and constants, per language. */
  gen?: GenLang[];
  hooks?: PipelineHooks;
}

export interface ProgramSummary {
  name: string;
  section: string;
  insns: number;
  stack: number;
  stackSlots: { name: string; size: number; offset: number }[];
}

export interface CompileResult {
  ok: boolean;
  /** Errors and warnings, in order. */
  diagnostics: Diagnostic[];
  /** Source texts by file name (for rendering diagnostics). */
  sources: Map<string, string>;
  object?: Uint8Array;
  /** -S / --emit=asm, --emit=ir, -E / --emit=expanded */
  text?: string;
  programs: ProgramSummary[];
  /** --gen outputs by language (see compiler/gen/). */
  generated?: Partial<Record<GenLang, string>>;
}

/** Compile Whistler source to a BPF ELF object (or another emit kind). Never throws for bad input. */
export function compile(source: string, options: CompileOptions = {}): CompileResult {
  const sources = new Map<string, string>();
  const file = options.file ?? "<input>";
  sources.set(file, source);
  const diagnostics: Diagnostic[] = [];
  try {
    const c = new Compilation(source, file, options, sources, diagnostics);
    try {
      const out = c.run();
      const generated = options.gen?.length ? c.generate(options.gen) : undefined;
      return { ok: true, diagnostics, sources, ...out, ...(generated ? { generated } : {}) };
    } finally {
      c.flushWarnings();
    }
  } catch (e) {
    if (e instanceof CompileError) {
      diagnostics.push(...e.diagnostics);
    } else if (e instanceof PassError || e instanceof RegistryError) {
      diagnostics.push(error(e.message));
    } else {
      throw e; // an internal compiler error: a bug
    }
    return { ok: false, diagnostics, sources, programs: [] };
  }
}

class Compilation {
  private readonly symbols = new SymbolTable();
  private readonly registry = new Registry();
  private readonly interp: Interp;
  private readonly maps = new Map<string, MapDecl>();
  private readonly programs: ProgDecl[] = [];
  private readonly structs = new Map<string, StructDecl>();
  private readonly headers = new Map<string, HeaderDecl>();
  private readonly constants = new Map<string, bigint>();
  private current: ProgDecl | undefined;
  private readonly installed = new Set<string>();

  constructor(
    private readonly source: string,
    private readonly file: string,
    private readonly options: CompileOptions,
    private readonly sources: Map<string, string>,
    private readonly diagnostics: Diagnostic[],
  ) {
    this.interp = new Interp({ symbols: this.symbols, files: options.files });
  }

  private readonly macroCtx: MacroContext = {
    symbols: this.symbols,
    sym: (name) => this.symbols.intern(name.toUpperCase()),
    gensym: (prefix) => this.symbols.gensym(prefix ?? "G"),
    list: (...items) => list(...items),
    template: (source, holes) => tmpl(this.symbols, source, holes),
    get program() {
      return undefined;
    },
    map: (name) => this.maps.get(name.toLowerCase()),
    struct: (name) => this.structs.get(name.toLowerCase()),
    constant: (name) => this.constant(name.toLowerCase()),
    error: (message, at) => {
      const span = at === undefined ? undefined : isSpan(at) ? at : spanOf(at as Datum);
      throw new CompileError([error(message, span, at instanceof Cons ? originNotes(at.origin) : [])]);
    },
  };

  private constant(name: string): bigint | undefined {
    // -D on the command line overrides a defconstant of the same name (with a warning there).
    return this.options.defines?.[name] ?? this.constants.get(name) ?? this.registry.constants.get(name)?.value;
  }

  /** Make registered TypeScript macros visible to the interpreter (one registration path). */
  private installMacros(): void {
    for (const [name, { value: fn, plugin }] of this.registry.macros) {
      if (this.installed.has(name)) continue;
      this.installed.add(name);
      this.interp.defineMacro(this.symbols.intern(name.toUpperCase()), (form) => fn(form, this.ctxForMacro()), { plugin });
    }
  }

  private ctxForMacro(): MacroContext {
    const program = this.current;
    return Object.create(this.macroCtx, { program: { value: program, enumerable: true } }) as MacroContext;
  }

  private use(plugin: Plugin, options?: Record<string, string>): void {
    this.registry.use(plugin, options);
    this.installMacros();
    for (const [name, { value }] of this.registry.constants) {
      const sym = this.symbols.intern(name.toUpperCase());
      if (this.interp.globalValue(sym) === undefined) this.interp.defineConstant(sym, value);
    }
  }

  /** Warnings compile-time code raised with (warn …) become diagnostics. */
  flushWarnings(): void {
    for (const w of this.interp.warnings.splice(0)) this.diagnostics.push(warning(w));
  }

  run(): Omit<CompileResult, "ok" | "diagnostics" | "sources"> {
    const o = this.options;
    for (const p of BUILTIN_PLUGINS) this.use(p);
    for (const { plugin, options } of o.plugins ?? []) {
      const bad = pluginShapeError(plugin);
      if (bad) throw new RegistryError(`Plugin ${bad}`);
      this.use(plugin, options);
    }
    checkPositions(this.registry);
    for (const [name, v] of Object.entries(o.defines ?? {})) this.interp.defineConstant(this.symbols.intern(name.toUpperCase()), v);
    const env = this.topEnv();
    // Plugins' Lisp is top-level source like the file's: defmacro, defun, defconstant (usable in
    // program bodies), even defmap.
    for (const { source, plugin } of this.registry.lisp) {
      const f = `<plugin ${plugin}>`;
      this.sources.set(f, source);
      for (const form of readAll(source, f, this.symbols)) processToplevel(form.datum, form.span, env);
    }

    for (const form of readAll(this.source, this.file, this.symbols)) processToplevel(form.datum, form.span, env);
    if (this.programs.length === 0) throw new CompileError([error(`No programs in ${this.file}: define one with (defprog NAME (:type :xdp) body…)`)]);

    // Expand every program body.
    const expanded = new Map<ProgDecl, Datum[]>();
    for (const p of this.programs) {
      this.current = p;
      const ex = new Expander(this.interp, this.registry.setfs, this.ctxForMacro());
      expanded.set(p, ex.expandBody(p.body));
    }
    this.current = undefined;
    if (o.emit === "expanded") return { text: this.expandedText(expanded), programs: [] };

    const builtin = !o.passes;
    const names = o.passes ?? PIPELINES[`O${o.opt ?? "2"}`] ?? PIPELINES.O2;
    const pipeline = buildPipeline(this.registry, names, builtin);
    const cpu = o.cpu ?? 3;
    const hooks = o.hooks ?? {};

    const fns: Function[] = [];
    const codes: { p: ProgDecl; insns: Insn[]; stack: number; slots: ProgramSummary["stackSlots"] }[] = [];
    for (const p of this.programs) {
      const fn = lowerProgram({
        program: { ...p, body: expanded.get(p)! },
        maps: this.maps, structs: this.structs,
        constant: (n) => this.constant(n),
        warn: (m, s) => this.diagnostics.push(warning(m, s)),
      });
      const errs = verifyFunction(fn);
      if (errs.length) throw new Error(`internal: lowering produced invalid IR for ${p.name}:\n${errs.join("\n")}\n${printFunction(fn)}`);
      const nullErrs = checkNullDerefs(fn);
      if (nullErrs.length) throw new CompileError(nullErrs);
      const ctx: PassContext = {
        cpu, program: p.symbol, options: {}, warn: (m: string, s?: Span) => this.diagnostics.push(warning(m, s)),
        map: (name) => [...this.maps.values()].find((m) => m.symbol === name || m.name === name.toLowerCase()),
      };
      runSsaPasses(fn, pipeline.ssa, ctx, { ...hooks, verifyEach: hooks.verifyEach }, this.registry);
      fns.push(fn);
      if (o.emit === "ir") continue;
      const be = generate(fn, { cpu });
      runPeepholes(be.items, pipeline.peephole, ctx, hooks, this.registry);
      const insns = layout(be.items, { cpu });
      codes.push({ p, insns, stack: be.stackSize, slots: be.slots });
    }
    if (o.emit === "ir") return { text: fns.map(printFunction).join("\n\n") + "\n", programs: [] };

    const summaries: ProgramSummary[] = codes.map((c) => ({ name: c.p.symbol, section: c.p.section, insns: c.insns.length, stack: c.stack, stackSlots: c.slots }));
    if (o.emit === "asm") {
      const text = annotatedAsm(codes.map((c) => ({ name: c.p.symbol, section: c.p.section, insns: c.insns, stack: c.stack })), (f) => this.sources.get(f));
      return { text, programs: summaries };
    }
    return { object: this.object(codes), programs: summaries };
  }

  private object(codes: { p: ProgDecl; insns: Insn[] }[]): Uint8Array {
    const lineInfo = this.options.lineInfo ?? true;
    const programs: ProgramCode[] = codes.map(({ p, insns }) => {
      const offsets = byteOffsets(insns);
      const relocs = insns.flatMap((i, k) => (i.map ? [{ offset: offsets[k], symbol: i.map }] : []));
      const lines: ProgramCode["lines"] = [];
      if (lineInfo) {
        let last = "";
        insns.forEach((i, k) => {
          if (!i.pos) return;
          const key = `${i.pos.file}:${i.pos.line}:${i.pos.col}`;
          if (key === last) return;
          last = key;
          const text = this.sources.get(i.pos.file)?.split("\n")[i.pos.line - 1] ?? "";
          lines.push({ insnOffset: offsets[k], file: i.pos.file, line: i.pos.line, col: i.pos.col, lineText: text.trim() });
        });
      }
      const coreRelos: ProgramCode["coreRelos"] = [];
      insns.forEach((i, k) => {
        if (i.core) coreRelos.push({ insnOffset: offsets[k], type: this.coreType(i.core.typeName), accessStr: i.core.accessStr, kind: 0 });
      });
      // Map loads carry src=0 in the object, as clang writes them; libbpf sets BPF_PSEUDO_MAP_FD.
      const code = encode(insns.map((i) => (i.map ? { ...i, src: 0 } : i)));
      return { name: p.symbol, section: p.section, code, relocs, ctxType: p.type.ctx ? ctxTypeDesc(p.type.ctx) : null, lines, coreRelos };
    });
    const maps: MapDef[] = [...this.maps.values()].map((m) => ({
      name: m.symbol, type: m.kernelType, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags,
      // With a struct on one side, the kernel wants BTF for both: describe the other by its size.
      keyType: m.keyType ? btfType(this.structs.get(m.keyType)!, this.structs) : m.valueType && m.keySize ? bytesDesc(m.keySize) : undefined,
      valueType: m.valueType ? btfType(this.structs.get(m.valueType)!, this.structs) : m.keyType && m.valueSize ? bytesDesc(m.valueSize) : undefined,
      pinning: m.pinning,
    }));
    const types = [...this.structs.values()].filter((s) => !s.kernel).map((s) => btfType(s, this.structs));
    return writeObject({ license: this.programs[0].license, programs, maps, types });
  }

  /** --gen: the unit's structs, maps and constants in each requested language. */
  generate(langs: GenLang[]): Partial<Record<GenLang, string>> {
    const name = (this.file.split("/").pop() ?? "prog").replace(/\.[^.]*$/, "") || "prog";
    const constants = new Map(this.constants);
    for (const st of this.structs.values()) if (st.kernel) constants.delete(`+${st.name}-size+`); // the kernel's size differs
    for (const [k, v] of Object.entries(this.options.defines ?? {})) constants.set(k.toLowerCase(), BigInt.asUintN(64, v));
    const unit: GenUnit = { name, structs: [...this.structs.values()], maps: [...this.maps.values()], constants: [...constants] };
    return Object.fromEntries(langs.map((l) => [l, generateUserland(l, unit)]));
  }

  /** Local BTF of a CO-RE root: a kernel struct declared with (:kernel "c_name"), or a context struct. */
  private coreType(cName: string): TypeDesc {
    for (const s of this.structs.values()) if (s.kernel && s.cName === cName) return btfType(s, this.structs);
    return ctxTypeDesc(cName);
  }

  private expandedText(expanded: Map<ProgDecl, Datum[]>): string {
    const out: string[] = [];
    for (const [p, body] of expanded) {
      out.push(`(defprog ${p.name} (:type :${p.type.name} :section ${JSON.stringify(p.section)} :license ${JSON.stringify(p.license)})`);
      for (const f of body) out.push(`  ${pretty(f, 2)}`);
      out[out.length - 1] += ")";
      out.push("");
    }
    return out.join("\n");
  }

  private topEnv(): TopEnv {
    return {
      maps: this.maps, programs: this.programs, structs: this.structs, headers: this.headers, constants: this.constants,
      constant: (n) => this.constant(n),
      evalToplevel: (form, span) => this.interp.evalToplevel(form, span),
      evalExpr: (form) => this.interp.eval(form),
      defineConstant: (name, value, span) => {
        const d = this.options.defines?.[name];
        if (d !== undefined) {
          if (BigInt.asUintN(64, d) !== BigInt.asUintN(64, value)) {
            this.diagnostics.push(warning(`-D ${name}=${d} overrides (defconstant ${name} ${value})`, span));
          }
          return; // the interpreter already holds the -D value
        }
        this.interp.defineConstant(this.symbols.intern(name.toUpperCase()), value);
      },
      macroexpand1: (form, scope) => {
        const menv = (scope as MacroEnv | undefined) ?? MacroEnv.empty();
        const fn = form.car instanceof Sym ? this.interp.macroFunction(form.car, menv) : undefined;
        if (!fn) return undefined;
        const ex = new Expander(this.interp, this.registry.setfs, this.ctxForMacro(), menv);
        return ex.callMacro((form.car as Sym).name.toLowerCase(), form, fn);
      },
      localMacros: (kind, defs, scope) => {
        const menv = (scope as MacroEnv | undefined) ?? MacroEnv.empty();
        return kind === "macrolet" ? this.interp.withMacrolet(defs, menv) : this.interp.withSymbolMacrolet(defs, menv);
      },
      usePlugin: (p) => this.use(p),
      include: (path, span) => this.include(path, span),
      warn: (message, span) => this.diagnostics.push(warning(message, span)),
      read: (text, file) => readAll(text, file, this.symbols),
    };
  }

  private include(path: string, span?: Span): { text: string; file: string } {
    const files = this.options.files;
    if (!files) throw new CompileError([error(`Cannot include "${path}": no file access was given to the compiler`, span)]);
    const dirs = ["", ...(this.options.includePaths ?? [])];
    const base = this.file.includes("/") ? this.file.slice(0, this.file.lastIndexOf("/") + 1) : "";
    const candidates = path.startsWith("/") ? [path] : [base + path, ...dirs.filter(Boolean).map((d) => `${d.replace(/\/$/, "")}/${path}`)];
    for (const c of candidates) {
      const text = files.readText(c);
      if (text !== undefined) {
        this.sources.set(c, text);
        return { text, file: c };
      }
    }
    throw new CompileError([error(`Cannot find include file "${path}" (looked in ${candidates.join(", ")})`, span)]);
  }
}

function isSpan(x: unknown): x is Span {
  return typeof x === "object" && x !== null && "line" in x && "col" in x && "file" in x;
}
