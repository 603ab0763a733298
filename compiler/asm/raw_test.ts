// Tests for raw(): field checks and ld_imm64 handling of the asm escape hatch.
import { test } from "node:test";
import assert from "node:assert/strict";
import { raw } from "./raw.ts";
import { decode } from "./decode.ts";
import { encode } from "./encode.ts";
import { formatInsn } from "./format.ts";

test("raw builds records from kernel fields", () => {
  assert.deepEqual(raw(0x07, 1, 0, 0, 5), { code: 0x07, dst: 1, src: 0, off: 0, imm: 5 });
  assert.deepEqual(raw(0xb4, 1, 0, 0, 0xffffffff), { code: 0xb4, dst: 1, src: 0, off: 0, imm: -1 });
  assert.deepEqual(raw(0x61, 1, 2, -4, 0n), { code: 0x61, dst: 1, src: 2, off: -4, imm: 0 });
  assert.equal(formatInsn(raw(0x8d, 3, 0, 0, 0)), "callx r3");
});

test("raw ld_imm64 takes a 64-bit immediate", () => {
  const insn = raw(0x18, 1, 0, 0, -1n);
  assert.deepEqual(insn, { code: 0x18, dst: 1, src: 0, off: 0, imm: 0, imm64: 0xffffffffffffffffn });
  assert.deepEqual(decode(encode([insn])), [insn]);
  assert.equal(raw(0x18, 1, 0, 0, 7).imm64, 7n);
});

test("raw rejects out-of-range fields", () => {
  assert.throws(() => raw(0x100, 0, 0, 0, 0), /code must be a byte/);
  assert.throws(() => raw(0x07, 16, 0, 0, 0), RangeError);
  assert.throws(() => raw(0x07, 0, 0, 40000, 0), RangeError);
  assert.throws(() => raw(0x07, 0, 0, 0, 1n << 32n), /imm must fit in 32 bits/);
  assert.throws(() => raw(0x18, 0, 0, 0, 1n << 64n), RangeError);
});
