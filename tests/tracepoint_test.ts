// Tracepoint record fields by name (SPEC §7, §9): `(ctx FIELD)` in a tracepoint program reads
// the event's field with the offset, size and signedness of its tracefs format file, read
// through the host's file provider — a real /sys/kernel/tracing here, or memoryFiles — with a
// clear error (and the :format option or ctx-load offsets as the way out) when it is missing.
// The kernel test attaches a program to syscalls/sys_enter_write and checks the arguments.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compile } from "../mod.ts";
import { memoryFiles } from "../compiler/files.ts";
import { parseFormat } from "../compiler/tracepoint.ts";
import { hostFiles } from "../host/fs.ts";
import { kernelTest } from "./kernel.ts";
import { compileOk } from "./compile_util.ts";
import { cTool, le, LEVELS, withLoaded } from "./features/util.ts";
import { dumpMap } from "./kernel.ts";

// sched/sched_switch as Linux 6.x publishes it (a fixed copy, so the test does not depend on the host).
const SCHED_SWITCH = `name: sched_switch
ID: 372
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;
\tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;
\tfield:int prev_prio;\toffset:28;\tsize:4;\tsigned:1;
\tfield:long prev_state;\toffset:32;\tsize:8;\tsigned:1;
\tfield:char next_comm[16];\toffset:40;\tsize:16;\tsigned:0;
\tfield:pid_t next_pid;\toffset:56;\tsize:4;\tsigned:1;
\tfield:int next_prio;\toffset:60;\tsize:4;\tsigned:1;

print fmt: "prev_comm=%s prev_pid=%d", REC->prev_comm, REC->prev_pid
`;
const EXEC = `name: sched_process_exec
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;
\tfield:pid_t pid;\toffset:12;\tsize:4;\tsigned:1;
\tfield:const char * name;\toffset:16;\tsize:8;\tsigned:0;
`;
const PATH = "/sys/kernel/tracing/events/sched/sched_switch/format";
const files = memoryFiles({ [PATH]: SCHED_SWITCH, "/sys/kernel/debug/tracing/events/sched/sched_process_exec/format": EXEC, "formats/switch.format": SCHED_SWITCH });

/** The IR of one program, to see the loads (`load.s32 [ctx + 56]`). */
const ir = (src: string, opts = {}) => {
  const r = compile(src, { files, emit: "ir", opt: "0", ...opts });
  assert.ok(r.ok, r.diagnostics.map((d) => d.message).join("\n"));
  return r.text!;
};

test("tracepoint: a format file parses into fields with offsets, sizes, signedness and arrays", () => {
  const r = parseFormat(SCHED_SWITCH, "sched/sched_switch");
  const f = (n: string) => r.struct.fields.find((x) => x.name === n);
  assert.deepEqual(f("next_pid"), { name: "next_pid", offset: 56, size: 4, signed: true });
  assert.deepEqual(f("prev_state"), { name: "prev_state", offset: 32, size: 8, signed: true });
  assert.deepEqual(f("prev_comm"), { name: "prev_comm", offset: 8, size: 1, signed: false, count: 16 });
  assert.deepEqual(r.unreadable, ["common_type", "common_flags", "common_preempt_count", "common_pid"]);
  const e = parseFormat(EXEC, "x");
  assert.deepEqual(e.struct.fields.find((x) => x.name === "filename"), { name: "filename", offset: 8, size: 4, signed: false });
  assert.equal(e.struct.fields.find((x) => x.name === "name")!.pointer, true);
  assert.throws(() => parseFormat("name: x\nformat:\n", "x"), /no "field:" lines/);
});

test("tracepoint: (ctx FIELD) loads with the format's offset, size and sign (tracefs path, memoryFiles)", () => {
  const text = ir(`(defprog p (:type :tracepoint :section "tracepoint/sched/sched_switch")
  (+ (ctx next-pid) (ctx prev-state) (ctx next-prio) (ctx prev-comm 3)))`);
  assert.match(text, /load\.s32 \[\S+ \+ 56\]/);
  assert.match(text, /load\.s64 \[\S+ \+ 32\]/);
  assert.match(text, /load\.s32 \[\S+ \+ 60\]/);
  assert.match(text, /load\.u8 \[\S+ \+ 11\]/);
  // tp/… is the same section family; the debugfs path is the fallback.
  assert.match(ir(`(defprog p (:section "tp/sched/sched_process_exec") (ctx filename))`), /load\.u32 \[\S+ \+ 8\]/);
});

test("tracepoint: :format gives the file (relative to the source or -I), for compiling away from the target", () => {
  const src = `(defprog p (:type :tracepoint :section "tracepoint/sched/sched_switch" :format "switch.format") (ctx next-pid))`;
  assert.match(ir(src, { files: memoryFiles({ "formats/switch.format": SCHED_SWITCH }), includePaths: ["formats"] }), /load\.s32 \[\S+ \+ 56\]/);
  assert.match(ir(src.replace('"switch.format"', '"formats/switch.format"'), { files: memoryFiles({ "formats/switch.format": SCHED_SWITCH }) }), /load\.s32/);
});

test("tracepoint: missing format, bad fields and misuse are errors that say what to do", () => {
  const err = (src: string, opts: object = { files }) => {
    const r = compile(src, opts);
    assert.equal(r.ok, false, src);
    return r.diagnostics[0];
  };
  const src = `(defprog p (:type :tracepoint :section "tracepoint/sched/sched_wakeup")\n  (ctx pid))`;
  const d = err(src);
  assert.match(d.message, /Cannot read the format of tracepoint sched\/sched_wakeup \(not found or not readable; looked in \/sys\/kernel\/tracing\/events\/sched\/sched_wakeup\/format, \/sys\/kernel\/debug\/tracing\/events\/sched\/sched_wakeup\/format\)/);
  assert.match(d.message, /:format "FILE"/);
  assert.match(d.message, /\(ctx-load TYPE OFFSET\)/);
  assert.equal(d.span?.line, 2, "the error is at the (ctx …) form");
  assert.match(err(src, {}).message, /the compiler was given no file access/);
  // Without the file, ctx-load with offsets still compiles.
  assert.ok(compile(`(defconstant +pid-offset+ 24)\n(defprog p (:type :tracepoint :section "tracepoint/sched/sched_wakeup") (ctx-load i32 +pid-offset+))`).ok);
  const sw = `(defprog p (:type :tracepoint :section "tracepoint/sched/sched_switch") `;
  assert.match(err(`${sw}(ctx next-pidd))`).message, /Unknown field "next-pidd" of sched\/sched_switch \(fields: common-type, .*next-pid, next-prio\)/);
  assert.match(err(`${sw}(ctx common-pid))`).message, /sched\/sched_switch\.common_pid is not accessible/);
  assert.match(err(`${sw}(setf (ctx next-pid) 1) 0)`).message, /read-only in :tracepoint programs/);
  assert.match(err(`${sw}(ctx prev-comm 16))`).message, /Index 16 is out of range .*\(0 to 15\)/);
  assert.match(err(`(defprog p (:type :tracepoint) (ctx next-pid))`).message, /needs a section naming the event, "tracepoint\/CATEGORY\/EVENT"/);
  assert.match(err(`(defprog p (:type :xdp :format "x") 2)`).message, /:format gives a tracepoint's format file/);
  assert.match(err(`(defprog p (:type :tracepoint :section "tp/a/b" :format "nope") (ctx x))`).message, /looked in nope/);
});

test("tracepoint: the host's tracefs is read through the CLI's provider when it is there", (t) => {
  if (!existsSync("/sys/kernel/tracing/events/syscalls/sys_enter_write/format")) return t.skip("no readable tracefs");
  const r = compileOk(`(defprog p (:section "tracepoint/syscalls/sys_enter_write") (+ (ctx fd) (ctx count)))`, { files: hostFiles, emit: "ir", opt: "0" });
  const fmt = parseFormat(readFileSync("/sys/kernel/tracing/events/syscalls/sys_enter_write/format", "utf8"), "w");
  for (const f of ["fd", "count"]) {
    const x = fmt.struct.fields.find((y) => y.name === f)!;
    assert.match(r.text!, new RegExp(`load\\.u${x.size * 8} \\[\\S+ \\+ ${x.offset}\\]`));
  }
});

// Attaches the pinned program to a tracepoint (perf_event_open of PERF_TYPE_TRACEPOINT with the
// event's id + PERF_EVENT_IOC_SET_BPF), then writes 777 and 1234 bytes to /dev/null, and prints
// its pid and the /dev/null descriptor.
const ATTACH_C = `#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(int argc, char **argv) {
  union bpf_attr a; memset(&a, 0, sizeof a);
  a.pathname = (unsigned long)argv[1];
  int pfd = syscall(SYS_bpf, BPF_OBJ_GET, &a, sizeof a);
  if (pfd < 0) { perror("BPF_OBJ_GET"); return 1; }
  struct perf_event_attr pa; memset(&pa, 0, sizeof pa);
  pa.size = sizeof pa; pa.type = PERF_TYPE_TRACEPOINT; pa.config = strtoull(argv[2], 0, 0);
  pa.sample_period = 1; pa.wakeup_events = 1;
  int efd = syscall(SYS_perf_event_open, &pa, getpid(), -1, -1, 0);
  if (efd < 0) { perror("perf_event_open"); return 1; }
  if (ioctl(efd, PERF_EVENT_IOC_SET_BPF, pfd) < 0) { perror("SET_BPF"); return 1; }
  if (ioctl(efd, PERF_EVENT_IOC_ENABLE, 0) < 0) { perror("ENABLE"); return 1; }
  static char buf[4096];
  int fd = open("/dev/null", O_WRONLY);
  if (write(fd, buf, 777) != 777 || write(fd, buf, 1234) != 1234) return 2;
  ioctl(efd, PERF_EVENT_IOC_DISABLE, 0); close(efd); /* before printf's own write */
  printf("%d %d\\n", (int)getpid(), fd);
  return 0;
}
`;

for (const opt of LEVELS) {
  kernelTest(`tracepoint -O${opt}: a program attached to syscalls/sys_enter_write reads fd and count by name`, async (t) => {
    const idFile = "/sys/kernel/tracing/events/syscalls/sys_enter_write/id";
    const tool = cTool("tracepoint-attach", ATTACH_C);
    if (!existsSync(idFile) || !tool) return t.skip(tool ? "no syscalls tracepoints" : "no gcc");
    const src = `
(defmap writes :type :hash :key-size 4 :value-size 8 :max-entries 64)   ; pid → sum of counts
(defmap last :type :hash :key-size 4 :value-size 8 :max-entries 64)     ; pid → fd << 32 | syscall nr
(defprog on-write (:type :tracepoint :section "tracepoint/syscalls/sys_enter_write")
  (let ((pid (cast u32 (>> (get-current-pid-tgid) 32))))
    (incf (getmap writes pid) (ctx count))
    (setf (getmap last pid) (logior (<< (ctx fd) 32) (ctx --syscall-nr))))
  0)`;
    await withLoaded(src, opt, (l) => {
      const r = spawnSync(tool, [join(l.dir, "on_write"), readFileSync(idFile, "utf8").trim()], { encoding: "utf8", timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
      const [pid, fd] = r.stdout.trim().split(" ").map(BigInt);
      const get = (m: string) => new Map(dumpMap(l, m).map((e) => [le(e.key), le(e.value as Uint8Array)])).get(pid);
      assert.equal(get("writes"), 777n + 1234n);
      assert.equal(get("last"), (fd << 32n) | 1n, "fd, and __syscall_nr 1 (write on x86_64)");
    });
  });
}
