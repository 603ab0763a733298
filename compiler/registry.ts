// The registry of macros, setf places, constants, protocol headers and passes, and the plugin
// API through which built-ins and user plugins fill it. One registry per compilation.

import type { Diagnostic, Span } from "./diag.ts";
import type { Cons, Datum, Sym, SymbolTable } from "./sexp.ts";
import type { Function } from "./ir.ts";
import type { Item } from "./asm/insn.ts";
import type { MapDecl, ProgDecl, ScalarName, StructDecl } from "./unit.ts";
import { type AsmApi, type FormsApi, type IrApi, RegistryError, createApi, runSetup } from "./plugin_api.ts";

/** What a macro written in TypeScript sees of the compilation. */
export interface MacroContext {
  readonly symbols: SymbolTable;
  /** Intern a symbol (names are case-insensitive). */
  sym(name: string): Sym;
  /** A fresh uninterned symbol, for hygienic temporaries. */
  gensym(prefix?: string): Sym;
  list(...items: Datum[]): Datum;
  /**
   * Build a form from Lisp text with holes: `?name` is replaced by `holes.name`, `?@name` splices a
   * list. `ctx.template("(+ ?p 4)", { p })`. The result takes the call site's source span.
   */
  template(source: string, holes?: Record<string, Datum | Datum[]>): Datum;
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

/** One field of a protocol header. */
export interface HeaderFieldDef {
  name: string;
  /** Byte offset from the start of the header. */
  offset: number;
  type: ScalarName;
  /** Stored big-endian on the wire: the accessor converts (ntohs/ntohl/ntohll) and setf converts back. */
  netOrder?: boolean;
  /** A bit field inside the (converted) value: `bits` wide, starting `shift` bits from the low end. */
  bits?: number;
  shift?: number;
}

/**
 * Where a header sits in a packet: right after the header `layer` ("packet" for the start of the
 * frame; built-ins: eth, vlan, ipv4, ipv6, tcp, udp, icmp), when that layer's fields hold the
 * `where` values (host order; e.g. `{ protocol: 17 }` over ipv4). `port` is short for
 * `where: { "dst-port": port }` over udp or tcp.
 */
export interface HeaderPlacement {
  layer: string;
  port?: number;
  where?: Record<string, number | bigint>;
}

/**
 * A protocol header: accessors `(NAME-FIELD ptr)` and `setf` of them, with byte-order conversion,
 * and the constant `+NAME-hdr-len+` when `size` is given. With `over`, also the parsing forms
 * `(with-NAME (data data-end var) body…)` (and `with-tc-NAME`) and `(parse-NAME data data-end)`.
 */
export interface HeaderDef {
  name: string;
  /** Size in bytes (needed with `over`). */
  size?: number;
  fields: HeaderFieldDef[];
  over?: HeaderPlacement;
}

/** Context given to a pass. */
export interface PassContext {
  readonly cpu: 1 | 2 | 3 | 4;
  readonly program: string;
  /** Options from --plugin-opt NAME.KEY=VALUE for the pass's plugin. */
  readonly options: Record<string, string>;
  warn(message: string, span?: Span): void;
  /** A map of the program's file by ELF symbol (as `mapref` and `ld_imm64` name it) or Lisp name (always given by compile()). */
  map?(name: string): Readonly<MapDecl> | undefined;
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

/**
 * The API a plugin's setup() receives; the built-ins use exactly this. Every helper a plugin
 * needs comes through it (`ir`, `asm`, `forms`), so a plugin imports nothing from whistler at run
 * time (`import type` only). Names are case-insensitive; registering a name twice is an error.
 */
export interface PluginApi {
  /** The plugin's name. */
  readonly plugin: string;
  /** Options from `--plugin-opt NAME.KEY=VALUE` (and the config file) for this plugin. */
  readonly options: Readonly<Record<string, string>>;
  /** A macro in TypeScript: from the call form (with source spans) to its expansion. */
  macro(name: string, fn: MacroFunction): void;
  /** A setf place: `(setf (NAME args…) value)`. */
  setf(name: string, fn: SetfFunction): void;
  /** Lisp definitions (defmacro, defun, defconstant…) evaluated at compile time. */
  lisp(source: string): void;
  /** A compile-time integer constant, e.g. `+vxlan-port+`. */
  constant(name: string, value: bigint | number): void;
  /** A protocol header: accessors, `+NAME-hdr-len+`, and with `over` the with-NAME/parse-NAME forms. */
  header(def: HeaderDef): void;
  /** An SSA or peephole pass; with `position` it joins the built-in pipelines. */
  pass(def: PassDef): void;
  /** IR helpers for SSA passes. */
  readonly ir: IrApi;
  /** Instruction constructors, opcodes and predicates for peephole passes. */
  readonly asm: AsmApi;
  /** Helpers to take forms apart and build them, for macros. */
  readonly forms: FormsApi;
}

/** A plugin: the default export (or the export named `plugin`) of a TypeScript module. */
export interface Plugin {
  name: string;
  setup(api: PluginApi): void;
  /** The options it reads (key → one-line description); others given on the command line are an error. */
  options?: Record<string, string>;
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
    runSetup(plugin, createApi(this, plugin, options));
  }
}

export { RegistryError };
export type { AsmApi, FormsApi, IrApi };
