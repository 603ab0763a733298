// Unit tests of the peephole passes on hand-written instruction lists (the back end seldom
// produces these shapes itself), and that each leaves raw `asm` code alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Item } from "../compiler/asm/insn.ts";
import { alu64, atomic, call, exit, imm, jcond, jmp, ldImm64, ldMapFd, mov32, mov64, st, stx } from "../compiler/asm/mod.ts";
import { listing } from "../compiler/backend/testing/builder.ts";
import type { PassContext, PeepholePass } from "../compiler/registry.ts";
import { markRaw } from "../compiler/backend/mir.ts";
import { immForms } from "./imm_forms.ts";
import { redundantMoves } from "./redundant_moves.ts";
import { tailMerge } from "./tail_merge.ts";
import { jumpThread } from "./jump_thread.ts";
import { exitHoist } from "./exit_hoist.ts";
import { crossJump } from "./cross_jump.ts";

const ctx = (cpu: 1 | 2 | 3 | 4 = 3): PassContext => ({ cpu, program: "t", options: {}, warn: () => {} });
const run = (p: PeepholePass, items: Item[], cpu: 1 | 2 | 3 | 4 = 3) => {
  p.run(items, ctx(cpu));
  return listing(items).split("\n").map((l) => l.trim());
};

test("imm-forms: a constant loaded for one ALU op, comparison or frame store becomes its immediate", () => {
  assert.deepEqual(run(immForms, [mov64(1, imm(5)), alu64("add", 2, 1), mov64(3, imm(7)), stx(4, 10, 3, -8), mov64(4, imm(9)), jcond("jgt", 2, 4, "L"), mov64(0, 2), exit(), { label: "L" }, exit()]), [
    "r2 += 0x5", "*(u32 *)(r10 - 0x8) = 0x7", "if r2 > 0x9 goto L", "r0 = r2", "exit", "L:", "exit",
  ]);
  // Still read later, a store through another base, or x / 0: unchanged.
  const keep: Item[] = [mov64(1, imm(5)), alu64("add", 2, 1), stx(4, 6, 1, 0), alu64("div", 2, 1), mov64(0, 1), exit()];
  assert.deepEqual(run(immForms, keep), ["r1 = 0x5", "r2 += r1", "*(u32 *)(r6 + 0x0) = r1", "r2 /= r1", "r0 = r1", "exit"]);
});

test("redundant-moves: self-moves, constants already there, moves straight back", () => {
  assert.deepEqual(run(redundantMoves, [mov64(1, imm(1)), mov64(2, 3), mov64(3, 2), mov64(4, 4), mov64(1, imm(1)), mov32(5, imm(-1)), mov32(5, imm(-1)), mov64(0, 1), exit()]), [
    "r1 = 0x1", "r2 = r3", "w5 = -0x1", "r0 = r1", "exit",
  ]);
  // A call clobbers R1–R5; a merge keeps only what both paths agree on.
  assert.deepEqual(run(redundantMoves, [mov64(1, imm(1)), call(5), mov64(1, imm(1)), jcond("jeq", 0, imm(0), "A"), mov64(1, imm(2)), { label: "A" }, mov64(1, imm(1)), mov64(0, 1), exit()]), [
    "r1 = 0x1", "call 0x5", "r1 = 0x1", "if r0 == 0x0 goto A", "r1 = 0x2", "A:", "r1 = 0x1", "r0 = r1", "exit",
  ]);
  assert.deepEqual(run(redundantMoves, [ldImm64(1, 5n << 40n), jcond("jeq", 2, imm(0), "A"), { label: "A" }, ldImm64(1, 5n << 40n), mov64(0, 1), exit()]), [
    "r1 = 0x50000000000 ll", "if r2 == 0x0 goto A", "A:", "r0 = r1", "exit",
  ]);
});

test("tail-merge: a block that is just another's tail moves under it; longer tails are shared by a jump", () => {
  assert.deepEqual(run(tailMerge, [jcond("jeq", 1, imm(0), "B"), stx(8, 10, 1, -8), mov64(0, imm(2)), exit(), { label: "B" }, mov64(0, imm(2)), exit()]), [
    "if r1 == 0x0 goto B", "*(u64 *)(r10 - 0x8) = r1", "B:", "r0 = 0x2", "exit",
  ]);
  assert.deepEqual(run(tailMerge, [jcond("jeq", 1, imm(0), "B"), mov64(3, imm(1)), mov64(2, imm(7)), mov64(0, imm(2)), exit(), { label: "B" }, mov64(3, imm(4)), mov64(2, imm(7)), mov64(0, imm(2)), exit()]), [
    "if r1 == 0x0 goto B", "r3 = 0x1", "goto LTM_0", "B:", "r3 = 0x4", "LTM_0:", "r2 = 0x7", "r0 = 0x2", "exit",
  ]);
});

test("jump-thread: jumps to jumps, gotos to exit, a jump over a goto, dead blocks", () => {
  assert.deepEqual(run(jumpThread, [jcond("jeq", 1, imm(0), "A"), jmp("C"), { label: "A" }, jmp("B"), { label: "B" }, mov64(0, imm(1)), exit(), { label: "C" }, exit()]), [
    "if r1 == 0x0 goto B", "exit", "B:", "r0 = 0x1", "exit",
  ]);
  assert.deepEqual(run(jumpThread, [jcond("jeq", 1, imm(0), "A"), jmp("B"), { label: "A" }, mov64(0, imm(1)), exit(), { label: "B" }, mov64(0, imm(2)), exit()]), [
    "if r1 != 0x0 goto B", "r0 = 0x1", "exit", "B:", "r0 = 0x2", "exit",
  ]);
  // v1 has no jlt: `if r1 >= 5 goto A; goto B; A:` stays.
  const v1: Item[] = [jcond("jge", 1, imm(5), "A"), jmp("B"), { label: "A" }, mov64(0, imm(1)), exit(), { label: "B" }, mov64(0, imm(2)), exit()];
  assert.deepEqual(run(jumpThread, v1, 1), ["if r1 >= 0x5 goto A", "goto B", "A:", "r0 = 0x1", "exit", "B:", "r0 = 0x2", "exit"]);
});

test("exit-hoist: a return constant no path writes R0 before moves to the entry", () => {
  assert.deepEqual(run(exitHoist, [jcond("jeq", 1, imm(0), "P"), call(5), mov64(0, imm(1)), exit(), { label: "P" }, mov64(0, imm(2)), exit()]), [
    "r0 = 0x2", "if r1 == 0x0 goto P", "call 0x5", "r0 = 0x1", "exit", "P:", "exit",
  ]);
  // Reached after a call: R0 is not known to hold 2 there.
  const after: Item[] = [call(5), jcond("jeq", 0, imm(0), "P"), mov64(0, imm(1)), exit(), { label: "P" }, mov64(0, imm(2)), exit()];
  assert.equal(exitHoist.run(after, ctx()), false);
});

test("cross-jump: code repeating another place's instructions up to a common point jumps there", () => {
  // Two counters bumped the same way after different key stores, both then returning 1.
  const bump = (key: number): Item[] => [
    st(4, 10, -4, key), ldMapFd(1, "m"), mov64(2, 10), alu64("add", 2, imm(-4)), call(1), jcond("jeq", 0, imm(0), "R"),
    mov64(1, imm(1)), atomic("add", 8, 0, 1, 0),
  ];
  const items: Item[] = [jcond("jeq", 1, imm(0), "B"), ...bump(1), jmp("R"), { label: "B" }, ...bump(2), { label: "R" }, mov64(0, imm(1)), exit()];
  assert.deepEqual(run(crossJump, items), [
    "if r1 == 0x0 goto B", "*(u32 *)(r10 - 0x4) = 0x1", "goto LCJ_0", "B:", "*(u32 *)(r10 - 0x4) = 0x2", "LCJ_0:", "r1 = 0x0 ll # map m",
    "r2 = r10", "r2 += -0x4", "call 0x1", "if r0 == 0x0 goto R", "r1 = 0x1", "lock *(u64 *)(r0 + 0x0) += r1", "R:", "r0 = 0x1", "exit",
  ]);
  // Different continuations (one returns 1, the other 2): nothing to share past the jump.
  const diff: Item[] = [jcond("jeq", 1, imm(0), "B"), mov64(3, imm(5)), mov64(0, imm(1)), exit(), { label: "B" }, mov64(3, imm(5)), mov64(0, imm(2)), exit()];
  assert.equal(crossJump.run(diff, ctx()), false);
});

test("peephole passes leave code with raw asm instructions alone", () => {
  const raw = mov64(0, imm(42));
  markRaw(raw);
  for (const p of [immForms, redundantMoves, tailMerge, jumpThread, exitHoist, crossJump]) {
    const items: Item[] = [jmp("A"), { label: "A" }, raw, mov64(0, imm(42)), exit()];
    assert.equal(p.run(items, ctx()), false, p.name);
  }
});
