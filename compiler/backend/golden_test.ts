// Golden tests: hand-built IR functions → generate() → exact instruction text (llvm-objdump
// syntax, jump targets by label), plus the user-facing errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { generate } from "./mod.ts";
import { FnBuilder, listing } from "./testing/builder.ts";
import { CompileError } from "../diag.ts";
import { World } from "../../tests/ir_interp.ts";
import { runVm } from "../../tests/vm.ts";

const gen = (f: FnBuilder, cpu: 1 | 2 | 3 | 4 = 3) => generate(f.build(), { cpu });
const text = (f: FnBuilder, cpu: 1 | 2 | 3 | 4 = 3) => listing(gen(f, cpu).items);
const lines = (...xs: string[]) => xs.join("\n");

test("map lookup, null check, increment: values across the call live in r6, no moves around R0", () => {
  const f = new FnBuilder("prog");
  const ctx = f.param(0);
  const key = f.stack(f.slot(4, 4, "key"));
  const data = f.load(4, ctx, 0);
  f.store(4, key, 0, f.const(0));
  const v = f.call(1, f.mapref("counts"), key);
  const miss = f.block(), hit = f.block();
  f.at(0).br("eq", v, f.const(0), miss, hit);
  f.at(hit);
  f.store(8, v, 0, f.bin("add", f.load(8, v, 0), f.const(1)));
  f.ret(data);
  f.at(miss).ret(f.const(2));
  const r = gen(f);
  assert.equal(listing(r.items), lines(
    "  r6 = *(u32 *)(r1 + 0x0)",
    "  *(u32 *)(r10 - 0x4) = 0x0",
    "  r1 = 0x0 ll # map counts",
    "  r2 = r10",
    "  r2 += -0x4",
    "  call 0x1",
    "  if r0 == 0x0 goto LBB0_2",
    "  r1 = *(u64 *)(r0 + 0x0)",
    "  r1 += 0x1",
    "  *(u64 *)(r0 + 0x0) = r1",
    "  r0 = r6",
    "  exit",
    "LBB0_2:",
    "  r0 = 0x2",
    "  exit",
  ));
  assert.equal(r.stackSize, 4);
  assert.deepEqual(r.slots, [{ name: "key", size: 4, offset: 4 }]);
  const call = r.items.find((i) => "code" in i && i.code === 0x85);
  assert.ok(call);
});

test("loop: φs coalesced with their updates, fall-through layout", () => {
  const f = new FnBuilder("loop");
  const n = f.load(4, f.param(0), 0);
  const zero = f.const(0);
  const h = f.block(), body = f.block(), exit = f.block();
  f.at(0).jmp(h);
  const i = f.phi(h, [[0, zero]]), acc = f.phi(h, [[0, zero]]);
  f.at(h).br("ult", i, n, body, exit);
  f.at(body);
  const acc2 = f.bin("add", acc, i), i2 = f.bin("add", i, f.const(1));
  f.jmp(h);
  f.phiArg(h, i, body, i2);
  f.phiArg(h, acc, body, acc2);
  f.at(exit).ret(acc);
  assert.equal(text(f), lines(
    "  r2 = *(u32 *)(r1 + 0x0)",
    "  r1 = 0x0",
    "  r0 = 0x0",
    "LBB0_1:",
    "  if r1 < r2 goto LBB0_3",
    "  exit",
    "LBB0_3:",
    "  r0 += r1",
    "  r1 += 0x1",
    "  goto LBB0_1",
  ));
});

test("diamond with a φ: each arm computes straight into r0 and exits on its own", () => {
  const f = new FnBuilder();
  const x = f.load(4, f.param(0), 0);
  const t = f.block(), e = f.block(), j = f.block();
  f.at(0).br("sgt", x, f.const(10), t, e);
  f.at(t);
  const a = f.bin("mul", x, f.const(3));
  f.jmp(j);
  f.at(e);
  const b = f.bin("sub", f.const(100), x);
  f.jmp(j);
  f.at(j).ret(f.phi(j, [[t, a], [e, b]]));
  assert.equal(text(f), lines(
    "  r1 = *(u32 *)(r1 + 0x0)",
    "  if r1 s> 0xa goto LBB0_2",
    "  r0 = 0x64",
    "  r0 -= r1",
    "  exit",
    "LBB0_2:",
    "  r0 = r1",
    "  r0 *= 0x3",
    "  exit",
  ));
});

test("a constant left operand is swapped; v1 has no jlt, so the inverse is used", () => {
  const f = new FnBuilder();
  const x = f.load(4, f.param(0), 0);
  const t = f.block(), e = f.block();
  f.at(0).br("ult", f.const(5), x, t, e);
  f.at(t).ret(f.const(1));
  f.at(e).ret(f.const(0));
  const want = lines(
    "  r1 = *(u32 *)(r1 + 0x0)",
    "  if r1 > 0x5 goto LBB0_2",
    "  r0 = 0x0",
    "  exit",
    "LBB0_2:",
    "  r0 = 0x1",
    "  exit",
  );
  assert.equal(text(f), want);
  const g = new FnBuilder();
  const y = g.load(4, g.param(0), 0);
  const t2 = g.block(), e2 = g.block();
  g.at(0).br("ult", y, g.const(5), t2, e2);
  g.at(t2).ret(g.const(1));
  g.at(e2).ret(g.const(0));
  assert.equal(text(g, 1), lines(
    "  r1 = *(u32 *)(r1 + 0x0)",
    "  if r1 >= 0x5 goto LBB0_2",
    "  r0 = 0x1",
    "  exit",
    "LBB0_2:",
    "  r0 = 0x0",
    "  exit",
  ));
});

test("immediates: mov32 for u32 constants, ld_imm64 for wide ones, BPF_ST to the stack but not to ctx", () => {
  const f = new FnBuilder();
  const c = f.param(0);
  const x = f.load(8, c, 0);
  const a = f.bin("and", x, f.const(0xffffffffn));
  const b = f.bin("xor", a, f.const(0x123456789an));
  const d = f.bin("or", b, f.const(0x80000000n));
  f.store(8, c, 8, f.const(7));
  const s = f.stack(f.slot(8, 8, "tmp"));
  f.store(8, s, 0, f.const(-5));
  f.store(4, s, 0, f.const(0xffffffffn));
  f.ret(f.bin("add", d, f.const(-1)));
  assert.equal(text(f), lines(
    "  r2 = *(u64 *)(r1 + 0x0)",
    "  w0 = w2",
    "  r2 = 0x123456789a ll",
    "  r0 ^= r2",
    "  w2 = -0x80000000",
    "  r0 |= r2",
    "  r2 = 0x7",
    "  *(u64 *)(r1 + 0x8) = r2",
    "  *(u64 *)(r10 - 0x8) = -0x5",
    "  *(u32 *)(r10 - 0x8) = -0x1",
    "  r0 += -0x1",
    "  exit",
  ));
});

test("swapping φs in a loop: the critical back edge is split and the cycle broken with a temp", () => {
  const f = new FnBuilder();
  const c = f.param(0);
  const x = f.load(4, c, 0), y = f.load(4, c, 4);
  const zero = f.const(0);
  const h = f.block(), ex = f.block();
  f.at(0).jmp(h);
  const i = f.phi(h, [[0, zero]]), a = f.phi(h, [[0, x]]), b = f.phi(h, [[0, y]]);
  f.at(h);
  const i2 = f.bin("add", i, f.const(1));
  f.br("ult", i2, f.const(10), h, ex);
  f.phiArg(h, i, h, i2);
  f.phiArg(h, a, h, b);
  f.phiArg(h, b, h, a);
  f.at(ex).ret(f.bin("sub", a, b));
  assert.equal(text(f), lines(
    "  r0 = *(u32 *)(r1 + 0x0)",
    "  r1 = *(u32 *)(r1 + 0x4)",
    "  r2 = 0x0",
    "LBB0_1:",
    "  r2 += 0x1",
    "  if r2 < 0xa goto LBB0_3",
    "  r0 -= r1",
    "  exit",
    "LBB0_3:",
    "  r3 = r0",
    "  r0 = r1",
    "  r1 = r3",
    "  goto LBB0_1",
  ));
});

test("ld_abs: the context is kept in r6, results come from r0", () => {
  const f = new FnBuilder();
  const c = f.param(0);
  const p = f.def({ op: "ldabs", size: 2, ctx: c, off: 12 });
  const q = f.def({ op: "ldabs", size: 1, ctx: c, off: 23 });
  f.ret(f.bin("add", p, q));
  assert.equal(text(f), lines(
    "  r6 = r1",
    "  r0 = *(u16 *)skb[0xc]",
    "  r7 = r0",
    "  r0 = *(u8 *)skb[0x17]",
    "  r0 += r7",
    "  exit",
  ));
});

test("atomics: fetch result tied to the value register, cmpxchg through r0", () => {
  const f = new FnBuilder();
  const c = f.param(0);
  const k = f.stack(f.slot(8, 8, "cnt"));
  f.store(8, k, 0, f.const(0));
  const old = f.reg(), o2 = f.reg();
  f.put({ op: "atomic", kind: "add", fetch: true, size: 8, base: k, off: 0, value: f.const(1), dst: old } as never);
  const x = f.load(8, c, 0);
  f.put({ op: "atomic", kind: "cmpxchg", fetch: true, size: 8, base: k, off: 0, value: x, expected: old, dst: o2 } as never);
  f.put({ op: "atomic", kind: "or", fetch: false, size: 4, base: c, off: 4, value: x });
  f.ret(f.bin("add", old, o2));
  assert.equal(text(f), lines(
    "  *(u64 *)(r10 - 0x8) = 0x0",
    "  r2 = 0x1",
    "  r2 = atomic_fetch_add((u64 *)(r10 - 0x8), r2)",
    "  r3 = *(u64 *)(r1 + 0x0)",
    "  r0 = r2",
    "  r0 = cmpxchg_64(r10 - 0x8, r0, r3)",
    "  lock *(u32 *)(r1 + 0x4) |= w3",
    "  r0 += r2",
    "  exit",
  ));
});

test("extensions and signed loads: shifts before v4, movsx/ldxsx with v4", () => {
  const build = () => {
    const f = new FnBuilder();
    const x = f.load(2, f.param(0), 0, true);
    const e1 = f.def({ op: "ext", a: x, bits: 8, signed: true });
    const e2 = f.def({ op: "ext", a: e1, bits: 32, signed: false });
    const e3 = f.def({ op: "ext", a: e2, bits: 16, signed: false });
    const s = f.def({ op: "bswap", a: e3, bits: 16 });
    f.ret(f.bin("add", s, x));
    return f;
  };
  assert.equal(text(build(), 3), lines(
    "  r1 = *(u16 *)(r1 + 0x0)",
    "  r1 <<= 0x30",
    "  r1 s>>= 0x30",
    "  r2 = r1",
    "  r2 <<= 0x38",
    "  r2 s>>= 0x38",
    "  w0 = w2",
    "  r0 &= 0xffff",
    "  r0 = be16 r0",
    "  r0 += r1",
    "  exit",
  ));
  assert.equal(text(build(), 4), lines(
    "  r1 = *(s16 *)(r1 + 0x0)",
    "  r2 = (s8)r1",
    "  w0 = w2",
    "  r0 &= 0xffff",
    "  r0 = be16 r0",
    "  r0 += r1",
    "  exit",
  ));
});

test("32-bit compare: JMP32 from v3, extension and a 64-bit compare before", () => {
  const build = () => {
    const f = new FnBuilder();
    const y = f.bin("add", f.load(8, f.param(0), 0), f.const(3), true);
    const t = f.block(), e = f.block();
    f.at(0).br("slt", y, f.const(-7), t, e, true);
    f.at(t).ret(y);
    f.at(e).ret(f.const(0));
    return f;
  };
  assert.equal(text(build(), 3), lines(
    "  r0 = *(u64 *)(r1 + 0x0)",
    "  w0 += 0x3",
    "  if w0 s< -0x7 goto LBB0_2",
    "  r0 = 0x0",
    "  exit",
    "LBB0_2:",
    "  exit",
  ));
  assert.equal(text(build(), 2), lines(
    "  r0 = *(u64 *)(r1 + 0x0)",
    "  w0 += 0x3",
    "  r1 = r0",
    "  r1 <<= 0x20",
    "  r1 s>>= 0x20",
    "  if r1 s< -0x7 goto LBB0_2",
    "  r0 = 0x0",
    "  exit",
    "LBB0_2:",
    "  exit",
  ));
});

test("division by a constant zero folds (x/0 = 0, x%0 = x); constant shifts are masked", () => {
  const f = new FnBuilder();
  const x = f.load(8, f.param(0), 0);
  const a = f.bin("udiv", x, f.const(0)), b = f.bin("umod", x, f.const(0)), d = f.bin("shl", x, f.const(70));
  f.ret(f.bin("add", f.bin("add", a, b), d));
  assert.equal(text(f), lines(
    "  r1 = *(u64 *)(r1 + 0x0)",
    "  r0 = r1",
    "  r1 <<= 0x6",
    "  r0 += r1",
    "  exit",
  ));
});

test("helper calls: arguments built in place, values needed later kept in r6-r9", () => {
  const f = new FnBuilder();
  const c = f.param(0);
  const a = f.load(4, c, 0), b = f.load(4, c, 4), d = f.load(4, c, 8);
  const t = f.call(5);
  const x = f.call(103, a, b, t);
  const y = f.call(103, x, d, a);
  let s = f.bin("add", a, b);
  s = f.bin("add", s, d);
  s = f.bin("add", s, x);
  f.ret(f.bin("add", s, y));
  assert.equal(text(f), lines(
    "  r7 = *(u32 *)(r1 + 0x0)",
    "  r6 = *(u32 *)(r1 + 0x4)",
    "  r8 = *(u32 *)(r1 + 0x8)",
    "  call 0x5",
    "  r3 = r0",
    "  r1 = r7",
    "  r2 = r6",
    "  call 0x67",
    "  r9 = r0",
    "  r1 = r9",
    "  r2 = r8",
    "  r3 = r7",
    "  call 0x67",
    "  r7 += r6",
    "  r7 += r8",
    "  r7 += r9",
    "  r0 += r7",
    "  exit",
  ));
});

test("map reference and stack addresses are rematerialised for each call", () => {
  const f = new FnBuilder();
  const c = f.param(0);
  const k = f.stack(f.slot(4, 4, "key"));
  const vs = f.slot(16, 8, "val");
  f.store(4, k, 0, f.load(4, c, 0));
  const m = f.mapref("m");
  const v = f.call(1, m, k);
  const hit = f.block(), miss = f.block();
  f.at(0).br("ne", v, f.const(0), hit, miss);
  f.at(hit);
  f.put({ op: "atomic", kind: "add", fetch: false, size: 8, base: v, off: 0, value: f.const(1) });
  f.ret(f.const(0));
  f.at(miss);
  const vv = f.stack(vs);
  f.store(8, vv, 0, f.const(1));
  f.store(8, vv, 8, f.const(0));
  f.call(2, m, k, vv, f.const(0));
  f.ret(f.const(0));
  const r = gen(f);
  assert.equal(listing(r.items), lines(
    "  r1 = *(u32 *)(r1 + 0x0)",
    "  *(u32 *)(r10 - 0x14) = r1",
    "  r1 = 0x0 ll # map m",
    "  r2 = r10",
    "  r2 += -0x14",
    "  call 0x1",
    "  if r0 != 0x0 goto LBB0_2",
    "  *(u64 *)(r10 - 0x10) = 0x1",
    "  *(u64 *)(r10 - 0x8) = 0x0",
    "  r1 = 0x0 ll # map m",
    "  r2 = r10",
    "  r2 += -0x14",
    "  r3 = r10",
    "  r3 += -0x10",
    "  r4 = 0x0",
    "  call 0x2",
    "  r0 = 0x0",
    "  exit",
    "LBB0_2:",
    "  r1 = 0x1",
    "  lock *(u64 *)(r0 + 0x0) += r1",
    "  r0 = 0x0",
    "  exit",
  ));
  assert.equal(r.stackSize, 20);
  assert.deepEqual(r.slots, [{ name: "val", size: 16, offset: 16 }, { name: "key", size: 4, offset: 20 }]);
});

test("source positions are copied from IR spans", () => {
  const span = { file: "a.wl", line: 3, col: 5, len: 7 };
  const fn = new FnBuilder().build();
  fn.blocks[0].insts.push({ op: "param", dst: 0, index: 0 }, { op: "load", dst: 1, size: 4, signed: false, base: 0, off: 0, span });
  fn.blocks[0].term = { op: "ret", value: 1, span: { ...span, line: 4 } };
  fn.nextReg = 2;
  const insns = generate(fn, { cpu: 3 }).items.filter((i) => "code" in i);
  assert.deepEqual(insns.map((i) => "pos" in i ? i.pos?.line : undefined), [3, 4]);
});

test("errors: frame over 512 bytes lists the biggest slots", () => {
  const f = new FnBuilder();
  const c = f.param(0);
  const s1 = f.slot(300, 8, "buf"), s2 = f.slot(256, 8, "other"), s3 = f.slot(4, 4, "k");
  f.store(8, f.stack(s1), 0, c);
  f.store(8, f.stack(s2), 0, c);
  f.store(4, f.stack(s3), 0, c);
  f.ret(f.const(0));
  assert.throws(() => gen(f), (e: unknown) => {
    assert.ok(e instanceof CompileError);
    const d = e.diagnostics[0];
    assert.equal(d.message, "Stack usage 564 bytes exceeds the BPF limit of 512 bytes");
    assert.deepEqual(d.notes.map((n) => n.message), ["'buf' uses 300 bytes", "'other' uses 256 bytes", "'k' uses 4 bytes"]);
    return true;
  });
});

test("errors: signed division below v4, too many helper arguments", () => {
  const f = new FnBuilder();
  const x = f.load(8, f.param(0), 0);
  f.ret(f.bin("sdiv", x, f.const(3)));
  assert.throws(() => gen(f, 3), (e: unknown) => e instanceof CompileError && /needs -mcpu=v4/.test(e.message));
  assert.match(text(f, 4), /r0 s\/= 0x3/);
  const g = new FnBuilder();
  const y = g.param(0);
  g.ret(g.call(7, y, y, y, y, y, y));
  assert.throws(() => gen(g), (e: unknown) => e instanceof CompileError && /at most 5 arguments/.test(e.message));
});

test("an entry block that is a loop header gets a fresh entry; unreachable blocks vanish", () => {
  const f = new FnBuilder();
  const c = f.param(0);
  const x = f.load(8, c, 0);
  const y = f.call(101, x);
  const again = f.block(), done = f.block();
  f.at(0).br("ugt", y, x, again, done);
  f.at(again).jmp(0);
  f.at(done).ret(y);
  f.block();
  f.ret(f.const(9));
  assert.equal(text(f), lines(
    "  r6 = r1",
    "LBB0_1:",
    "  r7 = *(u64 *)(r6 + 0x0)",
    "  r1 = r7",
    "  call 0x65",
    "  if r0 > r7 goto LBB0_1",
    "  exit",
  ));
});

test("asm passes through verbatim", () => {
  const f = new FnBuilder();
  f.param(0);
  f.put({ op: "asm", code: 0xb7, dstReg: 0, srcReg: 0, off: 0, imm: 42 });
  f.ret(f.const(1));
  assert.equal(text(f), lines("  r0 = 0x2a", "  r0 = 0x1", "  exit"));
});

test("φ constants on a split edge move above the branch (no jump around them)", () => {
  // bits = x >= 2^32 ? 32 : 0, then x >>= bits: the log2 histogram idiom.
  const f = new FnBuilder();
  const x = f.load(8, f.param(0), 0);
  const big = f.block(), join = f.block();
  f.at(0).br("uge", x, f.const(1n << 32n), big, join);
  f.at(big);
  const shifted = f.bin("lshr", x, f.const(32));
  f.jmp(join);
  const bits = f.phi(join, [[0, f.at(0).const(0)], [big, f.at(big).const(32)]]);
  const v = f.phi(join, [[0, x], [big, shifted]]);
  f.at(join).ret(f.bin("add", bits, v));
  assert.equal(text(f), lines(
    "  r1 = *(u64 *)(r1 + 0x0)",
    "  r2 = 0x100000000 ll",
    "  r0 = 0x0",
    "  if r1 < r2 goto LBB0_2",
    "  r1 >>= 0x20",
    "  r0 = 0x20",
    "LBB0_2:",
    "  r0 += r1",
    "  exit",
  ));
});

test("arithmetic on a lookup result is not hoisted above its null check", () => {
  const f = new FnBuilder();
  const k = f.stack(f.slot(4, 4, "k"));
  f.param(0);
  f.store(4, k, 0, f.const(0));
  const v = f.call(1, f.mapref("m"), k);
  const hit = f.block(), join = f.block();
  f.at(0).br("eq", v, f.const(0), join, hit);
  f.at(hit);
  const p = f.bin("add", v, f.const(8));
  f.jmp(join);
  const r = f.phi(join, [[0, v], [hit, p]]);
  f.at(join).ret(r);
  assert.equal(text(f), lines(
    "  *(u32 *)(r10 - 0x4) = 0x0",
    "  r1 = 0x0 ll # map m",
    "  r2 = r10",
    "  r2 += -0x4",
    "  call 0x1",
    "  if r0 == 0x0 goto LBB0_2",
    "  r0 += 0x8",
    "LBB0_2:",
    "  exit",
  ));
});

test("a memory offset beyond 16 bits is added to the base register first", () => {
  const f = new FnBuilder();
  const c = f.param(0);
  const far = f.bin("sub", c, f.const(40000));
  f.store(4, far, 40004, f.const(7));
  f.ret(f.load(4, far, 40004));
  const r = gen(f);
  assert.equal(listing(r.items), lines(
    "  r1 -= 0x9c40",
    "  r2 = r1",
    "  r2 += 0x9c44",
    "  *(u32 *)(r2 + 0x0) = 0x7",
    "  r1 += 0x9c44",
    "  r0 = *(u32 *)(r1 + 0x0)",
    "  exit",
  ));
  assert.equal(runVm(r.items, new World(new Uint8Array(64))).ret, 7n);
});
