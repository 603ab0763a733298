// `whistler bench [FILES|DIR]`: instruction counts per program against clang -O2's recorded counts,
// as a table, JSON, Markdown or SVG; saved runs and baselines that fail a build when a program grows.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import process from "node:process";
import type { OptLevel } from "../mod.ts";
import {
  type ClangRecord, clangRecordFor, compileOurs, defaultFixtureDir, type Fixture, findFixtures, readClangRecord,
} from "./bench_core.ts";
import { type BenchRecord, type BenchRun, markdownTable, svgChart, textTable, totalsOf } from "./bench_render.ts";
import { timeFixtures, timeTable } from "./bench_time.ts";
import { verifierCounts, verifierUnavailable } from "./bench_verifier.ts";
import { writeAtomic } from "./fs.ts";
import { VERSION } from "./version.ts";

export const BENCH_HELP = `Usage: whistler bench [options] [FILE.lisp|DIR]…

Compiles each program (default: the bundled bench/fixtures) and prints a table per program:
our instruction count, clang -O2's on the C twin at -mcpu=v1/v3/v4 where a fixture has one
(recorded in clang.json beside or above the directory; clang is not needed), the ratio
ours/clang at our -mcpu, and the verifier's processed-instruction count when the kernel lets
us load programs (CAP_BPF, bpftool, bpffs). Instructions are counted as llvm-objdump -d
prints them: one per instruction of a program's symbol, an ld_imm64 counts as one.

Options:
  -mcpu=v1|v2|v3|v4   instruction set for our side (default v3); ratios use clang at the same level
  -O0 -O1 -O2 -Os     our pipeline (default -O2)
  --clang FILE        recorded clang counts to use (default: clang.json beside or above each file)
  --json              results as JSON (one record per program) instead of the table
  --markdown          the table as Markdown
  --svg FILE          also write a bar chart (ours vs clang) to FILE
  --save FILE         also write this run (the --json form) to FILE
  --baseline FILE     compare with a saved run; exit 1 if any program grew
  --tolerance N|N%    growth allowed by --baseline per program: N instructions, or N percent
                      of the baseline count (default 0)
  --no-verifier       do not load programs into the kernel
  --time              compile-time benchmark instead: warm (in process) and cold (whole CLI)
                      compile time per file beside clang -O2 -c on the C twin, medians
  --runs N            runs per measurement for --time (default 5)

Exit status: 0 ok, 1 a program grew past the baseline or a (non-pending) file failed to
compile, 2 a usage error. A fixture with a NAME.pending file beside it is reported as
pending and left out of the totals.
`;

export class BenchUsageError extends Error {}

interface Options {
  inputs: string[];
  cpu: 1 | 2 | 3 | 4;
  opt: OptLevel;
  clang?: string;
  json: boolean;
  markdown: boolean;
  svg?: string;
  save?: string;
  baseline?: string;
  tolerance: { n: number; percent: boolean };
  verifier: boolean;
  time: boolean;
  runs: number;
}

export function parseBenchArgs(args: string[]): Options {
  const o: Options = {
    inputs: [], cpu: 3, opt: "2", json: false, markdown: false, tolerance: { n: 0, percent: false }, verifier: true,
    time: false, runs: 5,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const flag = a.startsWith("--") ? a.split("=")[0] : a;
    const value = (): string => {
      const eq = a.indexOf("=");
      if (a.startsWith("--") && eq > 0) return a.slice(eq + 1);
      if (i + 1 >= args.length) throw new BenchUsageError(`Option ${flag} needs a value`);
      return args[++i];
    };
    if (a.startsWith("-mcpu=")) {
      const m = /^-mcpu=v([1-4])$/.exec(a);
      if (!m) throw new BenchUsageError(`Unknown CPU "${a.slice(6)}" (use -mcpu=v1, v2, v3 or v4)`);
      o.cpu = Number(m[1]) as 1 | 2 | 3 | 4;
    } else if (/^-O[012s]$/.test(a)) o.opt = a.slice(2) as OptLevel;
    else if (flag === "--clang") o.clang = value();
    else if (a === "--json") o.json = true;
    else if (a === "--markdown") o.markdown = true;
    else if (flag === "--svg") o.svg = value();
    else if (flag === "--save") o.save = value();
    else if (flag === "--baseline") o.baseline = value();
    else if (flag === "--tolerance") {
      const v = value();
      const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(v);
      if (!m) throw new BenchUsageError(`--tolerance takes N (instructions) or N% (percent), got "${v}"`);
      o.tolerance = { n: Number(m[1]), percent: m[2] === "%" };
    } else if (a === "--no-verifier") o.verifier = false;
    else if (a === "--time") o.time = true;
    else if (flag === "--runs") {
      const v = value();
      if (!/^[1-9]\d*$/.test(v)) throw new BenchUsageError(`--runs takes a positive integer, got "${v}"`);
      o.runs = Number(v);
    } else if (a.startsWith("-")) throw new BenchUsageError(`Unknown option "${a}"; see "whistler bench --help"`);
    else o.inputs.push(a);
  }
  if (o.json && o.markdown) throw new BenchUsageError("--json and --markdown cannot be used together");
  return o;
}

/** Recorded clang counts for a fixture: from --clang, else clang.json beside/above it (C twin required). */
function clangLookup(explicit: ClangRecord | undefined) {
  const cache = new Map<string, ClangRecord | undefined>();
  return (f: Fixture): { record: ClangRecord; entry: ClangRecord["fixtures"][string] } | undefined => {
    let rec = explicit;
    if (!rec) {
      if (!f.c) return undefined;
      const file = clangRecordFor(path.dirname(f.lisp));
      if (!file) return undefined;
      if (!cache.has(file)) cache.set(file, readClangRecord(file));
      rec = cache.get(file);
    }
    const entry = rec?.fixtures[f.name];
    return rec && entry ? { record: rec, entry } : undefined;
  };
}

/** Compile every input and build the run (no printing; diagnostics of failures go to `log`). */
export function benchRun(fixtures: Fixture[], o: Pick<Options, "cpu" | "opt" | "verifier"> & { clang?: ClangRecord },
  log: (s: string) => void = () => {}): BenchRun {
  const lookup = clangLookup(o.clang);
  const key = `v${o.cpu}` as "v1" | "v3" | "v4";
  const vReason = o.verifier ? verifierUnavailable() : "disabled";
  let clangVersion: string | null = null;
  const records: BenchRecord[] = [];
  for (const f of fixtures) {
    const c = lookup(f);
    if (c) clangVersion = c.record.clang;
    const clangOf = (p: string) => {
      const e = c?.entry.programs[p];
      return e ? { v1: e.v1, v3: e.v3, v4: e.v4 } : null;
    };
    const ours = compileOurs(f.lisp, { cpu: o.cpu, opt: o.opt });
    if (!ours.ok) {
      const firstErr = ours.messages.split("\n").find((l) => /error:/.test(l))?.replace(/^.*?error:\s*/, "") ?? "does not compile";
      if (!f.pending) log(ours.messages);
      const status = f.pending ? "pending" : "error";
      const note = f.pending ?? firstErr;
      const progs = c ? Object.entries(c.entry.programs) : [];
      if (!progs.length) records.push({ fixture: f.name, file: f.lisp, program: null, section: null, insns: null, stack: null, clang: null, ratio: null, verifier: null, status, note });
      for (const [name, p] of progs) {
        records.push({ fixture: f.name, file: f.lisp, program: name, section: p.section, insns: null, stack: null, clang: clangOf(name), ratio: null, verifier: null, status, note });
      }
      continue;
    }
    let verified: Record<string, number> = {}, vNote: string | undefined;
    if (!vReason) {
      const v = verifierCounts(ours.object!);
      if (v.ok) verified = v.processed;
      else vNote = `rejected by the kernel: ${v.error.split("\n").filter(Boolean).pop() ?? ""}`;
    }
    for (const p of ours.programs) {
      const cl = clangOf(p.name);
      const ratio = cl && cl[key] !== undefined && cl[key] > 0 ? p.insns / cl[key] : null;
      const status = f.pending ? "pending" : vNote ? "error" : "ok";
      records.push({
        fixture: f.name, file: f.lisp, program: p.name, section: p.section, insns: p.insns, stack: p.stack, clang: cl, ratio,
        verifier: verified[p.name] ?? null, status, note: f.pending ?? vNote,
      });
    }
    for (const name of Object.keys(c?.entry.programs ?? {})) {
      if (!ours.programs.some((p) => p.name === name)) {
        records.push({ fixture: f.name, file: f.lisp, program: name, section: c!.entry.programs[name].section, insns: null, stack: null, clang: clangOf(name), ratio: null, verifier: null, status: "error", note: "the C twin has this program, the Whistler file does not" });
      }
    }
  }
  return { tool: "whistler bench", version: VERSION, cpu: o.cpu, opt: o.opt, clang: clangVersion, programs: records, totals: totalsOf(records, o.cpu) };
}

export interface BaselineResult {
  file: string;
  tolerance: string;
  grew: { key: string; from: number; to: number | null }[];
  shrank: { key: string; from: number; to: number }[];
  unchanged: number;
  added: string[];
}

/** Compare a run with a saved one; a program grows when it exceeds the baseline by more than the tolerance. */
export function compareBaseline(run: BenchRun, base: BenchRun, file: string, tol: Options["tolerance"]): BaselineResult {
  const keyOf = (r: BenchRecord) => `${r.fixture}/${r.program}`;
  const now = new Map(run.programs.filter((r) => r.program).map((r) => [keyOf(r), r]));
  const res: BaselineResult = { file, tolerance: `${tol.n}${tol.percent ? "%" : " instructions"}`, grew: [], shrank: [], unchanged: 0, added: [] };
  const seen = new Set<string>();
  for (const b of base.programs) {
    if (!b.program || b.insns === null || b.insns === undefined) continue;
    const k = keyOf(b);
    seen.add(k);
    const r = now.get(k);
    if (!r) continue; // not part of this run (a narrower set of files)
    if (r.insns === null) {
      if (r.status !== "pending") res.grew.push({ key: k, from: b.insns, to: null });
      continue;
    }
    const allowed = tol.percent ? (b.insns * tol.n) / 100 : tol.n;
    if (r.insns - b.insns > allowed) res.grew.push({ key: k, from: b.insns, to: r.insns });
    else if (r.insns < b.insns) res.shrank.push({ key: k, from: b.insns, to: r.insns });
    else res.unchanged++;
  }
  for (const k of now.keys()) if (!seen.has(k) && now.get(k)!.insns !== null) res.added.push(k);
  return res;
}

function baselineText(b: BaselineResult): string {
  const out = [`Baseline ${b.file} (tolerance ${b.tolerance}): ${b.grew.length} grew, ${b.shrank.length} shrank, ${b.unchanged} unchanged` +
    (b.added.length ? `, ${b.added.length} new` : "")];
  for (const g of b.grew) {
    out.push(g.to === null ? `  GREW ${g.key}: ${g.from} → does not compile`
      : `  GREW ${g.key}: ${g.from} → ${g.to} (+${g.to - g.from}, +${(((g.to - g.from) / g.from) * 100).toFixed(1)}%)`);
  }
  for (const s of b.shrank) out.push(`  shrank ${s.key}: ${s.from} → ${s.to} (${s.to - s.from})`);
  return out.join("\n") + "\n";
}

function readRun(file: string): BenchRun {
  let j: BenchRun;
  try {
    j = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new BenchUsageError(`Cannot read saved run "${file}": ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!j || !Array.isArray(j.programs)) throw new BenchUsageError(`"${file}" is not a saved bench run (no "programs" list)`);
  return j;
}

/** The command: returns the exit status. `out`/`err` default to the process streams. */
export function cmdBench(args: string[], io: { out?: (s: string) => void; err?: (s: string) => void } = {}): number {
  const out = io.out ?? ((s: string) => void process.stdout.write(s));
  const err = io.err ?? ((s: string) => void process.stderr.write(s));
  if (args.includes("--help") || args.includes("-h")) return (out(BENCH_HELP), 0);
  const o = parseBenchArgs(args);
  if (!o.inputs.length) {
    const dir = defaultFixtureDir();
    if (!dir) throw new BenchUsageError("No input; usage: whistler bench [FILE.lisp|DIR]…");
    o.inputs.push(path.relative(process.cwd(), dir) || ".");
  }
  for (const i of o.inputs) if (!fs.existsSync(i)) throw new BenchUsageError(`Cannot read "${i}"`);
  const fixtures = findFixtures(o.inputs);
  if (!fixtures.length) throw new BenchUsageError(`No .lisp files in ${o.inputs.join(", ")}`);
  if (o.time) {
    const t = timeFixtures(fixtures, { runs: o.runs, cpu: o.cpu, clangBin: findClang() });
    out(o.json ? JSON.stringify(t, null, 2) + "\n" : timeTable(t, o.markdown));
    return 0;
  }
  const clang = o.clang ? readClangRecord(o.clang) : undefined;
  const run = benchRun(fixtures, { cpu: o.cpu, opt: o.opt, verifier: o.verifier, clang }, err);
  const base = o.baseline ? compareBaseline(run, readRun(o.baseline), o.baseline, o.tolerance) : undefined;
  if (o.json) out(JSON.stringify(base ? { ...run, baseline: base } : run, null, 2) + "\n");
  else out(o.markdown ? markdownTable(run) : textTable(run));
  if (base) (o.json ? err : out)((o.json ? "" : "\n") + baselineText(base));
  if (o.save) writeAtomic(o.save, JSON.stringify(run, null, 2) + "\n");
  if (o.svg) writeAtomic(o.svg, svgChart(run));
  const failed = run.totals.errors.length > 0 || (base?.grew.length ?? 0) > 0;
  return failed ? 1 : 0;
}

/** clang for --time: $WHISTLER_CLANG, clang-19 or clang; null when none runs. */
function findClang(): string | null {
  for (const c of [process.env.WHISTLER_CLANG, "clang-19", "clang"].filter((x): x is string => !!x)) {
    if (spawnSync(c, ["--version"], { stdio: "ignore" }).status === 0) return c;
  }
  return null;
}
