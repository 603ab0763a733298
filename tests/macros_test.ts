// The compile-time language, end to end (issue 5). Data driven, in the style of Crafting
// Interpreters' test files: every tests/macros/*.lisp is a whole program using one compile-time
// feature, with its expectations inline; every tests/macros/errors/*.lisp a program whose
// compile-time code is wrong.
//
// Programs (tests/macros/NAME.lisp) — compiled at -O2, loaded into the kernel (every program is
// loaded, even with no run lines: the verifier must accept it), then checked:
//   ;; expect-expansion: (let ((#:p (map-lookup stats 0))) …)   a substring of `whistler expand`
//   ;;| …continued                                                 (continuation line)
//   ;; expect-no-expansion: TEXT                                   must not appear in the expansion
//   ;; expect-warning: TEXT                                        a warning the compile reports
//   ;; expect-run: tcp:80 => XDP_DROP                              run the first program on a packet
//   ;; expect-run(prog_name): udp:53 x3 => XDP_PASS                another program; 3 runs
//   ;; expect-map: stats[0] = 42                                   u32 key, value summed over CPUs
// Expansion texts are compared with whitespace normalised, case-insensitively, and with gensym
// counters dropped (`#:p12` is written `#:p`). Run and map lines are checked in file order.
// Packets (10.0.0.1:40000 → 10.0.0.2): tcp:PORT (ACK), tcp-syn:PORT, udp:PORT (these three may
// end in @SRC-IPV4), ipv6-tcp:PORT, icmp, arp, short (a TCP frame cut to 14 bytes).
//
// Error cases (tests/macros/errors/NAME.lisp):
//   (bump c) ;; error: takes at least 2 arguments    the primary error is on this line
//   ;; error-line: 7: TEXT                           … or on line 7
//   ;; note: in macro "BUMP"                         some note of that error says so
//   (bump c) ;; note: in expansion of macro "bump"   … and points at this line
//   ;; note-line: 3: in macro "BUMP"                 … or at line 3
//   ;; cli                                           also run `whistler compile`: exit 1, rendered
//   ;; isolate                                       compile in a child process with a timeout
// Texts are case-insensitive substrings; no note may appear twice (same place and text).
// Runaway cases use the default budgets; there is no timing assertion, but an isolated case
// that has not finished after 5 s counts as a hang.
//
// `;; known-bug: REASON` on line 1 marks a case the compiler gets wrong today: the runner prints
// `KNOWN BUG <file>: <reason>` and passes while it fails, and FAILS once it passes.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compile, type CompileResult, render } from "../mod.ts";
import { hostFiles } from "../host/fs.ts";
import { tempDir, writeObject } from "./compile_util.ts";
import { kernelStatus, type Loaded, loadObject, mapU64, runProg } from "./kernel.ts";
import { ACK, arpFrame, icmpFrame, ipv6TcpFrame, SYN, tcpFrame, truncate, udpFrame } from "./packets.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIR = join(ROOT, "tests", "macros");
const ERR_DIR = join(DIR, "errors");
const DENO = join(ROOT, "node_modules", ".bin", "deno");

const VERDICTS: Record<string, number> = {
  XDP_ABORTED: 0, XDP_DROP: 1, XDP_PASS: 2, XDP_TX: 3, XDP_REDIRECT: 4, TC_ACT_OK: 0, TC_ACT_SHOT: 2,
};

// ---------------------------------------------------------------------------------------------
// Directives

type Step =
  | { kind: "run"; line: number; prog?: string; packet: string; times: number; verdict: number }
  | { kind: "map"; line: number; map: string; key: number; value: bigint };

interface Program {
  file: string; // repo-relative
  source: string;
  knownBug?: string;
  expansions: { line: number; text: string }[];
  absent: { line: number; text: string }[];
  warnings: { line: number; text: string }[];
  steps: Step[];
}

interface ErrorCase {
  file: string;
  source: string;
  knownBug?: string;
  line: number;
  text: string;
  notes: { line?: number; text: string }[];
  cli: boolean;
  isolate: boolean;
}

interface Directive {
  name: string;
  text: string;
  line: number;
  /** Written after code on its line (rather than on a comment line of its own). */
  inline: boolean;
}

/** The `;; NAME: text` directives of `source` with their line numbers; `;;|` lines continue one. */
function directives(source: string): Directive[] {
  const out: Directive[] = [];
  source.split("\n").forEach((l, i) => {
    const cont = /^\s*;;\|\s?(.*)$/.exec(l);
    if (cont && out.length) {
      out[out.length - 1].text += ` ${cont[1].trim()}`;
      return;
    }
    const m = /;;\s*((?:expect-[a-z-]+|error(?:-line)?|note(?:-line)?|known-bug)(?:\([\w-]+\))?):\s*(.*?)\s*$/.exec(l) ??
      /^;;\s*(cli|isolate)\s*$/.exec(l);
    if (m) out.push({ name: m[1], text: m[2] ?? "", line: i + 1, inline: l.slice(0, m.index).trim() !== "" });
  });
  return out;
}

function knownBugOf(file: string, source: string): string | undefined {
  const lines = source.split("\n");
  const kb = /^;;\s*known-bug:\s*(.+?)\s*$/.exec(lines[0] ?? "");
  if (lines.slice(1).some((l) => /;;\s*known-bug:/.test(l))) throw new Error(`${file}: known-bug must be on the first line`);
  return kb?.[1];
}

function parseProgram(name: string): Program {
  const file = `tests/macros/${name}`;
  const source = readFileSync(join(DIR, name), "utf8");
  const p: Program = { file, source, knownBug: knownBugOf(file, source), expansions: [], absent: [], warnings: [], steps: [] };
  for (const d of directives(source)) {
    let m: RegExpExecArray | null;
    if (d.name === "expect-expansion") p.expansions.push({ line: d.line, text: d.text });
    else if (d.name === "expect-no-expansion") p.absent.push({ line: d.line, text: d.text });
    else if (d.name === "expect-warning") p.warnings.push({ line: d.line, text: d.text });
    else if (d.name.startsWith("expect-run")) {
      const prog = /\(([\w-]+)\)/.exec(d.name)?.[1];
      m = /^(\S+)(?:\s+x(\d+))?\s*=>\s*(\w+)$/.exec(d.text);
      if (!m) throw new Error(`${file}:${d.line}: bad expect-run "${d.text}"`);
      packet(m[1]); // validate now
      const verdict = VERDICTS[m[3].toUpperCase()] ?? Number(m[3]);
      if (!Number.isInteger(verdict)) throw new Error(`${file}:${d.line}: bad verdict ${m[3]}`);
      p.steps.push({ kind: "run", line: d.line, prog, packet: m[1], times: Number(m[2] ?? 1), verdict });
    } else if (d.name === "expect-map") {
      m = /^([\w-]+)\[(\d+)\]\s*=\s*(\d+|#x[0-9a-f]+)$/i.exec(d.text);
      if (!m) throw new Error(`${file}:${d.line}: bad expect-map "${d.text}"`);
      const value = m[3].startsWith("#") ? BigInt(`0x${m[3].slice(2)}`) : BigInt(m[3]);
      p.steps.push({ kind: "map", line: d.line, map: m[1].replace(/-/g, "_"), key: Number(m[2]), value });
    } else if (d.name !== "known-bug") throw new Error(`${file}:${d.line}: unknown directive "${d.name}"`);
  }
  if (p.expansions.length + p.steps.length === 0) throw new Error(`${file}: no expectations`);
  return p;
}

function parseError(name: string): ErrorCase {
  const file = `tests/macros/errors/${name}`;
  const source = readFileSync(join(ERR_DIR, name), "utf8");
  const found: { line: number; text: string }[] = [];
  const notes: ErrorCase["notes"] = [];
  let cli = false, isolate = false;
  for (const d of directives(source)) {
    let m: RegExpExecArray | null;
    if (d.name === "error" && !d.inline) throw new Error(`${file}:${d.line}: "error:" goes after the code it points at (or use error-line:)`);
    if (d.name === "error") found.push({ line: d.line, text: d.text });
    else if (d.name === "error-line" && (m = /^(\d+):\s*(.+)$/.exec(d.text))) found.push({ line: Number(m[1]), text: m[2] });
    else if (d.name === "note") notes.push({ line: d.inline ? d.line : undefined, text: d.text });
    else if (d.name === "note-line" && (m = /^(\d+):\s*(.+)$/.exec(d.text))) notes.push({ line: Number(m[1]), text: m[2] });
    else if (d.name === "cli") cli = true;
    else if (d.name === "isolate") isolate = true;
    else if (d.name !== "known-bug") throw new Error(`${file}:${d.line}: unknown directive "${d.name}"`);
  }
  if (found.length !== 1) throw new Error(`${file}: expected exactly one error expectation, found ${found.length}`);
  return { file, source, knownBug: knownBugOf(file, source), ...found[0], notes, cli, isolate };
}

// ---------------------------------------------------------------------------------------------
// Packets and comparison

const tcpTo = (dport: number, flags: number, src: string) => tcpFrame({ src, dst: "10.0.0.2", sport: 40000, dport, flags });

function packet(spec: string): Uint8Array {
  const [kind, rest = ""] = spec.split(":");
  const [portText, src = "10.0.0.1"] = rest.split("@");
  const port = Number(portText);
  const ported = ["tcp", "tcp-syn", "udp", "ipv6-tcp"].includes(kind);
  if (ported && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new Error(`bad port in packet "${spec}"`);
  if (!ported && rest !== "") throw new Error(`packet "${kind}" takes no port`);
  switch (kind) {
    case "tcp": return tcpTo(port, ACK, src);
    case "tcp-syn": return tcpTo(port, SYN, src);
    case "udp": return udpFrame({ src, dst: "10.0.0.2", sport: 40000, dport: port });
    case "ipv6-tcp": return ipv6TcpFrame({ src: "2001:db8::1", dst: "2001:db8::2", sport: 40000, dport: port, flags: ACK });
    case "icmp": return icmpFrame({ src: "10.0.0.1", dst: "10.0.0.2" });
    case "arp": return arpFrame();
    case "short": return truncate(tcpTo(80, ACK, "10.0.0.1"), 14);
  }
  throw new Error(`unknown packet kind "${spec}" (tcp:P tcp-syn:P udp:P ipv6-tcp:P icmp arp short)`);
}

/** Whitespace normalised, lower case, gensym counters dropped. */
function normExpansion(s: string): string {
  return s.toLowerCase().replace(/\s+/g, " ").replace(/\( /g, "(").replace(/ \)/g, ")").replace(/(#:[a-z%*+-]*?[a-z%*+-])\d+/g, "$1").trim();
}

const norm = (s: string) => s.toLowerCase().replace(/[‘’']/g, '"');

function tryCompile(source: string, file: string, emit?: "expanded"): CompileResult | string {
  try {
    return compile(source, { file, files: hostFiles, ...(emit ? { emit } : {}) });
  } catch (e) {
    return `compile() threw: ${e instanceof Error ? `${e.name}: ${e.message.split("\n")[0]}` : String(e)}`;
  }
}

const rendered = (r: CompileResult) => render(r.diagnostics, (f) => r.sources.get(f));

/** Problems with a program's compile-time expectations (empty: fine). Returns the object too. */
function compileProblems(p: Program): { found: string[]; object?: Uint8Array; programs: string[] } {
  const found: string[] = [];
  const ex = tryCompile(p.source, p.file, "expanded");
  if (typeof ex === "string") return { found: [ex], programs: [] };
  if (!ex.ok) return { found: [`expansion failed:\n${rendered(ex)}`], programs: [] };
  const text = normExpansion(ex.text ?? "");
  for (const e of p.expansions) {
    if (!text.includes(normExpansion(e.text))) found.push(`line ${e.line}: expansion lacks ${e.text}\n--- expansion:\n${ex.text}`);
  }
  for (const e of p.absent) if (text.includes(normExpansion(e.text))) found.push(`line ${e.line}: expansion contains ${e.text}`);
  const r = tryCompile(p.source, p.file);
  if (typeof r === "string") return { found: [...found, r], programs: [] };
  if (!r.ok) return { found: [...found, `compile failed:\n${rendered(r)}`], programs: [] };
  for (const w of p.warnings) {
    if (!r.diagnostics.some((d) => d.severity === "warning" && norm(d.message).includes(norm(w.text)))) {
      found.push(`line ${w.line}: no warning "${w.text}" (diagnostics: ${JSON.stringify(r.diagnostics.map((d) => d.message))})`);
    }
  }
  return { found, object: r.object, programs: r.programs.map((x) => x.name) };
}

/** Load the object and check the run/map steps in order (empty: fine). */
function kernelProblems(p: Program, object: Uint8Array, programs: string[]): string[] {
  const { dir, cleanup } = tempDir("whistler-macros-");
  const found: string[] = [];
  let l: Loaded | undefined;
  try {
    const path = writeObject({ object } as CompileResult, dir, "prog");
    try {
      l = loadObject(path);
    } catch (e) {
      return [`the kernel rejected the object: ${String(e instanceof Error ? e.message : e).slice(0, 3000)}`];
    }
    for (const s of p.steps) {
      if (s.kind === "run") {
        const prog = (s.prog ?? programs[0]).replace(/-/g, "_");
        let got = -1;
        for (let i = 0; i < s.times; i++) got = runProg(l, prog, packet(s.packet)).retval;
        if (got !== s.verdict) found.push(`line ${s.line}: ${prog} on ${s.packet} returned ${got}, expected ${s.verdict}`);
      } else {
        const got = mapU64(l, s.map, s.key);
        if (got !== s.value) found.push(`line ${s.line}: ${s.map}[${s.key}] = ${got}, expected ${s.value}`);
      }
    }
  } finally {
    l?.close();
    cleanup();
  }
  return found;
}

/** Seconds an isolated case may take: the budgets stop runaway code in well under one. */
const ISOLATE_TIMEOUT_S = 5;

/** Compile in a child process of the same runtime, bounded by ISOLATE_TIMEOUT_S. */
function compileIsolated(file: string): Pick<CompileResult, "ok" | "diagnostics"> | string {
  const script = join("tests", "macros", "compile_case.ts");
  const args = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined" ? ["run", "-A", "--no-check", script, file] : [script, file];
  const c = spawnSync(process.execPath, args, { cwd: ROOT, timeout: ISOLATE_TIMEOUT_S * 1000, maxBuffer: 64 << 20 });
  if (c.error || c.status === null) return `compile() did not finish within ${ISOLATE_TIMEOUT_S} s (runaway not stopped)`;
  const line = c.stdout.toString("utf8").trim().split("\n").pop() ?? "";
  try {
    const r = JSON.parse(line) as { threw?: string; ok: boolean; diagnostics: CompileResult["diagnostics"] };
    return r.threw !== undefined ? `compile() threw: ${r.threw}` : r;
  } catch {
    return `the child process exited ${c.status} without a result: ${c.stderr.toString("utf8").slice(0, 500)}`;
  }
}

/** Everything wrong with the compiler's answer for one error case. */
function errorProblems(e: ErrorCase): string[] {
  const r = e.isolate ? compileIsolated(e.file) : tryCompile(e.source, e.file);
  if (typeof r === "string") return [r];
  if (r.ok) return [`compiled without error (expected: ${e.text})`];
  const d = r.diagnostics.find((x) => x.severity === "error");
  if (!d) return ["ok is false but there is no error diagnostic"];
  const got = `${d.span ? `${d.span.file}:${d.span.line}:${d.span.col}` : "<no position>"}: ${d.message}`;
  const out: string[] = [];
  if (/internal error/i.test(d.message)) out.push(`internal error: ${got}`);
  if (!norm(d.message).includes(norm(e.text))) out.push(`message lacks "${e.text}": ${got}`);
  if (!d.span) out.push(`no position, expected line ${e.line}`);
  else if (d.span.file !== e.file || d.span.line !== e.line) out.push(`wrong place, expected ${e.file}:${e.line}: ${got}`);
  const keys = d.notes.map((x) => `${x.span?.line ?? "?"}:${x.span?.col ?? "?"}: ${x.message}`);
  const repeated = keys.filter((k, i) => keys.indexOf(k) !== i);
  if (repeated.length) out.push(`notes repeated: ${JSON.stringify(repeated)} (all: ${JSON.stringify(keys)})`);
  for (const n of e.notes) {
    const ok = d.notes.some((x) => norm(x.message).includes(norm(n.text)) && (n.line === undefined || x.span?.line === n.line));
    if (!ok) {
      const have = d.notes.map((x) => `${x.span?.line ?? "?"}: ${x.message}`);
      out.push(`no note "${n.text}"${n.line ? ` at line ${n.line}` : ""} (notes: ${JSON.stringify(have)})`);
    }
  }
  if (e.cli && out.length === 0) {
    const c = spawnSync(DENO, ["run", "-A", "--no-check", "cli.ts", "compile", e.file, "-o", "-"], { cwd: ROOT, maxBuffer: 64 << 20 });
    const stderr = c.stderr.toString("utf8");
    if (c.status !== 1) out.push(`whistler compile exited ${c.status}, expected 1:\n${stderr}`);
    if (!stderr.includes(`${e.file}:${e.line}:`) || !norm(stderr).includes(norm(e.text))) out.push(`CLI output lacks ${e.file}:${e.line}: ${e.text}:\n${stderr}`);
    if (c.stdout.length !== 0) out.push(`CLI wrote ${c.stdout.length} bytes to stdout on error`);
  }
  return out;
}

/** Pass a healthy case; for a known bug, pass while it still fails and fail once it is fixed. */
function judge(label: string, knownBug: string | undefined, found: string[]): void {
  if (knownBug !== undefined) {
    if (found.length === 0) assert.fail(`${label} is marked "known-bug: ${knownBug}" but now behaves as expected: remove the marker`);
    console.log(`KNOWN BUG ${label}: ${knownBug}\n    ${found.join("\n    ").split("\n").slice(0, 6).join("\n    ")}`);
    return;
  }
  if (found.length) assert.fail(`${label}:\n  ${found.join("\n  ")}`);
}

// ---------------------------------------------------------------------------------------------
// The suites

const programNames = readdirSync(DIR).filter((n) => n.endsWith(".lisp")).sort();
const errorNames = readdirSync(ERR_DIR).filter((n) => n.endsWith(".lisp")).sort();

test("tests/macros holds at least 40 programs and 20 error cases, all well formed", () => {
  assert.ok(programNames.length >= 40, `only ${programNames.length} programs`);
  assert.ok(errorNames.length >= 20, `only ${errorNames.length} error cases`);
  for (const n of programNames) parseProgram(n);
  for (const n of errorNames) parseError(n);
});

for (const name of programNames) {
  // The compile-time checks always run; the kernel half needs CAP_BPF (skipped visibly without).
  test(`macros/${name}`, () => {
    const p = parseProgram(name);
    const c = compileProblems(p);
    const k = kernelStatus();
    if (!k.ok && process.env.WHISTLER_REQUIRE_KERNEL === "1") throw new Error(`kernel required: ${k.reason}`);
    if (!k.ok && p.steps.length) console.log(`SKIP macros/${name} (kernel part): ${k.reason}`);
    const found = [...c.found, ...(c.object && k.ok ? kernelProblems(p, c.object, c.programs) : [])];
    judge(p.file, p.knownBug, found);
  });
}

for (const name of errorNames) {
  // Bun's default test timeout (5 s) would cut an isolated case short of its own limit.
  test(`macros/errors/${name}`, { timeout: (ISOLATE_TIMEOUT_S + 20) * 1000 }, () => {
    const e = parseError(name);
    judge(e.file, e.knownBug, errorProblems(e));
  });
}

test("normExpansion drops gensym counters and layout", () => {
  assert.equal(normExpansion("(let ((#:p12 (map-lookup M 0)))\n   (if #:p12 1 0) )"), "(let ((#:p (map-lookup m 0))) (if #:p 1 0))");
  assert.equal(normExpansion("(+ x1 #:key3 #:tmp-a7)"), "(+ x1 #:key #:tmp-a)");
});
