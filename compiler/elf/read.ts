// An ELF64 little-endian reader: sections, symbols and relocations grouped per target
// section. Used to disassemble any BPF object (ours or clang's) and by tests.

import { SHT } from "./write.ts";

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  align: number;
  entsize: number;
  /** Contents (empty for SHT_NOBITS). A view into the input bytes. */
  data: Uint8Array;
}

export interface ElfSymbol {
  index: number;
  name: string;
  value: number;
  size: number;
  type: number;
  bind: number;
  other: number;
  /** st_shndx (may be a special index such as SHN_ABS). */
  shndx: number;
  /** Name of the defining section, or null for undefined/special indexes. */
  section: string | null;
}

export interface ElfReloc {
  offset: number;
  type: number;
  symbolIndex: number;
  /** The symbol's name; for an unnamed STT_SECTION symbol, its section's name. */
  symbol: string;
  /** Only for SHT_RELA. */
  addend?: number;
}

export interface ElfRelocSection {
  /** The relocation section itself, e.g. ".relxdp". */
  name: string;
  target: string;
  targetIndex: number;
  relocs: ElfReloc[];
}

export interface ElfFile {
  type: number;
  machine: number;
  flags: number;
  sections: ElfSection[];
  symbols: ElfSymbol[];
  relocations: ElfRelocSection[];
}

const num = (v: bigint) => Number(v);

/** Parse an ELF64 LE file. Throws a clear Error on anything else or on truncation. */
export function readElf(bytes: Uint8Array): ElfFile {
  if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new Error("not an ELF file (bad magic)");
  }
  if (bytes.length < 64) throw new Error("truncated ELF header");
  if (bytes[4] !== 2) throw new Error(`not an ELF64 file (EI_CLASS=${bytes[4]})`);
  if (bytes[5] !== 1) throw new Error(`not a little-endian ELF file (EI_DATA=${bytes[5]})`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => dv.getUint16(o, true), u32 = (o: number) => dv.getUint32(o, true);
  const u64 = (o: number) => num(dv.getBigUint64(o, true));
  const shoff = u64(40), shentsize = u16(58);
  let shnum = u16(60), shstrndx = u16(62);
  if (shoff === 0) return { type: u16(16), machine: u16(18), flags: u32(48), sections: [], symbols: [], relocations: [] };
  if (shentsize < 64 || shoff + shentsize > bytes.length) throw new Error("truncated or invalid ELF section header table");
  if (shnum === 0) shnum = u32(shoff + 32); // extended numbering: count in section 0's sh_size
  if (shstrndx === 0xffff) shstrndx = u32(shoff + 40);
  if (shoff + shnum * shentsize > bytes.length) throw new Error("truncated ELF section header table");

  const raw = Array.from({ length: shnum }, (_, i) => {
    const h = shoff + i * shentsize;
    const type = u32(h + 4), offset = u64(h + 24), size = u64(h + 32);
    if (type !== SHT.NOBITS && type !== SHT.NULL && offset + size > bytes.length) {
      throw new Error(`ELF section ${i} extends past the end of the file`);
    }
    return {
      index: i, nameOff: u32(h), type, flags: u64(h + 8), addr: u64(h + 16), offset, size, link: u32(h + 40),
      info: u32(h + 44), align: u64(h + 48), entsize: u64(h + 56),
      data: type === SHT.NOBITS || type === SHT.NULL ? new Uint8Array(0) : bytes.subarray(offset, offset + size),
    };
  });
  const dec = new TextDecoder();
  const cstr = (table: Uint8Array, off: number) => {
    if (off >= table.length) return "";
    const end = table.indexOf(0, off);
    return dec.decode(table.subarray(off, end < 0 ? table.length : end));
  };
  const shstr = raw[shstrndx]?.data ?? new Uint8Array(0);
  const sections: ElfSection[] = raw.map(({ nameOff, ...s }) => ({ ...s, name: cstr(shstr, nameOff) }));

  const symtab = sections.find((s) => s.type === SHT.SYMTAB);
  const symbols: ElfSymbol[] = [];
  if (symtab) {
    const names = sections[symtab.link]?.data ?? new Uint8Array(0);
    const ent = symtab.entsize || 24;
    for (let i = 0; i * ent + 24 <= symtab.data.length; i++) {
      const at = symtab.offset + i * ent;
      const info = bytes[at + 4], shndx = u16(at + 6);
      const section = shndx > 0 && shndx < 0xff00 && shndx < sections.length ? sections[shndx].name : null;
      symbols.push({
        index: i, name: cstr(names, u32(at)), value: u64(at + 8), size: u64(at + 16), type: info & 0xf,
        bind: info >> 4, other: bytes[at + 5], shndx, section,
      });
    }
  }

  const relocations: ElfRelocSection[] = [];
  for (const s of sections) {
    if (s.type !== SHT.REL && s.type !== SHT.RELA) continue;
    const rela = s.type === SHT.RELA;
    const ent = s.entsize || (rela ? 24 : 16);
    const relocs: ElfReloc[] = [];
    for (let i = 0; (i + 1) * ent <= s.data.length; i++) {
      const at = s.offset + i * ent;
      const info = dv.getBigUint64(at + 8, true);
      const symbolIndex = num(info >> 32n);
      const sym = symbols[symbolIndex];
      const r: ElfReloc = {
        offset: u64(at), type: num(info & 0xffffffffn), symbolIndex,
        symbol: sym ? (sym.name || (sym.type === 3 ? sym.section ?? "" : "")) : "",
      };
      if (rela) r.addend = num(dv.getBigInt64(at + 16, true));
      relocs.push(r);
    }
    relocations.push({ name: s.name, target: sections[s.info]?.name ?? "", targetIndex: s.info, relocs });
  }
  return { type: u16(16), machine: u16(18), flags: u32(48), sections, symbols, relocations };
}

/** The section named `name`, if any. */
export const findSection = (elf: ElfFile, name: string): ElfSection | undefined =>
  elf.sections.find((s) => s.name === name);

/** All relocations applying to section `name` (from every .rel/.rela section targeting it). */
export const relocsFor = (elf: ElfFile, name: string): ElfReloc[] =>
  elf.relocations.filter((r) => r.target === name).flatMap((r) => r.relocs);
