// Diagnostics as data (message, severity, span, notes) and the one renderer for them:
// `file:line:col: error: message`, the source line, a caret, then `note:` lines.

/** A source range: 1-based line and column, length in characters. */
export interface Span {
  file: string;
  line: number;
  col: number;
  len: number;
}

export type Severity = "error" | "warning" | "note";

export interface Note {
  message: string;
  span?: Span;
}

export interface Diagnostic {
  severity: Severity;
  message: string;
  span?: Span;
  notes: Note[];
  /** Raised by (error …) in compile-time code (reported at the macro's call site). */
  raised?: boolean;
}

/** Thrown by any compiler stage for bad input; carries one or more diagnostics. */
export class CompileError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join("; "));
    this.name = "CompileError";
  }
}

/** Make an error diagnostic. */
export function error(message: string, span?: Span, notes: Note[] = []): Diagnostic {
  return { severity: "error", message, span, notes };
}

export function warning(message: string, span?: Span, notes: Note[] = []): Diagnostic {
  return { severity: "warning", message, span, notes };
}

/** Throw a CompileError with a single error diagnostic. */
export function fail(message: string, span?: Span, notes: Note[] = []): never {
  throw new CompileError([error(message, span, notes)]);
}

/** Looks up the text of a source file by name, for showing the offending line. */
export type SourceLookup = (file: string) => string | undefined;

/**
 * Render diagnostics in the one format:
 *   file:line:col: error: message
 *     <source line>
 *     ^~~~
 *   file:line:col: note: …
 * A diagnostic without a span renders as `whistler: error: message`.
 */
export function render(diags: Diagnostic[], sources: SourceLookup): string {
  const out: string[] = [];
  for (const d of diags) {
    out.push(...renderOne(d.severity, d.message, d.span, sources));
    for (const n of d.notes) out.push(...renderOne("note", n.message, n.span, sources));
  }
  return out.join("\n") + (out.length ? "\n" : "");
}

function renderOne(sev: Severity, message: string, span: Span | undefined, sources: SourceLookup): string[] {
  if (!span) return [`whistler: ${sev}: ${message}`];
  const lines = [`${span.file}:${span.line}:${span.col}: ${sev}: ${message}`];
  const text = sources(span.file);
  const srcLine = text?.split("\n")[span.line - 1];
  if (srcLine !== undefined) {
    const clean = srcLine.replace(/\t/g, " ").replace(/\r$/, "");
    lines.push(`  ${clean}`);
    const width = Math.max(1, Math.min(span.len, clean.length - span.col + 1));
    lines.push(`  ${" ".repeat(Math.max(0, span.col - 1))}^${"~".repeat(Math.max(0, width - 1))}`);
  }
  return lines;
}

/** Diagnostics as JSON lines (for --json), one object per diagnostic. */
export function renderJson(diags: Diagnostic[]): string {
  return diags.map((d) => JSON.stringify(d)).join("\n") + (diags.length ? "\n" : "");
}
