// Diagnostics suite. Part 1 is data driven over tests/errors/*.lisp: every file is a small bad
// program with one expectation, in the style of Crafting Interpreters' test files:
//
//   (defmap m :type :hashy …) ; error: Unknown map type      first error is on this line
//   (if (> cuont 2) …)        ; error@12: cuont             … and at column 12
//   ;; error-line: 4: unterminated string                    (header) first error is on line 4
//   ;; error-anywhere: no programs                           (header) any position, or none
//   ;; expect-note: macro "bump"                             (header) a note of that error says so
//   ;; known-bug: <reason>                                   (line 1) the compiler is wrong today
//
// Texts are case-insensitive substrings of the message ('…' and "…" quotes are the same).
// A known-bug case prints `KNOWN BUG <file>: <reason>` and passes while it fails, and FAILS once
// the compiler gets it right, so that the marker is removed. Part 2 drives the command line
// (deno run cli.ts) for exit codes, the rendered format, atomic output and the summary line.
// The library cases run in one child process of the same runtime (tests/errors/compile_child.ts)
// with a stall watchdog, so a case that hangs or kills its process fails alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import type { compile } from "../mod.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ERR_DIR = join(ROOT, "tests", "errors");
const DENO = join(ROOT, "node_modules", ".bin", "deno");

// ---------------------------------------------------------------------------------------------
// Expectations

interface Expectation {
  file: string; // repo-relative, as given to compile() and to the CLI
  source: string;
  line?: number; // undefined: error-anywhere
  col?: number;
  text: string;
  note?: string;
  knownBug?: string;
}

function parseExpectation(name: string): Expectation {
  const file = `tests/errors/${name}`;
  const source = readFileSync(join(ERR_DIR, name), "utf8");
  const lines = source.split("\n");
  const found: { line?: number; col?: number; text: string }[] = [];
  let note: string | undefined;
  let knownBug: string | undefined;
  const kb = /^;;\s*known-bug:\s*(.+?)\s*$/.exec(lines[0] ?? "");
  if (kb) knownBug = kb[1];
  // Header directives: the leading block of ';;' comment lines.
  for (let i = 0; i < lines.length && lines[i].startsWith(";"); i++) {
    const l = lines[i];
    let m: RegExpExecArray | null;
    if ((m = /^;;\s*error-line:\s*(\d+):\s*(.+?)\s*$/.exec(l))) found.push({ line: Number(m[1]), text: m[2] });
    else if ((m = /^;;\s*error-anywhere:\s*(.+?)\s*$/.exec(l))) found.push({ text: m[1] });
    else if ((m = /^;;\s*expect-note:\s*(.+?)\s*$/.exec(l))) note = m[1];
    else if (i > 0 && /^;;\s*known-bug:/.test(l)) throw new Error(`${file}: known-bug must be on the first line`);
  }
  // Inline expectations: '; error: text' or '; error@COL: text' at the end of a line.
  lines.forEach((l, i) => {
    const m = /;\s*error(?:@(\d+))?:\s*(.+?)\s*$/.exec(l);
    if (m) found.push({ line: i + 1, col: m[1] ? Number(m[1]) : undefined, text: m[2] });
  });
  if (found.length !== 1) throw new Error(`${file}: expected exactly one error expectation, found ${found.length}`);
  return { file, source, ...found[0], note, knownBug };
}

const norm = (s: string) => s.toLowerCase().replace(/[‘’']/g, '"');

// The cases run through the library's compile() in a child process of the same runtime
// (tests/errors/compile_child.ts), in one batch: a case that hangs or overflows the stack hard
// enough to kill the process is then a failed case, not a hung suite. After a batch dies, the first
// case without a result is the culprit and the rest run again.

type Diag = ReturnType<typeof compile>["diagnostics"][number];
interface Outcome {
  file: string;
  ok?: boolean;
  diagnostics?: Diag[];
  threw?: string;
  died?: string;
}

const CHILD = join(ROOT, "tests", "errors", "compile_child.ts");
const RUNTIME: [string, string[]] = "Deno" in globalThis
  ? [process.execPath, ["run", "-A", "--no-check", CHILD]]
  : [process.execPath, [CHILD]];

/** Give up on a case when the child has printed nothing new for this long (the slowest healthy
 * case, the compile-time step limit, takes well under a second). */
const STALL_MS = 8_000;

function runBatch(files: string[]): Promise<{ lines: string[]; how: string }> {
  return new Promise((resolve) => {
    const child = spawn(RUNTIME[0], [...RUNTIME[1], ...files], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "", stalled = false;
    let timer = setTimeout(stall, STALL_MS);
    function stall() {
      stalled = true;
      child.kill("SIGKILL");
    }
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString("utf8");
      clearTimeout(timer);
      timer = setTimeout(stall, STALL_MS);
    });
    child.stderr!.on("data", (c: Buffer) => (err += c.toString("utf8")));
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      const how = stalled
        ? `did not finish within ${STALL_MS / 1000} s (hang?)`
        : `killed the process (status ${status}, signal ${signal}): ${err.trim().split("\n").slice(0, 3).join(" | ")}`;
      resolve({ lines: out.split("\n").filter((l) => l.trim()), how });
    });
  });
}

async function runCases(files: string[]): Promise<Map<string, Outcome>> {
  const results = new Map<string, Outcome>();
  let pending = files;
  while (pending.length) {
    const { lines, how } = await runBatch(pending);
    for (const l of lines) {
      const o = JSON.parse(l) as Outcome;
      results.set(o.file, o);
    }
    const rest = pending.filter((f) => !results.has(f));
    if (!rest.length) break;
    results.set(rest[0], { file: rest[0], died: `compile() ${how}` });
    pending = rest.slice(1);
  }
  return results;
}

/** Everything wrong with the compiler's answer for one case (empty: it behaves as expected). */
function problems(e: Expectation, r: Outcome | undefined): string[] {
  if (!r) return ["no result from the child process"];
  if (r.died) return [r.died];
  if (r.threw !== undefined) return [`compile() threw instead of returning a diagnostic: ${r.threw}`];
  if (r.ok) return [`compiled without error (expected: ${e.text})`];
  const d = r.diagnostics!.find((x) => x.severity === "error");
  if (!d) return ["ok is false but there is no error diagnostic"];
  const where = d.span ? `${d.span.file}:${d.span.line}:${d.span.col}` : "<no position>";
  const got = `${where}: ${d.message}`;
  const out: string[] = [];
  if (/internal error/i.test(d.message)) out.push(`internal error: ${got}`);
  if (!norm(d.message).includes(norm(e.text))) out.push(`message lacks "${e.text}": ${got}`);
  if (e.line !== undefined) {
    if (!d.span) out.push(`no position, expected line ${e.line}: ${got}`);
    else {
      if (d.span.file !== e.file) out.push(`wrong file ${d.span.file}, expected ${e.file}`);
      if (d.span.line !== e.line) out.push(`wrong line ${d.span.line}, expected ${e.line}: ${got}`);
      if (e.col !== undefined && d.span.col !== e.col) out.push(`wrong column ${d.span.col}, expected ${e.col}: ${got}`);
    }
  }
  if (e.note !== undefined && !d.notes.some((n) => norm(n.message).includes(norm(e.note!)))) {
    out.push(`no note mentioning "${e.note}" (notes: ${JSON.stringify(d.notes.map((n) => n.message))})`);
  }
  return out;
}

/** Pass a healthy case; for a known bug, pass while it still fails and fail once it is fixed. */
function judge(e: Expectation, found: string[], label = e.file): void {
  if (e.knownBug !== undefined) {
    if (found.length === 0) {
      assert.fail(`${label} is marked "known-bug: ${e.knownBug}" but now behaves as expected: remove the marker`);
    }
    console.log(`KNOWN BUG ${label}: ${e.knownBug}\n    ${found.join("\n    ")}`);
    return;
  }
  assert.deepEqual(found, [], `${label}:\n  ${found.join("\n  ")}`);
}

const names = readdirSync(ERR_DIR).filter((n) => n.endsWith(".lisp")).sort();

test("tests/errors holds at least 40 cases, each with exactly one expectation", () => {
  assert.ok(names.length >= 40, `only ${names.length} cases`);
  for (const n of names) parseExpectation(n); // throws on a malformed case
});

const outcomes = await runCases(names.map((n) => `tests/errors/${n}`));

for (const name of names) {
  test(`errors/${name}`, () => {
    const e = parseExpectation(name);
    judge(e, problems(e, outcomes.get(e.file)));
  });
}

// ---------------------------------------------------------------------------------------------
// The command line

interface Run {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

function cli(args: string[]): Run {
  const r = spawnSync(DENO, ["run", "-A", "--no-check", "cli.ts", ...args], { cwd: ROOT, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString("utf8") };
}

function withTmp<T>(f: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "whistler-cli-"));
  try {
    return f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What is wrong with the CLI's handling of one failing case. */
function cliProblems(e: Expectation, dir: string): string[] {
  const out = join(dir, "out.bpf.o");
  const r = cli(["compile", e.file, "-o", out]);
  const p: string[] = [];
  const head = r.stderr.split("\n")[0];
  if (r.status !== 1) p.push(`exit status ${r.status}, expected 1`);
  const prefix = e.line === undefined ? `${e.file}:` : `${e.file}:${e.line}:${e.col !== undefined ? `${e.col}:` : ""}`;
  if (!r.stderr.startsWith(prefix)) p.push(`stderr does not start with "${prefix}": ${JSON.stringify(head)}`);
  else if (!/^[^:]+:\d+:\d+: error: /.test(head)) p.push(`first line is not FILE:LINE:COL: error: …: ${JSON.stringify(head)}`);
  if (e.line !== undefined) {
    const src = e.source.split("\n")[e.line - 1].replace(/\t/g, " ").trimEnd();
    if (!r.stderr.includes(src)) p.push(`source line ${e.line} is not shown`);
  }
  if (!/^ *\^~*$/m.test(r.stderr)) p.push("no caret line");
  if (/^\s+at /m.test(r.stderr)) p.push("stderr has a stack trace");
  if (/internal error/i.test(r.stderr)) p.push("stderr reports an internal error");
  if (existsSync(out)) p.push("the output file exists after a failed compile");
  if (r.stdout.length) p.push("stdout is not empty");
  return p;
}

const CLI_SAMPLE = [
  "reader_unclosed_paren.lisp",
  "reader_unterminated_string.lisp",
  "reader_bad_hex.lisp",
  "map_unknown_type.lisp",
  "prog_conflicting_licenses.lisp",
  "body_if_one_arg.lisp",
  "body_helper_too_many_args.lisp",
  "body_unchecked_lookup_load.lisp",
  "body_div_literal_zero.lisp",
  "body_stack_overflow_struct.lisp",
  "macro_runaway_compile_time_loop.lisp",
  // known bugs: the CLI shows them too (today: exit 70 and a stack trace)
  "macro_infinite_recursion.lisp",
  "prog_duplicate_elf_name.lisp",
];

for (const name of CLI_SAMPLE) {
  test(`cli: compile ${name} fails cleanly`, () => {
    const e = parseExpectation(name);
    withTmp((dir) => judge(e, cliProblems(e, dir), `cli ${e.file}`));
  });
}

test("cli: diagnostics carry their notes as note: lines", () => {
  const r = cli(["compile", "tests/errors/body_unchecked_lookup_load.lisp", "-o", "-"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^tests\/errors\/body_unchecked_lookup_load\.lisp:6:\d+: note: .*map-lookup/m);
  assert.equal(r.stdout.length, 0, "nothing on stdout when -o - fails");
});

test("cli: a failed compile leaves no output beside the input either (default output name)", () => {
  withTmp((dir) => {
    const src = join(dir, "bad.lisp");
    writeFileSync(src, "(defprog p (:type :xdp)\n  (if (> cuont 2) XDP_DROP XDP_PASS))\n");
    const r = cli(["compile", src]);
    assert.equal(r.status, 1);
    assert.ok(r.stderr.startsWith(`${src}:2:10: error: `), r.stderr);
    assert.ok(!existsSync(join(dir, "bad.bpf.o")), "bad.bpf.o was written");
  });
});

test("cli: an unknown option is a usage error (exit 2)", () => {
  const r = cli(["compile", "--frobnicate", "examples/count-xdp.lisp"]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^whistler: error: .*--frobnicate/);
});

test("cli: other usage errors exit 2", () => {
  for (const args of [["compile"], ["frobnicate"], ["compile", "-O9", "examples/count-xdp.lisp"], ["compile", "examples/count-xdp.lisp", "-o"]]) {
    const r = cli(args);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /^whistler: error: /, args.join(" "));
  }
});

test("cli: a missing input file is an input error (exit 1)", () => {
  withTmp((dir) => {
    const r = cli(["compile", join(dir, "nope.lisp"), "-o", join(dir, "nope.o")]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^whistler: error: Cannot read input file/);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
    assert.ok(!existsSync(join(dir, "nope.o")));
  });
});

test("cli: --help and help compile exit 0", () => {
  const h = cli(["--help"]);
  assert.equal(h.status, 0, h.stderr);
  assert.match(h.stdout.toString(), /compile/);
  const c = cli(["help", "compile"]);
  assert.equal(c.status, 0, c.stderr);
  assert.match(c.stdout.toString(), /-o /);
  assert.match(c.stdout.toString(), /--json/);
});

test("cli: --version prints whistler 0.1.0", () => {
  const r = cli(["--version"]);
  assert.equal(r.status, 0);
  assert.match(r.stdout.toString(), /^whistler 0\.1\.0\b/);
});

test("cli: a good compile writes the object and prints a summary line", () => {
  withTmp((dir) => {
    const out = join(dir, "count.bpf.o");
    const r = cli(["compile", "examples/count-xdp.lisp", "-o", out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^count_packets: section xdp, [1-9]\d* instructions, \d+ bytes of stack$/m);
    assert.doesNotMatch(r.stderr, /error/);
    const obj = readFileSync(out);
    assert.deepEqual([...obj.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46]);
  });
});

test("cli: -o - writes the ELF to stdout", () => {
  const r = cli(["compile", "examples/count-xdp.lisp", "-o", "-"]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.subarray(0, 4).toString("latin1"), "\x7fELF");
  const file = withTmp((dir) => {
    const out = join(dir, "c.o");
    cli(["compile", "examples/count-xdp.lisp", "-o", out]);
    return readFileSync(out);
  });
  assert.ok(Buffer.compare(r.stdout, file) === 0, "stdout differs from the object written to a file");
});

test("cli: --json writes diagnostics as JSON lines with message and span", () => {
  withTmp((dir) => {
    const out = join(dir, "x.o");
    const r = cli(["compile", "--json", "tests/errors/body_unchecked_lookup_load.lisp", "-o", out]);
    assert.equal(r.status, 1);
    const lines = r.stderr.split("\n").filter((l) => l.trim());
    assert.ok(lines.length >= 1);
    const diags = lines.map((l) => JSON.parse(l));
    const d = diags[0];
    assert.equal(d.severity, "error");
    assert.equal(typeof d.message, "string");
    assert.match(d.message, /null/i);
    assert.deepEqual(
      { file: d.span.file, line: d.span.line },
      { file: "tests/errors/body_unchecked_lookup_load.lisp", line: 6 },
    );
    assert.ok(d.span.col >= 1 && d.span.len >= 1);
    assert.ok(Array.isArray(d.notes));
    assert.ok(!existsSync(out));
  });
});
