// Tests for the ALU constructors: llvm-mc byte-exact encodings, round trips and argument checks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { alu32, alu64, type AluBinOp, bswap, endian, imm, mov32, mov64, movsx32, movsx64, neg32, neg64 } from "./alu.ts";
import type { Insn } from "./insn.ts";
import { checkAgainstLlvm, skipWithoutLlvm } from "./llvm_testing.ts";
import { decode } from "./decode.ts";
import { encode } from "./encode.ts";

const SYM: Record<Exclude<AluBinOp, "mov">, string> = {
  add: "+", sub: "-", mul: "*", div: "/", sdiv: "s/", or: "|", and: "&", lsh: "<<", rsh: ">>",
  mod: "%", smod: "s%", xor: "^", arsh: "s>>",
};

function sample(): [string, Insn][] {
  const out: [string, Insn][] = [];
  for (const [op, sym] of Object.entries(SYM) as [Exclude<AluBinOp, "mov">, string][]) {
    const k = op === "lsh" || op === "rsh" || op === "arsh" ? 7 : -5;
    out.push([`r3 ${sym}= r4`, alu64(op, 3, 4)]);
    out.push([`r3 ${sym}= ${k}`, alu64(op, 3, imm(k))]);
    out.push([`w9 ${sym}= w10`, alu32(op, 9, 10)]);
    out.push([`w9 ${sym}= ${k}`, alu32(op, 9, imm(k))]);
  }
  out.push(
    ["r0 = r10", mov64(0, 10)],
    ["r0 = 2147483647", mov64(0, imm(0x7fffffff))],
    ["r0 = -2147483648", mov64(0, imm(-0x80000000))],
    ["w1 = w2", mov32(1, 2)],
    ["w1 = -1", mov32(1, imm(0xffffffff))],
    ["r1 = -r1", neg64(1)],
    ["w7 = -w7", neg32(7)],
    ["r1 = (s8)r2", movsx64(1, 2, 8)],
    ["r1 = (s16)r2", movsx64(1, 2, 16)],
    ["r1 = (s32)r2", movsx64(1, 2, 32)],
    ["w1 = (s8)w2", movsx32(1, 2, 8)],
    ["w1 = (s16)w2", movsx32(1, 2, 16)],
    ["r5 = bswap16 r5", bswap(5, 16)],
    ["r5 = bswap32 r5", bswap(5, 32)],
    ["r5 = bswap64 r5", bswap(5, 64)],
    ["r6 = le16 r6", endian(6, "le", 16)],
    ["r6 = le32 r6", endian(6, "le", 32)],
    ["r6 = le64 r6", endian(6, "le", 64)],
    ["r6 = be16 r6", endian(6, "be", 16)],
    ["r6 = be32 r6", endian(6, "be", 32)],
    ["r6 = be64 r6", endian(6, "be", 64)],
  );
  return out;
}

test("ALU constructors match llvm-mc-19 bytes and llvm-objdump-19 text", (t) => {
  if (skipWithoutLlvm(t)) return;
  checkAgainstLlvm(sample());
});

test("ALU constructors round-trip through encode/decode", () => {
  const insns = sample().map(([, insn]) => insn);
  assert.deepEqual(decode(encode(insns)), insns);
});

test("ALU field values", () => {
  assert.deepEqual(alu64("sdiv", 1, 2), { code: 0x3f, dst: 1, src: 2, off: 1, imm: 0 });
  assert.deepEqual(alu32("smod", 1, imm(3)), { code: 0x94, dst: 1, src: 0, off: 1, imm: 3 });
  assert.deepEqual(mov32(1, imm(0xffffffff)), { code: 0xb4, dst: 1, src: 0, off: 0, imm: -1 });
  assert.deepEqual(bswap(2, 32), { code: 0xd7, dst: 2, src: 0, off: 0, imm: 32 });
  assert.deepEqual(endian(2, "be", 16), { code: 0xdc, dst: 2, src: 0, off: 0, imm: 16 });
});

test("ALU constructors reject bad operands", () => {
  assert.throws(() => alu64("add", 11, 1), RangeError);
  assert.throws(() => alu64("add", 1, -1), RangeError);
  assert.throws(() => alu64("add", 1, imm(2 ** 32)), RangeError);
  assert.throws(() => alu64("add", 1, imm(1.5)), RangeError);
  assert.throws(() => alu64("neg" as AluBinOp, 1, 2), /unknown ALU operation "neg"/);
  assert.throws(() => movsx32(1, 2, 32 as 8), RangeError);
  assert.throws(() => movsx64(1, 2, 64 as 8), RangeError);
  assert.throws(() => bswap(1, 8 as 16), RangeError);
  assert.throws(() => endian(1, "xe" as "le", 16), RangeError);
});
