// Tests for the ELF64 reader: rejection of non-ELF64-LE input and reading a real binary.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import process from "node:process";
import { readElf } from "./read.ts";
import { SHT } from "./write.ts";

const header = (cls: number, data: number) => {
  const b = new Uint8Array(64);
  b.set([0x7f, 0x45, 0x4c, 0x46, cls, data, 1]);
  return b;
};

test("non-ELF64-LE input throws a clear error", () => {
  assert.throws(() => readElf(new TextEncoder().encode("#!/bin/sh\necho hi\n")), /not an ELF file/);
  assert.throws(() => readElf(new Uint8Array(0)), /not an ELF file/);
  assert.throws(() => readElf(header(1, 1)), /not an ELF64 file/);
  assert.throws(() => readElf(header(2, 2)), /not a little-endian ELF file/);
  assert.throws(() => readElf(header(2, 1).subarray(0, 20)), /truncated/);
  const bad = header(2, 1);
  new DataView(bad.buffer).setBigUint64(40, 1000n, true); // section headers past the end
  new DataView(bad.buffer).setUint16(58, 64, true);
  new DataView(bad.buffer).setUint16(60, 3, true);
  assert.throws(() => readElf(bad), /truncated or invalid ELF section header table/);
});

test("a header without section headers reads as empty", () => {
  const elf = readElf(header(2, 1));
  assert.deepEqual(elf.sections, []);
  assert.deepEqual(elf.symbols, []);
});

test("reads the running runtime's own ELF64 executable", (t) => {
  if (process.platform !== "linux") {
    console.log("SKIP: not Linux, the runtime binary is not ELF");
    t.skip();
    return;
  }
  const elf = readElf(readFileSync(process.execPath));
  assert.ok(elf.sections.length > 5);
  assert.equal(elf.sections[0].type, SHT.NULL);
  const text = elf.sections.find((s) => s.name === ".text");
  assert.ok(text && text.size > 0, "has .text");
  assert.ok(elf.sections.some((s) => s.name === ".shstrtab"));
});
