// docs/language.md stays true: every ```lisp example compiles at -O0 and -O2 with no error
// (body-only examples inside an XDP program, after the page's prelude of maps and a struct),
// and loads with `bpftool prog loadall` where this kernel allows its program types. The page
// must also mention every form the compiler registers.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compile, render } from "../../mod.ts";
import { memoryFiles } from "../../compiler/files.ts";
import { PROG_TYPE_TABLE } from "../../compiler/progtypes.ts";
import { HEADERS } from "../../compiler/surface/protocols.ts";
import { MAP_TYPE_NAMES } from "../../compiler/maptypes.ts";
import { kernelTest, loadObject } from "../kernel.ts";
import { tempDir, writeObject } from "../compile_util.ts";

const DOC = readFileSync(join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "../../docs/language.md"), "utf8");
const blocks = [...DOC.matchAll(/```lisp\n([\s\S]*?)```/g)].map((m) => m[1]);
const [PRELUDE, ...EXAMPLES] = blocks;

// The sched_switch format, for the tracepoint example (a host without tracefs still compiles it).
const FORMAT = `name: sched_switch
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;
\tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;
\tfield:int prev_prio;\toffset:28;\tsize:4;\tsigned:1;
\tfield:long prev_state;\toffset:32;\tsize:8;\tsigned:1;
\tfield:char next_comm[16];\toffset:40;\tsize:16;\tsigned:0;
\tfield:pid_t next_pid;\toffset:56;\tsize:4;\tsigned:1;
\tfield:int next_prio;\toffset:60;\tsize:4;\tsigned:1;
`;
const files = memoryFiles({ "/sys/kernel/tracing/events/sched/sched_switch/format": FORMAT });

const TOPLEVEL = /^\s*(?:;[^\n]*\n\s*)*\((defmap|defprog|defconstant|defstruct|defunion|defheader|defun|defmacro|in-package|eval-when|include)\b/i;

/** The source a doc example compiles as. */
function source(example: string): string {
  if (!TOPLEVEL.test(example)) return `${PRELUDE}\n(defprog example (:type :xdp)\n${example}\nXDP_PASS)`;
  return /\(defprog\b/i.test(example) ? `${PRELUDE}\n${example}` : `${PRELUDE}\n${example}\n(defprog example () XDP_PASS)`;
}

test("language.md: the page has its examples", () => {
  assert.ok(EXAMPLES.length >= 20, `${EXAMPLES.length} examples`);
  assert.match(PRELUDE, /defmap counters/);
});

test("language.md: every lisp example compiles at -O0 and -O2 without warnings", () => {
  for (const [i, ex] of [PRELUDE, ...EXAMPLES].entries()) {
    for (const opt of ["0", "2"] as const) {
      const src = i === 0 ? `${ex}\n(defprog example () XDP_PASS)` : source(ex);
      const r = compile(src, { files, opt, file: `language.md#${i}` });
      const shown = render(r.diagnostics, (f) => r.sources.get(f));
      assert.ok(r.ok, `example ${i} at -O${opt}:\n${ex}\n${shown}`);
      // A warning would mean the example teaches something the compiler frowns on.
      assert.deepEqual(r.diagnostics.filter((d) => d.severity !== "note").map((d) => d.message), [], `example ${i}:\n${ex}`);
    }
  }
});

test("language.md: documents every program type, map type, header and registered form", () => {
  for (const t of Object.keys(PROG_TYPE_TABLE)) assert.ok(DOC.includes(`\`:${t}\``), `program type :${t}`);
  for (const t of MAP_TYPE_NAMES) assert.ok(DOC.includes(`:${t}`), `map type :${t}`);
  for (const h of HEADERS) {
    assert.ok(DOC.includes(`\`${h.name}\``), `header ${h.name}`);
    for (const f of h.fields) assert.ok(DOC.includes(f.name), `field ${h.name}-${f.name}`);
  }
  const forms = [
    "let", "let*", "setf", "setq", "progn", "if", "when", "unless", "cond", "case", "ecase", "and", "or", "not", "return", "when-let",
    "if-let", "dotimes", "incf", "decf", "1+", "1-", "zerop", "cast", "log2", "ash", "lognot", "ntohll", "htonll", "load", "store",
    "atomic-add", "atomic-fetch-add", "atomic-xchg", "atomic-cmpxchg", "stack-addr", "memset", "memcpy", "ctx", "ctx-load", "ctx-store",
    "ctx-ptr", "xdp-data", "xdp-data-end", "tc-data", "tc-data-end", "pt-regs-parm1", "pt-regs-parm6", "pt-regs-ret", "load-abs",
    "load-ind", "map-lookup", "map-update", "map-delete", "map-lookup-ptr", "map-update-ptr", "map-delete-ptr", "getmap", "remmap",
    "tail-call", "ringbuf-output", "ringbuf-reserve", "ringbuf-submit", "ringbuf-discard", "with-ringbuf", "perf-event-output", "asm",
    "with-packet", "with-tc-packet", "parse-ipv4*", "parse-tcp*", "parse-udp*", "parse-icmp*", "sizeof", "make-", "@", "copy",
    "mapped-p", "value-offset", "defmap", "defprog", "defconstant", "defstruct", "defunion", "defheader", "include", "defmacro",
  ];
  for (const f of forms) assert.ok(DOC.includes(`(${f}`) || DOC.includes(`\`${f}`), `form ${f}`);
});

// fentry/fexit/lsm: refused by this kernel even for clang's objects (tests/progtypes_test.ts);
// :pinning :by-name: libbpf pins the map itself, which bpftool's pinmaps would repeat (tests/maptypes_test.ts).
const NOT_LOADED_HERE = /:type :(fentry|fexit|lsm)\b|:pinning :by-name/;

kernelTest("language.md: the examples load with bpftool prog loadall", () => {
  const { dir, cleanup } = tempDir();
  const failures: string[] = [];
  try {
    EXAMPLES.forEach((ex, i) => {
      if (NOT_LOADED_HERE.test(ex)) return;
      const r = compile(source(ex), { files, file: `language.md#${i + 1}` });
      assert.ok(r.ok);
      const obj = writeObject(r, dir, `ex${i}`);
      try {
        loadObject(obj).close();
      } catch (e) {
        failures.push(`example ${i + 1}:\n${ex}\n${String(e).split("\n").filter((l) => /error|invalid|R\d|failed/i.test(l)).slice(-4).join("\n")}`);
      }
    });
  } finally {
    cleanup();
  }
  assert.deepEqual(failures, []);
});
