// Tracepoint records: a tracepoint program's context is the event's raw record, whose layout
// the kernel publishes in tracefs (events/CATEGORY/EVENT/format). This parses that file into
// named fields so `(ctx FIELD)` reads them with the right offset, size and signedness.

import type { CtxField, CtxStruct } from "./uapi.ts";

export interface TracepointRecord {
  /** The record as a context struct: fields named as in the format file. */
  struct: CtxStruct;
  /** The common_* header fields, which BPF tracepoint programs may not read. */
  unreadable: string[];
  /** Where the format came from. */
  path: string;
}

/** Where tracefs publishes an event's format (tracefs itself, then through debugfs). */
export function formatPaths(category: string, event: string): string[] {
  return [`/sys/kernel/tracing/events/${category}/${event}/format`, `/sys/kernel/debug/tracing/events/${category}/${event}/format`];
}

/** How to go on without the format file (the error text of a missing record). */
export function noFormatHelp(category: string, event: string, tried: string[], reason: string): string {
  return `Cannot read the format of tracepoint ${category ? `${category}/${event}` : tried[0]} (${reason}; looked in ${tried.join(", ")}). ` +
    `Give the format file with the defprog option :format "FILE" (a copy of ${tried[0]} from the target machine), ` +
    `or read fields by offset: (ctx-load TYPE OFFSET), e.g. with (defconstant +next-pid-offset+ 56)`;
}

const FIELD_RE = /^\s*field:(.*?);\s*offset:(\d+);\s*size:(\d+);\s*signed:(\d+);/;

/** Parse a tracefs format file; throws an Error with the reason when it is not one. */
export function parseFormat(text: string, name: string): TracepointRecord & { path: "" } {
  const fields: CtxField[] = [];
  const unreadable: string[] = [];
  for (const line of text.split("\n")) {
    const m = FIELD_RE.exec(line);
    if (!m) continue;
    const [, decl, off, sz, signed] = m;
    // "unsigned char prev_comm[16]", "__data_loc char[] filename", "pid_t next_pid"
    const dm = /([A-Za-z_][A-Za-z0-9_]*)\s*(\[(\d*)\])?\s*$/.exec(decl.replace(/\s*\[\]\s*(?=[A-Za-z_])/, " "));
    if (!dm) continue;
    const fname = dm[1];
    const offset = Number(off), size = Number(sz);
    const count = dm[3] ? Number(dm[3]) : undefined;
    const dataLoc = /__data_loc/.test(decl);
    const field: CtxField = { name: fname, offset, size, signed: signed === "1" };
    if (count !== undefined && count > 0 && !dataLoc) {
      field.count = count;
      field.size = size / count;
    }
    if (/\*\s*[A-Za-z_][A-Za-z0-9_]*$/.test(decl.trim())) field.pointer = true;
    fields.push(field);
    if (fname.startsWith("common_") && offset < 8) unreadable.push(fname);
  }
  if (fields.length === 0) throw new Error(`no "field:" lines`);
  const size = Math.max(...fields.map((f) => f.offset + f.size * (f.count ?? 1)));
  return { struct: { name, size, fields }, unreadable, path: "" };
}

/**
 * The record of tracepoint CATEGORY/EVENT, read through `read` (the host's file provider) from
 * `explicit` when given, else from tracefs; or an error saying how to do without it.
 */
export function loadTracepoint(
  category: string, event: string, read: ((path: string) => string | undefined) | undefined, explicit?: string,
): TracepointRecord | { error: string } {
  const tried = explicit ? [explicit] : formatPaths(category, event);
  if (!read) return { error: noFormatHelp(category, event, tried, "the compiler was given no file access") };
  const label = category ? `${category}/${event}` : explicit!;
  for (const path of tried) {
    const text = read(path);
    if (text === undefined) continue;
    try {
      return { ...parseFormat(text, label), path };
    } catch (e) {
      return { error: `${path} is not a tracepoint format file: ${(e as Error).message}` };
    }
  }
  return { error: noFormatHelp(category, event, tried, "not found or not readable") };
}
