/**
 * whistler — compile Whistler (a Lisp for eBPF) to BPF ELF objects, in pure TypeScript.
 *
 * `compile(source, options)` is pure: no file, process or network access, no global state;
 * the same input and options give the same bytes. Files the compiler may read (includes,
 * tracepoint formats) come through `options.files`, a read-only provider given by the host.
 *
 * @example
 * ```ts
 * import { compile, render } from "./mod.ts";
 * const r = compile(`(defmap c :type :array :key-size 4 :value-size 8 :max-entries 1)
 *   (defprog count (:type :xdp) (incf (getmap c 0)) XDP_PASS)`, { file: "count.lisp" });
 * if (!r.ok) console.error(render(r.diagnostics, (f) => r.sources.get(f)));
 * else console.log(r.object!.length, "bytes;", r.programs[0].insns, "instructions");
 * ```
 * @module
 */

export { compile } from "./compiler/compile.ts";
export type { CompileOptions, CompileResult, EmitKind, OptLevel, ProgramSummary } from "./compiler/compile.ts";
export { CompileError, render, renderJson } from "./compiler/diag.ts";
export type { Diagnostic, Note, Severity, Span, SourceLookup } from "./compiler/diag.ts";
export type { FileProvider } from "./compiler/files.ts";
export { memoryFiles } from "./compiler/files.ts";
// The plugin API (docs/plugins.md). A plugin imports these as types only: `import type { Plugin } from …`.
export type {
  HeaderDef, HeaderFieldDef, HeaderPlacement, MacroContext, MacroFunction, PassContext, PassDef, PassResult, PeepholePass,
  Plugin, PluginApi, SetfFunction, SsaPass,
} from "./compiler/registry.ts";
export type { AsmApi, Capture, Captures, FormsApi, InstPattern, IrApi, Matcher, PatternValue } from "./compiler/plugin_api.ts";
export { RegistryError } from "./compiler/plugin_api.ts";
export type { Dominators } from "./compiler/dom.ts";
export type { Cons, Datum, Sym, SymbolTable } from "./compiler/sexp.ts";
export type { MapDecl, ProgDecl, StructDecl } from "./compiler/unit.ts";
export type {
  BinKind, Block, BlockId, Cond, CoreRef, Function, Inst, Phi, Slot, Term, VReg, Width,
} from "./compiler/ir.ts";
export type { Insn, Item, Label, SourcePos } from "./compiler/asm/insn.ts";
export { PIPELINES } from "./compiler/pipeline.ts";
