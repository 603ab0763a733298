// Tests for load/store constructors: every size, sign-extending loads, atomics, ld_imm64,
// ld_abs/ld_ind, against llvm-mc-19/llvm-objdump-19, plus round trips and argument checks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type AtomicName, atomic, ldAbs, ldImm64, ldInd, ldMapFd, ldx, ldxsx, st, stx } from "./load_store.ts";
import type { Insn } from "./insn.ts";
import { Pseudo } from "./opcodes.ts";
import { checkAgainstLlvm, checkFormatOfBytes, skipWithoutLlvm } from "./llvm_testing.ts";
import { decode } from "./decode.ts";
import { encode } from "./encode.ts";
import { formatInsn } from "./format.ts";

const BYTES = [1, 2, 4, 8] as const;
const ATOMIC_SYM = { add: "+", and: "&", or: "|", xor: "^" } as const;

function sample(): [string, Insn][] {
  const out: [string, Insn][] = [];
  for (const n of BYTES) {
    const u = `u${n * 8}`;
    out.push([`r1 = *(${u} *)(r2 + 4)`, ldx(n, 1, 2, 4)]);
    out.push([`r0 = *(${u} *)(r10 - 32768)`, ldx(n, 0, 10, -0x8000)]);
    out.push([`*(${u} *)(r10 - 8) = r3`, stx(n, 10, 3, -8)]);
    out.push([`*(${u} *)(r1 + 32767) = -1`, st(n, 1, 0x7fff, -1)]);
    out.push([`*(${u} *)(r1 + 0) = 305419896`, st(n, 1, 0, 0x12345678)]);
  }
  for (const n of [1, 2, 4] as const) {
    out.push([`r4 = *(s${n * 8} *)(r5 + 1)`, ldxsx(n, 4, 5, 1)]);
    out.push([`r0 = *(u${n * 8} *)skb[12]`, ldAbs(n, 12)]);
    out.push([`r0 = *(u${n * 8} *)skb[r7]`, ldInd(n, 7, 0)]);
  }
  for (const [op, sym] of Object.entries(ATOMIC_SYM) as [keyof typeof ATOMIC_SYM, string][]) {
    out.push([`lock *(u64 *)(r1 + 8) ${sym}= r2`, atomic(op, 8, 1, 2, 8)]);
    out.push([`lock *(u32 *)(r1 - 8) ${sym}= w2`, atomic(op, 4, 1, 2, -8)]);
    out.push([`r2 = atomic_fetch_${op}((u64 *)(r1 + 0), r2)`, atomic(op, 8, 1, 2, 0, true)]);
    out.push([`w2 = atomic_fetch_${op}((u32 *)(r1 + 0), w2)`, atomic(op, 4, 1, 2, 0, true)]);
  }
  out.push(
    ["r3 = xchg_64(r1 + 16, r3)", atomic("xchg", 8, 1, 3, 16)],
    ["w3 = xchg32_32(r1 + 16, w3)", atomic("xchg", 4, 1, 3, 16)],
    ["r0 = cmpxchg_64(r1 + 16, r0, r4)", atomic("cmpxchg", 8, 1, 4, 16)],
    ["w0 = cmpxchg32_32(r1 + 16, w0, w4)", atomic("cmpxchg", 4, 1, 4, 16)],
    ["r1 = 0 ll", ldImm64(1, 0n)],
    ["r2 = -1 ll", ldImm64(2, -1n)],
    ["r9 = 0x123456789abcdef0 ll", ldImm64(9, 0x123456789abcdef0n)],
    ["r0 = 2147483648 ll", ldImm64(0, 0x80000000n)],
    ["r0 = -9223372036854775808 ll", ldImm64(0, -(1n << 63n))],
  );
  return out;
}

test("load/store constructors match llvm-mc-19 bytes and llvm-objdump-19 text", (t) => {
  if (skipWithoutLlvm(t)) return;
  checkAgainstLlvm(sample());
});

test("pseudo ld_imm64 prints like llvm-objdump-19", (t) => {
  if (skipWithoutLlvm(t)) return;
  const { map: _map, ...mapFd } = ldMapFd(1, "events");
  checkFormatOfBytes([mapFd, { ...ldImm64(3, 0xffffffff00000007n), src: Pseudo.MAP_VALUE }]);
});

test("load/store constructors round-trip through encode/decode", () => {
  const insns = sample().map(([, insn]) => insn);
  assert.deepEqual(decode(encode(insns)), insns);
});

test("load/store field values", () => {
  assert.deepEqual(ldImm64(1, -1n), { code: 0x18, dst: 1, src: 0, off: 0, imm: 0, imm64: 0xffffffffffffffffn });
  assert.deepEqual(ldMapFd(2, "m"), { code: 0x18, dst: 2, src: Pseudo.MAP_FD, off: 0, imm: 0, imm64: 0n, map: "m" });
  assert.deepEqual(ldx(4, 1, 2, 3), { code: 0x61, dst: 1, src: 2, off: 3, imm: 0 });
  assert.deepEqual(ldxsx(2, 1, 2, 3), { code: 0x89, dst: 1, src: 2, off: 3, imm: 0 });
  assert.deepEqual(stx(1, 10, 2, -1), { code: 0x73, dst: 10, src: 2, off: -1, imm: 0 });
  assert.deepEqual(st(8, 10, -8, 0xffffffff), { code: 0x7a, dst: 10, src: 0, off: -8, imm: -1 });
  assert.deepEqual(atomic("add", 8, 1, 2, 0, true), { code: 0xdb, dst: 1, src: 2, off: 0, imm: 0x01 });
  assert.deepEqual(atomic("cmpxchg", 4, 1, 2, 0), { code: 0xc3, dst: 1, src: 2, off: 0, imm: 0xf1 });
  assert.deepEqual(ldAbs(2, 12), { code: 0x28, dst: 0, src: 0, off: 0, imm: 12 });
  assert.deepEqual(ldInd(4, 3, 8), { code: 0x40, dst: 0, src: 3, off: 0, imm: 8 });
  assert.equal(formatInsn(ldMapFd(1, "events")), "r1 = 0x0 ll # map events");
  // llvm-objdump drops a non-zero ld_ind imm; we print it.
  assert.equal(formatInsn(ldInd(2, 3, 8)), "r0 = *(u16 *)skb[r3 + 0x8]");
  assert.equal(formatInsn(ldInd(2, 3, -8)), "r0 = *(u16 *)skb[r3 - 0x8]");
});

test("load/store constructors reject bad operands", () => {
  assert.throws(() => ldx(3 as 4, 1, 2, 0), /ldx size must be one of 1, 2, 4, 8 bytes, got 3/);
  assert.throws(() => ldxsx(8 as 4, 1, 2, 0), RangeError);
  assert.throws(() => ldx(4, 1, 2, 0x8000), /off must be a signed 16-bit integer/);
  assert.throws(() => st(4, 1, 0, 2 ** 32), RangeError);
  assert.throws(() => atomic("add", 2 as 4, 1, 2, 0), RangeError);
  assert.throws(() => atomic("nand" as AtomicName, 8, 1, 2, 0), /unknown atomic operation/);
  assert.throws(() => ldImm64(1, 1n << 64n), RangeError);
  assert.throws(() => ldImm64(1, -(1n << 63n) - 1n), RangeError);
  assert.throws(() => ldAbs(8 as 4, 0), RangeError);
  assert.throws(() => ldMapFd(1, ""), RangeError);
});
