// The benchmark's tests: recorded clang counts against a fresh clang run, counting against
// llvm-objdump, kernel acceptance and behavioural equivalence of every fixture, and `bench --baseline`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { kernelStatus, loadObject, type SkipContext, skipTest } from "../tests/kernel.ts";
import { type ClangRecord, compileOurs, countObject, findFixtures, readClangRecord } from "../host/bench_core.ts";
import { cmdBench, parseBenchArgs } from "../host/bench.ts";
import type { BenchRun } from "../host/bench_render.ts";
import { cFilesIn, compareRecords, findClangBinary, measure, mergeRecords } from "../tools/bench_clang.ts";
import { CASES } from "./cases.ts";
import { differences, observe } from "./equiv.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DIR = path.join(HERE, "fixtures");
const RECORD = path.join(HERE, "clang.json");
const fixtures = findFixtures([DIR]);
const recorded = readClangRecord(RECORD);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "whistler-bench-test-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

/** One fresh clang run at every -mcpu for all C fixtures, shared by the tests that need clang's objects. */
let fresh: Promise<{ record: ClangRecord; objects: Map<string, string> } | null> | undefined;
function clangRun() {
  fresh ??= (async () => {
    const bin = findClangBinary();
    return bin ? await measure(bin, cFilesIn(DIR), tmp) : null;
  })();
  return fresh;
}

/** Tests that run clang or the kernel get a long timeout (Bun's default is 5 s; CI machines are slow). */
const SLOW = { timeout: 300_000 };

/** tests/kernel.ts's kernelTest with the long timeout: skips visibly without a kernel, fails under WHISTLER_REQUIRE_KERNEL=1. */
function kernelTest(name: string, fn: (t: SkipContext) => void | Promise<void>): void {
  test(name, SLOW, async (t) => {
    const s = kernelStatus();
    if (!s.ok) {
      if (process.env.WHISTLER_REQUIRE_KERNEL === "1") throw new Error(`kernel required (WHISTLER_REQUIRE_KERNEL=1): ${s.reason}`);
      return skipTest(t, name, s.reason);
    }
    await fn(t);
  });
}

/** Skip visibly without clang, except in CI (WHISTLER_REQUIRE_CLANG=1 or WHISTLER_REQUIRE_KERNEL=1), where it fails. */
function noClang(t: { skip(m?: string): void }, name: string): void {
  const why = "clang-19 not found (apt-get install clang-19)";
  if (process.env.WHISTLER_REQUIRE_CLANG === "1" || process.env.WHISTLER_REQUIRE_KERNEL === "1") throw new Error(`${why}; required here`);
  skipTest(t, name, why);
}

/** Our objects, compiled once (at -mcpu=v3, -O2). */
const ours = new Map(fixtures.map((f) => [f.name, compileOurs(f.lisp)]));
const ourObject = (name: string): string => {
  const file = path.join(tmp, `${name}.whistler.o`);
  if (!fs.existsSync(file)) fs.writeFileSync(file, ours.get(name)!.object!);
  return file;
};

test("fixtures: at least 24 Whistler/C pairs, pending ones say why", () => {
  assert.ok(fixtures.length >= 24, `only ${fixtures.length} fixtures`);
  for (const f of fixtures) {
    assert.ok(f.c, `${f.name} has no C twin`);
    assert.ok(fs.readFileSync(f.lisp, "utf8").startsWith(";;;"), `${f.name}.lisp starts with a header comment`);
    assert.ok(fs.readFileSync(f.c!, "utf8").startsWith("//"), `${f.name}.c starts with a header comment`);
    if (f.pending) assert.ok(f.pending.length > 20, `${f.name}.pending gives a reason`);
  }
  for (const f of fs.readdirSync(DIR).filter((n) => n.endsWith(".c") || n.endsWith(".pending"))) {
    assert.ok(fs.existsSync(path.join(DIR, f.replace(/\.(c|pending)$/, ".lisp"))), `${f} has a .lisp beside it`);
  }
});

test("fixtures: the examples are covered, their code unchanged", () => {
  const code = (file: string) => fs.readFileSync(file, "utf8").split("\n").filter((l) => !l.startsWith(";")).join("\n").trim();
  const examples = path.join(HERE, "..", "examples");
  for (const e of fs.readdirSync(examples).filter((n) => n.endsWith(".lisp"))) {
    const copy = path.join(DIR, e);
    assert.ok(fs.existsSync(copy), `examples/${e} has no fixture`);
    assert.equal(code(copy), code(path.join(examples, e)), `bench/fixtures/${e} differs from examples/${e}`);
  }
});

test("fixtures: every recorded C fixture exists, and each packet program has behaviour cases", () => {
  assert.deepEqual(Object.keys(recorded.fixtures).sort(), fixtures.map((f) => f.name).sort());
  for (const [name, f] of Object.entries(recorded.fixtures)) {
    const packet = Object.values(f.programs).some((p) => /^(xdp|tc|socket)/.test(p.section));
    if (packet) assert.ok(CASES[name], `${name} is a packet program but has no entry in bench/cases.ts`);
  }
  for (const name of Object.keys(CASES)) assert.ok(recorded.fixtures[name], `cases for unknown fixture ${name}`);
});

test("fixtures: non-pending Whistler sides compile, with the same programs as the C twin", () => {
  for (const f of fixtures) {
    const o = ours.get(f.name)!;
    if (!o.ok) {
      assert.ok(f.pending, `${f.name}.lisp does not compile and has no .pending file:\n${o.messages}`);
      continue;
    }
    if (f.pending) console.log(`note: ${f.name} is marked pending but compiles now: ${f.pending.split("\n")[0]}`);
    assert.deepEqual(o.programs.map((p) => p.name).sort(), Object.keys(recorded.fixtures[f.name].programs).sort(), f.name);
  }
});

test("recorded clang counts (bench/clang.json) match a fresh clang run at -mcpu=v1, v3, v4", SLOW, async (t) => {
  const run = await clangRun();
  if (!run) return noClang(t, "recorded clang counts");
  assert.deepEqual(compareRecords(recorded, run.record), []);
});

test("bench_clang: a changed count or a changed (frozen) C source is reported", () => {
  const copy: ClangRecord = JSON.parse(JSON.stringify(recorded));
  const f = copy.fixtures["count-xdp"];
  f.programs.count_packets.v3 += 1;
  f.sha256 = "0".repeat(64);
  const diffs = compareRecords(recorded, copy);
  assert.ok(diffs.some((d) => /count-xdp\/count_packets -mcpu=v3: recorded \d+, clang now gives \d+/.test(d)), diffs.join("\n"));
  assert.ok(diffs.some((d) => /count-xdp: C source changed/.test(d)), diffs.join("\n"));
  const merged = mergeRecords(recorded, copy, new Set());
  assert.equal(merged.problems.length, 1);
  assert.equal(merged.record.fixtures["count-xdp"].programs.count_packets.v3, recorded.fixtures["count-xdp"].programs.count_packets.v3);
  assert.equal(mergeRecords(recorded, copy, new Set(["count-xdp"])).problems.length, 0);
});

/** Instruction counts per <symbol> from llvm-objdump -d. */
function objdumpCounts(bin: string, obj: string): Record<string, number> {
  const r = spawnSync(bin, ["-d", obj], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const out: Record<string, number> = {};
  let cur: string | undefined;
  for (const line of r.stdout.split("\n")) {
    const label = /^[0-9a-f]+ <([^>]+)>:$/.exec(line);
    if (label) out[cur = label[1]] = 0;
    else if (cur && /^\s+[0-9a-f]+:\s/.test(line)) out[cur]++;
  }
  return out;
}

test("counting agrees with llvm-objdump-19 -d (ld_imm64 counts as one) on our objects and clang's", SLOW, async (t) => {
  const objdump = ["llvm-objdump-19", "llvm-objdump"].find((b) => spawnSync(b, ["--version"]).status === 0);
  if (!objdump) return skipTest(t, "llvm-objdump cross-check", "llvm-objdump-19 not found");
  const run = await clangRun();
  const names = ["fmix64-lb", "tail-call-dispatch", "synflood-xdp", "tcp-seq-window"];
  const objs = names.map((n) => ourObject(n));
  if (run) objs.push(...names.map((n) => run.objects.get(`${n}@v3`)!), run.objects.get("count-xdp@v4")!, run.objects.get("fmix64-lb@v1")!);
  for (const obj of objs) {
    const ourCount = Object.fromEntries(countObject(new Uint8Array(fs.readFileSync(obj))).map((p) => [p.name, p.insns]));
    assert.deepEqual(ourCount, objdumpCounts(objdump, obj), obj);
  }
});

kernelTest("the kernel accepts every Whistler object (bpftool prog loadall)", () => {
  for (const f of fixtures) {
    if (!ours.get(f.name)!.ok) continue;
    let l;
    try {
      l = loadObject(ourObject(f.name));
    } catch (e) {
      if (f.pending) continue;
      throw new Error(`${f.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    try {
      assert.deepEqual(l.progs, ours.get(f.name)!.programs.map((p) => p.name).sort(), f.name);
      for (const p of l.progs) assert.ok(l.processed[p] > 0, `${f.name}/${p} processed insns`);
    } finally {
      l.close();
    }
  }
});

for (const f of fixtures) {
  const c = CASES[f.name];
  if (!c) continue;
  const name = `behaviour: ${f.name} gives the same verdicts, packets and maps as clang's object (${c.packets.length} packets)`;
  kernelTest(name, async (t) => {
    if (!ours.get(f.name)!.ok) return skipTest(t, name, `pending: ${f.pending?.split("\n")[0]}`);
    const run = await clangRun();
    if (!run) return noClang(t, name);
    const diffs = differences(observe(ourObject(f.name), c), observe(run.objects.get(`${f.name}@v3`)!, c));
    if (f.pending) {
      console.log(`note: ${f.name} is pending; behaviour ${diffs.length ? "differs" : "now matches clang's"}`);
      return;
    }
    assert.deepEqual(diffs, [], `${f.name}:\n${diffs.join("\n")}`);
  });
}

/** Run the bench command, capturing its output. */
function bench(args: string[]): { status: number; out: string; err: string } {
  let out = "", err = "";
  const status = cmdBench(args, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { status, out, err };
}

test("whistler bench --json: valid JSON with one record per program, clang's counts and totals", SLOW, () => {
  const r = bench([DIR, "--json", "--no-verifier"]);
  const run = JSON.parse(r.out) as BenchRun;
  const programs = Object.values(recorded.fixtures).reduce((n, f) => n + Object.keys(f.programs).length, 0);
  assert.equal(run.programs.length, programs);
  assert.equal(r.status, 0, r.err);
  for (const rec of run.programs) {
    assert.ok(rec.clang, `${rec.fixture}/${rec.program} has clang counts`);
    if (rec.status === "ok") {
      assert.equal(rec.insns, ours.get(rec.fixture)!.programs.find((p) => p.name === rec.program)!.insns);
      assert.equal(rec.ratio, rec.insns! / rec.clang!.v3);
    } else {
      assert.equal(rec.status, "pending", `${rec.fixture}: ${rec.note}`);
    }
  }
  assert.equal(run.totals.errors.length, 0);
  assert.ok(run.totals.compared > 0 && run.totals.geomean! > 0);
});

test("whistler bench: the text table, --markdown and --svg", () => {
  const svg = path.join(tmp, "chart.svg");
  const text = bench([path.join(DIR, "count-xdp.lisp"), path.join(DIR, "drop-port.lisp"), "--no-verifier", "--svg", svg]);
  assert.equal(text.status, 0, text.err);
  assert.match(text.out, /^fixture\s+program\s+ours\s+clang v1\s+clang v3\s+clang v4\s+ours\/clang v3/);
  assert.match(text.out, /count-xdp\s+count_packets\s+\d+\s+11\s+11\s+10\s+\d\.\d{3}/);
  assert.match(text.out, /total \(2 compared\)/);
  assert.match(fs.readFileSync(svg, "utf8"), /^<svg[^>]*>[\s\S]*count-xdp[\s\S]*<\/svg>\n$/);
  const md = bench([path.join(DIR, "count-xdp.lisp"), "--no-verifier", "--markdown", "-mcpu=v4"]);
  assert.match(md.out, /^\| fixture \| program \| ours \| clang v1 \| clang v3 \| clang v4 \| ours\/clang v4 \| verifier \|\n\| --- \|/);
});

test("whistler bench --baseline fails when a program grows and passes when it does not", SLOW, () => {
  const dir = fs.mkdtempSync(path.join(tmp, "own-"));
  fs.copyFileSync(path.join(DIR, "synflood-xdp.lisp"), path.join(dir, "mine.lisp")); // a user's program: no clang twin
  fs.copyFileSync(path.join(DIR, "count-xdp.lisp"), path.join(dir, "other.lisp"));
  const saved = path.join(tmp, "saved.json");
  const first = bench([dir, "--no-verifier", "--save", saved]);
  assert.equal(first.status, 0, first.err);
  const base = JSON.parse(fs.readFileSync(saved, "utf8")) as BenchRun;
  assert.equal(base.programs.length, 2);
  assert.equal(base.programs[0].clang, null);
  const n = base.programs.find((p) => p.fixture === "mine")!.insns!;

  const write = (name: string, delta: number) => {
    const copy: BenchRun = JSON.parse(JSON.stringify(base));
    copy.programs.find((p) => p.fixture === "mine")!.insns = n + delta;
    const file = path.join(tmp, name);
    fs.writeFileSync(file, JSON.stringify(copy));
    return file;
  };
  const lower = write("lower.json", -2); // the program "grew" by 2 against this baseline
  const higher = write("higher.json", 3);

  const same = bench([dir, "--no-verifier", "--baseline", saved]);
  assert.equal(same.status, 0, same.out);
  assert.match(same.out, /0 grew, 0 shrank, 2 unchanged/);

  const grew = bench([dir, "--no-verifier", "--baseline", lower]);
  assert.equal(grew.status, 1);
  assert.match(grew.out, new RegExp(`GREW mine/synflood: ${n - 2} → ${n} \\(\\+2,`));

  assert.equal(bench([dir, "--no-verifier", "--baseline", lower, "--tolerance", "2"]).status, 0);
  assert.equal(bench([dir, "--no-verifier", "--baseline", lower, "--tolerance", "1"]).status, 1);
  assert.equal(bench([dir, "--no-verifier", "--baseline", lower, "--tolerance=50%"]).status, 0);
  assert.equal(bench([dir, "--no-verifier", "--baseline", lower, "--tolerance=1%"]).status, 1);

  const shrank = bench([dir, "--no-verifier", "--baseline", higher]);
  assert.equal(shrank.status, 0);
  assert.match(shrank.out, /shrank mine\/synflood: /);

  const json = bench([dir, "--no-verifier", "--json", "--baseline", lower]);
  assert.equal(json.status, 1);
  assert.equal((JSON.parse(json.out) as { baseline: { grew: unknown[] } }).baseline.grew.length, 1);
});

test("whistler bench: usage errors", () => {
  assert.throws(() => parseBenchArgs(["--tolerance", "lots"]), /--tolerance takes N/);
  assert.throws(() => parseBenchArgs(["-mcpu=v9"]), /Unknown CPU/);
  assert.throws(() => parseBenchArgs(["--frobnicate"]), /Unknown option/);
  assert.throws(() => parseBenchArgs(["--json", "--markdown"]), /cannot be used together/);
  assert.deepEqual(parseBenchArgs(["--tolerance=3%"]).tolerance, { n: 3, percent: true });
  assert.throws(() => cmdBench([path.join(tmp, "missing.lisp")]), /Cannot read/);
});
