// The expander: walks a program body, expanding macros and setf places until only core forms
// remain. Lists a macro builds get the call site's span and an origin chain for diagnostics.

import { CompileError, type Note, type Span, fail } from "./diag.ts";
import { Cons, type Datum, NIL, type Origin, Sym, cells, list, print, spanOf } from "./sexp.ts";
import type { MacroContext, SetfFunction } from "./registry.ts";
import { MacroEnv } from "./interp/mod.ts";

/** Where the expander finds macros (the compile-time interpreter implements this). */
export interface MacroHost {
  macroFunction(name: Sym, env?: MacroEnv): ((form: Cons, env: MacroEnv) => Datum) | undefined;
  withMacrolet(bindings: Datum, env: MacroEnv): MacroEnv;
  withSymbolMacrolet(bindings: Datum, env: MacroEnv): MacroEnv;
}

const MAX_DEPTH = 500;
/** Nesting of forms the expander (and lowering) will walk. */
export const MAX_NESTING = 1000;

/** Forms the expander handles itself even if a macro of the same name exists. */
const SPECIAL = new Set(["quote", "declare", "asm", "let", "let*", "dotimes", "setf", "macrolet", "symbol-macrolet", "flet", "labels"]);

const lname = (d: Datum): string | undefined => (d instanceof Sym ? d.name.toLowerCase() : undefined);

/** Notes for a form made by macros: "expanded from macro 'X'" down the chain. */
export function originNotes(origin: Origin | undefined): Note[] {
  const notes: Note[] = [];
  for (let o = origin; o; o = o.parent) {
    if (o.macro.startsWith("%") || o.macro.startsWith("setf %")) continue; // internal helpers
    const last = notes[notes.length - 1];
    if (last && last.message.endsWith(`"${o.macro}"`) && last.span === o.span) continue;
    notes.push({ message: `expanded from macro "${o.macro}"`, span: o.span });
  }
  return notes;
}

/** Macro expansions one program body may perform (stops exponential expansions). */
export const MAX_EXPANSIONS = 100_000;

export class Expander {
  private depth = 0;
  private nesting = 0;
  private expansions = 0;
  /** The lexical macro environment (macrolet, symbol-macrolet, shadowing let bindings). */
  private env: MacroEnv = MacroEnv.empty();

  constructor(
    private readonly host: MacroHost,
    private readonly setfs: Map<string, { value: SetfFunction }>,
    private readonly ctx: MacroContext,
    env?: MacroEnv,
  ) {
    if (env) this.env = env;
  }

  expandBody(forms: Datum[]): Datum[] {
    return forms.map((f) => this.expand(f));
  }

  expand(form: Datum): Datum {
    if (!(form instanceof Cons)) return this.expandInner(form);
    if (++this.nesting > MAX_NESTING) {
      this.nesting = 0;
      fail(`Expression nested too deeply (more than ${MAX_NESTING} levels)`, spanOf(form), originNotes(form.origin));
    }
    try {
      // A macro call expands again and again until the head is no macro: count that chain.
      let f: Datum = form;
      for (let n = 0; f instanceof Cons && f.car instanceof Sym; n++) {
        const macro = this.host.macroFunction(f.car, this.env);
        const name = f.car.name.toLowerCase();
        if (!macro || SPECIAL.has(name)) break;
        if (n >= MAX_DEPTH) {
          fail(`Macro expansion does not terminate: "${name}" expanded ${MAX_DEPTH} times in a row`, spanOf(form), originNotes(form.origin));
        }
        f = this.callMacro(name, f, macro);
      }
      return this.expandInner(f);
    } finally {
      this.nesting--;
    }
  }

  private expandInner(form: Datum): Datum {
    if (form instanceof Sym) {
      const sm = this.env.localSymbolMacro(form);
      return sm ? this.expand(sm.expansion) : form;
    }
    if (!(form instanceof Cons)) return form;
    const head = form.car;
    const name = lname(head);
    if (name === undefined) return this.mapArgs(form, 0);
    switch (name) {
      case "quote": case "declare": case "asm":
        return form;
      case "let": case "let*":
        return this.expandLet(form);
      case "dotimes":
        return this.expandDotimes(form);
      case "setf":
        return this.expandSetf(form);
      case "macrolet": case "symbol-macrolet":
        return this.expandMacrolet(name, form);
      case "flet": case "labels":
        fail(`"${name}" is not supported inside program bodies (BPF-to-BPF calls are not generated); use a macro (macrolet) instead`, spanOf(form));
    }
    if (name === "unquote" || name === "unquote-splicing") {
      fail(`A comma (${name === "unquote" ? "," : ",@"}) outside a backquote`, spanOf(form), originNotes(form.origin));
    }
    if (name === "quasiquote") fail("A backquote can only be used in macros (compile-time code), not in a program body", spanOf(form));
    const macro = this.host.macroFunction(head as Sym, this.env);
    if (macro) return this.expand(form);
    return this.mapArgs(form, 1);
  }

  /** Run a macro on `form` and mark what it built with the call site. */
  callMacro(name: string, form: Cons, macro: (form: Cons, env: MacroEnv) => Datum): Datum {
    if (++this.expansions > MAX_EXPANSIONS) {
      fail(`Macro expansion too large: more than ${MAX_EXPANSIONS} expansions (last: "${name}")`, spanOf(form), originNotes(form.origin));
    }
    if (++this.depth > MAX_DEPTH) {
      this.depth = 0;
      fail(`Macro expansion too deep (more than ${MAX_DEPTH} nested expansions): does "${name}" expand into itself?`, spanOf(form), originNotes(form.origin));
    }
    try {
      let out: Datum;
      try {
        out = macro(form, this.env);
      } catch (e) {
        if (e instanceof CompileError) {
          // An error raised while a macro runs is reported at the user's call; where inside the
          // macro it happened becomes a note.
          const site = spanOf(form);
          for (const d of e.diagnostics) {
            const inside = d.span;
            // Macros are defined before they are used: a location before the call (or in another
            // file) is inside the macro's definition, one at or after it is in the call's arguments.
            const withinCall = inside && site && inside.file === site.file &&
              (inside.line > site.line || (inside.line === site.line && inside.col >= site.col));
            if (site && inside && !withinCall && d.raised) {
              d.notes.unshift({ message: `raised while expanding macro "${name}", here`, span: inside });
              d.span = site;
            } else if (!inside) d.span = site;
            else if (!withinCall && site && !d.notes.some((n) => n.span === site)) {
              d.notes.push({ message: `in expansion of macro "${name}"`, span: site });
            }
            if (!name.startsWith("%") && !d.notes.some((n) => n.message.includes(`"${name}"`))) {
              for (const n of originNotes(form.origin)) {
                if (!d.notes.some((x) => x.message === n.message && sameSpan(x.span, n.span))) d.notes.push(n);
              }
            }
          }
        }
        throw e;
      }
      const origin: Origin = { macro: name, span: spanOf(form), parent: form.origin };
      if (!markExpansion(out, spanOf(form), origin)) {
        fail(`Macro "${name}" returned a circular list`, spanOf(form), originNotes(form.origin));
      }
      return out;
    } finally {
      this.depth--;
    }
  }

  /** (macrolet (defs…) body…) and (symbol-macrolet (defs…) body…): expand the body in the scope. */
  private expandMacrolet(name: string, form: Cons): Datum {
    const [, defs, ...body] = cells(form);
    if (!defs) fail(`Malformed ${name}: expected (${name} (definitions…) body…)`, spanOf(form));
    const saved = this.env;
    this.env = name === "macrolet" ? this.host.withMacrolet(defs.car, saved) : this.host.withSymbolMacrolet(defs.car, saved);
    try {
      return rebuild(form, [this.ctx.sym("progn"), ...body.map((b) => this.expand(b.car))], [form, ...body]);
    } finally {
      this.env = saved;
    }
  }

  private mapArgs(form: Cons, skip: number): Datum {
    const items = cells(form);
    const out = new Cons(form.car, NIL);
    copyMeta(form, out);
    let tail = out;
    for (let i = 1; i < items.length; i++) {
      const c = items[i];
      const next = new Cons(i < skip ? c.car : this.expand(c.car), NIL);
      next.carSpan = c.carSpan;
      tail.cdr = next;
      tail = next;
    }
    if (skip === 0) out.car = this.expand(form.car);
    return out;
  }

  private expandLet(form: Cons): Datum {
    const [, bindings, ...body] = cells(form);
    if (!bindings) return form;
    const newBindings = cells(bindings.car).map((c) => {
      const spec = c.car;
      if (!(spec instanceof Cons)) return spec;
      const parts = cells(spec);
      const last = parts[parts.length - 1];
      if (parts.length < 2) return spec;
      const init = this.expand(last.car);
      const rebuilt = list(...parts.slice(0, -1).map((p) => p.car), init) as Cons;
      copyMeta(spec, rebuilt);
      cells(rebuilt).forEach((cell, i) => (cell.carSpan = parts[i].carSpan));
      return rebuilt;
    });
    const bl = list(...newBindings);
    if (bl instanceof Cons) {
      copyMeta(bindings.car as Cons, bl);
      cells(bl).forEach((cell, i) => (cell.carSpan = cells(bindings.car)[i].carSpan));
    }
    const names = cells(bindings.car).map((c) => (c.car instanceof Cons ? c.car.car : c.car)).filter((x): x is Sym => x instanceof Sym);
    const saved = this.env;
    this.env = saved.withVariables(names);
    try {
      return rebuild(form, [form.car, bl, ...body.map((b) => this.expand(b.car))], [form, bindings, ...body]);
    } finally {
      this.env = saved;
    }
  }

  private expandDotimes(form: Cons): Datum {
    const [, spec, ...body] = cells(form);
    if (!spec || !(spec.car instanceof Cons)) return form;
    const parts = cells(spec.car);
    const newSpec = list(parts[0]?.car ?? NIL, ...parts.slice(1).map((p) => this.expand(p.car))) as Cons;
    copyMeta(spec.car, newSpec);
    cells(newSpec).forEach((cell, i) => (cell.carSpan = parts[i]?.carSpan));
    return rebuild(form, [form.car, newSpec, ...body.map((b) => this.expand(b.car))], [form, spec, ...body]);
  }

  private expandSetf(form: Cons): Datum {
    const args = cells(form.cdr);
    if (args.length % 2 !== 0) fail(`"setf" needs an even number of arguments (place value …), got ${args.length}`, spanOf(form), originNotes(form.origin));
    const outs: Datum[] = [];
    for (let i = 0; i < args.length; i += 2) {
      outs.push(this.setfOne(form, args[i], args[i + 1]));
    }
    if (outs.length === 1) return outs[0];
    const p = list(this.ctx.sym("progn"), ...outs) as Cons;
    copyMeta(form, p);
    return p;
  }

  private setfOne(form: Cons, placeCell: Cons, valueCell: Cons): Datum {
    let place = placeCell.car;
    for (let guard = 0; guard < MAX_DEPTH; guard++) {
      if (place instanceof Sym) {
        const sm = this.env.localSymbolMacro(place);
        if (sm) {
          place = sm.expansion;
          continue;
        }
        const q = list(this.ctx.sym("setq"), place, this.expand(valueCell.car)) as Cons;
        copyMeta(form, q);
        cells(q)[1].carSpan = placeCell.carSpan;
        cells(q)[2].carSpan = valueCell.carSpan;
        return q;
      }
      if (!(place instanceof Cons) || !(place.car instanceof Sym)) break;
      const pname = place.car.name.toLowerCase();
      const setf = this.setfs.get(pname);
      if (setf) {
        const out = setf.value(place, valueCell.car, this.ctx);
        markExpansion(out, spanOf(form), { macro: `setf ${pname}`, span: spanOf(form), parent: form.origin });
        return this.expand(out);
      }
      const macro = this.host.macroFunction(place.car, this.env);
      if (!macro) break;
      place = this.callMacro(pname, place, macro);
    }
    return fail(`Cannot setf ${print(placeCell.car)}: not a variable or a known place`, placeCell.carSpan ?? spanOf(placeCell.car) ?? spanOf(form), originNotes(form.origin));
  }
}

function copyMeta(from: Cons, to: Cons): void {
  to.span = from.span;
  to.origin = from.origin;
}

function rebuild(form: Cons, items: Datum[], oldCells: Cons[]): Cons {
  const out = list(...items) as Cons;
  copyMeta(form, out);
  cells(out).forEach((c, i) => (c.carSpan = oldCells[i]?.carSpan ?? (i === 0 ? form.carSpan : undefined)));
  return out;
}

const sameSpan = (a: Span | undefined, b: Span | undefined): boolean =>
  a === b || (!!a && !!b && a.file === b.file && a.line === b.line && a.col === b.col);

/**
 * Give every cons a macro built (no span of its own) the call site's span and the origin.
 * Iterative (expansions may be deep); returns false when the new structure is circular.
 */
function markExpansion(d: Datum, span: Span | undefined, origin: Origin): boolean {
  const seen = new Set<Cons>();
  const stack: Datum[] = [d];
  while (stack.length) {
    let c = stack.pop()!;
    const chain = new Set<Cons>();
    while (c instanceof Cons) {
      if (chain.has(c)) return false; // a cdr loop
      chain.add(c);
      if (seen.has(c)) break;
      seen.add(c);
      if (c.span || c.origin) break; // the user's own code (or already marked)
      c.span = span;
      c.origin = origin;
      if (c.car instanceof Cons) stack.push(c.car);
      c = c.cdr;
    }
    if (seen.size > 5_000_000) return false;
  }
  return true;
}
