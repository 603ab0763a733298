// Tests for parallel-copy sequentialisation and φ edge placement.
import { test } from "node:test";
import assert from "node:assert/strict";
import { phiEdges, sequentialize } from "./out_of_ssa.ts";
import { FnBuilder } from "./testing/builder.ts";
import { predecessors } from "../ir.ts";

/** Run a sequence of moves on a register file and return it. */
function run(moves: ReturnType<typeof sequentialize<string>>, regs: Map<number, string>): Map<number, string> {
  const out = new Map(regs);
  for (const m of moves) out.set(m.dst, "reg" in m.src ? out.get(m.src.reg)! : m.src.value);
  return out;
}

function check(copies: { dst: number; src: string }[]) {
  const regOf = (s: string) => (s.startsWith("r") ? Number(s.slice(1)) : undefined);
  let next = 100;
  const moves = sequentialize(copies, regOf, () => next++);
  const regs = new Map<number, string>();
  for (let r = 0; r < 10; r++) regs.set(r, `old${r}`);
  const after = run(moves, regs);
  for (const c of copies) {
    const want = regOf(c.src) === undefined ? c.src : `old${regOf(c.src)}`;
    assert.equal(after.get(c.dst), want, `r${c.dst} after ${JSON.stringify(moves)}`);
  }
  return moves;
}

test("sequentialize: independent copies, no temps", () => {
  const moves = check([{ dst: 1, src: "r2" }, { dst: 3, src: "r4" }]);
  assert.equal(moves.length, 2);
});

test("sequentialize: a chain is ordered so nothing is overwritten early", () => {
  const moves = check([{ dst: 1, src: "r2" }, { dst: 2, src: "r3" }, { dst: 3, src: "r4" }]);
  assert.equal(moves.length, 3);
});

test("sequentialize: a swap needs one temporary", () => {
  const moves = check([{ dst: 1, src: "r2" }, { dst: 2, src: "r1" }]);
  assert.equal(moves.length, 3);
});

test("sequentialize: a 3-cycle plus a constant and a self-copy", () => {
  const moves = check([{ dst: 1, src: "r2" }, { dst: 2, src: "r3" }, { dst: 3, src: "r1" }, { dst: 4, src: "K" }, { dst: 5, src: "r5" }]);
  assert.equal(moves.length, 5); // 3-cycle: 4 moves, the constant: 1, the self-copy: none
});

test("sequentialize: a fan-out from one source", () => {
  check([{ dst: 1, src: "r0" }, { dst: 2, src: "r0" }, { dst: 0, src: "r2" }]);
});

test("phiEdges: critical edges are split, others use the predecessor end or successor top", () => {
  const f = new FnBuilder();
  const x = f.param(0);
  const b1 = f.block(), b2 = f.block(), b3 = f.block();
  f.at(0).br("eq", x, x, b1, b2); // b0 → b2 is critical (b0 has 2 successors, b2 has 2 predecessors)
  f.at(b1).jmp(b2);
  const p = f.phi(b2, [[0, x], [b1, x]]);
  f.at(b2).jmp(b3);
  const q = f.phi(b3, [[b2, p]]);
  f.at(b3).ret(q);
  const fn = f.build();
  const edges = phiEdges(fn.blocks, new Map(fn.blocks.map((b) => [b.id, b])), predecessors(fn), fn.name);
  assert.deepEqual(edges.map((e) => `${e.from}>${e.to}:${e.where}`), ["0>2:split", "1>2:pred-end", "2>3:succ-top"]);
});
