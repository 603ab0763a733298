// The back end: SSA IR function → BPF instructions and labels plus its stack frame, via isel (out
// of SSA), dead code, edge-copy hoisting, iterated register coalescing with spilling, frame, emit.
import type { Function } from "../ir.ts";
import type { Item } from "../asm/insn.ts";
import { select } from "./isel.ts";
import { removeDeadCode } from "./prepare.ts";
import { hoistEdgeCopies } from "./hoist.ts";
import { loopDepth } from "./loops.ts";
import { colorGraph } from "./regalloc.ts";
import { rewriteSpills } from "./spill.ts";
import { checkUserFrame, layoutFrame } from "./frame.ts";
import { applyColors, emitFunction } from "./emit.ts";

export interface BackendOptions {
  cpu: 1 | 2 | 3 | 4;
}

export interface BackendResult {
  items: Item[];
  /** Bytes of frame used. */
  stackSize: number;
  /** Frame objects (user slots and spill slots) for stack-usage reports; address = R10 - offset. */
  slots: { name: string; size: number; offset: number }[];
}

const MAX_ROUNDS = 50;

/*
 * Design notes.
 * - Registers: MIR names physical registers 0..9 (R10 is only ever an address base) and virtual
 *   ones from 16. Fixed-register conventions become copies to/from physical registers (call
 *   arguments R1..R5, result R0, return value R0, ld_abs context R6, cmpxchg R0), which the
 *   allocator coalesces. Calls and ld_abs/ld_ind clobber R0–R5, so values live across them end
 *   up in R6–R9 (or spilled).
 * - Two-address ALU (`dst op= src`) is kept three-address until allocation: the result is tied to
 *   its first operand (and may take the second's register for commutative operations); a `mov`
 *   is inserted only when the allocator could not give them one register.
 * - Allocation is iterated register coalescing (George & Appel) with spill-everywhere: a spilled
 *   value gets an 8-byte slot, stored after each definition and reloaded before each use (a
 *   constant is recreated instead). Spill choice: lowest weighted uses per instruction of live
 *   range (uses in loops count 10× per level). Spill slots with disjoint contents share storage.
 * - Constants, map references and frame addresses are recreated at each use (K-form immediates,
 *   `ld_imm64`, `rX = r10; rX += -off`), never kept alive across calls; only a 64-bit constant
 *   used several times lives in a register.
 * - `br` with `w32` uses JMP32 from -mcpu=v3; below v3 both operands are extended (zero or sign,
 *   by the condition) and compared with a 64-bit jump. v1 lacks jlt/jle/jslt/jsle: operands are
 *   swapped or the condition inverted.
 * - Main programs only: R6–R9 are not saved, so this is not the BPF-to-BPF callee convention.
 */

/**
 * Compile one function. Throws a CompileError for programs BPF cannot express (frame over
 * 512 bytes, signed division below v4, more than 5 helper arguments).
 */
export function generate(fn: Function, opts: BackendOptions): BackendResult {
  // The program's own frame objects, used or not after optimisation: a frame too big for BPF is
  // an error at every -O level, not only where the optimiser could not remove its stores.
  checkUserFrame(fn.slots, fn.span);
  let mf = select(fn, opts);
  layoutFrame(mf, fn.span); // user slots alone may already be too big: report before allocating
  removeDeadCode(mf);
  hoistEdgeCopies(mf);
  const depth = loopDepth(mf);
  const noSpill = new Set<number>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const res = colorGraph(mf, depth, noSpill);
    if (res.ok) {
      const allocated = applyColors(mf, res.color);
      const layout = layoutFrame(allocated, fn.span);
      const items = emitFunction(allocated, layout, { cpu: opts.cpu });
      return { items, stackSize: layout.size, slots: layout.slots };
    }
    mf = rewriteSpills(mf, res.spilled, noSpill);
  }
  throw new Error(`internal: register allocation of ${fn.name} did not converge`);
}
