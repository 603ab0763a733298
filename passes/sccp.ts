// sccp: sparse conditional constant propagation (Wegman & Zadeck). Values start unknown, blocks
// unreachable; evaluating only reachable blocks and the CFG edges branches can take, it finds the
// constants that hold on every executed path (through φs and branches on constants) by the exact
// u64 rules, turns them into constants, folds the decided branches into jumps and drops the
// blocks that can never run.

import type { SsaPass } from "../compiler/registry.ts";
import { type BlockId, type Inst, type VReg, reversePostOrder, successors } from "../compiler/ir.ts";
import { cleanupCfg, replaceAll } from "../compiler/ir_util.ts";
import { foldCond } from "../compiler/fold.ts";
import { evalPure } from "./analysis.ts";

/** Lattice: undefined (not yet known to be anything), a constant, or OVER (not a constant). */
const OVER = Symbol("over");
type Value = bigint | typeof OVER | undefined;

const meet = (a: Value, b: Value): Value => (a === undefined ? b : b === undefined ? a : a === b ? a : OVER);

export const sccp: SsaPass = {
  name: "sccp",
  kind: "ssa",
  description: "sparse conditional constant propagation: constants along executable paths, dead branches removed",
  run(fn) {
    const val = new Map<VReg, Value>();
    const live = new Set<BlockId>([0]);
    const edges = new Set<string>();
    const edge = (a: BlockId, b: BlockId) => `${a}>${b}`;
    const get = (r: VReg): Value => val.get(r);
    const pure = (i: Inst) => i.op === "const" || i.op === "copy" || i.op === "bin" || i.op === "neg" || i.op === "ext" || i.op === "bswap";
    const order = reversePostOrder(fn);
    /** Branches whose operands never got a value (only in code no path reaches): taken both ways. */
    const forced = new Set<BlockId>();
    for (let changed = true; changed;) {
      changed = false;
      const set = (r: VReg, v: Value) => {
        const old = val.get(r);
        const nv = meet(old, v);
        if (nv !== old) {
          val.set(r, nv);
          changed = true;
        }
      };
      for (const id of order) {
        if (!live.has(id)) continue;
        const b = fn.blocks[id];
        for (const p of b.phis) {
          let v: Value;
          for (const a of p.args) if (edges.has(edge(a.block, id))) v = meet(v, get(a.value));
          if (v !== undefined) set(p.dst, v);
        }
        for (const i of b.insts) {
          if (!("dst" in i) || i.dst === undefined) continue;
          if (!pure(i) || (i.op === "bin" && i.core)) {
            set(i.dst, OVER);
            continue;
          }
          const ops = i.op === "const" ? [] : i.op === "copy" ? [i.src] : i.op === "bin" ? [i.a, i.b] : [i.a];
          const vs = ops.map(get);
          if (vs.some((v) => v === OVER)) set(i.dst, OVER);
          else if (vs.every((v) => typeof v === "bigint")) {
            const r = evalPure(i, (x) => get(x) as bigint);
            set(i.dst, r === undefined ? OVER : r);
          }
        }
        const t = b.term;
        const reach = (to: BlockId) => {
          if (!edges.has(edge(id, to))) {
            edges.add(edge(id, to));
            changed = true;
          }
          if (!live.has(to)) {
            live.add(to);
            changed = true;
          }
        };
        if (t.op === "jmp") reach(t.target);
        else if (t.op === "br") {
          const a = get(t.a), c = get(t.b);
          if (typeof a === "bigint" && typeof c === "bigint") reach(foldCond(t.cond, a, c, t.w32) ? t.then : t.else);
          else if (a === OVER || c === OVER || forced.has(id)) successors(t).forEach(reach);
        }
      }
      if (!changed) {
        for (const id of live) {
          const t = fn.blocks[id].term;
          if (t.op === "br" && !forced.has(id) && !successors(t).some((s) => edges.has(edge(id, s)))) {
            forced.add(id);
            changed = true;
          }
        }
      }
    }
    // Rewrite: constants, decided branches, φ inputs from edges that never run.
    let rewritten = false;
    const phiConsts = new Map<VReg, VReg>();
    for (const b of fn.blocks) {
      if (!live.has(b.id)) continue;
      const head: Inst[] = [];
      b.phis = b.phis.filter((p) => {
        const v = get(p.dst);
        if (typeof v !== "bigint") return true;
        const dst = fn.nextReg++;
        head.push({ op: "const", dst, value: v, span: p.span });
        phiConsts.set(p.dst, dst);
        rewritten = true;
        return false;
      });
      b.insts = [...head, ...b.insts.map((i): Inst => {
        if (i.op === "const" || !pure(i) || !("dst" in i) || (i.op === "bin" && i.core)) return i;
        const v = get(i.dst);
        if (typeof v !== "bigint") return i;
        rewritten = true;
        return { op: "const", dst: i.dst, value: v, span: i.span };
      })];
      const t = b.term;
      if (t.op === "br") {
        const to = successors(t).filter((s) => edges.has(edge(b.id, s)));
        if (to.length === 1) {
          b.term = { op: "jmp", target: to[0], span: t.span };
          rewritten = true;
        }
      }
    }
    const before = fn.blocks.length;
    replaceAll(fn, phiConsts);
    cleanupCfg(fn);
    return rewritten || fn.blocks.length !== before;
  },
};
