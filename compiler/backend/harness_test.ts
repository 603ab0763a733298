// Tests of the harness itself: tests/vm.ts catches what the verifier rejects (clobbered argument
// registers, R10 writes, ld_abs without ctx in R6); both interpreters follow BPF runtime rules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AluOp, Class, Src, alu32, alu64, call, endian, exit, imm, ldAbs, ldx, mov32, mov64 } from "../asm/mod.ts";
import type { Item } from "../asm/insn.ts";
import { CTX_BASE, KTIME, World, interpret } from "../../tests/ir_interp.ts";
import { runVm } from "../../tests/vm.ts";
import { FnBuilder } from "./testing/builder.ts";

const ctx = () => new World(Uint8Array.from({ length: 64 }, (_, i) => i));
const vm = (items: Item[]) => runVm(items, ctx()).ret;

test("vm: R1-R5 are unreadable after a call, R6-R9 survive", () => {
  assert.throws(() => vm([mov64(6, 1), call(5), mov64(0, 1), exit()]), /uninitialised r1/);
  assert.equal(vm([mov64(6, imm(7)), call(5), mov64(0, 6), exit()]), 7n);
  assert.equal(vm([call(5), exit()]), KTIME);
});

test("vm: writing r10, ld_abs without the context in r6, falling off the end", () => {
  assert.throws(() => vm([mov64(10, imm(0)), exit()]), /r10/);
  assert.throws(() => vm([mov64(6, imm(0)), ldAbs(1, 0), exit()]), /r6/);
  assert.equal(vm([mov64(6, 1), ldAbs(2, 3), exit()]), 0x0304n); // big-endian packet bytes
  assert.throws(() => vm([mov64(0, imm(1))]), /fell off/);
});

test("vm: ALU semantics (32-bit zero-extension, division by zero, byte swaps)", () => {
  assert.equal(vm([mov64(0, imm(-1)), alu32("add", 0, imm(0)), exit()]), 0xffffffffn);
  assert.equal(vm([mov64(0, imm(9)), mov64(2, imm(0)), alu64("div", 0, 2), exit()]), 0n);
  assert.equal(vm([mov64(0, imm(9)), mov64(2, imm(0)), alu64("mod", 0, 2), exit()]), 9n);
  assert.equal(vm([mov64(0, imm(-8)), alu64("arsh", 0, imm(1)), exit()]), 0xfffffffffffffffcn);
  assert.equal(vm([ldx(2, 0, 1, 0), endian(0, "be", 16), exit()]), 0x0001n);
  assert.equal(vm([mov32(0, imm(-1)), exit()]), 0xffffffffn);
  assert.equal(vm([{ code: Class.ALU64 | AluOp.mov | Src.X, dst: 0, src: 1, off: 0, imm: 0 }, exit()]), CTX_BASE);
});

test("interpreter: wrap-around, x/0 = 0, x%0 = x, 32-bit operations zero-extend", () => {
  const run = (build: (f: FnBuilder) => number) => {
    const f = new FnBuilder();
    f.param(0);
    f.ret(build(f));
    return interpret(f.build(), ctx());
  };
  assert.equal(run((f) => f.bin("add", f.const(-1), f.const(2))), 1n);
  assert.equal(run((f) => f.bin("udiv", f.const(7), f.const(0))), 0n);
  assert.equal(run((f) => f.bin("umod", f.const(7), f.const(0))), 7n);
  assert.equal(run((f) => f.bin("sub", f.const(0), f.const(1), true)), 0xffffffffn);
  assert.equal(run((f) => f.bin("sdiv", f.const(-(1n << 63n)), f.const(-1))), 1n << 63n);
  assert.equal(run((f) => f.def({ op: "bswap", a: f.const(0x1234), bits: 16 })), 0x3412n);
});
