// Turning whatever escapes an evaluation into one located CompileError: message, the span of the
// innermost form being evaluated, and notes for the chain of macro/function calls.

import { CompileError, type Note, error as diagError } from "../diag.ts";
import type { Interp } from "./interp.ts";
import { BlockExit, type Closure, Condition, GoExit, LispError, ResourceError, ThrowExit } from "./values.ts";

export const NESTING_MESSAGE = "Compile-time recursion too deep (evaluation nested beyond the interpreter's stack budget)";

/** The condition a caught host exception stands for, or undefined when Lisp may not catch it. */
export function conditionOf(e: unknown): Condition | undefined {
  if (e instanceof LispError) return e.condition;
  if (e instanceof CompileError) return new Condition("SIMPLE-ERROR", e.diagnostics[0]?.message ?? e.message);
  return undefined;
}

/** Notes for the active calls, innermost first (recursive repeats collapsed, at most 8). */
export function callNotes(stack: readonly Closure[]): Note[] {
  const out: Note[] = [];
  let prev: Closure | undefined;
  for (let i = stack.length - 1; i >= 0 && out.length < 8; i--) {
    const c = stack[i];
    if (c === prev) continue;
    prev = c;
    const what = c.kind === "macro" ? `in macro "${c.name}"` : c.kind === "function" ? `in function "${c.name}"` : "in anonymous function";
    out.push({ message: what, span: c.span });
  }
  return out;
}

/** The CompileError for an exception caught at an outermost entry of `ip`. */
export function toCompileError(ip: Interp, e: unknown): CompileError {
  const notes = callNotes(ip.stack);
  if (e instanceof CompileError) {
    const [first, ...rest] = e.diagnostics;
    if (!first) return e;
    return new CompileError([{ ...first, span: first.span ?? ip.cur, notes: [...first.notes, ...notes] }, ...rest]);
  }
  let message: string;
  let span = ip.cur;
  if (e instanceof LispError && e.raised) {
    return new CompileError([{ ...diagError(e.message, e.span ?? span, notes), raised: true }]);
  }
  if (e instanceof LispError || e instanceof ResourceError) {
    message = e.message;
    span = e.span ?? span;
  } else if (e instanceof BlockExit) message = "RETURN-FROM a block that is no longer active";
  else if (e instanceof GoExit) message = "GO to a TAGBODY that is no longer active";
  else if (e instanceof ThrowExit) message = `No CATCH for tag ${ip.show(e.tag)}`;
  else if (e instanceof RangeError && /call stack|stack size|recursion/i.test(e.message)) message = NESTING_MESSAGE;
  else if (e instanceof RangeError && /bigint/i.test(e.message)) message = "Integer too large";
  else if (e instanceof RangeError && /string length/i.test(e.message)) message = "String too long";
  else message = `Internal error in compile-time evaluation: ${e instanceof Error ? e.message : String(e)}`;
  return new CompileError([diagError(message, span, notes)]);
}
