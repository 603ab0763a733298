// Tests for layout: forward/backward jumps, ld_imm64 counted as two slots, local calls,
// gotol relaxation, label errors, and a byte/text comparison with llvm-mc-19 on labelled code.
import { test } from "node:test";
import assert from "node:assert/strict";
import { layout } from "./layout.ts";
import type { Insn, Item } from "./insn.ts";
import { exit, gotol, jcond, jmp } from "./jump.ts";
import { imm, mov64 } from "./alu.ts";
import { callLocal } from "./func.ts";
import { ldImm64, ldMapFd, ldx } from "./load_store.ts";
import { encode } from "./encode.ts";
import { formatInsn } from "./format.ts";
import { llvmDisasm, skipWithoutLlvm } from "./llvm_testing.ts";

const offs = (insns: Insn[]) => insns.map((i) => [i.off, i.imm]);

test("forward and backward jumps, ld_imm64 counts two slots", () => {
  const items: Item[] = [
    { label: "top" },
    ldImm64(1, 5n), // slots 0-1
    jcond("jeq", 1, imm(0), "end"), // 2 -> 5: off 2
    jmp("top"), // 3 -> 0: off -4
    mov64(0, imm(1)), // 4
    { label: "end" },
    exit(), // 5
  ];
  const out = layout(items);
  assert.equal(out.length, 5);
  assert.deepEqual(offs(out), [[0, 0], [2, 0], [-4, 0], [0, 1], [0, 0]]);
  assert.equal(out[1].target, "end"); // kept for printing
  assert.equal(formatInsn(out[2]), "goto -0x4 <top>");
});

test("gotol and local calls get their offset in imm; labels may sit at the end", () => {
  const out = layout([callLocal("f"), gotol("end"), exit(), { label: "f" }, mov64(0, imm(0)), exit(), { label: "end" }]);
  assert.deepEqual(offs(out), [[0, 2], [0, 3], [0, 0], [0, 0], [0, 0]]);
});

test("layout keeps pos, map and core, and does not mutate its input", () => {
  const pos = { file: "a.wl", line: 3, col: 1 };
  const core = { typeName: "task_struct", accessStr: "0:1", kind: "field_byte_offset" as const };
  const j = { ...jmp("x"), pos };
  const items: Item[] = [j, { ...ldMapFd(1, "m"), pos }, { ...ldx(4, 1, 1, 0), core }, { label: "x" }, exit()];
  const out = layout(items);
  assert.equal(j.off, 0);
  assert.deepEqual(out[0].pos, pos);
  assert.equal(out[1].map, "m");
  assert.deepEqual(out[2].core, core);
  assert.equal(out[0].off, 3);
});

test("label errors name the label", () => {
  assert.throws(() => layout([jmp("nowhere"), exit()]), /unknown label "nowhere"/);
  assert.throws(() => layout([{ label: "a" }, exit(), { label: "a" }]), /duplicate label "a"/);
  assert.throws(() => layout([{ ...mov64(0, 1), target: "a" }, { label: "a" }]), /cannot have a target \(label "a"\)/);
  assert.throws(() => layout([{ ...exit(), target: "a" }, { label: "a" }]), /cannot have a target/);
});

test("jumps beyond 16 bits: error, or gotol with cpu 4", () => {
  const filler = Array.from({ length: 0x8000 }, () => mov64(0, imm(0)));
  const far: Item[] = [jmp("far"), ...filler, { label: "far" }, exit()];
  assert.throws(() => layout(far), /jump to label "far" is 32768 slots away.*cpu: 4/);
  const out = layout(far, { cpu: 4 });
  assert.deepEqual([out[0].code, out[0].off, out[0].imm], [0x06, 0, 0x8000]);
  assert.throws(() => layout([jcond("jeq", 1, 2, "far"), ...filler, { label: "far" }, exit()], { cpu: 4 }), /32768 slots away/);
  const edge = layout([jmp("e"), ...filler.slice(1), { label: "e" }, exit()]);
  assert.equal(edge[0].off, 0x7fff);
  const back = layout([{ label: "b" }, ...filler.slice(1), jmp("b")]);
  assert.equal(back.at(-1)!.off, -0x8000);
});

test("layout matches llvm-mc-19 on labelled code", (t) => {
  if (skipWithoutLlvm(t)) return;
  const source = [
    "LBB0_1:", "r1 = 0x123 ll", "if r1 > r2 goto LBB0_3", "if w1 == 5 goto LBB0_1", "goto LBB0_1",
    "gotol LBB0_3", "LBB0_3:", "r0 = 0", "LBB0_4:", "exit", "goto LBB0_4",
  ].join("\n");
  const items: Item[] = [
    { label: "LBB0_1" }, ldImm64(1, 0x123n), jcond("jgt", 1, 2, "LBB0_3"), jcond("jeq", 1, imm(5), "LBB0_1", true),
    jmp("LBB0_1"), gotol("LBB0_3"), { label: "LBB0_3" }, mov64(0, imm(0)), { label: "LBB0_4" }, exit(), jmp("LBB0_4"),
  ];
  const out = layout(items);
  const lines = llvmDisasm(source);
  assert.deepEqual([...encode(out)], lines.flatMap((l) => l.bytes));
  assert.deepEqual(out.map((i) => formatInsn(i)), lines.map((l) => l.text));
});
