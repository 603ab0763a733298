// Text forms of instruction streams: items with labels (for pass dumps) and the annotated
// assembly of -S, each group of instructions under the source line that produced it.

import { type Insn, type Item, isLabel } from "./asm/insn.ts";
import { formatInsn } from "./asm/format.ts";
import type { SourceLookup } from "./diag.ts";

/** Items (labels and instructions) as text, one per line. */
export function formatItems(items: Item[]): string {
  return items.map((it) => (isLabel(it) ? `${it.label}:` : `\t${formatInsn(it)}`)).join("\n");
}

export interface AsmProgram {
  name: string;
  section: string;
  insns: Insn[];
  stack: number;
}

/** Annotated assembly: per program a header, then instructions grouped under `; <source line>`. */
export function annotatedAsm(programs: AsmProgram[], sources: SourceLookup): string {
  const out: string[] = [];
  for (const p of programs) {
    out.push(`\t.section\t"${p.section}"`, `\t.globl\t${p.name}`, `${p.name}:\t\t; ${p.insns.length} instructions, ${p.stack} bytes of stack`);
    let lastKey = "";
    let slot = 0;
    for (const i of p.insns) {
      const key = i.pos ? `${i.pos.file}:${i.pos.line}` : "";
      if (key && key !== lastKey) {
        const text = sources(i.pos!.file)?.split("\n")[i.pos!.line - 1]?.trim() ?? "";
        out.push(`; ${text}  [${i.pos!.file}:${i.pos!.line}]`);
        lastKey = key;
      }
      out.push(`${String(slot).padStart(5)}:\t${formatInsn(i)}`);
      slot += i.code === 0x18 ? 2 : 1;
    }
    out.push("");
  }
  return out.join("\n");
}
