// Records clang -O2's instruction counts for every C fixture (at -mcpu=v1, v3, v4) in bench/clang.json,
// or with --check compares a fresh clang run with the recorded file and fails on any difference.
//
// Usage: node_modules/.bin/deno run -A tools/bench_clang.ts [--check] [--unfreeze NAME]…
//          [--dir bench/fixtures] [--out bench/clang.json] [--clang clang-19]
// A landed C fixture is frozen: recording refuses to change the counts of a fixture whose source
// changed (its sha256 differs) unless --unfreeze NAME is given; --check reports the change.

import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import process from "node:process";
import {
  CLANG_CPUS, CLANG_FLAGS, type ClangCpu, type ClangFixture, type ClangRecord, clangRecordText, countObject,
  defaultFixtureDir, readClangRecord,
} from "../host/bench_core.ts";

/** The clang to use: $WHISTLER_CLANG, else clang-19, else clang; null when none runs. */
export function findClangBinary(): string | null {
  const cands = [process.env.WHISTLER_CLANG, "clang-19", "clang"].filter((c): c is string => !!c);
  for (const c of cands) if (spawnSync(c, ["--version"], { encoding: "utf8" }).status === 0) return c;
  return null;
}

/** First line of `clang --version`. */
export function clangVersion(bin: string): string {
  return (spawnSync(bin, ["--version"], { encoding: "utf8" }).stdout ?? "").split("\n")[0].trim();
}

export const commandText = (bin: string) => `${bin} ${CLANG_FLAGS.join(" ")} -mcpu=vN -c SRC -o OBJ`;

/** Compile one C file with the recorded flags; rejects with clang's stderr on failure. */
export function compileClang(bin: string, src: string, cpu: string, obj: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, [...CLANG_FLAGS, `-mcpu=${cpu}`, "-c", src, "-o", obj], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr!.on("data", (d) => (err += d));
    p.on("error", reject);
    p.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${bin} -mcpu=${cpu} failed on ${src}:\n${err}`))));
  });
}

/** Run `jobs` with at most `limit` in flight. */
async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, jobs.length)) }, worker));
  return out;
}

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export interface Measured {
  record: ClangRecord;
  /** Object paths by `${fixture}@${cpu}` (inside `objDir`). */
  objects: Map<string, string>;
}

/** Compile every C file at each recorded -mcpu, in parallel, and count its programs. */
export async function measure(bin: string, cFiles: { name: string; c: string }[], objDir: string): Promise<Measured> {
  const objects = new Map<string, string>();
  const jobs = cFiles.flatMap(({ name, c }) => CLANG_CPUS.map((cpu) => async () => {
    const obj = path.join(objDir, `${name}.${cpu}.o`);
    await compileClang(bin, c, cpu, obj);
    objects.set(`${name}@${cpu}`, obj);
    return { name, cpu, counts: countObject(new Uint8Array(fs.readFileSync(obj))) };
  }));
  const results = await pool(jobs, os.cpus().length || 2);
  const fixtures: Record<string, ClangFixture> = {};
  for (const { name, c } of cFiles) fixtures[name] = { sha256: sha256(fs.readFileSync(c, "utf8")), programs: {} };
  for (const { name, cpu, counts } of results) {
    for (const p of counts) {
      const e = fixtures[name].programs[p.name] ??= { section: p.section, v1: 0, v3: 0, v4: 0 };
      e[cpu as ClangCpu] = p.insns;
    }
  }
  return { record: { clang: clangVersion(bin), command: commandText(bin), fixtures }, objects };
}

/** Differences between a recorded file and a fresh run, one line each (empty when they agree). */
export function compareRecords(recorded: ClangRecord, fresh: ClangRecord): string[] {
  const out: string[] = [];
  if (recorded.clang !== fresh.clang) out.push(`clang version: recorded "${recorded.clang}", this run "${fresh.clang}"`);
  const names = new Set([...Object.keys(recorded.fixtures), ...Object.keys(fresh.fixtures)]);
  for (const name of [...names].sort()) {
    const r = recorded.fixtures[name], f = fresh.fixtures[name];
    if (!r) { out.push(`${name}: C fixture not recorded (run tools/bench_clang.ts to record it)`); continue; }
    if (!f) { out.push(`${name}: recorded but its C file is gone (landed fixtures are frozen)`); continue; }
    if (r.sha256 !== f.sha256) out.push(`${name}: C source changed since it was recorded (landed fixtures are frozen)`);
    const progs = new Set([...Object.keys(r.programs), ...Object.keys(f.programs)]);
    for (const p of [...progs].sort()) {
      const rp = r.programs[p], fp = f.programs[p];
      if (!rp || !fp) { out.push(`${name}/${p}: program ${rp ? "missing from this run" : "not recorded"}`); continue; }
      for (const cpu of CLANG_CPUS) {
        if (rp[cpu] !== fp[cpu]) out.push(`${name}/${p} -mcpu=${cpu}: recorded ${rp[cpu]}, clang now gives ${fp[cpu]}`);
      }
      if (rp.section !== fp.section) out.push(`${name}/${p}: section recorded "${rp.section}", now "${fp.section}"`);
    }
  }
  return out;
}

/** Merge a fresh run into the recorded one, keeping frozen fixtures unless unfrozen. Returns problems. */
export function mergeRecords(old: ClangRecord | undefined, fresh: ClangRecord, unfreeze: Set<string>): { record: ClangRecord; problems: string[] } {
  const problems: string[] = [];
  if (!old) return { record: fresh, problems };
  const fixtures = { ...fresh.fixtures };
  for (const [name, f] of Object.entries(fresh.fixtures)) {
    const o = old.fixtures[name];
    if (o && o.sha256 !== f.sha256 && !unfreeze.has(name)) {
      problems.push(`${name}: its C source changed after it landed; fixtures are frozen (add a new fixture, or pass --unfreeze ${name})`);
      fixtures[name] = o;
    }
  }
  return { record: { ...fresh, fixtures }, problems };
}

export function cFilesIn(dir: string): { name: string; c: string }[] {
  return fs.readdirSync(dir).filter((n) => n.endsWith(".c")).sort().map((n) => ({ name: n.slice(0, -2), c: path.join(dir, n) }));
}

export async function main(args: string[]): Promise<number> {
  let check = false, dir = defaultFixtureDir(), out: string | undefined, bin: string | null = null;
  const unfreeze = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--check") check = true;
    else if (a === "--dir") dir = args[++i];
    else if (a === "--out") out = args[++i];
    else if (a === "--clang") bin = args[++i];
    else if (a === "--unfreeze") unfreeze.add(args[++i]);
    else {
      console.error(`bench_clang: unknown argument "${a}"\nusage: tools/bench_clang.ts [--check] [--unfreeze NAME]… [--dir DIR] [--out FILE] [--clang BIN]`);
      return 2;
    }
  }
  if (!dir) return (console.error("bench_clang: no fixture directory (use --dir)"), 2);
  out ??= path.join(dir, "..", "clang.json");
  bin ??= findClangBinary();
  if (!bin) return (console.error("bench_clang: clang-19 not found (apt-get install clang-19, or set WHISTLER_CLANG)"), 1);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "whistler-bench-clang-"));
  try {
    const { record: fresh } = await measure(bin, cFilesIn(dir), tmp);
    const old = fs.existsSync(out) ? readClangRecord(out) : undefined;
    if (check) {
      if (!old) return (console.error(`bench_clang: ${out} does not exist (record it first)`), 1);
      const diffs = compareRecords(old, fresh);
      for (const d of diffs) console.error(`bench_clang: ${d}`);
      console.log(diffs.length ? `${out}: ${diffs.length} difference(s) from a fresh ${fresh.clang} run`
        : `${out}: matches a fresh ${fresh.clang} run (${Object.keys(fresh.fixtures).length} fixtures × ${CLANG_CPUS.length} -mcpu levels)`);
      return diffs.length ? 1 : 0;
    }
    const { record, problems } = mergeRecords(old, fresh, unfreeze);
    for (const p of problems) console.error(`bench_clang: ${p}`);
    fs.writeFileSync(out, clangRecordText(record));
    console.log(`wrote ${out}: ${Object.keys(record.fixtures).length} fixtures, ${record.clang}`);
    return problems.length ? 1 : 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
