// Tests for the call constructors: helper calls against llvm, local and kfunc call fields.
import { test } from "node:test";
import assert from "node:assert/strict";
import { call, callKfunc, callLocal } from "./func.ts";
import { Pseudo } from "./opcodes.ts";
import { checkAgainstLlvm, checkFormatOfBytes, skipWithoutLlvm } from "./llvm_testing.ts";
import { decode } from "./decode.ts";
import { encode } from "./encode.ts";
import { formatInsn } from "./format.ts";

test("helper calls match llvm-mc-19 bytes and llvm-objdump-19 text", (t) => {
  if (skipWithoutLlvm(t)) return;
  checkAgainstLlvm([["call 1", call(1)], ["call 212", call(212)], ["call -1", call(-1)]]);
});

test("local and kfunc calls print like llvm-objdump-19", (t) => {
  if (skipWithoutLlvm(t)) return;
  const { target: _t, ...local } = { ...callLocal("f"), imm: 7 };
  checkFormatOfBytes([local, callKfunc(1234)]);
});

test("call field values and round trip", () => {
  assert.deepEqual(call(1), { code: 0x85, dst: 0, src: 0, off: 0, imm: 1 });
  assert.deepEqual(callLocal("f"), { code: 0x85, dst: 0, src: Pseudo.CALL, off: 0, imm: 0, target: "f" });
  assert.deepEqual(callKfunc(99), { code: 0x85, dst: 0, src: Pseudo.KFUNC_CALL, off: 0, imm: 99 });
  assert.deepEqual(decode(encode([call(5), callKfunc(99)])), [call(5), callKfunc(99)]);
  assert.equal(formatInsn({ ...callLocal("f"), imm: 3 }), "call 0x3 <f>");
  assert.throws(() => call(2 ** 33), RangeError);
  assert.throws(() => callLocal(""), RangeError);
});
