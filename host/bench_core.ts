// Shared pieces of the benchmark: fixture discovery, instruction counting of any BPF object
// (ours or clang's, one rule), compiling a Whistler file, and the recorded clang counts file.

import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { compile, type CompileResult, type OptLevel, render } from "../mod.ts";
import { readElf } from "../compiler/elf/read.ts";
import { programsOf } from "./disasm.ts";
import { hostFiles } from "./fs.ts";

/** The -mcpu levels clang is recorded at. */
export const CLANG_CPUS = ["v1", "v3", "v4"] as const;
export type ClangCpu = typeof CLANG_CPUS[number];

/** The exact clang command line of the recorded counts (clang binary first, then `-mcpu=vN -c SRC -o OBJ`). */
export const CLANG_FLAGS = ["-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu"];

/** bench/fixtures beside this module's tree, or undefined when not on disk (the single binary). */
export function defaultFixtureDir(): string | undefined {
  try {
    const dir = fileURLToPath(new URL("../bench/fixtures/", import.meta.url));
    return fs.existsSync(dir) ? dir : undefined;
  } catch {
    return undefined;
  }
}

export interface ProgramCount {
  name: string;
  section: string;
  /** Instructions as llvm-objdump -d prints them: an ld_imm64 counts as one. */
  insns: number;
}

/** Per-program instruction counts of a BPF ELF object: every STT_FUNC symbol in an executable section. */
export function countObject(bytes: Uint8Array): ProgramCount[] {
  return programsOf(readElf(bytes)).map((p) => ({ name: p.name, section: p.section, insns: p.insns.length }));
}

export interface Fixture {
  /** File name without .lisp: the key in clang.json and in saved runs. */
  name: string;
  /** The Whistler source. */
  lisp: string;
  /** The C twin, when there is one. */
  c?: string;
  /** Why the Lisp side is pending (a .pending file beside it), if it is. */
  pending?: string;
}

function fixtureFor(lisp: string): Fixture {
  const base = lisp.replace(/\.lisp$/i, "");
  const name = path.basename(base);
  const c = fs.existsSync(base + ".c") ? base + ".c" : undefined;
  const pendingFile = base + ".pending";
  const pending = fs.existsSync(pendingFile) ? fs.readFileSync(pendingFile, "utf8").trim() || "pending" : undefined;
  return { name, lisp, c, pending };
}

/** Fixtures of the given files and directories (a directory gives its *.lisp files, sorted). */
export function findFixtures(inputs: string[]): Fixture[] {
  const out: Fixture[] = [];
  for (const input of inputs) {
    const st = fs.statSync(input, { throwIfNoEntry: false });
    if (st?.isDirectory()) {
      for (const f of fs.readdirSync(input).filter((n) => /\.lisp$/i.test(n)).sort()) out.push(fixtureFor(path.join(input, f)));
    } else {
      out.push(fixtureFor(input));
    }
  }
  return out;
}

export interface OursResult {
  ok: boolean;
  /** Rendered diagnostics (errors and warnings), empty when there are none. */
  messages: string;
  object?: Uint8Array;
  programs: (ProgramCount & { stack: number })[];
  result: CompileResult;
}

/** Compile one Whistler file in process and count its object's programs. */
export function compileOurs(file: string, opts: { cpu?: 1 | 2 | 3 | 4; opt?: OptLevel; source?: string } = {}): OursResult {
  const source = opts.source ?? fs.readFileSync(file, "utf8");
  let result: CompileResult;
  try {
    result = compile(source, { file, cpu: opts.cpu ?? 3, opt: opts.opt ?? "2", files: hostFiles, includePaths: [path.dirname(file)] });
  } catch (e) {
    // An internal compiler error: reported against this file so one bad input does not stop the run.
    const msg = `${file}: error: internal compiler error: ${e instanceof Error ? e.message : String(e)}\n`;
    return { ok: false, messages: msg, programs: [], result: { ok: false, diagnostics: [], sources: new Map(), programs: [] } };
  }
  const messages = result.diagnostics.length ? render(result.diagnostics, (f) => result.sources.get(f)) : "";
  if (!result.ok || !result.object) return { ok: false, messages, programs: [], result };
  const stacks = new Map(result.programs.map((p) => [p.name, p.stack]));
  const programs = countObject(result.object).map((p) => ({ ...p, stack: stacks.get(p.name) ?? 0 }));
  return { ok: true, messages, object: result.object, programs, result };
}

// ---- recorded clang counts (bench/clang.json) ----

export interface ClangProgram {
  section: string;
  v1: number;
  v3: number;
  v4: number;
}

export interface ClangFixture {
  /** sha256 of the C source when it was recorded: a landed fixture is frozen. */
  sha256: string;
  programs: Record<string, ClangProgram>;
}

export interface ClangRecord {
  /** First line of `clang --version`. */
  clang: string;
  /** The command line, with vN / SRC / OBJ placeholders. */
  command: string;
  fixtures: Record<string, ClangFixture>;
}

export function readClangRecord(file: string): ClangRecord {
  const j = JSON.parse(fs.readFileSync(file, "utf8")) as ClangRecord;
  if (typeof j.clang !== "string" || typeof j.fixtures !== "object" || j.fixtures === null) {
    throw new Error(`${file} is not a recorded clang counts file (expected { clang, command, fixtures })`);
  }
  return j;
}

/** The clang.json that belongs to fixtures in `dir`: in the directory itself or its parent. */
export function clangRecordFor(dir: string): string | undefined {
  for (const cand of [path.join(dir, "clang.json"), path.join(dir, "..", "clang.json")]) {
    if (fs.existsSync(cand)) return cand;
  }
  return undefined;
}

/** Stable JSON text for a record (fixtures and programs sorted by name). */
export function clangRecordText(r: ClangRecord): string {
  const fixtures: Record<string, ClangFixture> = {};
  for (const name of Object.keys(r.fixtures).sort()) {
    const f = r.fixtures[name];
    const programs: Record<string, ClangProgram> = {};
    for (const p of Object.keys(f.programs).sort()) {
      const { section, v1, v3, v4 } = f.programs[p];
      programs[p] = { section, v1, v3, v4 };
    }
    fixtures[name] = { sha256: f.sha256, programs };
  }
  return JSON.stringify({ clang: r.clang, command: r.command, fixtures }, null, 2) + "\n";
}

/** Median of a non-empty list. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Geometric mean of positive numbers (NaN for an empty list). */
export function geomean(xs: number[]): number {
  if (!xs.length) return NaN;
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
}
