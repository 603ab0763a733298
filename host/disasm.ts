// `whistler disasm`: any BPF ELF object (ours or clang's) as text — programs with instruction
// counts, maps, instructions with map relocations by name, and BTF line info as source lines.

import { readElf, type ElfFile, type ElfSection } from "../compiler/elf/read.ts";
import { decode } from "../compiler/asm/decode.ts";
import { formatInsn } from "../compiler/asm/format.ts";
import type { Insn } from "../compiler/asm/insn.ts";
import { readBtf, readBtfExt } from "../compiler/btf/read.ts";

const SHF_EXECINSTR = 0x4;
const STT_FUNC = 2, STT_OBJECT = 1;

export interface DisasmProgram {
  name: string;
  section: string;
  /** Instructions as llvm-objdump counts them (an ld_imm64 is one). */
  insns: Insn[];
  offset: number;
}

/** Programs of an object: every STT_FUNC symbol in an executable section, in address order. */
export function programsOf(elf: ElfFile): DisasmProgram[] {
  const out: DisasmProgram[] = [];
  for (const sec of elf.sections) {
    if (!(sec.flags & SHF_EXECINSTR) || sec.size === 0) continue;
    const all = decode(sec.data);
    const offsets: number[] = [];
    let off = 0;
    for (const i of all) {
      offsets.push(off);
      off += i.code === 0x18 ? 16 : 8;
    }
    const relocs = elf.relocations.find((r) => r.targetIndex === sec.index)?.relocs ?? [];
    all.forEach((i, k) => {
      const r = relocs.find((x) => x.offset === offsets[k]);
      if (r && i.code === 0x18) i.map = r.symbol;
    });
    const funcs = elf.symbols.filter((s) => s.shndx === sec.index && s.type === STT_FUNC).sort((a, b) => a.value - b.value);
    for (const f of funcs) {
      const end = f.size ? f.value + f.size : sec.size;
      const insns = all.filter((_, k) => offsets[k] >= f.value && offsets[k] < end);
      out.push({ name: f.name, section: sec.name, insns, offset: f.value });
    }
  }
  return out;
}

function lineInfo(elf: ElfFile): Map<string, Map<number, string>> {
  const out = new Map<string, Map<number, string>>();
  const btfSec = elf.sections.find((s) => s.name === ".BTF");
  const extSec = elf.sections.find((s) => s.name === ".BTF.ext");
  if (!btfSec || !extSec) return out;
  try {
    const btf = readBtf(btfSec.data);
    const ext = readBtfExt(extSec.data, btf.str);
    for (const g of ext.lineInfo) {
      const m = new Map<number, string>();
      for (const r of g.records) m.set(r.insnOff, `; ${r.lineText}  [${r.file}:${r.line}:${r.col}]`);
      out.set(g.section, m);
    }
  } catch {
    // A malformed .BTF.ext only loses the line annotations.
  }
  return out;
}

export function disassemble(bytes: Uint8Array, name: string): string {
  const elf = readElf(bytes);
  if (elf.machine !== 247) throw new Error(`not a BPF object (e_machine ${elf.machine}, expected 247 EM_BPF)`);
  const out: string[] = [`${name}: ELF64 BPF relocatable object`, "", "Sections:"];
  for (const s of elf.sections.filter((x: ElfSection) => x.name)) out.push(`  ${String(s.index).padStart(3)} ${s.name.padEnd(24)} ${String(s.size).padStart(7)} bytes`);
  const maps = elf.symbols.filter((s) => s.type === STT_OBJECT && s.section === ".maps");
  if (maps.length) {
    out.push("", "Maps:");
    for (const m of maps) out.push(`  ${m.name}`);
  }
  const progs = programsOf(elf);
  out.push("", "Programs:");
  for (const p of progs) out.push(`  ${p.name.padEnd(24)} section ${p.section.padEnd(20)} ${p.insns.length} instructions`);
  const lines = lineInfo(elf);
  for (const p of progs) {
    out.push("", `Disassembly of ${p.name} (section ${p.section}):`);
    const li = lines.get(p.section);
    let off = p.offset;
    for (const i of p.insns) {
      const note = li?.get(off);
      if (note) out.push(note);
      const slot = (off - p.offset) / 8;
      out.push(`${String(slot).padStart(6)}:\t${formatInsn(i)}`);
      off += i.code === 0x18 ? 16 : 8;
    }
  }
  return out.join("\n") + "\n";
}
