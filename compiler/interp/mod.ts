// The compile-time Lisp interpreter (macros, compile-time functions and constants): public API.
// Pure: no host access; all state lives in an Interp instance.

export { Interp, type InterpOptions } from "./interp.ts";
export { Builtin, Closure, Condition, LispError, MacroEnv, type MacroFn } from "./values.ts";
export { printDatum, printShort } from "./print.ts";
