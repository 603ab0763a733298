// Tests for decode: inverse of encode, ld_imm64 as one unsigned 64-bit record, malformed input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { decode } from "./decode.ts";
import { encode } from "./encode.ts";
import { alu32, alu64, imm, mov64 } from "./alu.ts";
import { ldImm64, ldx, stx } from "./load_store.ts";
import { exit } from "./jump.ts";
import { raw } from "./raw.ts";

test("decode inverts encode", () => {
  const insns = [ldImm64(1, -2n), alu64("sdiv", 1, imm(-7)), alu32("xor", 9, 10), ldx(8, 0, 10, -0x8000), stx(2, 1, 2, 0x7fff), exit()];
  assert.deepEqual(decode(encode(insns)), insns);
});

test("ld_imm64 decodes to one record with an unsigned imm64", () => {
  const [insn] = decode(encode([ldImm64(3, -1n)]));
  assert.deepEqual(insn, { code: 0x18, dst: 3, src: 0, off: 0, imm: 0, imm64: 0xffffffffffffffffn });
  const [pseudo] = decode(encode([raw(0x18, 1, 2, 0, 0x0000000500000004n)]));
  assert.deepEqual([pseudo.src, pseudo.imm64], [2, 0x500000004n]);
});

test("decode reads a subarray at a non-zero byte offset", () => {
  const bytes = encode([mov64(0, imm(1)), mov64(2, 3)]);
  const buf = new Uint8Array(bytes.length + 3);
  buf.set(bytes, 3);
  assert.deepEqual(decode(buf.subarray(3)), [mov64(0, imm(1)), mov64(2, 3)]);
});

test("decode rejects malformed programs", () => {
  assert.throws(() => decode(new Uint8Array(7)), /not a multiple of 8/);
  assert.throws(() => decode(encode([ldImm64(1, 0n)]).subarray(0, 8)), /ld_imm64 at slot 0 is truncated/);
  const bad = encode([exit(), ldImm64(1, 0n)]);
  bad[16] = 0x95;
  assert.throws(() => decode(bad), /ld_imm64 at slot 1 has a non-zero second slot header/);
});
