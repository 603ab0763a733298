// The per-program summary `whistler compile` prints after each compile (name, section,
// instructions, stack bytes), the stack breakdown by kind (-v), and the same breakdown for the
// "stack exceeds 512 bytes" error, as extra notes.

import type { Diagnostic, Note } from "../compiler/diag.ts";
import type { ProgramSummary } from "../compiler/compile.ts";

export const STACK_LIMIT = 512;

/** What a stack slot holds, from the name the compiler gives it. */
export type SlotKind = "keys" | "values" | "structs and locals" | "spills";
export const SLOT_KINDS: SlotKind[] = ["keys", "values", "structs and locals", "spills"];

/** Map keys ("key of M", "key"), values passed by pointer ("value of M", "spilled value"),
 * register spills ("spillN", "register spills"), else a struct or an address-taken variable. */
export function slotKind(name: string): SlotKind {
  const n = name.replace(/^'(.*)'$/, "$1");
  if (/^key\b/.test(n)) return "keys";
  if (/^value of\b/.test(n) || n === "spilled value") return "values";
  if (/^spill\d+$/.test(n) || n === "register spills") return "spills";
  return "structs and locals";
}

/** Bytes per kind, in SLOT_KINDS order, kinds with no bytes left out. */
export function stackByKind(slots: { name: string; size: number }[]): [SlotKind, number][] {
  const sum = new Map<SlotKind, number>();
  for (const s of slots) sum.set(slotKind(s.name), (sum.get(slotKind(s.name)) ?? 0) + s.size);
  return SLOT_KINDS.filter((k) => sum.get(k)).map((k) => [k, sum.get(k)!]);
}

function byKindText(kinds: [string, number][]): string {
  return kinds.map(([k, n]) => `${n} bytes ${k}`).join(", ");
}

/** The summary lines of one compiled file (stderr text). */
export function summaryText(programs: ProgramSummary[], verbose: boolean): string {
  const out: string[] = [];
  for (const p of programs) {
    out.push(`${p.name}: section ${p.section}, ${p.insns} instructions, ${p.stack} bytes of stack`);
    if (!(verbose || p.stack > STACK_LIMIT) || !p.stackSlots.length) continue;
    const kinds = stackByKind(p.stackSlots);
    const used = kinds.reduce((n, [, b]) => n + b, 0);
    if (p.stack > used) kinds.push(["padding" as SlotKind, p.stack - used]);
    out.push(`  stack by kind: ${byKindText(kinds)}`);
    for (const s of [...p.stackSlots].sort((a, b) => a.offset - b.offset)) {
      out.push(`  ${String(s.size).padStart(5)} bytes at r10-${String(s.offset).padEnd(4)} ${slotKind(s.name).padEnd(18)} ${s.name}`);
    }
  }
  return out.length ? out.join("\n") + "\n" : "";
}

/** The summary of one program as a JSON line (--json), beside the diagnostics. */
export function summaryJson(file: string, output: string, programs: ProgramSummary[]): string {
  return programs.map((p) => JSON.stringify({
    program: p.name, file, output, section: p.section, insns: p.insns, stack: p.stack,
    stackByKind: Object.fromEntries(stackByKind(p.stackSlots)), stackSlots: p.stackSlots,
  }) + "\n").join("");
}

const STACK_ERROR = /^Stack usage (\d+) bytes exceeds the BPF limit/;
const USES = /^(.*) uses (\d+) bytes$/;

/** For the stack-limit error, add a note with the listed objects grouped by kind (the back end
 * lists the biggest objects; what they do not cover is reported as other objects and padding). */
export function withStackBreakdown(diags: Diagnostic[]): Diagnostic[] {
  return diags.map((d) => {
    const m = d.severity === "error" ? STACK_ERROR.exec(d.message) : null;
    if (!m) return d;
    const slots = d.notes.map((n) => USES.exec(n.message)).filter((x): x is RegExpExecArray => !!x)
      .map((x) => ({ name: x[1], size: Number(x[2]) }));
    if (!slots.length) return d;
    const kinds: [string, number][] = stackByKind(slots);
    const rest = Number(m[1]) - slots.reduce((n, s) => n + s.size, 0);
    if (rest > 0) kinds.push(["in other objects and padding", rest]);
    const note: Note = { message: `stack by kind: ${byKindText(kinds)} (limit ${STACK_LIMIT})` };
    return { ...d, notes: [...d.notes, note] };
  });
}
