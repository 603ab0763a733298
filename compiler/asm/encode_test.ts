// Tests for encode/byteOffsets: exact byte layout, immediate normalisation and field validation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { byteOffsets, encode } from "./encode.ts";
import { alu64, imm, mov32 } from "./alu.ts";
import { ldImm64, ldx } from "./load_store.ts";
import { exit } from "./jump.ts";
import type { Insn } from "./insn.ts";

test("encode lays out fields little-endian, registers in nibbles", () => {
  assert.deepEqual([...encode([ldx(4, 1, 10, -8)])], [0x61, 0xa1, 0xf8, 0xff, 0, 0, 0, 0]);
  assert.deepEqual([...encode([alu64("add", 3, imm(-2))])], [0x07, 0x03, 0, 0, 0xfe, 0xff, 0xff, 0xff]);
});

test("ld_imm64 takes two slots: low word first, second slot header zero", () => {
  assert.deepEqual([...encode([ldImm64(2, 0x1122334455667788n)])],
    [0x18, 0x02, 0, 0, 0x88, 0x77, 0x66, 0x55, 0, 0, 0, 0, 0x44, 0x33, 0x22, 0x11]);
  assert.deepEqual([...encode([{ ...ldImm64(1, 0n), imm64: -1n }])].slice(4), [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
});

test("signed and unsigned 32-bit immediates encode alike", () => {
  const a = encode([{ ...mov32(1, imm(0)), imm: 0xffffffff }]);
  const b = encode([{ ...mov32(1, imm(0)), imm: -1 }]);
  assert.deepEqual(a, b);
});

test("byteOffsets counts 16 bytes for ld_imm64", () => {
  assert.deepEqual(byteOffsets([exit(), ldImm64(1, 1n), exit(), exit()]), [0, 8, 24, 32]);
  assert.deepEqual(byteOffsets([]), []);
  assert.equal(encode([]).length, 0);
});

test("encode rejects out-of-range fields with a RangeError naming the instruction", () => {
  const base: Insn = exit();
  const bad: [Partial<Insn>, RegExp][] = [
    [{ dst: 11 }, /instruction 1 \(code 0x95\): dst must be a register 0\.\.10, got 11/],
    [{ src: -1 }, /src must be a register/],
    [{ off: 0x8000 }, /off must be a signed 16-bit integer, got 32768/],
    [{ off: -0x8001 }, /off must be a signed 16-bit/],
    [{ imm: 2 ** 32 }, /imm must fit in 32 bits/],
    [{ imm: -(2 ** 31) - 1 }, /imm must fit in 32 bits/],
    [{ imm: 0.5 }, /imm must fit in 32 bits/],
    [{ code: 256 }, /code must be a byte/],
    [{ code: 0x18 }, /ld_imm64 needs imm64/],
    [{ code: 0x18, imm64: 1n << 64n }, /imm64 must fit in 64 bits/],
  ];
  for (const [patch, re] of bad) assert.throws(() => encode([exit(), { ...base, ...patch }]), (e) => e instanceof RangeError && re.test(e.message));
});
