import { test } from "node:test";
import assert from "node:assert/strict";
import { foldBin, foldBswap, foldCond, foldExt, foldLog2 } from "./fold.ts";

const M = (1n << 64n) - 1n;

test("64-bit folding wraps modulo 2^64 and follows BPF's x/0 and x mod 0", () => {
  assert.equal(foldBin("add", M, 2n), 1n);
  assert.equal(foldBin("sub", 0n, 1n), M);
  assert.equal(foldBin("mul", 1n << 63n, 2n), 0n);
  assert.equal(foldBin("udiv", 7n, 0n), 0n);
  assert.equal(foldBin("umod", 7n, 0n), 7n);
  assert.equal(foldBin("lshr", M, 60n), 15n);
  assert.equal(foldBin("ashr", 1n << 63n, 63n), M); // sign bit 63
  assert.equal(foldBin("shl", 1n, 64n + 3n), 8n); // count mod 64
  assert.equal(foldBin("sdiv", M, 2n), 0n); // -1 / 2 = 0 (toward zero)
  assert.equal(foldBin("smod", M - 6n, 3n), M); // -7 mod 3 = -1 (sign of the dividend)
});

test("32-bit (ALU32) folding: low 32 bits, shift counts mod 32, sign at bit 31, zero-extended", () => {
  assert.equal(foldBin("add", 0xffffffffn, 2n, true), 1n);
  assert.equal(foldBin("add", 0x1_0000_0005n, 1n, true), 6n); // high bits of operands ignored
  assert.equal(foldBin("shl", 1n, 33n, true), 2n); // 33 mod 32 = 1
  assert.equal(foldBin("lshr", 0x80000000n, 32n + 31n, true), 1n);
  assert.equal(foldBin("ashr", 0x80000000n, 31n, true), 0xffffffffn); // sign from bit 31, zero-extended
  assert.equal(foldBin("sub", 0n, 1n, true), 0xffffffffn);
  assert.equal(foldBin("sdiv", 0xfffffff9n, 2n, true), 0xfffffffdn); // -7 / 2 = -3
  assert.equal(foldBin("smod", 0xfffffff9n, 3n, true), 0xffffffffn); // -7 mod 3 = -1
  assert.equal(foldBin("udiv", 5n, 0n, true), 0n);
  assert.equal(foldBin("umod", 5n, 0n, true), 5n);
});

test("conditions, extensions, byte swaps, log2", () => {
  assert.equal(foldCond("slt", M, 0n), true);
  assert.equal(foldCond("ult", M, 0n), false);
  assert.equal(foldCond("slt", 0xffffffffn, 0n, true), true);
  assert.equal(foldCond("set", 6n, 1n), false);
  assert.equal(foldExt(0x1ffn, 8, false), 0xffn);
  assert.equal(foldExt(0x80n, 8, true), M - 127n);
  assert.equal(foldBswap(0x0800n, 16), 0x0008n);
  assert.equal(foldBswap(0x11223344n, 32), 0x44332211n);
  assert.equal(foldLog2(0n), 0n);
  assert.equal(foldLog2(M), 63n);
  assert.equal(foldLog2(1024n), 10n);
});
