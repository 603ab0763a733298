// A generic ELF64 little-endian ET_REL writer (default machine EM_BPF): sections, one
// symbol table (locals first), string tables and SHT_REL sections. Output is deterministic.

export const EM_BPF = 247;
export const ET_REL = 1;
export const SHT = { NULL: 0, PROGBITS: 1, SYMTAB: 2, STRTAB: 3, RELA: 4, NOBITS: 8, REL: 9 } as const;
export const SHF = { WRITE: 0x1, ALLOC: 0x2, EXECINSTR: 0x4, MERGE: 0x10, STRINGS: 0x20, INFO_LINK: 0x40 } as const;
export const STB = { LOCAL: 0, GLOBAL: 1, WEAK: 2 } as const;
export const STT = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4 } as const;
export const STV = { DEFAULT: 0, INTERNAL: 1, HIDDEN: 2, PROTECTED: 3 } as const;
export const SHN = { UNDEF: 0, ABS: 0xfff1, COMMON: 0xfff2 } as const;
/** BPF relocation types (llvm's ELFRelocs/BPF.def numbering, as libbpf expects). */
export const R_BPF = { NONE: 0, R64_64: 1, ABS64: 2, ABS32: 3, NODYLD32: 4, R64_32: 10 } as const;

const EHDR_SIZE = 64, SHDR_SIZE = 64, SYM_SIZE = 24, REL_SIZE = 16;

export interface ElfSectionSpec {
  name: string;
  type: number;
  flags: number;
  /** Contents; for SHT_NOBITS only the length is used (as sh_size). */
  data: Uint8Array;
  align: number;
  entsize?: number;
  /** sh_link / sh_info: a section index, or the name of a section in the output (".symtab"). */
  link?: number | string;
  info?: number | string;
}

export interface ElfSymbolSpec {
  name: string;
  value: number;
  size: number;
  type: number;
  bind: number;
  /** st_other (visibility); default STV_DEFAULT. */
  other?: number;
  /** The defining section's name, or a special index (SHN.UNDEF, SHN.ABS). */
  section: string | number;
}

export interface ElfRelocSpec {
  offset: number;
  /** Name of a symbol in `symbols`. */
  symbol: string;
  type: number;
}

export interface ElfWriteInput {
  machine?: number;
  flags?: number;
  sections: ElfSectionSpec[];
  symbols: ElfSymbolSpec[];
  /** Each non-empty group becomes `.rel<section>` placed right after its target section. */
  relocations?: { section: string; relocs: ElfRelocSpec[] }[];
}

/** A deduplicating ELF string table (offset 0 is ""). */
class ElfStrtab {
  #map = new Map<string, number>([["", 0]]);
  #chunks: Uint8Array[] = [new Uint8Array(1)];
  #len = 1;
  add(s: string): number {
    const known = this.#map.get(s);
    if (known !== undefined) return known;
    const b = new TextEncoder().encode(s + "\0");
    const off = this.#len;
    this.#map.set(s, off);
    this.#chunks.push(b);
    this.#len += b.length;
    return off;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.#len);
    let at = 0;
    for (const c of this.#chunks) out.set(c, at), at += c.length;
    return out;
  }
}

interface Planned extends ElfSectionSpec {
  nameOff: number;
}

/** Write an ELF64 LE relocatable object. */
export function writeElf(input: ElfWriteInput): Uint8Array {
  const relGroups = new Map<string, ElfRelocSpec[]>();
  for (const g of input.relocations ?? []) {
    if (g.relocs.length === 0) continue;
    relGroups.set(g.section, [...(relGroups.get(g.section) ?? []), ...g.relocs]);
  }
  const names = new Set<string>();
  for (const s of input.sections) {
    if (names.has(s.name)) throw new Error(`duplicate ELF section ${s.name}`);
    names.add(s.name);
  }
  for (const target of relGroups.keys()) {
    if (!names.has(target)) throw new Error(`relocations for unknown section ${target}`);
    if (names.has(".rel" + target)) throw new Error(`section .rel${target} is generated; do not pass it`);
  }
  for (const reserved of [".symtab", ".strtab", ".shstrtab"]) {
    if (names.has(reserved)) throw new Error(`section ${reserved} is generated; do not pass it`);
  }

  // Section order: null, user sections each followed by its .rel, .symtab, .strtab, .shstrtab.
  const order: (ElfSectionSpec | { rel: string })[] = [];
  for (const s of input.sections) {
    order.push(s);
    if (relGroups.has(s.name)) order.push({ rel: s.name });
  }
  const index = new Map<string, number>();
  order.forEach((s, i) => index.set("rel" in s ? ".rel" + s.rel : s.name, i + 1));
  const symtabIdx = order.length + 1, strtabIdx = symtabIdx + 1, shstrtabIdx = strtabIdx + 1;
  index.set(".symtab", symtabIdx).set(".strtab", strtabIdx).set(".shstrtab", shstrtabIdx);
  const resolve = (v: number | string | undefined, what: string): number => {
    if (v === undefined) return 0;
    if (typeof v === "number") return v;
    const i = index.get(v);
    if (i === undefined) throw new Error(`${what}: no section named ${v}`);
    return i;
  };

  // Symbols: the null symbol, locals, then the rest.
  const strtab = new ElfStrtab();
  const locals = input.symbols.filter((s) => s.bind === STB.LOCAL);
  const globals = input.symbols.filter((s) => s.bind !== STB.LOCAL);
  const syms = [...locals, ...globals];
  const symIndex = new Map<string, number>();
  const symtab = new Uint8Array(SYM_SIZE * (syms.length + 1));
  const sdv = new DataView(symtab.buffer);
  syms.forEach((s, i) => {
    const at = SYM_SIZE * (i + 1);
    if (!symIndex.has(s.name)) symIndex.set(s.name, i + 1);
    sdv.setUint32(at, strtab.add(s.name), true);
    sdv.setUint8(at + 4, ((s.bind & 0xf) << 4) | (s.type & 0xf));
    sdv.setUint8(at + 5, s.other ?? STV.DEFAULT);
    sdv.setUint16(at + 6, resolve(s.section, `symbol ${s.name}`), true);
    sdv.setBigUint64(at + 8, BigInt(s.value), true);
    sdv.setBigUint64(at + 16, BigInt(s.size), true);
  });

  const shstrtab = new ElfStrtab();
  const planned: Planned[] = order.map((s) => {
    if (!("rel" in s)) return { ...s, nameOff: shstrtab.add(s.name) };
    const relocs = relGroups.get(s.rel)!;
    const data = new Uint8Array(REL_SIZE * relocs.length);
    const dv = new DataView(data.buffer);
    relocs.forEach((r, i) => {
      const sym = symIndex.get(r.symbol);
      if (sym === undefined) throw new Error(`relocation against unknown symbol ${r.symbol}`);
      dv.setBigUint64(REL_SIZE * i, BigInt(r.offset), true);
      dv.setBigUint64(REL_SIZE * i + 8, (BigInt(sym) << 32n) | BigInt(r.type >>> 0), true);
    });
    const name = ".rel" + s.rel;
    return {
      name, nameOff: shstrtab.add(name), type: SHT.REL, flags: SHF.INFO_LINK, data, align: 8,
      entsize: REL_SIZE, link: symtabIdx, info: index.get(s.rel)!,
    };
  });
  planned.push({
    name: ".symtab", nameOff: shstrtab.add(".symtab"), type: SHT.SYMTAB, flags: 0, data: symtab, align: 8,
    entsize: SYM_SIZE, link: strtabIdx, info: locals.length + 1,
  });
  planned.push({ name: ".strtab", nameOff: shstrtab.add(".strtab"), type: SHT.STRTAB, flags: 0, data: strtab.bytes(), align: 1 });
  const shstrNameOff = shstrtab.add(".shstrtab");
  planned.push({ name: ".shstrtab", nameOff: shstrNameOff, type: SHT.STRTAB, flags: 0, data: shstrtab.bytes(), align: 1 });

  // Layout: header, section contents (aligned), section header table.
  const offsets: number[] = [];
  let at = EHDR_SIZE;
  for (const s of planned) {
    const align = Math.max(1, s.align);
    at = Math.ceil(at / align) * align;
    offsets.push(at);
    if (s.type !== SHT.NOBITS) at += s.data.length;
  }
  const shoff = Math.ceil(at / 8) * 8;
  const out = new Uint8Array(shoff + SHDR_SIZE * (planned.length + 1));
  const dv = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2 /* ELFCLASS64 */, 1 /* ELFDATA2LSB */, 1 /* EV_CURRENT */, 0 /* SYSV */]);
  dv.setUint16(16, ET_REL, true);
  dv.setUint16(18, input.machine ?? EM_BPF, true);
  dv.setUint32(20, 1, true);
  dv.setBigUint64(40, BigInt(shoff), true);
  dv.setUint32(48, input.flags ?? 0, true);
  dv.setUint16(52, EHDR_SIZE, true);
  dv.setUint16(58, SHDR_SIZE, true);
  dv.setUint16(60, planned.length + 1, true);
  dv.setUint16(62, shstrtabIdx, true);
  planned.forEach((s, i) => {
    if (s.type !== SHT.NOBITS) out.set(s.data, offsets[i]);
    const h = shoff + SHDR_SIZE * (i + 1);
    dv.setUint32(h, s.nameOff, true);
    dv.setUint32(h + 4, s.type, true);
    dv.setBigUint64(h + 8, BigInt(s.flags), true);
    dv.setBigUint64(h + 24, BigInt(offsets[i]), true);
    dv.setBigUint64(h + 32, BigInt(s.data.length), true);
    dv.setUint32(h + 40, resolve(s.link, `section ${s.name} link`), true);
    dv.setUint32(h + 44, resolve(s.info, `section ${s.name} info`), true);
    dv.setBigUint64(h + 48, BigInt(Math.max(1, s.align)), true);
    dv.setBigUint64(h + 56, BigInt(s.entsize ?? 0), true);
  });
  return out;
}
