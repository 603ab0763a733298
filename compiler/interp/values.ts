// Runtime objects of the compile-time interpreter: closures, builtins, conditions, lexical
// environments, the macro environment shared with the BPF expander, and control-flow signals.

import type { Span } from "../diag.ts";
import { type Cons, type Datum, type Procedure, Sym } from "../sexp.ts";
import type { LambdaList } from "./lambda_list.ts";

/** A whole-form macro function (Lisp or TypeScript). */
export type MacroFn = (form: Cons, env: MacroEnv) => Datum;

/** A Lisp function or macro body closed over its lexical environment. */
export class Closure implements Procedure {
  readonly procedure = true as const;
  constructor(
    readonly name: string,
    readonly kind: "function" | "macro" | "lambda",
    readonly params: LambdaList,
    /** Body forms (docstring and leading declarations removed). */
    readonly body: Datum,
    readonly env: Env,
    /** Name of the implicit block (defun, flet, labels, defmacro), or null for lambda. */
    readonly blockName: Sym | null,
    /** Where it was defined. */
    readonly span?: Span,
  ) {}
}

/** A function implemented in TypeScript. `min`/`max` are checked before `fn` runs. */
export class Builtin implements Procedure {
  readonly procedure = true as const;
  constructor(
    readonly name: string,
    readonly min: number,
    readonly max: number,
    // deno-lint-ignore no-explicit-any
    readonly fn: (ip: any, args: Datum[]) => Datum,
    /** Sets multiple values itself (values, floor, gethash …). */
    readonly multi = false,
  ) {}
}

export const isProcedure = (d: unknown): d is Procedure =>
  typeof d === "object" && d !== null && (d as { procedure?: unknown }).procedure === true;

/** A condition object: printed with princ it shows its message. */
export class Condition {
  constructor(
    /** Condition type name (upper case), e.g. SIMPLE-ERROR. */
    readonly type: string,
    readonly message: string,
    /** Initargs given to `error`/`make-condition`, as keyword → value. */
    readonly initargs: Map<string, Datum> = new Map(),
  ) {}
  toString(): string {
    return this.message;
  }
}

/** A Lisp error being signalled (caught by handler-case / ignore-errors). */
export class LispError extends Error {
  /** Signalled by the program itself with (error …), not detected by the interpreter. */
  raised = false;
  constructor(readonly condition: Condition, public span?: Span) {
    super(condition.message);
    this.name = "LispError";
  }
}

/** Step or depth budget exhausted: never caught by Lisp handlers, skips cleanup forms. */
export class ResourceError extends Error {
  constructor(message: string, readonly span?: Span) {
    super(message);
    this.name = "ResourceError";
  }
}

/** Non-local exits. They are not Errors (no stack capture); each carries a unique token. */
/** Identity of an active block; `owner` tags blocks an `eval` established in place. */
export interface BlockToken {
  owner: object | null;
}

export class BlockExit {
  constructor(readonly token: BlockToken, readonly value: Datum, readonly mv: Datum[] | null) {}
}
export class GoExit {
  constructor(readonly token: object, readonly index: number) {}
}
export class ThrowExit {
  constructor(readonly tag: Datum, readonly value: Datum, readonly mv: Datum[] | null) {}
}

/** One lexical variable binding (mutable value, for setq and closures). */
export class VarBinding {
  constructor(readonly sym: Sym, public value: Datum, readonly next: VarBinding | null) {}
}
/** One local function binding (flet/labels). */
export class FunBinding {
  constructor(readonly sym: Sym, public fn: Procedure, readonly next: FunBinding | null) {}
}
export class BlockBinding {
  constructor(readonly name: Sym, readonly token: BlockToken, readonly next: BlockBinding | null) {}
}
export class TagBinding {
  constructor(readonly tags: Map<unknown, number>, readonly token: object, readonly next: TagBinding | null) {}
}

/** A lexical environment. Immutable links; extend by making a new Env. */
export class Env {
  constructor(
    readonly vars: VarBinding | null = null,
    readonly funs: FunBinding | null = null,
    /** Local macros and symbol macros; null when there are none (the fast, common case). */
    readonly menv: MacroEnv | null = null,
    readonly blocks: BlockBinding | null = null,
    readonly tags: TagBinding | null = null,
  ) {}
  withVars(vars: VarBinding | null): Env {
    return new Env(vars, this.funs, this.menv, this.blocks, this.tags);
  }
  withFuns(funs: FunBinding | null, menv: MacroEnv | null): Env {
    return new Env(this.vars, funs, menv, this.blocks, this.tags);
  }
  withMenv(menv: MacroEnv | null): Env {
    return new Env(this.vars, this.funs, menv, this.blocks, this.tags);
  }
  withBlock(name: Sym, token: BlockToken): Env {
    return new Env(this.vars, this.funs, this.menv, new BlockBinding(name, token, this.blocks), this.tags);
  }
  withTags(tags: Map<unknown, number>, token: object): Env {
    return new Env(this.vars, this.funs, this.menv, this.blocks, new TagBinding(tags, token, this.tags));
  }
}

type MacroScope =
  | { kind: "macros"; defs: Map<Sym, MacroFn> }
  | { kind: "symbol-macros"; defs: Map<Sym, Datum> }
  | { kind: "functions"; names: Set<Sym> }
  | { kind: "variables"; names: Set<Sym> };

/**
 * The lexical macro environment: macrolet and symbol-macrolet scopes, plus the local functions
 * and variables that shadow them. Immutable: each `with…` returns a new inner scope. The BPF
 * expander builds these itself while walking program bodies and passes them to `Interp`.
 */
export class MacroEnv {
  readonly hasMacros: boolean;
  readonly hasSymbolMacros: boolean;
  private constructor(private readonly parent: MacroEnv | null, private readonly scope: MacroScope | null) {
    this.hasMacros = (parent?.hasMacros ?? false) || scope?.kind === "macros";
    this.hasSymbolMacros = (parent?.hasSymbolMacros ?? false) || scope?.kind === "symbol-macros";
  }
  /** The empty (global) macro environment. */
  static empty(): MacroEnv {
    return new MacroEnv(null, null);
  }
  /** A scope of local macros (macrolet). */
  withMacros(defs: Iterable<[Sym, MacroFn]>): MacroEnv {
    return new MacroEnv(this, { kind: "macros", defs: new Map(defs) });
  }
  /** A scope of symbol macros (symbol-macrolet): name → expansion. */
  withSymbolMacros(defs: Iterable<[Sym, Datum]>): MacroEnv {
    return new MacroEnv(this, { kind: "symbol-macros", defs: new Map(defs) });
  }
  /** Local functions (flet/labels) that hide outer local macros of the same names. */
  withFunctions(names: Iterable<Sym>): MacroEnv {
    return this.hasMacros ? new MacroEnv(this, { kind: "functions", names: new Set(names) }) : this;
  }
  /** Local variables (let, lambda parameters) that hide outer symbol macros of the same names. */
  withVariables(names: Iterable<Sym>): MacroEnv {
    return this.hasSymbolMacros ? new MacroEnv(this, { kind: "variables", names: new Set(names) }) : this;
  }
  /** The local macro named `name`; null when a local function shadows it, undefined when absent. */
  localMacro(name: Sym): MacroFn | null | undefined {
    // deno-lint-ignore no-this-alias
    for (let e: MacroEnv | null = this; e; e = e.parent) {
      const s = e.scope;
      if (s?.kind === "macros") {
        const fn = s.defs.get(name);
        if (fn) return fn;
      } else if (s?.kind === "functions" && s.names.has(name)) return null;
    }
    return undefined;
  }
  /** The expansion of local symbol macro `name` (boxed), unless absent or shadowed by a variable. */
  localSymbolMacro(name: Sym): { expansion: Datum } | undefined {
    // deno-lint-ignore no-this-alias
    for (let e: MacroEnv | null = this; e; e = e.parent) {
      const s = e.scope;
      if (s?.kind === "symbol-macros") {
        if (s.defs.has(name)) return { expansion: s.defs.get(name)! };
      } else if (s?.kind === "variables" && s.names.has(name)) return undefined;
    }
    return undefined;
  }
}

/** Sentinel a special-form handler returns to ask `eval` to continue with `ip.tailForm`. */
export const TAIL = Object.freeze({ tail: true }) as unknown as Datum;

/** A saved dynamic (special) binding, restored when its binding form exits. */
export interface DynSave {
  sym: Sym;
  had: boolean;
  old: Datum | undefined;
}

/** Entry of the global macro table. */
export interface MacroEntry {
  fn: MacroFn;
  /** The Lisp closure when defined by defmacro (for notes and the depth budget). */
  closure?: Closure;
  plugin?: string;
}
