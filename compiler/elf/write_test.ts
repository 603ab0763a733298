// Tests for the ELF64 writer, checked through the reader and by hand-read header fields.

import { test } from "node:test";
import assert from "node:assert/strict";
import { EM_BPF, R_BPF, SHF, SHN, SHT, STB, STT, writeElf, type ElfWriteInput } from "./write.ts";
import { findSection, readElf, relocsFor } from "./read.ts";

const sample = (): ElfWriteInput => ({
  sections: [
    { name: "xdp", type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXECINSTR, data: new Uint8Array(32).fill(7), align: 8 },
    { name: ".maps", type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.WRITE, data: new Uint8Array(24), align: 8 },
    { name: "license", type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.WRITE, data: new TextEncoder().encode("GPL\0"), align: 1 },
    { name: ".bss", type: SHT.NOBITS, flags: SHF.ALLOC | SHF.WRITE, data: new Uint8Array(64), align: 16 },
    { name: ".note", type: SHT.PROGBITS, flags: 0, data: new Uint8Array(3), align: 4, entsize: 1, link: ".symtab", info: "xdp" },
  ],
  symbols: [
    { name: "prog", value: 0, size: 32, type: STT.FUNC, bind: STB.GLOBAL, section: "xdp" },
    { name: "m", value: 0, size: 24, type: STT.OBJECT, bind: STB.GLOBAL, section: ".maps" },
    { name: "lbl", value: 16, size: 0, type: STT.NOTYPE, bind: STB.LOCAL, section: "xdp" },
    { name: "abs", value: 5, size: 0, type: STT.NOTYPE, bind: STB.WEAK, section: SHN.ABS },
    { name: "file.wl", value: 0, size: 0, type: STT.FILE, bind: STB.LOCAL, section: SHN.ABS },
  ],
  relocations: [{ section: "xdp", relocs: [{ offset: 8, symbol: "m", type: R_BPF.R64_64 }] }, { section: ".maps", relocs: [] }],
});

test("ELF header fields", () => {
  const out = writeElf(sample());
  const dv = new DataView(out.buffer);
  assert.deepEqual([...out.subarray(0, 7)], [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  assert.equal(dv.getUint16(16, true), 1, "ET_REL");
  assert.equal(dv.getUint16(18, true), EM_BPF);
  assert.equal(dv.getUint16(52, true), 64);
  assert.equal(dv.getUint16(58, true), 64);
  const shoff = Number(dv.getBigUint64(40, true));
  assert.equal(shoff % 8, 0);
  assert.equal(out.length, shoff + 64 * dv.getUint16(60, true));
});

test("sections, symbols (locals first) and relocations round-trip", () => {
  const elf = readElf(writeElf(sample()));
  assert.equal(elf.machine, EM_BPF);
  assert.deepEqual(elf.sections.map((s) => s.name), [
    "", "xdp", ".relxdp", ".maps", "license", ".bss", ".note", ".symtab", ".strtab", ".shstrtab",
  ]);
  const xdp = findSection(elf, "xdp")!;
  assert.equal(xdp.offset % 8, 0);
  assert.equal(xdp.flags, SHF.ALLOC | SHF.EXECINSTR);
  assert.deepEqual([...xdp.data], new Array(32).fill(7));
  const bss = findSection(elf, ".bss")!;
  assert.equal(bss.size, 64);
  assert.equal(bss.data.length, 0);
  assert.equal(bss.align, 16);
  const note = findSection(elf, ".note")!;
  assert.equal(note.link, 7);
  assert.equal(note.info, 1);
  assert.equal(note.entsize, 1);
  const rel = findSection(elf, ".relxdp")!;
  assert.equal(rel.type, SHT.REL);
  assert.equal(rel.flags, SHF.INFO_LINK);
  assert.equal(rel.entsize, 16);
  assert.equal(rel.info, xdp.index);
  const symtab = findSection(elf, ".symtab")!;
  assert.equal(rel.link, symtab.index);
  assert.equal(symtab.info, 3, "first non-local symbol index");
  assert.equal(elf.sections[symtab.link].name, ".strtab");
  assert.deepEqual(elf.symbols.map((s) => [s.name, s.bind, s.section]), [
    ["", 0, null], ["lbl", STB.LOCAL, "xdp"], ["file.wl", STB.LOCAL, null],
    ["prog", STB.GLOBAL, "xdp"], ["m", STB.GLOBAL, ".maps"], ["abs", STB.WEAK, null],
  ]);
  assert.equal(elf.symbols[5].shndx, SHN.ABS);
  assert.deepEqual(relocsFor(elf, "xdp"), [{ offset: 8, type: 1, symbolIndex: 4, symbol: "m" }]);
  assert.equal(elf.relocations.length, 1, "an empty relocation group writes no section");
  const raw = new DataView(rel.data.buffer, rel.data.byteOffset);
  assert.equal(raw.getBigUint64(8, true), (4n << 32n) | 1n);
});

test("output is deterministic", () => {
  assert.deepEqual(writeElf(sample()), writeElf(sample()));
});

test("bad input is rejected", () => {
  const dup = sample();
  dup.sections.push({ ...dup.sections[0] });
  assert.throws(() => writeElf(dup), /duplicate ELF section xdp/);
  const badSym = sample();
  badSym.relocations = [{ section: "xdp", relocs: [{ offset: 0, symbol: "nope", type: 1 }] }];
  assert.throws(() => writeElf(badSym), /unknown symbol nope/);
  const badSec = sample();
  badSec.symbols.push({ name: "x", value: 0, size: 0, type: 0, bind: STB.GLOBAL, section: ".text" });
  assert.throws(() => writeElf(badSec), /no section named .text/);
  const reserved = sample();
  reserved.sections.push({ name: ".symtab", type: SHT.SYMTAB, flags: 0, data: new Uint8Array(0), align: 8 });
  assert.throws(() => writeElf(reserved), /generated/);
});

test("an object with no symbols or relocations is still valid", () => {
  const elf = readElf(writeElf({ sections: [], symbols: [] }));
  assert.deepEqual(elf.sections.map((s) => s.name), ["", ".symtab", ".strtab", ".shstrtab"]);
  assert.equal(elf.symbols.length, 1);
});
