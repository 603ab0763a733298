// `whistler disasm` against llvm-objdump-19 -d: on clang-19's object of every C fixture and on ours
// of every Whistler fixture, the same program names, instruction counts and instruction texts;
// map relocations by name, BTF line info as source lines, and the command's errors and exit codes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import * as path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { compile } from "../mod.ts";
import { disassemble } from "../host/disasm.ts";
import { hostFiles } from "../host/fs.ts";
import { skipTest } from "./kernel.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const FIXTURES = path.join(ROOT, "bench", "fixtures");
const DENO = path.join(ROOT, "node_modules", ".bin", "deno");
const SLOW = { timeout: 300_000 };
const tmp = fs.mkdtempSync(path.join(tmpdir(), "whistler-disasm-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

const has = (cmd: string) => spawnSync(cmd, ["--version"], { stdio: "ignore" }).status === 0;
const haveLlvm = has("llvm-objdump-19") && has("clang-19");

/** Without clang-19/llvm-objdump-19: skip visibly, but fail where they are required (CI). */
function needLlvm(t: { skip(m?: string): void }, name: string): boolean {
  if (haveLlvm) return true;
  const why = "clang-19 or llvm-objdump-19 not found (apt-get install clang-19 llvm-19)";
  if (process.env.WHISTLER_REQUIRE_CLANG === "1" || process.env.WHISTLER_REQUIRE_KERNEL === "1") throw new Error(`${why}; required here`);
  skipTest(t, name, why);
  return false;
}

type Listing = Map<string, string[]>;

/** Program → instruction texts, from llvm-objdump -d (jump targets' <sym+off> dropped). */
function objdump(obj: string): Listing {
  const r = spawnSync("llvm-objdump-19", ["-d", "--no-show-raw-insn", obj], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const out: Listing = new Map();
  let cur: string[] | undefined;
  for (const l of r.stdout.split("\n")) {
    const head = /^[0-9a-f]+ <(.+)>:$/.exec(l);
    if (head) out.set(head[1], (cur = []));
    const insn = /^\s+\d+:\s+(.*)$/.exec(l);
    if (insn && cur) cur.push(insn[1].replace(/ <[\w.]+(\+0x[0-9a-f]+)?>$/, "").trim());
  }
  return out;
}

/** Program → instruction texts from our disassembly (map names and line notes dropped), and the
 * "Programs:" table (name → count) that heads it. */
function ours(text: string): { listing: Listing; table: Map<string, number> } {
  const listing: Listing = new Map(), table = new Map<string, number>();
  let cur: string[] | undefined, inTable = false;
  for (const l of text.split("\n")) {
    if (l === "Programs:") inTable = true;
    else if (!l.trim()) inTable = false;
    const row = inTable && /^ {2}(\S+)\s+section \S+\s+(\d+) instructions$/.exec(l);
    if (row) table.set(row[1], Number(row[2]));
    const head = /^Disassembly of (\S+) \(section /.exec(l);
    if (head) listing.set(head[1], (cur = []));
    const insn = /^\s+\d+:\t(.*)$/.exec(l);
    if (insn && cur) cur.push(insn[1].replace(/ # map \S+$/, "").trim());
  }
  return { listing, table };
}

/** llvm prints LD_ABS/LD_IND without their immediate offset (skb[r0]); ours shows it (skb[r0 + 0x2]). */
const normalise = (s: string) => s.replace(/skb\[(r\d+) \+ 0x[0-9a-f]+\]/, "skb[$1]");

function compare(obj: string, label: string): number {
  const theirs = objdump(obj);
  const mine = ours(disassemble(new Uint8Array(fs.readFileSync(obj)), obj));
  assert.deepEqual([...mine.table.keys()], [...theirs.keys()], `${label}: program names`);
  let n = 0;
  for (const [name, insns] of theirs) {
    assert.equal(mine.table.get(name), insns.length, `${label}: ${name} instruction count`);
    assert.deepEqual(mine.listing.get(name)!.map(normalise), insns, `${label}: ${name} instructions`);
    n += insns.length;
  }
  return n;
}

const lispFixtures = fs.readdirSync(FIXTURES).filter((f) => f.endsWith(".lisp")).sort();
const cFixtures = fs.readdirSync(FIXTURES).filter((f) => f.endsWith(".c")).sort();
/** Fixtures also checked at -mcpu=v1 and v4 (signed ops, 64-bit constants, LD_ABS/LD_IND, byte swaps, loops);
 * every fixture at all levels would take each clang and llvm-objdump run three times over. */
const ALL_CPUS = new Set(["tcp-seq-window", "fnv1a-flow-hash", "sock-tcp-port-filter", "ipv6-prefix-count", "udp-payload-hash", "runqlat"]);

/** Run clang-19 on many fixtures, as many at a time as there are CPUs. */
async function clangAll(jobs: { c: string; cpu: string; obj: string }[]): Promise<void> {
  const run = (j: (typeof jobs)[number]) => new Promise<void>((resolve, reject) => {
    const args = ["-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", `-mcpu=${j.cpu}`, "-c", path.join(FIXTURES, j.c), "-o", j.obj];
    const p = spawn("clang-19", args, { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    p.on("close", (status) => (status === 0 ? resolve() : reject(new Error(`clang-19 ${j.c} -mcpu=${j.cpu}: ${err}`))));
  });
  const queue = [...jobs];
  await Promise.all(Array.from({ length: Math.max(2, availableParallelism()) }, async () => {
    for (let j = queue.shift(); j; j = queue.shift()) await run(j);
  }));
}

test("disasm: clang-19's objects of every C fixture (-mcpu=v3; some also v1, v4) match llvm-objdump -d", SLOW, async (t) => {
  if (!needLlvm(t, "disasm vs clang-19 objects")) return;
  const jobs = cFixtures.flatMap((c) => (ALL_CPUS.has(c.replace(/\.c$/, "")) ? ["v1", "v3", "v4"] : ["v3"])
    .map((cpu) => ({ c, cpu, obj: path.join(tmp, `${c}.${cpu}.o`) })));
  await clangAll(jobs);
  let insns = 0;
  for (const j of jobs) insns += compare(j.obj, `clang ${j.c} -mcpu=${j.cpu}`);
  assert.ok(insns > 1000, `only ${insns} instructions compared`);
});

test("disasm: our objects of every Whistler fixture (-mcpu=v3; some also v4) match llvm-objdump -d", SLOW, (t) => {
  if (!needLlvm(t, "disasm vs our objects")) return;
  let compared = 0;
  for (const f of lispFixtures) {
    const file = path.join(FIXTURES, f);
    for (const cpu of ALL_CPUS.has(f.replace(/\.lisp$/, "")) ? [3, 4] as const : [3] as const) {
      const r = compile(fs.readFileSync(file, "utf8"), { file, files: hostFiles, includePaths: [FIXTURES], cpu });
      if (!r.ok) continue; // a pending fixture (bench/fixtures/NAME.pending)
      const obj = path.join(tmp, `${f}.v${cpu}.o`);
      fs.writeFileSync(obj, r.object!);
      compare(obj, `ours ${f} -mcpu=v${cpu}`);
      compared++;
    }
  }
  assert.ok(compared >= 25, `only ${compared} objects compared`);
});

function cli(args: string[]) {
  const r = spawnSync(DENO, ["run", "-A", "--no-check", path.join(ROOT, "cli.ts"), ...args], { encoding: "utf8", cwd: tmp });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("disasm: the command on clang's object and ours lists the same programs and counts as llvm-objdump", SLOW, (t) => {
  if (!needLlvm(t, "whistler disasm command")) return;
  const c = path.join(tmp, "tail-call-dispatch.clang.o");
  assert.equal(spawnSync("clang-19", ["-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-mcpu=v3", "-c",
    path.join(FIXTURES, "tail-call-dispatch.c"), "-o", c]).status, 0);
  const o = path.join(tmp, "tail-call-dispatch.bpf.o");
  assert.equal(cli(["compile", path.join(FIXTURES, "tail-call-dispatch.lisp"), "-o", o]).status, 0);
  for (const obj of [c, o]) {
    const r = cli(["disasm", obj]);
    assert.equal(r.status, 0, r.stderr);
    const theirs = objdump(obj);
    assert.deepEqual(ours(r.stdout).table, new Map([...theirs].map(([k, v]) => [k, v.length])), obj);
    assert.equal(theirs.size, 4, "dispatcher and three tail-called programs");
    assert.match(r.stdout, /# map jump_table$/m, "the tail call's map relocation shows the map's name");
    const src = obj === c ? "tail-call-dispatch\\.c" : "tail-call-dispatch\\.lisp";
    assert.match(r.stdout, new RegExp(`^; .+  \\[[^\\]]*${src}:\\d+:\\d+\\]$`, "m"), "BTF line info shown as source lines");
  }
});

test("disasm: map relocations by name, BTF line info as source lines (and none with -g0)", () => {
  const file = path.join(ROOT, "examples", "count-xdp.lisp");
  const src = fs.readFileSync(file, "utf8");
  const withLines = disassemble(compile(src, { file: "count-xdp.lisp" }).object!, "count.o");
  assert.match(withLines, /^Maps:\n {2}pkt_count$/m);
  assert.match(withLines, /^Programs:\n {2}count_packets\s+section xdp\s+10 instructions$/m);
  assert.match(withLines, /r1 = 0x0 ll # map pkt_count$/m);
  assert.match(withLines, /^; \(incf \(getmap pkt-count 0\)\) {2}\[count-xdp\.lisp:\d+:\d+\]$/m, withLines);
  const noLines = disassemble(compile(src, { file: "count-xdp.lisp", lineInfo: false }).object!, "count.o");
  assert.doesNotMatch(noLines, /^; /m);
  assert.equal(ours(noLines).table.get("count_packets"), 10);
});

test("disasm: errors — not ELF, not BPF, unreadable (exit 1); no or extra arguments (exit 2)", () => {
  const notElf = path.join(tmp, "x.txt");
  fs.writeFileSync(notElf, "hello, this is not an ELF file at all\n");
  const cases: [string[], number, RegExp][] = [
    [["disasm", notElf], 1, /^whistler: error: .*x\.txt/],
    [["disasm", process.execPath], 1, /^whistler: error: .*not a BPF object/],
    [["disasm", path.join(tmp, "missing.o")], 1, /^whistler: error: Cannot read/],
    [["disasm"], 2, /^whistler: error: usage: whistler disasm/],
    [["disasm", "a.o", "b.o"], 2, /^whistler: error: usage: whistler disasm/],
  ];
  for (const [args, status, re] of cases) {
    const r = cli(args);
    assert.equal(r.status, status, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(" "));
    assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace");
    assert.equal(r.stdout, "");
  }
});
