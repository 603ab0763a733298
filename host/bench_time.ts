// Compile-time benchmark of `whistler bench --time`: per fixture, the median of several warm
// (in-process compile()) and cold (a whole `whistler compile` process) runs, beside clang -O2 -c on the C twin.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { compile } from "../mod.ts";
import { CLANG_FLAGS, type Fixture, geomean, median } from "./bench_core.ts";
import { hostFiles } from "./fs.ts";

export interface TimeRecord {
  fixture: string;
  /** Median milliseconds: in-process compile() after a warm-up run. */
  warm: number | null;
  /** Median milliseconds: the whole CLI process, start to exit. */
  cold: number | null;
  /** Median milliseconds: clang -O2 -c on the C twin (null without a twin or clang). */
  clang: number | null;
  note?: string;
}

export interface TimeRun {
  runs: number;
  cpu: number;
  /** The command timed for "cold", with FILE/OUT placeholders. */
  coldCommand: string;
  clang: string | null;
  fixtures: TimeRecord[];
  /** Geometric means of warm/clang and cold/clang over fixtures with all three. */
  warmRatio: number | null;
  coldRatio: number | null;
}

/** How to start our CLI as a fresh process: the runtime plus cli.ts, or the single binary itself. */
export function cliCommand(): string[] {
  let cli: string | undefined;
  try {
    const p = fileURLToPath(new URL("../cli.ts", import.meta.url));
    if (fs.existsSync(p)) cli = p;
  } catch { /* not on disk: a compiled binary */ }
  const g = globalThis as { Deno?: { execPath(): string }; Bun?: unknown };
  if (!cli) return [process.execPath];
  if (g.Deno) return [g.Deno.execPath(), "run", "-A", "--no-check", cli];
  return [process.execPath, cli];
}

/** A path as shown in the report: relative to the working directory when that is shorter. */
function shown(p: string): string {
  const rel = path.isAbsolute(p) ? path.relative(process.cwd(), p) : p;
  const s = rel.length < p.length && !rel.startsWith("../..") ? rel : p;
  return s.includes(" ") ? JSON.stringify(s) : s;
}

function timeProcess(cmd: string[]): { ms: number; ok: boolean; err: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
  return { ms: performance.now() - t0, ok: r.status === 0, err: r.stderr ?? String(r.error ?? "") };
}

/** Time every fixture; `clangBin` null skips the clang column. */
export function timeFixtures(fixtures: Fixture[], opts: { runs: number; cpu: 1 | 2 | 3 | 4; clangBin: string | null }): TimeRun {
  const runs = Math.max(1, opts.runs);
  const cli = cliCommand();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "whistler-bench-time-"));
  const out: TimeRecord[] = [];
  try {
    for (const f of fixtures) {
      const rec: TimeRecord = { fixture: f.name, warm: null, cold: null, clang: null };
      out.push(rec);
      const source = fs.readFileSync(f.lisp, "utf8");
      const opts2 = { file: f.lisp, cpu: opts.cpu, opt: "2" as const, files: hostFiles, includePaths: [path.dirname(f.lisp)] };
      const first = compile(source, opts2);
      if (!first.ok) {
        rec.note = f.pending ? `pending: ${f.pending.split("\n")[0]}` : "does not compile";
      } else {
        const warm: number[] = [];
        for (let i = 0; i < runs; i++) {
          const t0 = performance.now();
          compile(source, opts2);
          warm.push(performance.now() - t0);
        }
        rec.warm = median(warm);
        const obj = path.join(tmp, `${f.name}.bpf.o`);
        const cold: number[] = [];
        for (let i = 0; i < runs; i++) {
          const r = timeProcess([...cli, "compile", `-mcpu=v${opts.cpu}`, f.lisp, "-o", obj]);
          if (!r.ok) {
            rec.note = `cold run failed: ${r.err.split("\n")[0]}`;
            break;
          }
          cold.push(r.ms);
        }
        if (cold.length === runs) rec.cold = median(cold);
      }
      if (f.c && opts.clangBin) {
        const obj = path.join(tmp, `${f.name}.clang.o`);
        const times: number[] = [];
        for (let i = 0; i < runs; i++) {
          const r = timeProcess([opts.clangBin, ...CLANG_FLAGS, `-mcpu=v${opts.cpu}`, "-c", f.c, "-o", obj]);
          if (!r.ok) break;
          times.push(r.ms);
        }
        if (times.length === runs) rec.clang = median(times);
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const full = out.filter((r) => r.warm !== null && r.cold !== null && r.clang !== null && r.clang > 0);
  return {
    runs, cpu: opts.cpu, clang: opts.clangBin,
    coldCommand: [...cli.map(shown), "compile", `-mcpu=v${opts.cpu}`, "FILE", "-o", "OUT"].join(" "),
    fixtures: out,
    warmRatio: full.length ? geomean(full.map((r) => r.warm! / r.clang!)) : null,
    coldRatio: full.length ? geomean(full.map((r) => r.cold! / r.clang!)) : null,
  };
}

const ms = (x: number | null) => (x === null ? "-" : x < 10 ? x.toFixed(2) : x.toFixed(1));
const ratio = (a: number | null, b: number | null) => (a === null || b === null || b <= 0 ? "-" : (a / b).toFixed(2));

/** The timing table, as text or Markdown. */
export function timeTable(t: TimeRun, markdown = false): string {
  const head = ["fixture", "warm ms", "cold ms", "clang ms", "warm/clang", "cold/clang"];
  const body = t.fixtures.map((r) => [r.fixture, ms(r.warm), ms(r.cold), ms(r.clang), ratio(r.warm, r.clang), ratio(r.cold, r.clang)]);
  const geo = ["geometric mean", "", "", "", t.warmRatio?.toFixed(2) ?? "-", t.coldRatio?.toFixed(2) ?? "-"];
  const notes = t.fixtures.filter((r) => r.note).map((r) => `${r.fixture}: ${r.note}`);
  const foot = [
    `medians of ${t.runs} runs at -mcpu=v${t.cpu}; warm = compile() in process after a warm-up, cold = ${t.coldCommand}`,
    t.clang ? `clang = ${t.clang} ${CLANG_FLAGS.join(" ")} -mcpu=v${t.cpu} -c on the C twin` : "clang: not found, column empty",
  ];
  if (markdown) {
    const line = (c: string[]) => `| ${c.join(" | ")} |`;
    return [line(head), `| --- |${" ---: |".repeat(head.length - 1)}`, ...body.map(line), line(geo.map((c, i) => (i ? c : `**${c}**`))), "",
      ...foot.map((l) => l + "  "), ...(notes.length ? ["", ...notes.map((n) => `- ${n}`)] : [])].join("\n") + "\n";
  }
  const all = [head, ...body, geo];
  const w = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i ? x.padStart(w[i]) : x.padEnd(w[i]))).join("  ");
  return [line(head), w.map((n) => "-".repeat(n)).join("  "), ...body.map(line), line(geo), "", ...foot, ...notes].join("\n") + "\n";
}
