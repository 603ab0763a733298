// Test helpers: evaluate source text in a fresh interpreter and capture results or diagnostics.

import { CompileError, type Diagnostic } from "../diag.ts";
import type { FileProvider } from "../files.ts";
import { readAll } from "../reader.ts";
import { type Datum, NIL, SymbolTable } from "../sexp.ts";
import { Interp } from "./interp.ts";
import { printDatum } from "./print.ts";

export interface Options {
  files?: FileProvider;
  stepLimit?: number;
  depthLimit?: number;
}

export function newInterp(opts: Options = {}): Interp {
  return new Interp({ symbols: new SymbolTable(), ...opts });
}

/** Evaluate every top-level form of `src`; return the last value. */
export function run(ip: Interp, src: string, file = "test.lisp"): Datum {
  let last: Datum = NIL;
  for (const f of readAll(src, file, ip.symbols)) last = ip.evalToplevel(f.datum, f.span);
  return last;
}

/** Evaluate and print the last value readably. */
export function show(src: string, opts: Options = {}): string {
  const ip = newInterp(opts);
  return printDatum(run(ip, src), true, ip);
}

/** Evaluate in `ip` and print the last value. */
export function showIn(ip: Interp, src: string): string {
  return printDatum(run(ip, src), true, ip);
}

/** The diagnostic of the CompileError `src` raises (fails if none). */
export function diagOf(src: string, opts: Options = {}): Diagnostic {
  const ip = newInterp(opts);
  try {
    run(ip, src);
  } catch (e) {
    if (e instanceof CompileError) return e.diagnostics[0];
    throw e;
  }
  throw new Error(`expected an error from: ${src}`);
}
