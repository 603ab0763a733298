// The LOOP facility: clauses are parsed once per form into a plan, then run directly
// (for/as, with, repeat, while/until, accumulation, conditionals, do, return, initially/finally).

import type { Span } from "../diag.ts";
import { Char, Cons, type Datum, HashTable, NIL, Sym, T, Vector } from "../sexp.ts";
import { numAdd, numCompare, numSub } from "./builtins_num.ts";
import { returnFrom } from "./eval.ts";
import { listStar } from "./builtins_list.ts";
import { Scope } from "./control.ts";
import type { SpecialForm } from "./forms.ts";
import type { Interp } from "./interp.ts";
import { BlockExit, type BlockToken, type Env } from "./values.ts";

type Pattern = Sym | Cons | typeof NIL;
type AccKind = "collect" | "append" | "nconc" | "sum" | "count" | "maximize" | "minimize";

type ForSpec =
  | { k: "in" | "on"; list: Datum; by?: Datum }
  | { k: "across"; vec: Datum }
  | { k: "num"; from?: Datum; to?: Datum; by?: Datum; down: boolean; inclusive: boolean }
  | { k: "eq"; init: Datum; then?: Datum }
  | { k: "hash"; table: Datum; values: boolean; other?: Sym };

type Clause =
  | { k: "with"; pat: Pattern; init?: Datum }
  | { k: "for"; pat: Pattern; spec: ForSpec }
  | { k: "repeat"; n: Datum }
  | { k: "while"; test: Datum; until: boolean }
  | { k: "do"; forms: Datum[] }
  | { k: "acc"; kind: AccKind; form: Datum; into?: Sym }
  | { k: "if"; test: Datum; negate: boolean; then: Clause[]; else: Clause[] }
  | { k: "return"; form: Datum }
  | { k: "always" | "never" | "thereis"; form: Datum };

interface Plan {
  name: Sym;
  clauses: Clause[];
  initially: Datum[];
  finally: Datum[];
  vars: Sym[];
  defaultAcc?: AccKind;
  intoKinds: Map<Sym, AccKind>;
  simple?: Datum[];
}

const ACC: Record<string, AccKind> = Object.freeze({
  COLLECT: "collect", COLLECTING: "collect", APPEND: "append", APPENDING: "append", NCONC: "nconc", NCONCING: "nconc",
  SUM: "sum", SUMMING: "sum", COUNT: "count", COUNTING: "count", MAXIMIZE: "maximize", MAXIMIZING: "maximize",
  MINIMIZE: "minimize", MINIMIZING: "minimize",
});
const TYPE_WORDS: readonly string[] = Object.freeze(["FIXNUM", "INTEGER", "FLOAT", "NUMBER", "T", "NIL", "STRING", "SYMBOL", "LIST", "CHARACTER"]);

const kw = (d: Datum): string | undefined => (d instanceof Sym ? (d.name.startsWith(":") ? d.name.slice(1) : d.name) : undefined);

class Parser {
  i = 0;
  readonly plan: Plan;
  constructor(private readonly ip: Interp, private readonly cells: Cons[], private readonly form: Cons) {
    this.plan = { name: NIL, clauses: [], initially: [], finally: [], vars: [], intoKinds: new Map() };
  }
  get done(): boolean {
    return this.i >= this.cells.length;
  }
  peek(): Datum | undefined {
    return this.cells[this.i]?.car;
  }
  span(): Span | undefined {
    const c = this.cells[Math.min(this.i, this.cells.length - 1)];
    return c ? c.carSpan ?? (c.car instanceof Cons ? c.car.span : undefined) ?? this.form.span : this.form.span;
  }
  next(what: string): Datum {
    if (this.done) this.ip.syntaxError(`LOOP: expected ${what} at the end of the loop`, this.form.span);
    return this.cells[this.i++].car;
  }
  error(msg: string): never {
    return this.ip.syntaxError(`LOOP: ${msg}`, this.span());
  }
  accept(...words: string[]): string | undefined {
    const w = kw(this.peek() ?? 0n);
    if (w && words.includes(w)) {
      this.i++;
      return w;
    }
    return undefined;
  }
  compoundForms(): Datum[] {
    const out: Datum[] = [];
    while (!this.done && !(this.peek() instanceof Sym)) out.push(this.next("a form"));
    if (!out.length) this.error("DO needs at least one compound form");
    return out;
  }
  pattern(): Pattern {
    const start = this.span();
    const p = this.next("a variable");
    const check = (d: Datum): void => {
      if (d instanceof Cons) {
        check(d.car);
        check(d.cdr);
      } else if (d !== NIL) {
        if (!(d instanceof Sym) || d.keyword || d === T) this.ip.syntaxError(`LOOP: ${this.ip.show(d)} is not a variable`, start);
        this.plan.vars.push(d as Sym);
      }
    };
    check(p);
    if (this.accept("OF-TYPE")) this.next("a type");
    else if (TYPE_WORDS.includes(kw(this.peek() ?? 0n) ?? "") && this.peek() !== NIL) this.i++;
    return p as Pattern;
  }
  parse(): Plan {
    if (this.cells.every((c) => c.car instanceof Cons)) {
      this.plan.simple = this.cells.map((c) => c.car);
      return this.plan;
    }
    if (this.accept("NAMED")) {
      const n = this.next("a loop name");
      if (!(n instanceof Sym)) this.error("NAMED needs a symbol");
      this.plan.name = n as Sym;
    }
    while (!this.done) this.clause();
    return this.plan;
  }
  clause(): void {
    const w = kw(this.peek() ?? 0n);
    const p = this.plan;
    switch (w) {
      case "WITH":
        this.i++;
        do {
          const pat = this.pattern();
          p.clauses.push({ k: "with", pat, init: this.accept("=") ? this.next("a form") : undefined });
        } while (this.accept("AND"));
        return;
      case "FOR": case "AS":
        this.i++;
        do p.clauses.push(this.forClause()); while (this.accept("AND"));
        return;
      case "REPEAT":
        this.i++;
        p.clauses.push({ k: "repeat", n: this.next("a count") });
        return;
      case "INITIALLY": case "FINALLY":
        this.i++;
        (w === "INITIALLY" ? p.initially : p.finally).push(...this.compoundForms());
        return;
    }
    p.clauses.push(this.mainClause());
  }
  mainClause(): Clause {
    const w = kw(this.peek() ?? 0n);
    if (w === undefined) return this.error(`expected a loop keyword, got ${this.ip.show(this.peek()!)}`);
    this.i++;
    if (w === "WHILE" || w === "UNTIL") return { k: "while", test: this.next("a test"), until: w === "UNTIL" };
    if (w === "ALWAYS" || w === "NEVER" || w === "THEREIS") {
      this.plan.defaultAcc ??= "count";
      return { k: w.toLowerCase() as "always", form: this.next("a form") };
    }
    if (w === "DO" || w === "DOING") return { k: "do", forms: this.compoundForms() };
    if (w === "RETURN") return { k: "return", form: this.next("a form") };
    if (w === "WHEN" || w === "IF" || w === "UNLESS") {
      const test = this.next("a test");
      const then = this.selectables();
      const els = this.accept("ELSE") ? this.selectables() : [];
      this.accept("END");
      return { k: "if", test, negate: w === "UNLESS", then, else: els };
    }
    const acc = ACC[w];
    if (acc) {
      const form = this.next("a form");
      let into: Sym | undefined;
      if (this.accept("INTO")) {
        const v = this.next("a variable");
        if (!(v instanceof Sym)) this.error("INTO needs a variable");
        into = v as Sym;
        if (!this.plan.intoKinds.has(into)) this.plan.vars.push(into);
        this.plan.intoKinds.set(into, acc);
      } else this.plan.defaultAcc = acc;
      if (TYPE_WORDS.includes(kw(this.peek() ?? 0n) ?? "") && this.peek() !== NIL) this.i++;
      return { k: "acc", kind: acc, form, into };
    }
    this.i--;
    return this.error(`unknown keyword ${this.ip.show(this.peek()!)}`);
  }
  selectables(): Clause[] {
    const out = [this.mainClause()];
    while (this.accept("AND")) out.push(this.mainClause());
    return out;
  }
  forClause(): Clause {
    const pat = this.pattern();
    const w = this.accept("IN", "ON", "ACROSS", "=", "FROM", "UPFROM", "DOWNFROM", "TO", "UPTO", "BELOW", "DOWNTO", "ABOVE", "BEING", "BY");
    if (!w) return this.error(`FOR needs IN, ON, ACROSS, =, FROM, TO or BEING after the variable, got ${this.done ? "nothing" : this.ip.show(this.peek()!)}`);
    if (w === "IN" || w === "ON") {
      const list = this.next("a list");
      return { k: "for", pat, spec: { k: w === "IN" ? "in" : "on", list, by: this.accept("BY") ? this.next("a step function") : undefined } };
    }
    if (w === "ACROSS") return { k: "for", pat, spec: { k: "across", vec: this.next("a vector") } };
    if (w === "=") {
      const init = this.next("a form");
      return { k: "for", pat, spec: { k: "eq", init, then: this.accept("THEN") ? this.next("a form") : undefined } };
    }
    if (w === "BEING") {
      this.accept("THE", "EACH");
      const what = this.accept("HASH-KEY", "HASH-KEYS", "HASH-VALUE", "HASH-VALUES");
      if (!what || !this.accept("OF", "IN")) return this.error("only BEING THE HASH-KEYS/HASH-VALUES OF … is supported");
      const table = this.next("a hash table");
      let other: Sym | undefined;
      if (this.accept("USING")) {
        const u = this.next("(HASH-VALUE var)");
        const parts = u instanceof Cons ? this.ip.items(u) : [];
        if (parts.length !== 2 || !(parts[1] instanceof Sym)) this.error("USING needs (HASH-VALUE var) or (HASH-KEY var)");
        other = parts[1] as Sym;
        this.plan.vars.push(other);
      }
      return { k: "for", pat, spec: { k: "hash", table, values: what.startsWith("HASH-VALUE"), other } };
    }
    const spec: ForSpec & { k: "num" } = { k: "num", down: false, inclusive: true };
    let word: string | undefined = w;
    while (word) {
      const v = this.next("a number");
      if (["FROM", "UPFROM", "DOWNFROM"].includes(word)) {
        spec.from = v;
        if (word === "DOWNFROM") spec.down = true;
      } else if (word === "BY") spec.by = v;
      else {
        spec.to = v;
        spec.inclusive = word !== "BELOW" && word !== "ABOVE";
        if (word === "DOWNTO" || word === "ABOVE") spec.down = true;
      }
      word = this.accept("FROM", "UPFROM", "DOWNFROM", "TO", "UPTO", "BELOW", "DOWNTO", "ABOVE", "BY");
    }
    return { k: "for", pat, spec };
  }
}

/** One accumulator: a list being built (with its last cell) or a number. */
interface Acc {
  kind: AccKind;
  head: Datum;
  tail: Cons | null;
  value: Datum;
}

type ClauseState = { [k: string]: Datum | number | Datum[] | undefined };

function loopForm(ip: Interp, form: Cons, env: Env): Datum {
  let plan = ip.formCache.get(form) as Plan | undefined;
  if (!plan) {
    const cells: Cons[] = [];
    for (let d = form.cdr; d instanceof Cons; d = d.cdr) ip.tick(), cells.push(d);
    plan = new Parser(ip, cells, form).parse();
    ip.formCache.set(form, plan);
  }
  const p = plan;
  if (p.simple) {
    const s = new Scope(ip, env, NIL, [], []);
    try {
      for (;;) {
        ip.tick();
        for (const f of p.simple) ip.evalIn(f, s.env);
      }
    } catch (e) {
      return s.caught(ip, e);
    } finally {
      s.close(ip);
    }
  }
  const initial = p.vars.map((v) => {
    const k = p.intoKinds.get(v);
    return k === "sum" || k === "count" ? 0n : NIL;
  });
  const s = new Scope(ip, env, p.name, p.vars, initial);
  try {
    return new LoopRun(ip, p, s.env).run();
  } catch (e) {
    return s.caught(ip, e);
  } finally {
    s.close(ip);
  }
}

class LoopRun {
  private readonly accs = new Map<Sym | null, Acc>();
  private readonly state = new Map<Clause, ClauseState>();
  private it: Datum = NIL;
  constructor(private readonly ip: Interp, private readonly p: Plan, private env: Env) {}

  run(): Datum {
    const { ip, p } = this;
    // Prologue: with-clauses and for-clause initial forms, in clause order.
    for (const c of p.clauses) {
      if (c.k === "with") this.assign(c.pat, c.init === undefined ? NIL : ip.evalIn(c.init, this.env));
      else if (c.k === "repeat") {
        const n = ip.evalIn(c.n, this.env);
        if (typeof n !== "bigint") ip.typeError("LOOP REPEAT", "an integer", n);
        this.state.set(c, { left: n });
      } else if (c.k === "for") this.state.set(c, prologue(ip, c.spec, this.env));
    }
    for (const f of p.initially) ip.evalIn(f, this.env);
    const token: BlockToken = { owner: null };
    this.env = this.env.withBlock(ip.loopFinish, token);
    const mark = ip.mark();
    try {
      for (;;) {
        ip.tick();
        if (!this.exec(p.clauses)) break;
        for (const st of this.state.values()) st.first = 0;
      }
    } catch (e) {
      if (!(e instanceof BlockExit) || e.token !== token) throw e;
      ip.restore(mark);
    }
    for (const f of p.finally) ip.evalIn(f, this.env);
    if (p.clauses.some((c) => c.k === "always" || c.k === "never")) return T;
    if (p.clauses.some((c) => c.k === "thereis")) return NIL;
    return this.accs.get(null)?.value ?? NIL;
  }

  assign(pat: Datum, value: Datum): void {
    if (pat instanceof Sym) {
      if (pat !== NIL) this.ip.setVar(pat, value, this.env);
    } else if (pat instanceof Cons) {
      this.assign(pat.car, value instanceof Cons ? value.car : NIL);
      this.assign(pat.cdr, value instanceof Cons ? value.cdr : NIL);
    }
  }

  private accumulate(c: Clause & { k: "acc" }, v: Datum): void {
    const ip = this.ip;
    let a = this.accs.get(c.into ?? null);
    if (!a) {
      a = { kind: c.kind, head: NIL, tail: null, value: c.kind === "sum" || c.kind === "count" ? 0n : NIL };
      this.accs.set(c.into ?? null, a);
    }
    switch (c.kind) {
      case "collect": case "append": case "nconc": {
        let items: Datum = c.kind === "collect" ? new Cons(v, NIL) : v;
        if (c.kind === "append" && v instanceof Cons) items = listStar(ip.items(v, "LOOP APPEND"), NIL);
        if (items === NIL) break;
        if (a.tail) a.tail.cdr = items;
        else a.head = items;
        let t = items as Cons;
        while (t.cdr instanceof Cons) {
          ip.tick();
          t = t.cdr;
        }
        a.tail = t;
        a.value = a.head;
        break;
      }
      case "sum": a.value = numAdd(ip, a.value, v, "LOOP SUM"); break;
      case "count": if (v !== NIL) a.value = numAdd(ip, a.value, 1n, "LOOP COUNT"); break;
      case "maximize": case "minimize":
        if (a.value === NIL || numCompare(ip, v, a.value, "LOOP") * (c.kind === "maximize" ? 1 : -1) > 0) a.value = v;
        break;
    }
    if (c.into) ip.setVar(c.into, a.value, this.env);
  }

  /** Run clauses in order; false when an iteration clause terminates the loop. */
  private exec(cs: Clause[]): boolean {
    const { ip, p, env } = this;
    for (const c of cs) {
      switch (c.k) {
        case "for":
          if (!step(ip, c, this.state.get(c)!, env, this)) return false;
          break;
        case "repeat": {
          const s = this.state.get(c)!;
          if ((s.left as bigint) <= 0n) return false;
          s.left = (s.left as bigint) - 1n;
          break;
        }
        case "while":
          if ((ip.evalIn(c.test, env) === NIL) !== c.until) return false;
          break;
        case "do":
          for (const f of c.forms) ip.evalIn(f, env);
          break;
        case "acc":
          this.accumulate(c, c.form instanceof Sym && c.form.name === "IT" ? this.it : ip.evalIn(c.form, env));
          break;
        case "if": {
          const v = ip.evalIn(c.test, env);
          const yes = (v !== NIL) !== c.negate;
          if (yes) this.it = v;
          if (!this.exec(yes ? c.then : c.else)) return false;
          break;
        }
        case "return":
          returnFrom(ip, env, p.name, c.form instanceof Sym && c.form.name === "IT" ? this.it : ip.evalIn(c.form, env));
          break;
        case "always": case "never": {
          const v = ip.evalIn(c.form, env);
          if ((v === NIL) === (c.k === "always")) returnFrom(ip, env, p.name, NIL);
          break;
        }
        case "thereis": {
          const v = ip.evalIn(c.form, env);
          if (v !== NIL) returnFrom(ip, env, p.name, v);
          break;
        }
      }
    }
    return true;
  }
}

function prologue(ip: Interp, spec: ForSpec, env: Env): ClauseState {
  switch (spec.k) {
    case "in": case "on":
      return { first: 1, rest: ip.evalIn(spec.list, env), by: spec.by ? ip.toFunction(ip.evalIn(spec.by, env)) as unknown as Datum : undefined };
    case "across": {
      const v = ip.evalIn(spec.vec, env);
      if (!(v instanceof Vector) && typeof v !== "string") ip.typeError("LOOP ACROSS", "a vector or string", v);
      return { first: 1, vec: v, i: 0 };
    }
    case "num": {
      const from = spec.from !== undefined ? ip.evalIn(spec.from, env) : 0n;
      const to = spec.to !== undefined ? ip.evalIn(spec.to, env) : undefined;
      const by = spec.by !== undefined ? ip.evalIn(spec.by, env) : 1n;
      if (numCompare(ip, by, 0n, "LOOP BY") <= 0) ip.fail(`LOOP BY step must be positive, got ${ip.show(by)}`);
      return { first: 1, value: from, to, by };
    }
    case "eq":
      return { first: 1 };
    case "hash": {
      const h = ip.evalIn(spec.table, env);
      if (!(h instanceof HashTable)) ip.typeError("LOOP BEING", "a hash table", h);
      return { first: 1, entries: [...(h as HashTable).entries.values()].flat(), i: 0 };
    }
  }
}

function step(ip: Interp, c: Clause & { k: "for" }, s: ClauseState, env: Env, run: LoopRun): boolean {
  const assign = (p: Datum, v: Datum) => run.assign(p, v);
  const spec = c.spec;
  const first = s.first === 1;
  switch (spec.k) {
    case "in": case "on": {
      if (!first) {
        const rest = s.rest as Datum;
        s.rest = s.by ? ip.apply(s.by as never, [rest]) : rest instanceof Cons ? rest.cdr : NIL;
      }
      const rest = s.rest as Datum;
      if (!(rest instanceof Cons)) return false;
      assign(c.pat, spec.k === "in" ? rest.car : rest);
      return true;
    }
    case "across": {
      const v = s.vec as Vector | string;
      const i = s.i as number;
      const len = typeof v === "string" ? v.length : v.items.length;
      if (i >= len) return false;
      assign(c.pat, typeof v === "string" ? ip.keys.char(v.charCodeAt(i)) as Char : v.items[i]);
      s.i = i + 1;
      return true;
    }
    case "num": {
      if (!first) s.value = (spec.down ? numSub : numAdd)(ip, s.value as Datum, s.by as Datum, "LOOP");
      if (s.to !== undefined) {
        const cmp = numCompare(ip, s.value as Datum, s.to as Datum, "LOOP") * (spec.down ? -1 : 1);
        if (cmp > 0 || (cmp === 0 && !spec.inclusive)) return false;
      }
      assign(c.pat, s.value as Datum);
      return true;
    }
    case "eq":
      assign(c.pat, ip.evalIn(first || spec.then === undefined ? spec.init : spec.then, env));
      return true;
    case "hash": {
      const e = s.entries as Datum[];
      const i = s.i as number;
      if (i >= e.length) return false;
      assign(c.pat, spec.values ? e[i + 1] : e[i]);
      if (spec.other) ip.setVar(spec.other, spec.values ? e[i] : e[i + 1], env);
      s.i = i + 2;
      return true;
    }
  }
}

export const LOOP_FORMS: Record<string, SpecialForm> = Object.freeze({
  LOOP: loopForm,
  "LOOP-FINISH": (ip, _form, env) => returnFrom(ip, env, ip.loopFinish, NIL),
});
