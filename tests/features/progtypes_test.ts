// Program types (SPEC §7): :xdp :tc :socket-filter :kprobe :kretprobe :tracepoint (and
// :uprobe :uretprobe) compile with their default sections, libbpf infers the right kernel
// program type from those sections when loading, and socket filters run. pt-regs-parm1…6 and
// pt-regs-ret are checked for real by attaching the programs as uprobes to a function with known
// arguments (same pt_regs context as kprobes; this kernel is built without CONFIG_KPROBES).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { kernelTest, runProg } from "../kernel.ts";
import { compileOk } from "../compile_util.ts";
import { arpFrame, tcpFrame, udpFrame, SYN } from "../packets.ts";
import { cTool, I64, LEVELS, readArray, U64, withLoaded } from "./util.ts";

// Default section per SPEC §7, and the type bpftool reports once libbpf loaded it from that section.
const TYPES: [string, RegExp, string][] = [
  [":xdp", /^xdp$/, "xdp"],
  [":tc", /^tc$/, "sched_cls"],
  [":socket-filter", /^socket$/, "socket_filter"],
  [":kprobe", /^kprobe(\/.*)?$/, "kprobe"],
  [":kretprobe", /^kretprobe(\/.*)?$/, "kprobe"],
  [":uprobe", /^uprobe(\/.*)?$/, "kprobe"],
  [":uretprobe", /^uretprobe(\/.*)?$/, "kprobe"],
  [":tracepoint", /^(tracepoint|tp)(\/.*)?$/, "tracepoint"],
];

const progType = (pin: string): string => {
  const r = spawnSync("bpftool", ["-j", "prog", "show", "pinned", pin], { encoding: "utf8" });
  return JSON.parse(r.stdout).type;
};

test("progtypes: each type compiles with its default section", () => {
  for (const [type, section] of TYPES) {
    for (const opt of LEVELS) {
      const r = compileOk(`(defprog p (:type ${type}) 0)`, { opt });
      assert.match(r.programs[0].section, section, `${type}: section ${r.programs[0].section}`);
      assert.deepEqual(r.diagnostics, [], `${type}: no warnings`);
    }
  }
});

test("progtypes: a section libbpf recognises implies the type", () => {
  for (const [section, want] of [["tc", /^tc$/], ["kprobe/do_nanosleep", /^kprobe\/do_nanosleep$/], ["tracepoint/syscalls/sys_enter_getpid", /^tracepoint\//], ["socket", /^socket$/]] as const) {
    const r = compileOk(`(defprog p (:section "${section}") 0)`);
    assert.match(r.programs[0].section, want);
  }
  // With no type and no section, the type is :xdp.
  assert.equal(compileOk(`(defprog p () 2)`).programs[0].section, "xdp");
});

for (const opt of LEVELS) {
  kernelTest(`progtypes -O${opt}: all types load from their default sections as the right kernel type`, async () => {
    const src = TYPES.map(([type], i) => {
      const body = type === ":tracepoint" ? "(ctx-load u32 8)" : /probe/.test(type) ? "(+ (pt-regs-parm1) (pt-regs-ret))" : "(ctx-load u32 0)";
      return `(defprog p${i} (:type ${type}) ${body})`;
    }).join("\n");
    await withLoaded(src, opt, (l) => {
      TYPES.forEach(([type, , kernelType], i) => assert.equal(progType(join(l.dir, `p${i}`)), kernelType, type));
    });
  });

  kernelTest(`progtypes -O${opt}: socket filter keeps (ctx len) bytes of TCP and drops the rest, via load-abs`, async () => {
    const src = `
(defprog sf (:type :socket-filter)
  (if (= (load-abs u8 9) +ip-proto-tcp+) (ctx len) 0))`;
    await withLoaded(src, opt, (l) => {
      const t = tcpFrame({ src: "10.0.0.1", dst: "10.0.0.2", sport: 1, dport: 2, flags: SYN });
      // A socket filter sees the packet from the network header: skb->len excludes Ethernet.
      assert.equal(runProg(l, "sf", t).retval, t.length - 14);
      assert.equal(runProg(l, "sf", udpFrame({ src: "10.0.0.1", dst: "10.0.0.2", sport: 1, dport: 2 })).retval, 0);
      assert.equal(runProg(l, "sf", arpFrame()).retval, 0);
    });
  });
}

// Attaches two pinned programs to `target` in this very binary, as a uprobe and a uretprobe
// (perf_event_open on the uprobe PMU + PERF_EVENT_IOC_SET_BPF), then calls target(argv[4..9])
// and prints its result and the process id.
const UPROBE_C = `#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
__attribute__((noipa)) long target(long a, long b, long c, long d, long e, long f) {
  return (a ^ b) + c * d - e + f;
}
static long file_offset(void *fn) {
  FILE *m = fopen("/proc/self/maps", "r"); char line[1024]; unsigned long addr = (unsigned long)fn;
  while (m && fgets(line, sizeof line, m)) {
    unsigned long lo, hi, off; char perms[8];
    if (sscanf(line, "%lx-%lx %7s %lx", &lo, &hi, perms, &off) == 4 && addr >= lo && addr < hi) return addr - lo + off;
  }
  return -1;
}
static int attach(int type, const char *pin, const char *exe, long off, int ret) {
  union bpf_attr a; memset(&a, 0, sizeof a);
  a.pathname = (unsigned long)pin;
  int pfd = syscall(SYS_bpf, BPF_OBJ_GET, &a, sizeof a);
  if (pfd < 0) { perror("BPF_OBJ_GET"); exit(1); }
  struct perf_event_attr pa; memset(&pa, 0, sizeof pa);
  pa.size = sizeof pa; pa.type = type; pa.config = ret ? 1 : 0;
  pa.config1 = (unsigned long)exe; pa.config2 = off;
  int efd = syscall(SYS_perf_event_open, &pa, getpid(), -1, -1, 0);
  if (efd < 0) { perror("perf_event_open"); exit(1); }
  if (ioctl(efd, PERF_EVENT_IOC_SET_BPF, pfd) < 0) { perror("SET_BPF"); exit(1); }
  if (ioctl(efd, PERF_EVENT_IOC_ENABLE, 0) < 0) { perror("ENABLE"); exit(1); }
  return efd;
}
int main(int argc, char **argv) {
  if (argc < 10) return 2;
  static char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return 3;
  exe[n] = 0;
  long off = file_offset((void *)target);
  int type = atoi(argv[1]);
  int e1 = attach(type, argv[2], exe, off, 0), e2 = attach(type, argv[3], exe, off, 1);
  long v[6];
  for (int i = 0; i < 6; i++) v[i] = (long)strtoull(argv[4 + i], 0, 0);
  long (*volatile fn)(long, long, long, long, long, long) = target;
  long r = fn(v[0], v[1], v[2], v[3], v[4], v[5]);
  printf("%ld %d\\n", r, (int)getpid());
  close(e1); close(e2);
  return 0;
}
`;

for (const opt of LEVELS) {
  kernelTest(`progtypes -O${opt}: pt-regs-parm1…6 and pt-regs-ret read the probed function's arguments and result`, async (t) => {
    const pmu = "/sys/bus/event_source/devices/uprobe/type";
    const tool: string | null = cTool("uprobe-attach", UPROBE_C);
    if (!existsSync(pmu) || tool === null) {
      console.log(`SKIP pt-regs uprobe test: ${tool ? "no uprobe PMU" : "no gcc"}`);
      return t.skip();
    }
    const src = `
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 12)
(defmacro put (i v) \`(setf (getmap out ,i) ,v))
(defprog on-entry (:type :uprobe)
  (put 0 (pt-regs-parm1)) (put 1 (pt-regs-parm2)) (put 2 (pt-regs-parm3))
  (put 3 (pt-regs-parm4)) (put 4 (pt-regs-parm5)) (put 5 (pt-regs-parm6))
  (put 6 (+ (getmap out 6) 1))
  (put 9 (>> (get-current-pid-tgid) 32))
  0)
(defprog on-return (:type :uretprobe)
  (put 7 (pt-regs-ret))
  (put 8 (+ (getmap out 8) 1))
  0)
;; The same forms in kprobe programs: they must load (this kernel cannot attach kprobes).
(defprog kp (:type :kprobe)
  (put 10 (+ (pt-regs-parm1) (pt-regs-parm2) (pt-regs-parm3) (pt-regs-parm4) (pt-regs-parm5) (pt-regs-parm6)))
  0)
(defprog krp (:type :kretprobe) (put 11 (pt-regs-ret)) 0)`;
    const exe: string = tool;
    await withLoaded(src, opt, (l) => {
      assert.equal(progType(join(l.dir, "kp")), "kprobe");
      assert.equal(progType(join(l.dir, "krp")), "kprobe");
      const sets: bigint[][] = [
        [1n, U64(-2n), 0x123456789n, 0x10n, U64(-0x8000n), 42n], // no signed overflow in target()
        [0x1111111111111111n, 0x2222n, 3n, U64(-4n), 0x7fffffffffffffffn, U64(-6n)],
      ];
      let calls = 0n;
      for (const args of sets) {
        const r = spawnSync(exe, [readFileSync(pmu, "utf8").trim(), join(l.dir, "on_entry"), join(l.dir, "on_return"), ...args.map(String)], { encoding: "utf8", timeout: 120_000 });
        assert.equal(r.status, 0, r.stderr);
        const [ret, pid] = r.stdout.trim().split(" ").map(BigInt);
        const [a, b, c, d, e, f] = args.map(I64);
        assert.equal(ret, (a ^ b) + c * d - e + f, "target's result as the helper printed it");
        calls++;
        assert.deepEqual(readArray(l, "out", 10), [...args, calls, U64(ret), calls, pid]);
      }
    });
  });
}
