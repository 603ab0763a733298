// Tests for the jump constructors: every condition in JMP and JMP32, reg and imm, against llvm.
import { test } from "node:test";
import assert from "node:assert/strict";
import { exit, gotol, jcond, jmp } from "./jump.ts";
import { imm } from "./alu.ts";
import type { Insn } from "./insn.ts";
import type { CondName } from "./opcodes.ts";
import { checkAgainstLlvm, checkFormatOfBytes, skipWithoutLlvm } from "./llvm_testing.ts";
import { decode } from "./decode.ts";
import { encode } from "./encode.ts";

const SYM: Record<CondName, string> = {
  jeq: "==", jgt: ">", jge: ">=", jset: "&", jne: "!=", jsgt: "s>", jsge: "s>=",
  jlt: "<", jle: "<=", jslt: "s<", jsle: "s<=",
};

/** The record as layout would leave it, minus the target (decoded records have none). */
function at(insn: Insn, field: "off" | "imm", value: number): Insn {
  const { target: _target, ...rest } = insn;
  return { ...rest, [field]: value };
}

function sample(): [string, Insn][] {
  const out: [string, Insn][] = [];
  for (const [cond, sym] of Object.entries(SYM) as [CondName, string][]) {
    out.push([`if r1 ${sym} r2 goto +3`, at(jcond(cond, 1, 2, "L"), "off", 3)]);
    out.push([`if r9 ${sym} -7 goto -2`, at(jcond(cond, 9, imm(-7), "L"), "off", -2)]);
    out.push([`if w3 ${sym} w4 goto +32767`, at(jcond(cond, 3, 4, "L", true), "off", 0x7fff)]);
    out.push([`if w0 ${sym} 65535 goto -32768`, at(jcond(cond, 0, imm(0xffff), "L", true), "off", -0x8000)]);
  }
  out.push(
    ["goto +0", at(jmp("L"), "off", 0)],
    ["goto -1", at(jmp("L"), "off", -1)],
    ["gotol +5", at(gotol("L"), "imm", 5)],
    ["gotol -30000", at(gotol("L"), "imm", -30000)],
    ["exit", exit()],
  );
  return out;
}

test("jump constructors match llvm-mc-19 bytes and llvm-objdump-19 text", (t) => {
  if (skipWithoutLlvm(t)) return;
  checkAgainstLlvm(sample());
});

test("gotol beyond 16 bits prints like llvm-objdump-19", (t) => {
  // llvm-mc only assembles 16-bit gotol literals, so feed the bytes.
  if (skipWithoutLlvm(t)) return;
  checkFormatOfBytes([at(gotol("L"), "imm", -100000), at(gotol("L"), "imm", 0x7fffffff)]);
});

test("jump constructors round-trip through encode/decode", () => {
  const insns = sample().map(([, insn]) => insn);
  assert.deepEqual(decode(encode(insns)), insns);
});

test("jump field values", () => {
  assert.deepEqual(jmp("out"), { code: 0x05, dst: 0, src: 0, off: 0, imm: 0, target: "out" });
  assert.deepEqual(gotol("out"), { code: 0x06, dst: 0, src: 0, off: 0, imm: 0, target: "out" });
  assert.deepEqual(jcond("jne", 1, imm(0xffffffff), "x", true), { code: 0x56, dst: 1, src: 0, off: 0, imm: -1, target: "x" });
  assert.deepEqual(jcond("jsle", 1, 2, "x"), { code: 0xdd, dst: 1, src: 2, off: 0, imm: 0, target: "x" });
  assert.deepEqual(exit(), { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 });
});

test("jump constructors reject bad operands", () => {
  assert.throws(() => jcond("ja" as CondName, 1, 2, "x"), /unknown jump condition "ja"/);
  assert.throws(() => jcond("jeq", 1, 12, "x"), RangeError);
  assert.throws(() => jcond("jeq", 1, 2, ""), RangeError);
  assert.throws(() => jmp(""), RangeError);
});
