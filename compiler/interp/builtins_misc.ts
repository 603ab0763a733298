// Remaining builtins: equality, function objects, values, hash tables, conditions (error, warn),
// output (format, princ … to the collected sink or string streams), eval, macroexpand, probe-file.

import { Cons, type Datum, HashTable, NIL, type Procedure, Sym, T } from "../sexp.ts";
import { probeAllowed } from "../files.ts";
import { type BuiltinRow, bool, char, fromArray, kwargs, str, sym } from "./check.ts";
import { eq, eql, equal, equalp } from "./equality.ts";
import { format } from "./format.ts";
import { expandOnce } from "./macros.ts";
import { bodyAfter, formArgs, type SpecialForm } from "./forms.ts";
import type { Interp } from "./interp.ts";
import { MAX_STRING } from "./builtins_string.ts";
import { LispError } from "./values.ts";
import { coerce, isConditionType, typeOf, typep } from "./types.ts";
import { Builtin, Condition, isProcedure, MacroEnv } from "./values.ts";
import { withVars } from "./control.ts";

/** An output stream writing to a string (with-output-to-string, make-string-output-stream). */
export class StringStream {
  parts: string[] = [];
  size = 0;
  toString(): string {
    return "STRING-OUTPUT-STREAM";
  }
}

/** Write text to a destination designator: T / *standard-output* → ip.output, a string stream. */
export function emit(ip: Interp, dest: Datum | undefined, text: string, who: string): void {
  if (dest === undefined || dest === T || dest === NIL) {
    ip.output.push(text);
    return;
  }
  if ((dest as unknown) instanceof StringStream) {
    const s = dest as unknown as StringStream;
    s.size += text.length;
    if (s.size > MAX_STRING) ip.fail("String too long");
    s.parts.push(text);
    return;
  }
  ip.typeError(who, "an output stream (T or a string stream)", dest);
}

function atLineStart(ip: Interp, dest: Datum | undefined): boolean {
  const parts = dest !== undefined && (dest as unknown) instanceof StringStream ? (dest as unknown as StringStream).parts : ip.output;
  const last = parts[parts.length - 1];
  return last === undefined || last.endsWith("\n");
}

/** Build a condition from error's arguments: a format string, a condition type name, or a condition. */
export function makeCondition(ip: Interp, datum: Datum, args: Datum[], defaultType: string): Condition {
  if ((datum as unknown) instanceof Condition) return datum as unknown as Condition;
  if (typeof datum === "string") {
    const initargs = new Map<string, Datum>([[":FORMAT-CONTROL", datum], [":FORMAT-ARGUMENTS", fromArray(args)]]);
    return new Condition(defaultType, format(ip, datum, args), initargs);
  }
  if (datum instanceof Sym) {
    if (args.length % 2) ip.programError(`Odd number of initialization arguments for condition ${datum.name}`);
    const initargs = new Map<string, Datum>();
    for (let i = 0; i < args.length; i += 2) initargs.set(sym(ip, args[i], "MAKE-CONDITION").name, args[i + 1]);
    const control = initargs.get(":FORMAT-CONTROL");
    let message: string;
    if (typeof control === "string") message = format(ip, control, ip.items(initargs.get(":FORMAT-ARGUMENTS") ?? NIL));
    else if (typeof initargs.get(":MESSAGE") === "string") message = initargs.get(":MESSAGE") as string;
    else message = `Condition ${datum.name} was signalled`;
    if (!isConditionType(ip, datum.name)) ip.conditionTypes.set(datum.name, [defaultType === "SIMPLE-WARNING" ? "WARNING" : "ERROR"]);
    return new Condition(datum.name, message, initargs);
  }
  return ip.fail(`Bad condition designator ${ip.show(datum)}`, "TYPE-ERROR");
}

export function signalError(ip: Interp, datum: Datum, args: Datum[]): never {
  try {
    return ip.signal(makeCondition(ip, datum, args, "SIMPLE-ERROR"));
  } catch (e) {
    if (e instanceof LispError) e.raised = true;
    throw e;
  }
}

function hashTest(ip: Interp, d: Datum | undefined): HashTable["test"] {
  if (d === undefined || d === NIL) return "eql";
  const name = d instanceof Sym ? d.name : isProcedure(d) ? (d as Procedure).name : "";
  const test = name.toLowerCase();
  if (test === "eq" || test === "eql" || test === "equal" || test === "equalp") return test;
  return ip.fail(`Unsupported hash table test ${ip.show(d)} (use EQ, EQL, EQUAL or EQUALP)`, "TYPE-ERROR");
}

function table(ip: Interp, x: Datum, who: string): HashTable {
  if (x instanceof HashTable) return x;
  return ip.typeError(who, "a hash table", x);
}

function macroexpand1(ip: Interp, form: Datum, env: Datum | undefined): [Datum, boolean] {
  const menv = env !== undefined && (env as unknown) instanceof MacroEnv ? env as unknown as MacroEnv : null;
  return expandOnce(ip, form, menv);
}

function output(name: string, f: (ip: Interp, x: Datum, dest: Datum | undefined) => string): BuiltinRow {
  return [name, 1, 2, (ip, [x, dest]) => {
    emit(ip, dest, f(ip, x, dest), name);
    return x;
  }];
}

export const MISC_BUILTINS: readonly BuiltinRow[] = Object.freeze([
  ["EQ", 2, 2, (_ip, [a, b]) => bool(eq(a, b))],
  ["EQL", 2, 2, (_ip, [a, b]) => bool(eql(a, b))],
  ["EQUAL", 2, 2, (ip, [a, b]) => bool(equal(a, b, ip))],
  ["EQUALP", 2, 2, (ip, [a, b]) => bool(equalp(a, b, ip))],
  ["NOT", 1, 1, (_ip, [x]) => bool(x === NIL)],
  ["IDENTITY", 1, 1, (_ip, [x]) => x],
  ["FUNCALL", 1, Infinity, (ip, [f, ...args]) => ip.apply(ip.toFunction(f), args), true],
  ["APPLY", 2, Infinity, (ip, args) => {
    const spread = ip.items(args[args.length - 1], "APPLY");
    return ip.apply(ip.toFunction(args[0]), [...args.slice(1, -1), ...spread]);
  }, true],
  ["CONSTANTLY", 1, 1, (_ip, [v]) => new Builtin("CONSTANTLY", 0, Infinity, () => v) as unknown as Datum],
  ["COMPLEMENT", 1, 1, (ip, [f]) => {
    const fn = ip.toFunction(f);
    return new Builtin("COMPLEMENT", 0, Infinity, (ip2: Interp, args) => bool(ip2.apply(fn, args) === NIL)) as unknown as Datum;
  }],
  ["FUNCTIONP", 1, 1, (_ip, [x]) => bool(isProcedure(x))],
  ["FBOUNDP", 1, 1, (ip, [x]) => {
    const d = ip.fdefs.get(sym(ip, x, "FBOUNDP"));
    return bool(!!(d?.fn || d?.macro || d?.special));
  }],
  ["SPECIAL-OPERATOR-P", 1, 1, (ip, [x]) => bool(!!ip.fdefs.get(sym(ip, x, "SPECIAL-OPERATOR-P"))?.special)],
  ["MACRO-FUNCTION", 1, 2, (ip, [x]) => {
    const m = ip.fdefs.get(sym(ip, x, "MACRO-FUNCTION"))?.macro;
    if (!m) return NIL;
    return new Builtin(`MACRO-FUNCTION ${(x as Sym).name}`, 1, 2, (_ip: Interp, [form, env]) =>
      m.fn(form as Cons, env !== undefined && (env as unknown) instanceof MacroEnv ? env as unknown as MacroEnv : MacroEnv.empty())) as unknown as Datum;
  }],
  ["SYMBOL-FUNCTION", 1, 1, (ip, [x]) => ip.toFunction(sym(ip, x, "SYMBOL-FUNCTION")) as unknown as Datum],
  ["FDEFINITION", 1, 1, (ip, [x]) => ip.toFunction(sym(ip, x, "FDEFINITION")) as unknown as Datum],
  ["FMAKUNBOUND", 1, 1, (ip, [x]) => {
    const d = ip.fdefs.get(sym(ip, x, "FMAKUNBOUND"));
    if (d && !d.special) {
      d.fn = undefined;
      d.macro = undefined;
    }
    return x;
  }],
  ["BOUNDP", 1, 1, (ip, [x]) => bool(ip.globals.has(sym(ip, x, "BOUNDP")) || (x as Sym).keyword)],
  ["SYMBOL-VALUE", 1, 1, (ip, [x]) => ip.varValue(sym(ip, x, "SYMBOL-VALUE"), ip.global, undefined)],
  ["SET", 2, 2, (ip, [x, v]) => {
    ip.setVar(sym(ip, x, "SET"), v, ip.global);
    return v;
  }],
  ["MAKUNBOUND", 1, 1, (ip, [x]) => {
    if (!ip.constants.has(sym(ip, x, "MAKUNBOUND"))) ip.globals.delete(x as Sym);
    return x;
  }],
  ["VALUES", 0, Infinity, (ip, args) => {
    ip.mv = args;
    return args[0] ?? NIL;
  }, true],
  ["VALUES-LIST", 1, 1, (ip, [l]) => {
    const args = ip.items(l, "VALUES-LIST");
    ip.mv = args;
    return args[0] ?? NIL;
  }, true],
  ["EVAL", 1, 1, (ip, [form]) => ip.evalIn(form, ip.global), true],
  ["MACROEXPAND-1", 1, 2, (ip, [form, env]) => {
    const [exp, expanded] = macroexpand1(ip, form, env);
    ip.mv = [exp, bool(expanded)];
    return exp;
  }, true],
  ["MACROEXPAND", 1, 2, (ip, [form, env]) => {
    let any = false;
    for (;;) {
      ip.tick();
      const [exp, expanded] = macroexpand1(ip, form, env);
      if (!expanded) break;
      any = true;
      form = exp;
    }
    ip.mv = [form, bool(any)];
    return form;
  }, true],
  ["PROCLAIM", 1, 1, (ip, [decl]) => {
    if (decl instanceof Cons && decl.car instanceof Sym && decl.car.name === "SPECIAL") {
      for (const s of ip.items(decl.cdr)) if (s instanceof Sym) ip.specials.add(s);
    }
    return NIL;
  }],
  ["COMPILE", 1, 2, (ip, [name, def]) => (def !== undefined && def !== NIL ? def : ip.toFunction(name) as unknown as Datum)],
  ["TYPEP", 2, 3, (ip, [x, type]) => bool(typep(ip, x, type))],
  ["TYPE-OF", 1, 1, (ip, [x]) => typeOf(ip, x)],
  ["COERCE", 2, 2, (ip, [x, type]) => coerce(ip, x, type)],
  ["MAKE-HASH-TABLE", 0, Infinity, (ip, args) => {
    const opts = kwargs(ip, args, 0, [":TEST", ":SIZE", ":REHASH-SIZE", ":REHASH-THRESHOLD", ":WEAKNESS", ":SYNCHRONIZED"], "MAKE-HASH-TABLE");
    return new HashTable(hashTest(ip, opts.get(":TEST")));
  }],
  ["GETHASH", 2, 3, (ip, [key, h, def]) => {
    const t = table(ip, h, "GETHASH");
    const e = t.entries.get(ip.keys.key(t.test, key));
    ip.mv = e ? [e[1], T] : [def ?? NIL, NIL];
    return e ? e[1] : def ?? NIL;
  }, true],
  ["REMHASH", 2, 2, (ip, [key, h]) => {
    const t = table(ip, h, "REMHASH");
    return bool(t.entries.delete(ip.keys.key(t.test, key)));
  }],
  ["CLRHASH", 1, 1, (ip, [h]) => {
    table(ip, h, "CLRHASH").entries.clear();
    return h;
  }],
  ["MAPHASH", 2, 2, (ip, [f, h]) => {
    const fn = ip.toFunction(f);
    for (const [k, v] of [...table(ip, h, "MAPHASH").entries.values()]) ip.apply(fn, [k, v]);
    return NIL;
  }],
  ["HASH-TABLE-COUNT", 1, 1, (ip, [h]) => BigInt(table(ip, h, "HASH-TABLE-COUNT").entries.size)],
  ["HASH-TABLE-P", 1, 1, (_ip, [h]) => bool(h instanceof HashTable)],
  ["HASH-TABLE-TEST", 1, 1, (ip, [h]) => ip.symbols.intern(table(ip, h, "HASH-TABLE-TEST").test.toUpperCase())],
  ["ERROR", 1, Infinity, (ip, [datum, ...args]) => signalError(ip, datum, args)],
  ["CERROR", 2, Infinity, (ip, [, datum, ...args]) => signalError(ip, datum, args)],
  ["SIGNAL", 1, Infinity, (ip, [datum, ...args]) => {
    makeCondition(ip, datum, args, "SIMPLE-CONDITION");
    return NIL;
  }],
  ["WARN", 1, Infinity, (ip, [datum, ...args]) => {
    ip.warnings.push(makeCondition(ip, datum, args, "SIMPLE-WARNING").message);
    return NIL;
  }],
  ["MAKE-CONDITION", 1, Infinity, (ip, [type, ...args]) =>
    makeCondition(ip, sym(ip, type, "MAKE-CONDITION"), args, "SIMPLE-ERROR") as unknown as Datum],
  ["SIMPLE-CONDITION-FORMAT-CONTROL", 1, 1, (ip, [c]) => condition(ip, c).initargs.get(":FORMAT-CONTROL") ?? NIL],
  ["SIMPLE-CONDITION-FORMAT-ARGUMENTS", 1, 1, (ip, [c]) => condition(ip, c).initargs.get(":FORMAT-ARGUMENTS") ?? NIL],
  ["FORMAT", 2, Infinity, (ip, [dest, control, ...args]) => {
    const text = format(ip, str(ip, control, "FORMAT"), args, dest === NIL ? true : atLineStart(ip, dest));
    if (dest === NIL) return text;
    emit(ip, dest, text, "FORMAT");
    return NIL;
  }],
  output("PRIN1", (ip, x) => ip.print(x, true)),
  output("PRINC", (ip, x) => ip.print(x, false)),
  output("PRINT", (ip, x) => `\n${ip.print(x, true)} `),
  output("PPRINT", (ip, x) => `\n${ip.print(x, true)}`),
  output("WRITE-STRING", (ip, x) => str(ip, x, "WRITE-STRING")),
  output("WRITE-LINE", (ip, x) => str(ip, x, "WRITE-LINE") + "\n"),
  output("WRITE-CHAR", (ip, x) => String.fromCodePoint(char(ip, x, "WRITE-CHAR").code)),
  ["WRITE", 1, Infinity, (ip, [x, ...rest]) => {
    const opts = kwargs(ip, rest, 0, [":STREAM", ":ESCAPE", ":READABLY", ":PRETTY", ":BASE", ":RADIX", ":CASE", ":LEVEL", ":LENGTH", ":CIRCLE"], "WRITE");
    emit(ip, opts.get(":STREAM"), ip.print(x, opts.get(":ESCAPE") !== NIL), "WRITE");
    return x;
  }],
  ["TERPRI", 0, 1, (ip, [dest]) => {
    emit(ip, dest, "\n", "TERPRI");
    return NIL;
  }],
  ["FRESH-LINE", 0, 1, (ip, [dest]) => {
    if (atLineStart(ip, dest)) return NIL;
    emit(ip, dest, "\n", "FRESH-LINE");
    return T;
  }],
  ["FINISH-OUTPUT", 0, 1, () => NIL],
  ["FORCE-OUTPUT", 0, 1, () => NIL],
  ["MAKE-STRING-OUTPUT-STREAM", 0, Infinity, () => new StringStream() as unknown as Datum],
  ["GET-OUTPUT-STREAM-STRING", 1, 1, (ip, [s]) => {
    if (!((s as unknown) instanceof StringStream)) return ip.typeError("GET-OUTPUT-STREAM-STRING", "a string output stream", s);
    const st = s as unknown as StringStream;
    const text = st.parts.join("");
    st.parts = [];
    st.size = 0;
    return text;
  }],
  ["PROBE-FILE", 1, 1, (ip, [p]) => {
    const path = str(ip, p, "PROBE-FILE");
    if (!ip.files || !probeAllowed(path)) return NIL;
    return ip.files.exists(path) ? path : NIL;
  }],
]);

function condition(ip: Interp, c: Datum): Condition {
  if ((c as unknown) instanceof Condition) return c as unknown as Condition;
  return ip.typeError("SIMPLE-CONDITION-FORMAT-CONTROL", "a condition", c);
}

export const MISC_FORMS: Record<string, SpecialForm> = Object.freeze({
  "WITH-OUTPUT-TO-STRING": (ip, form, env) => {
    const [spec] = formArgs(ip, form, 1);
    const [v] = ip.items(spec, "WITH-OUTPUT-TO-STRING");
    if (!(v instanceof Sym)) return ip.syntaxError("WITH-OUTPUT-TO-STRING needs (var)", form.span);
    const stream = new StringStream();
    withVars(ip, env, [v], [stream as unknown as Datum], (inner) => ip.progn(bodyAfter(form, 1), inner));
    return stream.parts.join("");
  },
});
