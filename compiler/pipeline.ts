// The pass manager: builds a pipeline from registered pass names (checking requires/provides
// when it is built), runs SSA and peephole passes with print/verify/time hooks.

import { fail } from "./diag.ts";
import { type Function, printFunction } from "./ir.ts";
import type { Item } from "./asm/insn.ts";
import type { PassContext, PeepholePass, Registry, SsaPass } from "./registry.ts";
import { verifyFunction } from "./ir_verify.ts";
import { formatItems } from "./asm_text.ts";

/** Built-in pipelines by -O level: pass names, SSA and peephole mixed (each runs in its stage). */
export const PIPELINES: Record<string, string[]> = {
  O0: [],
  O1: ["copy-prop", "sccp", "instcombine", "copy-prop", "simplify-cfg", "dce", "redundant-jumps"],
  O2: [
    "copy-prop", "sccp", "instcombine", "copy-prop", "offset-fold", "cse", "load-hoist", "store-forward", "copy-prop",
    "instcombine", "copy-prop", "lookup-delete-fusion", "dse", "phi-thread", "simplify-cfg", "narrow", "instcombine",
    "copy-prop", "bitmask-fusion", "merge-returns", "simplify-cfg", "dce", "stack-coloring",
    "redundant-moves", "imm-forms", "exit-hoist", "tail-merge", "cross-jump", "jump-thread", "redundant-jumps",
  ],
};
// Every pass of -O2 makes code smaller as well as faster: -Os is the same list.
PIPELINES.Os = [...PIPELINES.O2];

export interface PipelineHooks {
  printBefore?: Set<string> | "all";
  printAfter?: Set<string> | "all";
  printChanged?: boolean;
  verifyEach?: boolean;
  timePasses?: boolean;
  /** Where hook output goes (the CLI sends it to stderr). */
  log?: (text: string) => void;
  /** A clock for --time-passes (milliseconds), given by the host. */
  clock?: () => number;
  /** Collected timings: pass name → total ms. */
  timings?: Map<string, number>;
}

export interface Pipeline {
  ssa: SsaPass[];
  peephole: PeepholePass[];
  names: string[];
}

/** Resolve names to passes, with plugin passes placed by their `position` in built-in pipelines. */
export function buildPipeline(registry: Registry, names: string[], builtin: boolean): Pipeline {
  const list = [...names];
  if (builtin) {
    for (const { value: p } of registry.passes.values()) {
      if (!p.position || list.includes(p.name)) continue;
      const pos = p.position;
      if ("before" in pos || "after" in pos) {
        const anchor = "before" in pos ? pos.before : pos.after;
        if (!registry.passes.has(anchor)) fail(`Pass "${p.name}" asks to run ${"before" in pos ? "before" : "after"} "${anchor}", which is not a registered pass`);
        const at = list.indexOf(anchor);
        if (at < 0) continue; // anchor not in this pipeline (e.g. -O0)
        list.splice("before" in pos ? at : at + 1, 0, p.name);
      } else if (list.length || pos.slot === "end") {
        const sameKind = list.map((n) => registry.passes.get(n)!.value.kind);
        if (pos.slot === "start") {
          const first = sameKind.indexOf(p.kind);
          list.splice(first < 0 ? (p.kind === "ssa" ? 0 : list.length) : first, 0, p.name);
        } else {
          const last = sameKind.lastIndexOf(p.kind);
          list.splice(last < 0 ? (p.kind === "ssa" ? 0 : list.length) : last + 1, 0, p.name);
        }
      }
    }
  }
  const provided = new Set<string>();
  const ssa: SsaPass[] = [], peephole: PeepholePass[] = [];
  for (const name of list) {
    const reg = registry.passes.get(name);
    if (!reg) {
      const known = [...registry.passes.keys()].sort();
      const near = known.filter((k) => k.includes(name) || name.includes(k));
      fail(`Unknown pass "${name}"${near.length ? ` (did you mean ${near.map((n) => `"${n}"`).join(", ")}?)` : ""}; see --list-passes`);
    }
    const p = reg.value;
    for (const r of p.requires ?? []) {
      if (!provided.has(r)) fail(`Pass "${p.name}" requires "${r}", which no earlier pass in the pipeline provides`);
    }
    provided.add(p.name);
    (p.provides ?? []).forEach((x) => provided.add(x));
    (p.kind === "ssa" ? ssa : peephole).push(p as never);
  }
  return { ssa, peephole, names: list };
}

function wants(set: Set<string> | "all" | undefined, name: string): boolean {
  return set === "all" || (set !== undefined && set.has(name));
}

function changedOf(r: { changed: boolean } | boolean): boolean {
  return typeof r === "boolean" ? r : r.changed;
}

/** Thrown when a pass throws or breaks the IR: names the pass and the program. */
export class PassError extends Error {
  constructor(readonly pass: string, readonly program: string, readonly plugin: string, message: string) {
    super(message);
  }
}

export function runSsaPasses(fn: Function, passes: SsaPass[], ctx: PassContext, hooks: PipelineHooks, registry: Registry): void {
  const log = hooks.log ?? (() => {});
  for (const p of passes) {
    const plugin = registry.passes.get(p.name)?.plugin ?? "?";
    if (wants(hooks.printBefore, p.name)) log(`;; IR before ${p.name} (${fn.name})\n${printFunction(fn)}\n`);
    const before = hooks.printChanged ? printFunction(fn) : "";
    const t0 = hooks.timePasses && hooks.clock ? hooks.clock() : 0;
    let changed: boolean;
    try {
      changed = changedOf(p.run(fn, ctx));
    } catch (e) {
      if (e instanceof Error && e.name === "CompileError") throw e;
      throw new PassError(p.name, fn.name, plugin, `Pass "${p.name}" (from "${plugin}") threw while compiling "${fn.name}": ${e instanceof Error ? e.message : String(e)}`);
    }
    if (hooks.timePasses && hooks.clock) hooks.timings?.set(p.name, (hooks.timings.get(p.name) ?? 0) + hooks.clock() - t0);
    if (hooks.verifyEach) {
      const errs = verifyFunction(fn);
      if (errs.length) {
        throw new PassError(p.name, fn.name, plugin, `Pass "${p.name}" (from "${plugin}") produced invalid IR for "${fn.name}":\n  ${errs.slice(0, 10).join("\n  ")}`);
      }
    }
    if (wants(hooks.printAfter, p.name)) log(`;; IR after ${p.name} (${fn.name})\n${printFunction(fn)}\n`);
    if (hooks.printChanged && changed) {
      const after = printFunction(fn);
      if (after !== before) log(`;; ${p.name} changed ${fn.name}\n${diffLines(before, after)}\n`);
    }
  }
}

export function runPeepholes(items: Item[], passes: PeepholePass[], ctx: PassContext, hooks: PipelineHooks, registry: Registry): void {
  const log = hooks.log ?? (() => {});
  for (const p of passes) {
    const plugin = registry.passes.get(p.name)?.plugin ?? "?";
    if (wants(hooks.printBefore, p.name)) log(`;; code before ${p.name} (${ctx.program})\n${formatItems(items)}\n`);
    const before = hooks.printChanged ? formatItems(items) : "";
    const t0 = hooks.timePasses && hooks.clock ? hooks.clock() : 0;
    let changed: boolean;
    try {
      changed = changedOf(p.run(items, ctx));
    } catch (e) {
      if (e instanceof Error && e.name === "CompileError") throw e;
      throw new PassError(p.name, ctx.program, plugin, `Pass "${p.name}" (from "${plugin}") threw while compiling "${ctx.program}": ${e instanceof Error ? e.message : String(e)}`);
    }
    if (hooks.timePasses && hooks.clock) hooks.timings?.set(p.name, (hooks.timings.get(p.name) ?? 0) + hooks.clock() - t0);
    if (wants(hooks.printAfter, p.name)) log(`;; code after ${p.name} (${ctx.program})\n${formatItems(items)}\n`);
    if (hooks.printChanged && changed) {
      const after = formatItems(items);
      if (after !== before) log(`;; ${p.name} changed ${ctx.program}\n${diffLines(before, after)}\n`);
    }
  }
}

/** A small line diff (- removed, + added) for --print-changed. */
export function diffLines(a: string, b: string): string {
  const x = a.split("\n"), y = b.split("\n");
  const n = x.length, m = y.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: string[] = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) { out.push(`  ${x[i]}`); i++; j++; }
    else if (j < m && (i >= n || lcs[i][j + 1] >= lcs[i + 1][j])) out.push(`+ ${y[j++]}`);
    else out.push(`- ${x[i++]}`);
  }
  return out.join("\n");
}

/** List of registered passes for --list-passes. */
export function listPasses(registry: Registry): string {
  const rows = [...registry.passes.values()].map(({ value: p, plugin }) => {
    const facts = [p.requires?.length ? `requires ${p.requires.join(",")}` : "", p.provides?.length ? `provides ${p.provides.join(",")}` : ""].filter(Boolean);
    return `  ${p.name.padEnd(22)} ${p.kind.padEnd(9)} ${p.description}${facts.length ? ` (${facts.join("; ")})` : ""}${plugin.startsWith("whistler:") ? "" : `  [${plugin}]`}`;
  });
  const pipes = Object.entries(PIPELINES).map(([k, v]) => `  -${k}: ${v.length ? v.join(",") : "(no optimisation passes)"}`);
  return `Passes:\n${rows.join("\n")}\n\nPipelines:\n${pipes.join("\n")}\n`;
}
