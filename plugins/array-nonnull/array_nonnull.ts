// array-nonnull: an example SSA pass plugin. Since Linux 6.14 the verifier knows that looking up
// a constant, in-range key of an array map cannot fail, so the null check after looking up key 0
// — `(incf (getmap stats 0))`'s `if r0 == 0 goto …` and the path it guards — is dead code. Opt-in,
// as a plugin: objects built with it do not load on older kernels. Uses only the plugin API.

import type { Function, Inst, Plugin, SsaPass, VReg } from "../../mod.ts";

const LOOKUP = 1; // bpf_map_lookup_elem
const ARRAYS = new Set(["array", "percpu-array"]);

const plugin: Plugin = {
  name: "array-nonnull",
  options: { report: "1 to warn, per program, how many null checks were removed" },
  setup(api) {
    const { ir } = api;
    const $ = ir.capture;

    /** The constant key stored at [slot + 0] before `call` in its block, if nothing else may change it. */
    function constantKey(fn: Function, insts: Inst[], at: number, slot: number, size: number): bigint | undefined {
      const m = ir.matcher(fn);
      for (let k = at - 1; k >= 0; k--) {
        const i = insts[k];
        if (i.op === "call" || i.op === "atomic" || i.op === "asm") return undefined;
        if (i.op !== "store") continue;
        const base = m.def(i.base);
        if (base?.op !== "stack") return undefined; // through some pointer: it might be the key
        if (base.slot !== slot) continue; // another stack object
        return i.off === 0 && i.size === size ? m.constant(i.value) : undefined;
      }
      return undefined;
    }

    const pass: SsaPass = {
      name: "array-nonnull",
      kind: "ssa",
      description: "drops null checks after constant in-range array map lookups (Linux >= 6.14 verifiers)",
      position: { after: "copy-prop" },
      run(fn, ctx) {
        const m = ir.matcher(fn);
        let removed = 0;
        for (const block of fn.blocks) {
          const t = block.term;
          // br (lookup == 0) or (lookup != 0), with the zero on either side.
          const lookup = $("p", { op: "call", helper: LOOKUP });
          const zero = { op: "const", value: 0n };
          const c = t.op === "br" && (t.cond === "eq" || t.cond === "ne") ? m.match(t, { a: lookup, b: zero }) ?? m.match(t, { a: zero, b: lookup }) : undefined;
          if (!c || t.op !== "br") continue;
          const call = m.def(c.p as VReg)!;
          if (call.op !== "call") continue;
          const mapDef = m.def(call.args[0]), keyDef = m.def(call.args[1]);
          if (mapDef?.op !== "mapref" || keyDef?.op !== "stack") continue;
          const map = ctx.map?.(mapDef.map);
          if (!map || !ARRAYS.has(map.type) || map.keySize !== 4) continue;
          // The key must be a constant the verifier sees: the call is in this block or its only predecessor's.
          const home = fn.blocks.find((b) => b.insts.includes(call))!;
          const preds = ir.predecessors(fn)[block.id];
          if (home !== block && !(preds.length === 1 && preds[0] === home.id && home.term.op === "jmp")) continue;
          const key = constantKey(fn, home.insts, home.insts.indexOf(call), keyDef.slot, 4);
          // Only key 0: the verifier tracks zeroed stack bytes wherever they are, but a non-zero key
          // only as an 8-byte-aligned spill, and stack offsets are not known until register allocation.
          if (key !== 0n || map.maxEntries < 1) continue;
          const nonNull = t.cond === "ne" ? t.then : t.else;
          block.term = { op: "jmp", target: nonNull, span: t.span };
          removed++;
        }
        if (!removed) return false;
        ir.cleanupCfg(fn); // the null path is unreachable now: drop it and its φ arguments
        if (ctx.options.report === "1") ctx.warn(`array-nonnull: removed ${removed} null check(s) in ${ctx.program}`);
        return true;
      },
    };
    api.pass(pass);
  },
};

export default plugin;
