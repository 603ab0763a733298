// The help agrees with the code: every flag `whistler help COMMAND` lists is accepted by that
// command's parser and changes what it parses, docs/cli.md lists the same flags, and the flags the
// CLI tests elsewhere do not reach work end to end (-D, -I with include, -S/-E/--emit, -g0, -v,
// --json summaries, several inputs, stdin), as do help topics and doctor (tests/cli_test.ts has the rest).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseCompileArgs } from "../cli.ts";
import { BENCH_HELP, parseBenchArgs } from "../host/bench.ts";
import { COMMANDS, HELP, commandHelp } from "../host/help.ts";
import { type DoctorEnv, cmdDoctor, doctorChecks } from "../host/doctor.ts";
import { compile, memoryFiles } from "../mod.ts";
import { disassemble } from "../host/disasm.ts";
import { slotKind, withStackBreakdown } from "../host/summary.ts";
import { error } from "../compiler/diag.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DENO = path.join(ROOT, "node_modules", ".bin", "deno");
const SLOW = { timeout: 120_000 };
const tmp = fs.mkdtempSync(path.join(tmpdir(), "whistler-help-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------
// Flags listed in the help

interface Flag {
  /** As written in the help, e.g. "-o", "--emit=", "-O2". */
  flag: string;
  /** Sample argument lists that use it. */
  samples: string[][];
}

/** A sample value for a metavariable of the help. */
const SAMPLE: Record<string, string[]> = {
  PATH: ["out.o"], FILE: ["file.x"], DIR: ["inc"], "NAME=VALUE": ["+n+=3"], "NAME.KEY=VALUE": ["p.k=v"], N: ["3"],
  "N|N%": ["3", "5%"], "P|all": ["all", "dce"], "a,b,c": ["dce,cse"],
};

/** The flags in the option lines of a help text (lines "  -x …  description"). */
function helpFlags(text: string): Flag[] {
  const out: Flag[] = [];
  for (const line of text.split("\n")) {
    if (!/^ {2}-/.test(line)) continue;
    const spec = line.trim().split(/ {2,}/)[0].split(" ");
    for (let i = 0; i < spec.length; i++) {
      const tok = spec[i];
      if (!tok.startsWith("-")) continue;
      const eq = /^(-[\w-]+=)(.+)$/.exec(tok);
      if (eq) {
        const values = SAMPLE[eq[2]] ?? eq[2].split("|");
        out.push({ flag: eq[1], samples: values.map((v) => [eq[1] + v]) });
      } else if (spec[i + 1] && !spec[i + 1].startsWith("-")) {
        const meta = spec[++i];
        const values = SAMPLE[meta] ?? (meta.includes("|") ? meta.split("|") : undefined);
        assert.ok(values, `no sample value for ${tok} ${meta}`);
        out.push({ flag: tok, samples: values.map((v) => [tok, v]) });
      } else out.push({ flag: tok, samples: [[tok]] });
    }
  }
  return out;
}

/** Flags whose sample is the default, so parsing it changes nothing. */
const DEFAULTS = new Set(["-O2", "-mcpu=v3", "--emit=obj"]);

test("help: every flag of 'whistler help compile' is accepted and changes what is parsed", () => {
  const flags = helpFlags(commandHelp("compile")!);
  const names = flags.map((f) => f.flag);
  for (const f of ["-o", "-S", "-E", "--emit=", "-g0", "--gen", "-O0", "-Os", "--passes=", "-mcpu=", "-D", "-I", "--plugin",
    "--plugin-opt", "--list-passes", "--print-before=", "--print-after=", "--print-changed", "--verify-each",
    "--time-passes", "--json", "-v"]) {
    assert.ok(names.includes(f), `help compile does not list ${f}`);
  }
  const base = parseCompileArgs(["x.lisp"]);
  for (const { flag, samples } of flags) {
    for (const s of samples) {
      const p = parseCompileArgs([...s, "x.lisp"]);
      assert.deepEqual(p.files, ["x.lisp"], `${s.join(" ")} took the file as its value`);
      if (!DEFAULTS.has(s.join(" "))) assert.notDeepEqual(p, base, `${s.join(" ")} (${flag}) changes nothing`);
    }
  }
  assert.throws(() => parseCompileArgs(["--not-a-flag", "x.lisp"]), /Unknown option/);
});

test("help: the flags 'whistler help expand' names are compile flags", () => {
  const flags = [...commandHelp("expand")!.matchAll(/(?<=[\s:,])(--?[A-Za-z][\w-]*)/g)].map((m) => m[1]);
  assert.deepEqual(flags.filter((f) => f !== "-E" && f !== "-o"), ["-D", "-I", "--plugin", "--plugin-opt", "--json"]);
  const compileFlags = helpFlags(commandHelp("compile")!).map((f) => f.flag);
  for (const f of flags) assert.ok(compileFlags.includes(f), f);
});

test("help: every flag of 'whistler help bench' is accepted by the bench parser", () => {
  const flags = helpFlags(BENCH_HELP);
  assert.ok(flags.length >= 14, `only ${flags.length} bench flags found`);
  const base = parseBenchArgs(["x.lisp"]);
  for (const { flag, samples } of flags) {
    for (const s of samples) {
      const p = parseBenchArgs([...s, "x.lisp"]);
      assert.deepEqual(p.inputs, ["x.lisp"], s.join(" "));
      if (!DEFAULTS.has(s.join(" "))) assert.notDeepEqual(p, base, `${s.join(" ")} (${flag}) changes nothing`);
    }
  }
});

test("help: the overview names every command, and every command has a help topic", () => {
  for (const c of COMMANDS) {
    assert.ok(commandHelp(c), `no help for ${c}`);
    assert.match(HELP, c === "version" ? /whistler --version/ : new RegExp(`whistler ${c}\\b`), c);
  }
  assert.equal(commandHelp("frobnicate"), undefined);
  assert.equal(commandHelp("toString"), undefined);
});

test("help: docs/cli.md lists every flag of the help, and every flag it shows is accepted", () => {
  const doc = fs.readFileSync(path.join(ROOT, "docs", "cli.md"), "utf8");
  const bare = (f: string) => f.replace(/=$/, "");
  for (const topic of ["compile", "bench", "doctor"]) {
    for (const { flag } of helpFlags(commandHelp(topic)!)) {
      assert.ok(doc.includes(`\`${flag}`) || doc.includes(` ${flag}`), `docs/cli.md does not mention ${topic} ${flag}`);
    }
  }
  // The options table of compile: each row's flags must be compile flags.
  const compileFlags = new Set(helpFlags(commandHelp("compile")!).map((f) => bare(f.flag)));
  const rows = doc.slice(doc.indexOf("### Options"), doc.indexOf("### Summary lines")).split("\n").filter((l) => l.startsWith("| `-"));
  assert.ok(rows.length >= 20, `only ${rows.length} option rows`);
  const documented = new Set<string>();
  for (const r of rows) {
    for (const m of r.split("|")[1].matchAll(/`(-[\w-]+)/g)) documented.add(m[1]);
  }
  assert.deepEqual([...documented].sort(), [...compileFlags].sort(), "docs/cli.md's option table and 'help compile' differ");
});

// ---------------------------------------------------------------------------------------------
// The flags end to end

function cli(args: string[], opts: { cwd?: string; input?: string } = {}) {
  const r = spawnSync(DENO, ["run", "-A", "--no-check", path.join(ROOT, "cli.ts"), ...args],
    { cwd: opts.cwd ?? tmp, input: opts.input, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString("utf8") };
}

const MAIN = `(include "common.lisp")
(defprog p1 (:type :xdp)
  (incf (getmap hits 0))
  (if (= +limit+ 3) XDP_DROP XDP_PASS))
(defprog p2 (:type :xdp)
  XDP_PASS)
`;
const COMMON = `(defmap hits :type :array :key-size 4 :value-size 8 :max-entries 1)\n`;

test("compile: -I finds (include \"file\") through the host's files, -D defines a constant", SLOW, () => {
  const dir = fs.mkdtempSync(path.join(tmp, "inc-"));
  fs.mkdirSync(path.join(dir, "lib"));
  fs.writeFileSync(path.join(dir, "lib", "common.lisp"), COMMON);
  fs.writeFileSync(path.join(dir, "main.lisp"), MAIN);
  const miss = cli(["compile", "main.lisp", "-D", "+limit+=3"], { cwd: dir });
  assert.equal(miss.status, 1);
  assert.match(miss.stderr, /^main\.lisp:1:10: error: Cannot find include file "common\.lisp"/);
  assert.ok(!fs.existsSync(path.join(dir, "main.bpf.o")));
  const ok = cli(["compile", "-I", "lib", "-D", "+limit+=3", "main.lisp"], { cwd: dir });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stderr, /^p1: section xdp, \d+ instructions, 4 bytes of stack\np2: section xdp, 2 instructions, 0 bytes of stack\n$/);
  const three = fs.readFileSync(path.join(dir, "main.bpf.o"));
  assert.equal(cli(["compile", "-Ilib", "-D+limit+=4", "main.lisp", "-o", "four.o"], { cwd: dir }).status, 0);
  assert.notDeepEqual(fs.readFileSync(path.join(dir, "four.o")), three, "-D changed nothing");
  // The same through the library: includes come only through options.files and includePaths.
  const files = memoryFiles({ "/src/main.lisp": MAIN, "/lib/common.lisp": COMMON });
  const opts = { file: "/src/main.lisp", defines: { "+limit+": 3n } };
  assert.equal(compile(MAIN, opts).ok, false, "no file provider: the include must fail");
  const lib = compile(MAIN, { ...opts, files, includePaths: ["/lib"] });
  assert.ok(lib.ok, JSON.stringify(lib.diagnostics));
  assert.deepEqual(lib.programs.map((p) => p.name), ["p1", "p2"]);
});

test("compile: several inputs, default outputs beside them; a bad one fails alone (exit 1)", SLOW, () => {
  const dir = fs.mkdtempSync(path.join(tmp, "multi-"));
  fs.mkdirSync(path.join(dir, "sub"));
  fs.copyFileSync(path.join(ROOT, "examples", "count-xdp.lisp"), path.join(dir, "count.lisp"));
  fs.copyFileSync(path.join(ROOT, "examples", "multi-prog.lisp"), path.join(dir, "sub", "multi.lisp"));
  fs.writeFileSync(path.join(dir, "bad.lisp"), "(defprog p (:type :xdp) (frob))\n");
  const r = cli(["compile", "count.lisp", "bad.lisp", "sub/multi.lisp"], { cwd: dir });
  assert.equal(r.status, 1);
  assert.ok(fs.existsSync(path.join(dir, "count.bpf.o")) && fs.existsSync(path.join(dir, "sub", "multi.bpf.o")));
  assert.ok(!fs.existsSync(path.join(dir, "bad.bpf.o")));
  assert.match(r.stderr, /^count_packets: section xdp, 10 instructions/m);
  assert.match(r.stderr, /^bad\.lisp:1:\d+: error: /m);
  assert.match(r.stderr, /^xdp_ingress: section xdp, .*\ntc_egress: section tc, /m);
  const o = cli(["compile", "count.lisp", "sub/multi.lisp", "-o", "x.o"], { cwd: dir });
  assert.equal(o.status, 2);
  assert.match(o.stderr, /^whistler: error: -o can only be used with one input file/);
});

test("compile: -S, -E, --emit=ir and -g0 write what they say; - reads stdin", SLOW, () => {
  const dir = fs.mkdtempSync(path.join(tmp, "emit-"));
  fs.copyFileSync(path.join(ROOT, "examples", "count-xdp.lisp"), path.join(dir, "c.lisp"));
  assert.equal(cli(["compile", "-S", "c.lisp"], { cwd: dir }).status, 0);
  assert.match(fs.readFileSync(path.join(dir, "c.s"), "utf8"), /count_packets[^]*call/);
  assert.equal(cli(["compile", "-E", "c.lisp"], { cwd: dir }).status, 0);
  assert.match(fs.readFileSync(path.join(dir, "c.expanded.lisp"), "utf8"), /^\(defprog count-packets/m);
  assert.equal(cli(["compile", "--emit", "ir", "c.lisp"], { cwd: dir }).status, 0);
  assert.match(fs.readFileSync(path.join(dir, "c.ir"), "utf8"), /^func count_packets|^func count-packets/m);
  assert.equal(cli(["compile", "-g0", "c.lisp", "-o", "g0.o"], { cwd: dir }).status, 0);
  assert.doesNotMatch(disassemble(new Uint8Array(fs.readFileSync(path.join(dir, "g0.o"))), "g0.o"), /^; /m);
  const stdin = cli(["compile", "-"], { cwd: dir, input: fs.readFileSync(path.join(dir, "c.lisp"), "utf8") });
  assert.equal(stdin.status, 0, stdin.stderr);
  assert.equal(stdin.stdout.subarray(0, 4).toString("latin1"), "\x7fELF");
  const ex = cli(["expand", "c.lisp"], { cwd: dir });
  assert.equal(ex.status, 0);
  assert.equal(ex.stdout.toString(), fs.readFileSync(path.join(dir, "c.expanded.lisp"), "utf8"));
});

/** 608 bytes of stack: a 604-byte struct stored into a map, and the map's key. */
const BIG = `(defstruct big
  (len u32)
  (data (array u8 600)))
(defmap m :type :hash :key-size 4 :value-size 604 :max-entries 1)
(defprog p (:type :xdp)
  (let ((b (make-big)))
    (setf (big-len b) 1)
    (map-update m 0 b 0))
  XDP_PASS)
`;

test("compile: -v and --json summaries give the stack by kind; over 512 bytes the error notes do", SLOW, () => {
  const fx = path.join(ROOT, "bench", "fixtures", "ratelimit-xdp.lisp");
  const v = cli(["compile", "-v", fx, "-o", "r.o"]);
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stderr, /^ratelimit: section xdp, \d+ instructions, 20 bytes of stack\n {2}stack by kind: 4 bytes keys, 16 bytes structs and locals\n/);
  assert.match(v.stderr, /^ +4 bytes at r10-\d+ +keys +key of rl-config$/m);
  const j = cli(["compile", "--json", fx, "-o", "r.o"]);
  assert.equal(j.status, 0);
  const s = j.stderr.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(s.map((x) => [x.program, x.section, x.stack, x.stackByKind]),
    [["ratelimit", "xdp", 20, { keys: 4, "structs and locals": 16 }]]);
  fs.writeFileSync(path.join(tmp, "big.lisp"), BIG);
  const big = cli(["compile", "big.lisp", "-o", "b.o"]);
  assert.equal(big.status, 1, big.stderr);
  assert.match(big.stderr, /^big\.lisp:5:10: error: Stack usage 608 bytes exceeds the BPF limit of 512 bytes$/m);
  assert.match(big.stderr, /^whistler: note: stack by kind: 4 bytes keys, 604 bytes structs and locals \(limit 512\)$/m);
  const usage = cli(["compile", "--json", "--frob", "x.lisp"]);
  assert.equal(usage.status, 2);
  assert.deepEqual(JSON.parse(usage.stderr), { severity: "error", message: 'Unknown option "--frob"; see "whistler help compile"', notes: [] });
});

test("help: 'whistler help X' and 'whistler X --help' print X's help; an unknown topic exits 2", SLOW, () => {
  for (const c of ["compile", "disasm", "doctor", "bench"]) {
    const r = cli(["help", c]);
    assert.equal(r.status, 0, c);
    assert.equal(r.stdout.toString(), commandHelp(c));
    const h = cli([c, "--help"]);
    assert.equal(h.stdout.toString(), commandHelp(c), `${c} --help`);
  }
  const bad = cli(["help", "frobnicate"]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^whistler: error: Unknown command "frobnicate"/);
});

test("compile -v: slot kinds, and the stack error's breakdown counts what its notes leave out", () => {
  assert.deepEqual(["key of m", "key", "value of m", "spilled value", "spill3", "register spills", "'big'", "x"].map(slotKind),
    ["keys", "keys", "values", "values", "spills", "spills", "structs and locals", "structs and locals"]);
  const d = error("Stack usage 530 bytes exceeds the BPF limit of 512 bytes", undefined,
    [{ message: "'a' uses 300 bytes" }, { message: "register spills uses 16 bytes" }, { message: "'key of m' uses 200 bytes" }]);
  const [out] = withStackBreakdown([d]);
  assert.equal(out.notes.at(-1)!.message,
    "stack by kind: 200 bytes keys, 300 bytes structs and locals, 16 bytes spills, 14 bytes in other objects and padding (limit 512)");
  const other = error("Unknown map type", undefined, [{ message: "'a' uses 300 bytes" }]);
  assert.equal(withStackBreakdown([other])[0], other, "other errors are left alone");
});

// ---------------------------------------------------------------------------------------------
// doctor

test("doctor: exits 0 and reports every check, as text and as JSON", SLOW, () => {
  const r = cli(["doctor"]);
  assert.equal(r.status, 0, r.stderr);
  for (const name of ["kernel", "bpffs", "CAP_BPF", "bpftool", "kernel BTF", "tracefs"]) {
    assert.match(r.stdout.toString(), new RegExp(`^ {2}(ok|missing|warn|info) +${name} `, "m"), name);
  }
  const j = JSON.parse(cli(["doctor", "--json"]).stdout.toString());
  assert.deepEqual(j.checks.slice(0, 6).map((c: { name: string }) => c.name), ["kernel", "bpffs", "CAP_BPF", "bpftool", "kernel BTF", "tracefs"]);
  assert.equal(cli(["doctor", "--frob"]).status, 2);
});

test("doctor: on a machine with nothing, every piece is missing with what to do about it", () => {
  const bare: DoctorEnv = {
    platform: "linux", release: "5.4.0-generic", runtime: "test",
    readText: (p) => (p === "/proc/self/status" ? "Name:\tx\nCapEff:\t0000000000000000\n" : p === "/proc/mounts" ? "proc /proc proc rw 0 0\n" : undefined),
    exists: () => false, run: () => undefined, pathDirs: ["/usr/bin"],
  };
  const checks = doctorChecks(bare);
  const byName = new Map(checks.map((c) => [c.name, c]));
  assert.equal(byName.get("kernel")!.status, "warn");
  for (const n of ["bpffs", "CAP_BPF", "bpftool", "kernel BTF", "tracefs"]) {
    assert.equal(byName.get(n)!.status, "missing", n);
    assert.ok(byName.get(n)!.fix, `${n} has no fix`);
  }
  assert.match(byName.get("bpffs")!.fix!, /mount -t bpf bpf \/sys\/fs\/bpf/);
  let text = "";
  assert.equal(cmdDoctor([], { env: bare, out: (s) => (text += s) }), 0);
  assert.match(text, /fix: mount -t tracefs tracefs \/sys\/kernel\/tracing/);
  assert.match(text, /^Missing: bpffs, CAP_BPF, bpftool, kernel BTF, tracefs\./m);
  // CAP_SYS_ADMIN alone (bit 21) is enough to load; CAP_BPF is bit 39.
  const admin = { ...bare, readText: (p: string) => (p === "/proc/self/status" ? "CapEff:\t0000000000200000\n" : bare.readText(p)) };
  assert.notEqual(doctorChecks(admin).find((c) => c.name === "CAP_BPF")!.status, "missing");
  const bpf = { ...bare, readText: (p: string) => (p === "/proc/self/status" ? `CapEff:\t${(1n << 39n).toString(16)}\n` : bare.readText(p)) };
  assert.notEqual(doctorChecks(bpf).find((c) => c.name === "CAP_BPF")!.status, "missing");
});
