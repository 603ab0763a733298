// The registry of macros, setf places, constants, protocol headers and passes, and the plugin
// API through which built-ins and user plugins fill it. One registry per compilation.

import type { Diagnostic, Span } from "./diag.ts";
import type { Cons, Datum, Sym, SymbolTable } from "./sexp.ts";
import type { Function } from "./ir.ts";
import type { Item } from "./asm/insn.ts";
import type { MapDecl, ProgDecl, ScalarName, StructDecl } from "./unit.ts";

/** What a macro written in TypeScript sees of the compilation. */
export interface MacroContext {
  readonly symbols: SymbolTable;
  /** Intern a symbol (names are case-insensitive). */
  sym(name: string): Sym;
  /** A fresh uninterned symbol, for hygienic temporaries. */
  gensym(prefix?: string): Sym;
  list(...items: Datum[]): Datum;
  /** The program whose body is being expanded; undefined at top level. */
  readonly program: ProgDecl | undefined;
  map(name: string): MapDecl | undefined;
  struct(name: string): StructDecl | undefined;
  constant(name: string): bigint | undefined;
  /** Report an error at a form (or span) and stop. */
  error(message: string, at?: Datum | Span): never;
}

/** A macro in TypeScript: from the whole call form to its expansion. */
export type MacroFunction = (form: Cons, ctx: MacroContext) => Datum;

/** A setf expander: (setf PLACE VALUE) where PLACE's head is the registered name. */
export type SetfFunction = (place: Cons, value: Datum, ctx: MacroContext) => Datum;

export interface HeaderFieldDef {
  name: string;
  offset: number;
  type: ScalarName;
  netOrder?: boolean;
}

/** A protocol header: accessors `(NAME-FIELD ptr)` and `setf` of them, with byte-order conversion. */
export interface HeaderDef {
  name: string;
  size?: number;
  fields: HeaderFieldDef[];
}

/** Context given to a pass. */
export interface PassContext {
  readonly cpu: 1 | 2 | 3 | 4;
  readonly program: string;
  /** Options from --plugin-opt NAME.KEY=VALUE for the pass's plugin. */
  readonly options: Record<string, string>;
  warn(message: string, span?: Span): void;
}

export interface PassResult {
  changed: boolean;
}

interface PassCommon {
  name: string;
  description: string;
  /** Names of passes (or facts they provide) that must have run before this one. */
  requires?: string[];
  /** Facts this pass establishes (checked for later passes' `requires`). */
  provides?: string[];
  /** Where a plugin pass goes in the built-in pipelines. */
  position?: { before: string } | { after: string } | { slot: "start" | "end" };
}

export interface SsaPass extends PassCommon {
  kind: "ssa";
  run(fn: Function, ctx: PassContext): PassResult | boolean;
}

export interface PeepholePass extends PassCommon {
  kind: "peephole";
  /** Rewrite the instruction list in place (labels and instructions). */
  run(items: Item[], ctx: PassContext): PassResult | boolean;
}

export type PassDef = SsaPass | PeepholePass;

/** The API a plugin's setup() receives; the built-ins use exactly this. */
export interface PluginApi {
  readonly plugin: string;
  readonly options: Record<string, string>;
  macro(name: string, fn: MacroFunction): void;
  setf(name: string, fn: SetfFunction): void;
  /** Lisp definitions (defmacro, defun, defconstant…) evaluated at compile time. */
  lisp(source: string): void;
  constant(name: string, value: bigint | number): void;
  header(def: HeaderDef): void;
  pass(def: PassDef): void;
}

export interface Plugin {
  name: string;
  setup(api: PluginApi): void;
}

export interface Registered<T> {
  value: T;
  plugin: string;
}

/** Everything registered for one compilation. */
export class Registry {
  readonly macros = new Map<string, Registered<MacroFunction>>();
  readonly setfs = new Map<string, Registered<SetfFunction>>();
  readonly constants = new Map<string, Registered<bigint>>();
  readonly headers = new Map<string, Registered<HeaderDef>>();
  readonly passes = new Map<string, Registered<PassDef>>();
  readonly lisp: { source: string; plugin: string }[] = [];
  readonly diagnostics: Diagnostic[] = [];

  /** Apply a plugin's setup with an API bound to its name. Throws on duplicate names. */
  use(plugin: Plugin, options: Record<string, string> = {}): void {
    const add = <T>(table: Map<string, Registered<T>>, kind: string, name: string, value: T) => {
      const key = name.toLowerCase();
      const prev = table.get(key);
      if (prev) throw new RegistryError(`Plugin "${plugin.name}" registers ${kind} "${key}", already registered by "${prev.plugin}"`);
      table.set(key, { value, plugin: plugin.name });
    };
    const api: PluginApi = {
      plugin: plugin.name,
      options,
      macro: (name, fn) => add(this.macros, "macro", name, fn),
      setf: (name, fn) => add(this.setfs, "setf place", name, fn),
      lisp: (source) => void this.lisp.push({ source, plugin: plugin.name }),
      constant: (name, value) => add(this.constants, "constant", name, BigInt.asUintN(64, BigInt(value))),
      header: (def) => add(this.headers, "header", def.name, def),
      pass: (def) => add(this.passes, "pass", def.name, def),
    };
    plugin.setup(api);
  }
}

/** A registration conflict (duplicate name) or a bad registration. */
export class RegistryError extends Error {}
