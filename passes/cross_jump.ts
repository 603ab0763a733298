// cross-jump: cross jumping (tail merging beyond exits). Where two places in the code go on to
// execute exactly the same instructions — following fall-through and gotos, with conditional
// jumps to the same places — until both reach one point (or both exit), the second place jumps
// to the first and its now unreachable copy goes: `(incf (getmap stats 1)) (return XDP_DROP)` and
// `(incf (getmap stats 2)) (return XDP_DROP)` share everything after their key stores.

import type { PeepholePass } from "../compiler/registry.ts";
import type { Insn, Item } from "../compiler/asm/insn.ts";
import { isLabel } from "../compiler/asm/insn.ts";
import { GOTO, fallsThrough, hasRaw, isCall, isExit, isGoto, sameInsn } from "./items.ts";

/** Items as instructions with positions; labels resolve to the position of the next instruction. */
interface Code {
  insns: Insn[];
  at: Map<string, number>;
  labelsAt: Map<number, string[]>;
}

function index(items: Item[]): Code {
  const insns: Insn[] = [], at = new Map<string, number>(), labelsAt = new Map<number, string[]>();
  for (const it of items) {
    if (isLabel(it)) {
      at.set(it.label, insns.length);
      (labelsAt.get(insns.length) ?? labelsAt.set(insns.length, []).get(insns.length)!).push(it.label);
    } else insns.push(it);
  }
  return { insns, at, labelsAt };
}

/** Where control really goes from position p (through gotos); -1 past the end. */
function settle(c: Code, p: number): number {
  for (let guard = 0; guard < 64 && p < c.insns.length; guard++) {
    const i = c.insns[p];
    if (!isGoto(i) || i.target === undefined) return p;
    p = c.at.get(i.target) ?? -1;
    if (p < 0) return -1;
  }
  return p;
}

const target = (c: Code, i: Insn): number => (i.target === undefined || isCall(i) ? -2 : settle(c, c.at.get(i.target) ?? -1));

/**
 * Walk from p and q in lockstep; return the instructions executed from q before the walks meet
 * (or both exit), or undefined when they differ. `path` collects the positions visited from p.
 */
function walk(c: Code, p: number, q: number, path: Set<number>): number[] | undefined {
  const fromQ: number[] = [];
  for (let steps = 0; steps < 64; steps++) {
    p = settle(c, p);
    q = settle(c, q);
    if (p < 0 || q < 0) return undefined;
    if (p === q) return fromQ;
    const a = c.insns[p], b = c.insns[q];
    const jumps = a.target !== undefined && !isCall(a);
    const same = !jumps ? sameInsn(a, b) : b.target !== undefined && a.code === b.code && a.dst === b.dst && a.src === b.src &&
      a.off === b.off && a.imm === b.imm && target(c, a) === target(c, b);
    if (!same) return undefined;
    path.add(p);
    fromQ.push(q);
    if (isExit(a)) return fromQ;
    if (!fallsThrough(a)) return undefined;
    p++;
    q++;
  }
  return undefined;
}

/** Replace the instruction at q by `goto` p's label; unreachable code is then dropped. */
function redirect(items: Item[], c: Code, p: number, q: number, fresh: () => string): Item[] {
  const label = c.labelsAt.get(p)?.[0] ?? fresh();
  const out: Item[] = [];
  let n = 0;
  for (const it of items) {
    if (isLabel(it)) {
      out.push(it);
      continue;
    }
    if (n === p && !c.labelsAt.get(p)) out.push({ label });
    out.push(n === q ? { code: GOTO, dst: 0, src: 0, off: 0, imm: 0, target: label, pos: it.pos } : it);
    n++;
  }
  return dropUnreachable(out);
}

/** Remove instructions no path reaches (from the entry, through fall-through and jump targets). */
function dropUnreachable(items: Item[]): Item[] {
  const c = index(items);
  const seen = new Uint8Array(c.insns.length);
  const work = [0];
  while (work.length) {
    const p = work.pop()!;
    if (p < 0 || p >= c.insns.length || seen[p]) continue;
    seen[p] = 1;
    const i = c.insns[p];
    if (i.target !== undefined && !isCall(i)) work.push(c.at.get(i.target) ?? -1);
    if (fallsThrough(i)) work.push(p + 1);
  }
  const out: Item[] = [];
  let n = 0;
  for (const it of items) {
    if (isLabel(it)) out.push(it);
    else if (seen[n++]) out.push(it);
  }
  // Drop labels nothing targets (and so keep the code compact to read).
  const used = new Set(out.flatMap((it) => (!isLabel(it) && it.target !== undefined ? [it.target] : [])));
  return out.filter((it) => !isLabel(it) || used.has(it.label));
}

const count = (items: Item[]) => items.filter((i) => !isLabel(i)).length;

export const crossJump: PeepholePass = {
  name: "cross-jump",
  kind: "peephole",
  description: "makes code that repeats another place's instructions up to a common point jump there instead",
  run(items) {
    if (hasRaw(items)) return false;
    const used = new Set(items.filter((i): i is { label: string } => isLabel(i)).map((l) => l.label));
    let k = 0;
    const fresh = () => {
      let l: string;
      do l = `LCJ_${k++}`; while (used.has(l));
      used.add(l);
      return l;
    };
    let changed = false;
    for (let round = 0; round < 64; round++) {
      const c = index(items);
      if (c.insns.length > 20000) break;
      // Candidate pairs of starts: positions bucketed by the first instructions executed from there.
      const key = (p: number): string => {
        const i = c.insns[p];
        return `${i.code},${i.dst},${i.src},${i.off},${i.imm},${i.imm64 ?? ""},${i.map ?? ""},${i.core?.accessStr ?? ""},${i.target === undefined || isCall(i) ? "" : target(c, i)}`;
      };
      const sig = (p: number): string | undefined => {
        const out: string[] = [];
        for (let n = 0; n < 3; n++) {
          p = settle(c, p);
          if (p < 0) return undefined;
          out.push(key(p));
          if (!fallsThrough(c.insns[p])) break;
          p++;
        }
        return out.join(";");
      };
      const buckets = new Map<string, number[]>();
      for (let p = 0; p < c.insns.length; p++) {
        const g = sig(p);
        if (g !== undefined) (buckets.get(g) ?? buckets.set(g, []).get(g)!).push(p);
      }
      const cands: { p: number; q: number; n: number }[] = [];
      for (const ps of buckets.values()) {
        if (ps.length < 2) continue;
        // Every ordered pair in small buckets; against the first member only in big ones.
        const pairs = ps.length <= 24 ? ps.flatMap((x) => ps.filter((y) => y !== x).map((y) => [x, y])) : ps.slice(1).flatMap((m) => [[ps[0], m], [m, ps[0]]]);
        for (const [p, q] of pairs) {
          const path = new Set<number>();
          const fromQ = walk(c, p, q, path);
          if (fromQ && fromQ.length >= 2 && !path.has(q)) cands.push({ p, q, n: fromQ.length });
        }
      }
      // Try the longest shared runs; keep the rewrite that leaves the fewest instructions.
      cands.sort((x, y) => y.n - x.n || x.q - y.q || x.p - y.p);
      let best: Item[] | undefined, bestCount = count(items);
      for (const { p, q } of cands.slice(0, 12)) {
        const next = redirect(items, c, p, q, fresh);
        const n = count(next);
        if (n < bestCount) [best, bestCount] = [next, n];
      }
      if (!best) break;
      items.splice(0, items.length, ...best);
      changed = true;
    }
    return changed;
  },
};
