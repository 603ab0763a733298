// Register allocation by iterated register coalescing (George & Appel): build the interference
// graph, then simplify / coalesce (Briggs and George tests) / freeze / spill, and colour with R0–R9.
import { FP, type MFunction, NUM_REGS, isVirtual, termUses } from "./mir.ts";
import { liveness, walkBackward } from "./liveness.ts";
import { instDefs, instUses, tiedField } from "./mir.ts";
import { isCommutative } from "./minst.ts";

export type ColorResult = { ok: true; color: Int32Array } | { ok: false; spilled: number[] };

/** Colour preference when nothing else decides: argument registers first, callee-saved last. */
const PREFERENCE = [1, 2, 3, 4, 5, 0, 6, 7, 8, 9];
const K = NUM_REGS;
const PRECOLORED_DEGREE = 1 << 29;

/** Node states (which worklist or set a register is in). */
const N = { Unused: 0, Precolored: 1, Initial: 2, Simplify: 3, Freeze: 4, Spill: 5, Select: 6, Coalesced: 7, Colored: 8, Spilled: 9 } as const;
/** Move states. */
const Mv = { Worklist: 0, Active: 1, Coalesced: 2, Constrained: 3, Frozen: 4 } as const;

/**
 * Colour the registers of `mf`. `depth` is the loop depth of each block (spill cost weight);
 * registers in `noSpill` (spill temporaries) are spilled only if nothing else can be.
 */
export function colorGraph(mf: MFunction, depth: number[], noSpill: ReadonlySet<number>): ColorResult {
  const n = mf.nextReg;
  const state = new Uint8Array(n);
  const degree = new Int32Array(n);
  const adjList: number[][] = Array.from({ length: n }, () => []);
  const adjSet = new Set<number>();
  const moveList: number[][] = Array.from({ length: n }, () => []);
  const moves: { x: number; y: number; w: number }[] = [];
  const moveState: number[] = [];
  const alias = new Int32Array(n).fill(-1);
  const color = new Int32Array(n).fill(-1);
  const cost = new Float64Array(n);
  /** Instructions each register is live across (a measure of its live range's length). */
  const span = new Int32Array(n);
  for (let r = 0; r < K; r++) {
    state[r] = N.Precolored;
    degree[r] = PRECOLORED_DEGREE;
    color[r] = r;
  }

  const addEdge = (u: number, v: number) => {
    if (u === v || u === FP || v === FP || adjSet.has(u * n + v)) return;
    adjSet.add(u * n + v);
    adjSet.add(v * n + u);
    if (state[u] !== N.Precolored) {
      adjList[u].push(v);
      degree[u]++;
    }
    if (state[v] !== N.Precolored) {
      adjList[v].push(u);
      degree[v]++;
    }
  };
  let moveWeight = 1;
  const addMove = (x: number, y: number) => {
    if (x === y) return;
    const id = moves.push({ x, y, w: moveWeight + (x < K || y < K ? 0.5 : 0) }) - 1;
    moveState.push(Mv.Worklist);
    moveList[x].push(id);
    moveList[y].push(id);
  };
  const touch = (r: number, w: number) => {
    if (!isVirtual(r)) return;
    if (state[r] === N.Unused) state[r] = N.Initial;
    cost[r] += w;
  };

  // Build.
  const live = liveness(mf);
  mf.blocks.forEach((b, bi) => {
    const w = Math.pow(10, Math.min(depth[bi] ?? 0, 6));
    moveWeight = w;
    for (const r of termUses(b.term)) touch(r, w);
    walkBackward(b, live.liveOut[bi], (_i, mi, after) => {
      if (!mi) return;
      const defs = instDefs(mi);
      for (const r of defs) touch(r, w);
      for (const r of instUses(mi)) touch(r, w);
      const isMove = mi.move === true && mi.insn.src !== FP && mi.insn.dst !== FP && mi.insn.src !== mi.insn.dst;
      if (isMove) addMove(mi.insn.dst, mi.insn.src);
      if (mi.tied !== undefined) {
        // Two-address: sharing a register with the tied input saves a mov; so does sharing one
        // with the other operand of a commutative operation (the operands are swapped). Otherwise
        // the result is written before the instruction reads its other operands: keep them apart.
        const d = mi.insn[tiedField(mi)];
        addMove(d, mi.tied);
        if (isCommutative(mi)) addMove(d, mi.insn.src);
        else for (const u of instUses(mi)) if (u !== mi.tied) addEdge(d, u);
      }
      const liveAfter = after.toArray();
      for (const l of liveAfter) span[l]++;
      for (const d of defs) {
        for (const l of liveAfter) if (!(isMove && l === mi.insn.src)) addEdge(l, d);
        for (const d2 of defs) addEdge(d, d2);
      }
    });
  });

  const simplify = new Set<number>(), freeze = new Set<number>(), spill = new Set<number>();
  // Moves in loops first, and among equals those with a fixed register (call arguments and
  // results, return value), which constrain the most.
  const worklistMoves = new Set<number>(moves.map((_, i) => i).sort((a, b) => moves[b].w - moves[a].w || a - b));
  const selectStack: number[] = [];

  const nodeMoves = (x: number) => moveList[x].filter((m) => moveState[m] === Mv.Active || moveState[m] === Mv.Worklist);
  const moveRelated = (x: number) => moveList[x].some((m) => moveState[m] === Mv.Active || moveState[m] === Mv.Worklist);
  const adjacent = (x: number) => adjList[x].filter((y) => state[y] !== N.Select && state[y] !== N.Coalesced);
  const getAlias = (x: number): number => (state[x] === N.Coalesced ? getAlias(alias[x]) : x);
  const setState = (x: number, s: number) => {
    simplify.delete(x);
    freeze.delete(x);
    spill.delete(x);
    state[x] = s;
    if (s === N.Simplify) simplify.add(x);
    else if (s === N.Freeze) freeze.add(x);
    else if (s === N.Spill) spill.add(x);
  };

  for (let x = 0; x < n; x++) {
    if (state[x] !== N.Initial) continue;
    setState(x, degree[x] >= K ? N.Spill : moveRelated(x) ? N.Freeze : N.Simplify);
  }

  // (Moves of a fixed register are also on the other node's list: skipping fixed registers,
  // whose lists are long, loses nothing.)
  const enableMoves = (nodes: number[]) => {
    for (const x of nodes) {
      if (state[x] === N.Precolored) continue;
      for (const m of nodeMoves(x)) {
        if (moveState[m] === Mv.Active) {
          moveState[m] = Mv.Worklist;
          worklistMoves.add(m);
        }
      }
    }
  };
  const decrementDegree = (m: number) => {
    if (state[m] === N.Precolored) return;
    const d = degree[m]--;
    if (d === K) {
      enableMoves([m, ...adjacent(m)]);
      if (state[m] === N.Spill) setState(m, moveRelated(m) ? N.Freeze : N.Simplify);
    }
  };
  const addWorkList = (u: number) => {
    if (state[u] !== N.Precolored && !moveRelated(u) && degree[u] < K && state[u] === N.Freeze) setState(u, N.Simplify);
  };
  const ok = (t: number, r: number) => degree[t] < K || state[t] === N.Precolored || adjSet.has(t * n + r);
  // Briggs: the merged node has fewer than K neighbours of significant degree.
  const stamp = new Int32Array(n);
  let generation = 0;
  const conservative = (u: number, v: number) => {
    generation++;
    let k = 0;
    for (const list of [adjList[u], adjList[v]]) {
      for (const x of list) {
        if (state[x] === N.Select || state[x] === N.Coalesced || stamp[x] === generation) continue;
        stamp[x] = generation;
        if (degree[x] >= K && ++k >= K) return false;
      }
    }
    return true;
  };
  // George: every neighbour of v is insignificant, fixed, or already a neighbour of u.
  const george = (u: number, v: number) => {
    for (const t of adjList[v]) {
      if (state[t] === N.Select || state[t] === N.Coalesced) continue;
      if (!ok(t, u)) return false;
    }
    return true;
  };
  const combine = (u: number, v: number) => {
    setState(v, N.Coalesced);
    alias[v] = u;
    for (const m of moveList[v]) moveList[u].push(m);
    enableMoves([v]);
    for (const t of adjacent(v)) {
      addEdge(t, u);
      decrementDegree(t);
    }
    if (degree[u] >= K && state[u] === N.Freeze) setState(u, N.Spill);
  };
  const freezeMoves = (u: number) => {
    for (const m of nodeMoves(u)) {
      const { x, y } = moves[m];
      const v = getAlias(y) === getAlias(u) ? getAlias(x) : getAlias(y);
      worklistMoves.delete(m);
      moveState[m] = Mv.Frozen;
      if (state[v] === N.Freeze && !moveRelated(v) && degree[v] < K) setState(v, N.Simplify);
    }
  };

  const first = (s: Set<number>): number => s.values().next().value as number;
  while (simplify.size || worklistMoves.size || freeze.size || spill.size) {
    if (simplify.size) {
      const x = first(simplify);
      setState(x, N.Select);
      selectStack.push(x);
      for (const m of adjacent(x)) decrementDegree(m);
    } else if (worklistMoves.size) {
      const m = first(worklistMoves);
      worklistMoves.delete(m);
      const x = getAlias(moves[m].x), y = getAlias(moves[m].y);
      const [u, v] = state[y] === N.Precolored ? [y, x] : [x, y];
      if (u === v) {
        moveState[m] = Mv.Coalesced;
        addWorkList(u);
      } else if (state[v] === N.Precolored || adjSet.has(u * n + v)) {
        moveState[m] = Mv.Constrained;
        addWorkList(u);
        addWorkList(v);
      } else if (state[u] === N.Precolored ? george(u, v) : conservative(u, v)) {
        moveState[m] = Mv.Coalesced;
        combine(u, v);
        addWorkList(u);
      } else {
        moveState[m] = Mv.Active;
      }
    } else if (freeze.size) {
      const x = first(freeze);
      setState(x, N.Simplify);
      freezeMoves(x);
    } else {
      // Spill choice: the lowest use density (weighted uses per instruction of live range), so
      // long-lived, rarely used values go first. A range live across at most one instruction
      // gains nothing from spilling; spill temporaries go only as a last resort.
      let best = -1, bestScore = Infinity;
      for (const x of spill) {
        const score = noSpill.has(x) ? 1e30 : span[x] <= 1 ? 1e20 : cost[x] / span[x];
        if (best === -1 || score < bestScore) [best, bestScore] = [x, score];
      }
      setState(best, N.Simplify);
      freezeMoves(best);
    }
  }

  // Assign colours, preferring a colour that makes a remaining move disappear.
  const spilled: number[] = [];
  while (selectStack.length) {
    const x = selectStack.pop()!;
    let okColors = (1 << K) - 1;
    for (const w of adjList[x]) {
      const a = getAlias(w);
      if (state[a] === N.Precolored || state[a] === N.Colored) okColors &= ~(1 << color[a]);
    }
    if (okColors === 0) {
      state[x] = N.Spilled;
      spilled.push(x);
      continue;
    }
    let pick = -1;
    for (const m of moveList[x]) {
      const other = getAlias(moves[m].x) === x ? getAlias(moves[m].y) : getAlias(moves[m].x);
      if ((state[other] === N.Precolored || state[other] === N.Colored) && okColors & (1 << color[other])) {
        pick = color[other];
        break;
      }
    }
    if (pick === -1) pick = PREFERENCE.find((c) => okColors & (1 << c))!;
    state[x] = N.Colored;
    color[x] = pick;
  }
  if (spilled.length) return { ok: false, spilled };
  for (let x = 0; x < n; x++) if (state[x] === N.Coalesced) color[x] = color[getAlias(x)];
  return { ok: true, color };
}
