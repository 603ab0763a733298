// The compile-time interpreter core: the evaluation loop (tail forms and calls run in place so a
// Lisp call costs about one host frame), step/depth budgets, and errors turned into located diagnostics.

import type { Span } from "../diag.ts";
import type { FileProvider } from "../files.ts";
import { Cons, type Datum, NIL, type Procedure, Sym, SymbolTable, T } from "../sexp.ts";
import { BUILTIN_TABLES } from "./builtins.ts";
import { KeyContext } from "./equality.ts";
import { type LambdaList, bindArgs, parseLambdaList, plural } from "./lambda_list.ts";
import { type Budget, printDatum, printShort } from "./print.ts";
import type { SpecialForm } from "./forms.ts";
import { NESTING_MESSAGE, toCompileError } from "./diagnostics.ts";
import { expandOnce, macroletScope, skipDeclarations, symbolMacroletScope, toplevel, whoOf } from "./macros.ts";
import { SPECIAL_FORMS } from "./special_forms.ts";
import {
  BlockExit, type BlockToken, Builtin, Closure, Condition, type DynSave, Env, isProcedure, LispError, MacroEnv,
  type MacroEntry, type MacroFn, ResourceError, TAIL, VarBinding,
} from "./values.ts";

/**
 * Budget of nested host frames, in units of very roughly 150 bytes of (cold, unoptimised) host
 * stack: a nested `eval` costs 2; a special form, builtin, closure call or macro call holding
 * frames while evaluation goes deeper costs 3 more (lambda-list init forms, backquote and loops a
 * little more). Measured against V8's default ~1 MB stack (Deno), the smallest we run on, with a
 * margin for the caller's frames; checked in `evalIn`. A host RangeError is still mapped to the
 * same diagnostic as a last resort.
 */
export const NEST_LIMIT = 5000;

export interface InterpOptions {
  symbols: SymbolTable;
  files?: FileProvider;
  stepLimit?: number;
  depthLimit?: number;
}

interface FDef {
  special?: SpecialForm;
  macro?: MacroEntry;
  fn?: Procedure;
}

/** Evaluation state saved by forms that catch non-local exits, restored when they catch one. */
export interface Mark {
  cur: Span | undefined;
  depth: number;
  nest: number;
  catches: number;
}

export class Interp implements Budget {
  readonly symbols: SymbolTable;
  readonly files?: FileProvider;
  /** Text written by `(format t …)`, `princ`, `print` … (never stdout). */
  readonly output: string[] = [];
  /** Messages of `warn`. */
  readonly warnings: string[] = [];
  readonly stepLimit: number;
  readonly depthLimit: number;
  /** Limit on nested host frames (see NEST_LIMIT). */
  readonly nestLimit: number;

  // Global definitions.
  readonly globals = new Map<Sym, Datum>();
  readonly specials = new Set<Sym>();
  readonly constants = new Set<Sym>();
  readonly fdefs = new Map<Sym, FDef>();
  readonly keys: KeyContext;
  readonly global = new Env();
  /** Condition types from define-condition: name → parent names. */
  readonly conditionTypes = new Map<string, string[]>();

  // Evaluation state (reset by each outermost entry).
  steps = 0;
  cur: Span | undefined;
  readonly stack: Closure[] = [];
  nest = 0;
  /** Multiple values of the last evaluation, or null for exactly one (its primary value). */
  mv: Datum[] | null = null;
  /** Set by special forms that return TAIL. */
  tailForm: Datum = NIL;
  tailEnv: Env;
  tailBlock: BlockToken | null = null;
  pendingDyn: DynSave[] | null = null;
  readonly catchTags: Datum[] = [];
  private active = 0;
  gentempCounter = 0;
  /** The macro environment of the macro call being expanded (for &environment). */
  macroEnvNow: MacroEnv | null = null;
  readonly emptyMenv = MacroEnv.empty();
  private readonly expansions = new WeakMap<Cons, { fn: MacroFn; menv: MacroEnv | null; exp: Datum }>();
  private readonly llCache = [new WeakMap<Cons, LambdaList>(), new WeakMap<Cons, LambdaList>()];
  readonly funcallFn: Builtin;
  readonly applyFn: Builtin;
  readonly T = T;
  readonly PROGN: Sym;
  /** Private block name used by LOOP-FINISH. */
  readonly loopFinish = new Sym("LOOP-FINISH", false);
  /** Per-form analyses (parsed LOOP plans), keyed by the form. */
  readonly formCache = new WeakMap<Cons, unknown>();

  constructor(opts: InterpOptions) {
    this.symbols = opts.symbols;
    this.files = opts.files;
    this.stepLimit = opts.stepLimit ?? 5_000_000;
    this.depthLimit = opts.depthLimit ?? 2000;
    this.nestLimit = NEST_LIMIT;
    this.keys = new KeyContext(this);
    this.tailEnv = this.global;
    this.PROGN = this.symbols.intern("PROGN");
    this.globals.set(NIL, NIL);
    this.globals.set(T, T);
    this.constants.add(NIL);
    this.constants.add(T);
    for (const [name, handler] of Object.entries(SPECIAL_FORMS)) this.fdef(this.symbols.intern(name)).special = handler;
    for (const table of BUILTIN_TABLES) {
      for (const [name, min, max, fn, multi] of table) {
        this.fdef(this.symbols.intern(name)).fn = new Builtin(name, min, max, fn, multi ?? false);
      }
    }
    this.funcallFn = this.fdefs.get(this.symbols.intern("FUNCALL"))!.fn as Builtin;
    this.applyFn = this.fdefs.get(this.symbols.intern("APPLY"))!.fn as Builtin;
    const stdout = this.symbols.intern("*STANDARD-OUTPUT*");
    this.globals.set(stdout, T);
    this.specials.add(stdout);
    for (const [name, value] of [["MOST-POSITIVE-FIXNUM", (1n << 62n) - 1n], ["MOST-NEGATIVE-FIXNUM", -(1n << 62n)],
      ["PI", Math.PI], ["CALL-ARGUMENTS-LIMIT", 4096n], ["LAMBDA-PARAMETERS-LIMIT", 4096n]] as const) {
      this.defineConstant(this.symbols.intern(name), value);
    }
  }

  fdef(name: Sym): FDef {
    let d = this.fdefs.get(name);
    if (!d) this.fdefs.set(name, d = {});
    return d;
  }

  // ---- Public API (every entry converts escaping errors to located CompileErrors) ----

  /** Evaluate a form with top-level semantics (progn, eval-when, macrolet … processed as top level). */
  evalToplevel(form: Datum, span?: Span): Datum {
    return this.guard(() => toplevel(this, form, this.global), span ?? (form instanceof Cons ? form.span : undefined));
  }

  eval(form: Datum): Datum {
    return this.guard(() => this.evalIn(form, this.global), form instanceof Cons ? form.span : undefined);
  }

  defineMacro(name: Sym, fn: MacroFn, origin?: { plugin?: string }): void {
    this.fdef(name).macro = { fn, plugin: origin?.plugin };
  }

  macroFunction(name: Sym, env?: MacroEnv): MacroFn | undefined {
    const local = env?.localMacro(name);
    if (local !== undefined) return local ?? undefined;
    return this.fdefs.get(name)?.macro?.fn;
  }

  macroexpand1(form: Datum, env?: MacroEnv): [Datum, boolean] {
    return this.guard(() => expandOnce(this, form, env ?? null), form instanceof Cons ? form.span : undefined);
  }

  functionValue(name: Sym): Procedure | undefined {
    return this.fdefs.get(name)?.fn;
  }

  defineFunction(name: Sym, fn: (args: Datum[]) => Datum): void {
    this.fdef(name).fn = new Builtin(name.name, 0, Infinity, (_ip, args) => fn(args));
  }

  globalValue(name: Sym): Datum | undefined {
    return this.globals.get(name);
  }

  defineConstant(name: Sym, value: Datum): void {
    this.globals.set(name, value);
    this.constants.add(name);
  }

  call(fn: Procedure, args: Datum[]): Datum {
    return this.guard(() => this.apply(fn, args), undefined);
  }

  /** A macro environment extended by `(macrolet BINDINGS …)`'s bindings (for the BPF expander). */
  withMacrolet(bindings: Datum, env: MacroEnv): MacroEnv {
    return this.guard(() => macroletScope(this, bindings, this.global.withMenv(env)), bindings instanceof Cons ? bindings.span : undefined);
  }

  /** A macro environment extended by `(symbol-macrolet BINDINGS …)`'s bindings. */
  withSymbolMacrolet(bindings: Datum, env: MacroEnv): MacroEnv {
    return this.guard(() => symbolMacroletScope(this, bindings, env), bindings instanceof Cons ? bindings.span : undefined);
  }

  // ---- Evaluation ----

  /** Evaluate `form` in `env`. Tail positions and closure calls loop here instead of recursing. */
  evalIn(form: Datum, env: Env): Datum {
    if (!(form instanceof Cons)) {
      this.mv = null;
      return form instanceof Sym ? this.varValue(form, env, undefined) : form;
    }
    const nest0 = this.nest;
    if ((this.nest += 2) > this.nestLimit) this.nestTooDeep();
    const cur0 = this.cur;
    const base = this.stack.length;
    // Blocks established in place here (all in tail position) are tagged with this owner.
    let owner: object | null = null;
    let dyn: DynSave[] | null = null;
    let result: Datum = NIL;
    try {
      for (;;) {
        this.mv = null;
        if (!(form instanceof Cons)) {
          result = form instanceof Sym ? this.varValue(form, env, undefined) : form;
          break;
        }
        if (++this.steps > this.stepLimit) this.tooManySteps();
        if (form.span) this.cur = form.span;
        const head: Datum = form.car;
        let fn: Procedure | undefined;
        if (head instanceof Sym) {
          const def = this.fdefs.get(head);
          if (def?.special) {
            this.nest += 3;
            const r = def.special(this, form, env);
            this.nest -= 3;
            if (r !== TAIL) {
              result = r;
              break;
            }
            form = this.tailForm;
            env = this.tailEnv;
            if (this.tailBlock) this.tailBlock.owner = owner ??= {}, this.tailBlock = null;
            if (this.pendingDyn) dyn = dyn ? dyn.concat(this.pendingDyn) : this.pendingDyn, this.pendingDyn = null;
            continue;
          }
          if (env.menv?.hasMacros) {
            const m = env.menv.localMacro(head);
            if (m) {
              form = this.expand(m, form, env.menv);
              continue;
            }
          }
          for (let f = env.funs; f; f = f.next) {
            if (f.sym === head) {
              fn = f.fn;
              break;
            }
          }
          if (!fn) {
            if (def?.macro) {
              form = this.expand(def.macro.fn, form, env.menv);
              continue;
            }
            fn = def?.fn ?? this.fail(`Undefined function "${head.name}"`, "UNDEFINED-FUNCTION");
          }
        } else if (head instanceof Cons && head.car instanceof Sym && head.car.name === "LAMBDA") {
          fn = this.lambda(head, env, "lambda");
        } else {
          this.fail(`Illegal function call: ${this.show(head)} is not a function name`, "PROGRAM-ERROR");
        }
        const args: Datum[] = [];
        for (let c: Datum = form.cdr; c instanceof Cons; c = c.cdr) {
          if (++this.steps > this.stepLimit) this.tooManySteps();
          const a: Datum = c.car;
          args.push(a instanceof Sym ? this.varValue(a, env, c.carSpan) : a instanceof Cons ? this.evalIn(a, env) : a);
        }
        while (fn === this.funcallFn || fn === this.applyFn) {
          if (args.length < (fn === this.funcallFn ? 1 : 2)) this.arityError(fn, args.length);
          if (fn === this.applyFn) for (const x of this.items(args.pop()!, "APPLY")) args.push(x);
          fn = this.toFunction(args.shift()!);
        }
        if (!(fn instanceof Closure)) {
          result = this.callBuiltin(fn as Builtin, args);
          break;
        }
        if (this.stack.length > base) this.stack[this.stack.length - 1] = fn;
        else {
          if (this.stack.length >= this.depthLimit) this.tooDeep();
          this.stack.push(fn);
        }
        env = this.enterClosure(fn, args);
        if (this.tailBlock) this.tailBlock.owner = owner ??= {}, this.tailBlock = null;
        if (this.pendingDyn) dyn = dyn ? dyn.concat(this.pendingDyn) : this.pendingDyn, this.pendingDyn = null;
        form = this.bodyTail(fn.body, env);
      }
    } catch (e) {
      if (owner === null || !(e instanceof BlockExit) || e.token.owner !== owner) throw e;
      result = e.value;
      this.mv = e.mv;
    } finally {
      if (dyn) this.undoDyn(dyn);
    }
    this.nest = nest0;
    this.cur = cur0;
    this.stack.length = base;
    return result;
  }

  /** Evaluate all body forms but the last; return the last (for the caller to evaluate in place). */
  bodyTail(body: Datum, env: Env): Datum {
    if (!(body instanceof Cons)) return NIL;
    while (body.cdr instanceof Cons) {
      this.tick();
      this.evalCell(body, env);
      body = body.cdr;
    }
    return body.car;
  }

  /** Evaluate a list of forms, returning the last value. */
  progn(body: Datum, env: Env): Datum {
    let r: Datum = NIL;
    for (let c = body; c instanceof Cons; c = c.cdr) {
      this.tick();
      r = this.evalCell(c, env);
    }
    if (body === NIL) this.mv = null;
    return r;
  }

  /** Evaluate the car of `cell` (using the cell's span for an atom). */
  evalCell(cell: Cons, env: Env): Datum {
    const f = cell.car;
    if (f instanceof Sym) {
      this.mv = null;
      return this.varValue(f, env, cell.carSpan);
    }
    return this.evalIn(f, env);
  }

  /** Ask `eval` to continue with `form` in `env` (from a special form handler). */
  tail(form: Datum, env: Env): Datum {
    this.tailForm = form;
    this.tailEnv = env;
    return TAIL;
  }

  varValue(sym: Sym, env: Env, span: Span | undefined): Datum {
    if (env.menv?.hasSymbolMacros) {
      const sm = env.menv.localSymbolMacro(sym);
      if (sm) return this.evalIn(sm.expansion, env);
    }
    for (let v = env.vars; v; v = v.next) if (v.sym === sym) return v.value;
    const g = this.globals.get(sym);
    if (g !== undefined) return g;
    if (sym.keyword) return sym;
    return this.fail(`Unbound variable "${sym.name}"`, "UNBOUND-VARIABLE", span);
  }

  setVar(sym: Sym, value: Datum, env: Env): void {
    for (let v = env.vars; v; v = v.next) {
      if (v.sym === sym) {
        v.value = value;
        return;
      }
    }
    if (this.constants.has(sym) || sym.keyword) this.fail(`Cannot assign to constant "${sym.name}"`, "PROGRAM-ERROR");
    this.globals.set(sym, value);
  }

  isSpecial(sym: Sym): boolean {
    return this.specials.has(sym);
  }

  /** Bind a special variable dynamically, recording the old value in `saves`. */
  bindSpecial(sym: Sym, value: Datum, saves: DynSave[]): void {
    if (this.constants.has(sym)) this.fail(`Cannot bind constant "${sym.name}"`, "PROGRAM-ERROR");
    saves.push({ sym, had: this.globals.has(sym), old: this.globals.get(sym) });
    this.globals.set(sym, value);
  }

  undoDyn(dyn: DynSave[]): void {
    for (let i = dyn.length - 1; i >= 0; i--) {
      const d = dyn[i];
      if (d.had) this.globals.set(d.sym, d.old!);
      else this.globals.delete(d.sym);
    }
  }

  // ---- Functions ----

  /** Make a closure from `(lambda LIST . BODY)` or a named definition's parts. */
  lambda(form: Cons, env: Env, kind: Closure["kind"], name?: string, blockName: Sym | null = null): Closure {
    const rest = form.cdr;
    if (!(rest instanceof Cons)) return this.syntaxError("LAMBDA needs a parameter list", form.span);
    return this.makeClosure(name ?? "LAMBDA", kind, rest.car, rest.cdr, env, blockName, form.span);
  }

  makeClosure(name: string, kind: Closure["kind"], ll: Datum, body: Datum, env: Env, blockName: Sym | null, span?: Span): Closure {
    return new Closure(name, kind, this.lambdaList(ll, kind === "macro"), skipDeclarations(body), env, blockName, span);
  }

  lambdaList(ll: Datum, macro: boolean): LambdaList {
    if (!(ll instanceof Cons)) return parseLambdaList(this, ll, macro, this.cur);
    const cache = this.llCache[macro ? 1 : 0];
    let p = cache.get(ll);
    if (!p) cache.set(ll, p = parseLambdaList(this, ll, macro, this.cur));
    return p;
  }

  private enterClosure(fn: Closure, args: Datum[]): Env {
    const ll = fn.params;
    let env: Env;
    if (ll.simple && !fn.env.menv?.hasSymbolMacros && (this.specials.size === 0 || !ll.vars.some((s) => this.specials.has(s)))) {
      if (args.length !== ll.min) this.programError(`${whoOf(fn)} takes ${args.length < ll.min ? "at least" : "at most"} ${plural(ll.min)}, got ${args.length}`);
      let vars = fn.env.vars;
      for (let i = 0; i < args.length; i++) vars = new VarBinding(ll.required[i] as Sym, args[i], vars);
      env = fn.env.withVars(vars);
    } else {
      env = bindArgs(this, ll, args, null, fn.env, whoOf(fn));
    }
    if (fn.blockName) {
      const token: BlockToken = { owner: null };
      this.tailBlock = token;
      env = env.withBlock(fn.blockName, token);
    }
    return env;
  }

  /** Call any procedure with evaluated arguments. */
  apply(fn: Procedure, args: Datum[]): Datum {
    if (fn instanceof Closure) return this.runClosure(fn, () => this.enterClosure(fn, args));
    if (fn instanceof Builtin) return this.callBuiltin(fn, args);
    return this.fail(`${this.show(fn)} is not a function`, "TYPE-ERROR");
  }

  callBuiltin(fn: Builtin, args: Datum[]): Datum {
    if (args.length < fn.min || args.length > fn.max) this.arityError(fn, args.length);
    this.nest += 3;
    const r = fn.fn(this, args);
    this.nest -= 3;
    if (!fn.multi) this.mv = null;
    return r;
  }

  /** Call a closure, `enter` binding its parameters (a new host frame, unlike calls in `evalIn`). */
  runClosure(fn: Closure, enter: () => Env): Datum {
    const base = this.stack.length;
    if (base >= this.depthLimit) this.tooDeep();
    this.stack.push(fn);
    this.nest += 3;
    const env = enter();
    const block = this.tailBlock;
    const dyn = this.pendingDyn;
    this.tailBlock = null;
    this.pendingDyn = null;
    const mark = block ? this.mark() : undefined;
    let r: Datum = NIL;
    this.mv = null;
    try {
      for (let c = fn.body; c instanceof Cons; c = c.cdr) {
        this.tick();
        r = c.car instanceof Cons ? this.evalIn(c.car, env) : this.evalCell(c, env);
      }
    } catch (e) {
      if (!block || !(e instanceof BlockExit) || e.token !== block) throw e;
      this.restore(mark!);
      r = e.value;
      this.mv = e.mv;
    } finally {
      if (dyn) this.undoDyn(dyn);
    }
    this.nest -= 3;
    this.stack.length = base;
    return r;
  }

  /** A function designator (procedure or global function name) as a procedure. */
  toFunction(d: Datum): Procedure {
    if (isProcedure(d)) return d;
    if (d instanceof Sym) {
      const fn = this.fdefs.get(d)?.fn;
      if (fn) return fn;
      return this.fail(`Undefined function "${d.name}"`, "UNDEFINED-FUNCTION");
    }
    return this.fail(`${this.show(d)} is not a function`, "TYPE-ERROR");
  }

  arityError(fn: Procedure, n: number): never {
    const b = fn as Builtin;
    const msg = n < b.min ? `at least ${plural(b.min)}` : `at most ${plural(b.max)}`;
    return this.programError(`Function "${fn.name}" takes ${msg}, got ${n}`);
  }

  // ---- Macros ----

  currentMacroEnv(): Datum {
    return (this.macroEnvNow ?? this.emptyMenv) as unknown as Datum;
  }

  expand(fn: MacroFn, form: Cons, menv: MacroEnv | null): Datum {
    const hit = this.expansions.get(form);
    if (hit && hit.fn === fn && hit.menv === menv) return hit.exp;
    const exp = fn(form, menv ?? this.emptyMenv);
    this.expansions.set(form, { fn, menv, exp });
    return exp;
  }

  // ---- Budgets, errors, state ----

  tick(n = 1): void {
    this.steps += n;
    if (this.steps > this.stepLimit) this.tooManySteps();
  }

  private tooManySteps(): never {
    throw new ResourceError(`Compile-time evaluation exceeded the step limit (${this.stepLimit} steps): possible infinite loop`, this.cur);
  }

  /** The host-stack budget ran out (deep evaluation through frame-heavy forms). */
  nestTooDeep(): never {
    throw new ResourceError(NESTING_MESSAGE, this.cur);
  }

  tooDeep(): never {
    throw new ResourceError(`Compile-time recursion too deep (more than ${this.depthLimit} nested calls)`, this.cur);
  }

  /** Signal a Lisp error of condition type `type` (caught by handler-case). */
  fail(message: string, type = "SIMPLE-ERROR", span?: Span): never {
    throw new LispError(new Condition(type, message), span ?? this.cur);
  }

  signal(condition: Condition): never {
    throw new LispError(condition, this.cur);
  }

  programError(message: string): never {
    return this.fail(message, "PROGRAM-ERROR");
  }

  syntaxError(message: string, span?: Span): never {
    return this.fail(message, "PROGRAM-ERROR", span);
  }

  typeError(who: string, expected: string, got: Datum): never {
    return this.fail(`Function "${who}" expected ${expected}, got ${this.show(got)}`, "TYPE-ERROR");
  }

  /** A short printed form of `d` for messages. */
  show(d: Datum): string {
    return printShort(d, true);
  }

  /** prin1 (readably) or princ text of `d`; from outside an evaluation, errors are CompileErrors. */
  print(d: Datum, readably: boolean): string {
    if (this.active > 0) return printDatum(d, readably, this);
    return this.guard(() => printDatum(d, readably, this), undefined);
  }

  /** Elements of a proper list (charging steps); `who` names the function for the error. */
  items(d: Datum, who?: string): Datum[] {
    const out: Datum[] = [];
    let x = d;
    while (x instanceof Cons) {
      this.tick();
      out.push(x.car);
      x = x.cdr;
    }
    if (x !== NIL) {
      if (d === x) this.typeError(who ?? "LIST", "a list", d);
      this.fail(`${who ? `Function "${who}" expected` : "Expected"} a proper list, got ${this.show(d)}`, "TYPE-ERROR");
    }
    return out;
  }

  mark(): Mark {
    return { cur: this.cur, depth: this.stack.length, nest: this.nest, catches: this.catchTags.length };
  }

  restore(m: Mark): void {
    this.cur = m.cur;
    this.stack.length = m.depth;
    this.nest = m.nest;
    this.catchTags.length = m.catches;
  }

  /** Run `f` as an outermost entry (fresh budgets) unless already evaluating; convert errors. */
  guard<R>(f: () => R, span: Span | undefined): R {
    if (this.active > 0) return f();
    this.active++;
    this.steps = 0;
    this.stack.length = 0;
    this.nest = 0;
    this.cur = span;
    this.mv = null;
    this.catchTags.length = 0;
    this.pendingDyn = null;
    this.tailBlock = null;
    try {
      return f();
    } catch (e) {
      throw toCompileError(this, e);
    } finally {
      this.active--;
    }
  }
}
