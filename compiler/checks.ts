// Front-end safety checks on fresh SSA: a pointer that may be NULL (map-lookup and other
// helpers returning pointers) must be tested before it is dereferenced.

import { type Diagnostic, type Span, error } from "./diag.ts";
import { type BlockId, type Function, type Inst, type VReg, predecessors, reversePostOrder } from "./ir.ts";
import { HELPERS } from "./uapi.ts";

const NULLABLE_HELPERS = new Set(HELPERS.filter((h) => h.ret.includes("*")).map((h) => h.id));
const HELPER_NAME = new Map(HELPERS.map((h) => [h.id, h.name.replace(/_/g, "-")]));

/** Errors for every load/store/atomic through a possibly-NULL pointer. */
export function checkNullDerefs(fn: Function): Diagnostic[] {
  const def = new Map<VReg, Inst>();
  const phiArgs = new Map<VReg, VReg[]>();
  for (const b of fn.blocks) {
    for (const i of b.insts) if ("dst" in i && i.dst !== undefined) def.set(i.dst, i);
    for (const p of b.phis) phiArgs.set(p.dst, p.args.map((a) => a.value));
  }
  const rootMemo = new Map<VReg, VReg>();
  const root = (v: VReg): VReg => {
    const m = rootMemo.get(v);
    if (m !== undefined) return m;
    rootMemo.set(v, v);
    const d = def.get(v);
    let r = v;
    if (d?.op === "copy") r = root(d.src);
    else if (d?.op === "bin" && (d.kind === "add" || d.kind === "sub")) {
      const ra = root(d.a);
      r = isNullable(ra) ? ra : d.kind === "add" && isNullable(root(d.b)) ? root(d.b) : ra;
    }
    rootMemo.set(v, r);
    return r;
  };
  const nullMemo = new Map<VReg, boolean>();
  const isNullable = (v: VReg): boolean => {
    const m = nullMemo.get(v);
    if (m !== undefined) return m;
    nullMemo.set(v, false);
    const d = def.get(v);
    let n = d?.op === "call" && NULLABLE_HELPERS.has(d.helper);
    if (!d && phiArgs.has(v)) n = phiArgs.get(v)!.some((a) => isNullable(root(a)));
    nullMemo.set(v, n);
    return n;
  };
  const isZero = (v: VReg) => {
    const d = def.get(v);
    return d?.op === "const" && d.value === 0n;
  };

  // Forward dataflow: roots proven non-NULL on entry to each block (intersection over edges).
  const preds = predecessors(fn);
  const order = reversePostOrder(fn);
  const inSet = new Map<BlockId, Set<VReg> | null>(); // null = not yet known (top)
  order.forEach((b) => inSet.set(b, b === 0 ? new Set() : null));
  const edgeFacts = (from: BlockId, to: BlockId): VReg[] => {
    const t = fn.blocks[from].term;
    if (t.op !== "br") return [];
    const facts: VReg[] = [];
    const test = (x: VReg, y: VReg) => (isZero(y) ? x : isZero(x) ? y : undefined);
    const v = test(t.a, t.b);
    if (v === undefined) return [];
    if (t.cond === "ne" && to === t.then && to !== t.else) facts.push(root(v));
    if (t.cond === "eq" && to === t.else && to !== t.then) facts.push(root(v));
    if ((t.cond === "ugt" && isZero(t.b)) && to === t.then && to !== t.else) facts.push(root(v));
    return facts;
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (const b of order) {
      if (b === 0) continue;
      let acc: Set<VReg> | null = null;
      for (const p of preds[b]) {
        const pin = inSet.get(p);
        if (pin === null || pin === undefined) continue;
        const out: Set<VReg> = new Set<VReg>(pin);
        edgeFacts(p, b).forEach((f) => out.add(f));
        const prevAcc: Set<VReg> | null = acc;
        acc = prevAcc === null ? out : new Set<VReg>([...prevAcc].filter((x: VReg) => out.has(x)));
      }
      const prev = inSet.get(b);
      if (acc !== null && (prev === null || prev === undefined || prev.size !== acc.size || [...acc].some((x) => !prev.has(x)))) {
        inSet.set(b, acc);
        changed = true;
      }
    }
  }

  const diags: Diagnostic[] = [];
  const reported = new Set<VReg>();
  for (const b of order) {
    const known = inSet.get(b) ?? new Set<VReg>();
    for (const i of fn.blocks[b].insts) {
      if (i.op !== "load" && i.op !== "store" && i.op !== "atomic") continue;
      const r = root(i.base);
      if (!isNullable(r) || known.has(r) || reported.has(r)) continue;
      reported.add(r);
      const src = def.get(r);
      const name = src?.op === "call" ? HELPER_NAME.get(src.helper) ?? "helper" : "a pointer that may be NULL";
      const what = src?.op === "call" ? (name === "map-lookup-elem" ? "map-lookup" : name) : name;
      const notes = src?.span ? [{ message: `the pointer comes from "${what}" here, which returns 0 (NULL) when there is no value`, span: src.span as Span }] : [];
      diags.push(error(
        `Possible NULL dereference: the result of "${what}" must be checked before it is used (e.g. (when-let ((p (${what} …))) …))`,
        i.span, notes,
      ));
    }
  }
  return diags;
}
