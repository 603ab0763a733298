// Every program in examples/: it has a header comment, compiles at -O0 and -O2, and the kernel
// verifier accepts it. The XDP/TC examples are run on crafted packets and their verdicts and
// maps checked against a model computed here; runqlat's tracepoints are attached for real.
// (The seed three's behaviour is tested in seed_test.ts; here they only load.)

import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { arpFrame, icmpFrame, ip4, ipv6TcpFrame, SYN, tcpFrame, truncate, udpFrame } from "./packets.ts";
import { dumpMap, kernelTest, type Loaded, loadObject, runProg, updateMap } from "./kernel.ts";
import { compileFile, tempDir, u32key, writeObject } from "./compile_util.ts";
import { LEVELS, type Level, le, readArray, TC_ACT_OK, TC_ACT_SHOT, u64le, XDP_DROP, XDP_PASS } from "./features/util.ts";

const EXAMPLES = readdirSync("examples").filter((f) => f.endsWith(".lisp")).sort();

/** Compile examples/NAME.lisp at `opt`, load it, run `fn`, unload. */
function withExample(name: string, opt: Level, fn: (l: Loaded) => void): void {
  const { dir, cleanup } = tempDir();
  try {
    const l = loadObject(writeObject(compileFile(`examples/${name}.lisp`, { opt }), dir, name));
    try {
      fn(l);
    } finally {
      l.close();
    }
  } finally {
    cleanup();
  }
}

test("the examples are all there, each with a header comment saying what it does and how to load it", () => {
  for (const want of ["count-xdp", "drop-port", "synflood-xdp", "ratelimit-xdp", "runqlat", "tail-call-dispatch", "multi-prog"]) {
    assert.ok(EXAMPLES.includes(`${want}.lisp`), `examples/${want}.lisp missing`);
  }
  for (const f of EXAMPLES) {
    const text = readFileSync(join("examples", f), "utf8");
    const header = text.split("\n").filter((l) => l.startsWith(";;;"));
    assert.ok(text.startsWith(";;;"), `${f} starts with a header comment`);
    assert.ok(header.length >= 3, `${f}: header comment of several lines`);
    assert.match(header.join("\n"), /Load:/, `${f}: the header says how to load it`);
  }
});

for (const f of EXAMPLES) {
  const name = f.replace(/\.lisp$/, "");
  test(`${name} compiles at -O0 and -O2 (programs in sections libbpf recognises)`, () => {
    for (const opt of LEVELS) {
      const r = compileFile(`examples/${f}`, { opt });
      assert.ok(r.programs.length >= 1);
      assert.deepEqual(r.diagnostics.filter((d) => d.severity === "warning").map((d) => d.message), [], "no warnings");
      for (const p of r.programs) {
        assert.ok(p.insns > 0);
        assert.match(p.section, /^(xdp|tc|tracepoint\/sched\/\w+)$/, `${p.name}: section ${p.section}`);
      }
    }
  });
  for (const opt of LEVELS) {
    kernelTest(`${name} -O${opt}: the verifier accepts every program`, () => {
      const r = compileFile(`examples/${f}`, { opt });
      withExample(name, opt, (l) => {
        assert.deepEqual(l.progs, r.programs.map((p) => p.name).sort());
        for (const p of l.progs) assert.ok(l.processed[p] === undefined || l.processed[p] > 0);
      });
    });
  }
}

const tcp = (src: string, dst: string, dport: number) => tcpFrame({ src, dst, sport: 40000, dport, flags: SYN });
const udp = (src: string, dst: string, dport: number) => udpFrame({ src, dst, sport: 5353, dport });

for (const opt of LEVELS) {
  kernelTest(`ratelimit-xdp -O${opt}: each source gets its limit of packets per window, then drops`, () => {
    withExample("ratelimit-xdp", opt, (l) => {
      // Model: per source {count}; a packet whose source's count in the window has reached
      // the limit is dropped, else counted. A new source starts at 1.
      const stats = [0n, 0n, 0n];
      const count = new Map<string, bigint>();
      let limit = 100n, windowExpiresEveryPacket = false;
      const model = (src: string): number => {
        let c = count.get(src);
        if (c === undefined) {
          count.set(src, 1n);
          stats[2]++;
          stats[0]++;
          return XDP_PASS;
        }
        if (windowExpiresEveryPacket) c = 0n;
        if (c >= limit) {
          count.set(src, c);
          stats[1]++;
          return XDP_DROP;
        }
        count.set(src, c + 1n);
        stats[0]++;
        return XDP_PASS;
      };
      const send = (frame: Uint8Array, src: string | null, times = 1) => {
        let want = XDP_PASS;
        if (src) for (let i = 0; i < times; i++) want = model(src);
        assert.equal(runProg(l, "ratelimit", frame, { repeat: times }).retval, want, `${times}× from ${src}`);
      };
      // Default configuration (limit 100 per second): 101 packets in one in-kernel run take
      // microseconds, so the 101st is in the same window and is dropped.
      send(tcp("10.1.0.1", "10.0.0.2", 80), "10.1.0.1", 101);
      send(arpFrame(), null, 3); // not IPv4: passes, not counted
      send(ipv6TcpFrame({ src: "fe80::1", dst: "fe80::2", sport: 1, dport: 2, flags: SYN }), null);
      send(truncate(tcp("10.1.0.9", "10.0.0.2", 80), 33), null); // too short for IPv4
      // limit 5 and a window of 2^62 ns: counting only.
      updateMap(l, "rl_config", u32key(0), u64le(5n));
      updateMap(l, "rl_config", u32key(1), u64le(1n << 62n));
      limit = 5n;
      send(tcp("10.2.0.1", "10.0.0.2", 80), "10.2.0.1", 3);
      send(udp("10.2.0.1", "10.0.0.2", 53), "10.2.0.1", 2); // fifth packet: still passes
      send(udp("10.2.0.1", "10.0.0.2", 53), "10.2.0.1"); // sixth: dropped
      send(icmpFrame({ src: "10.2.0.1", dst: "10.0.0.2" }), "10.2.0.1", 4);
      send(tcp("10.2.0.2", "10.0.0.2", 80), "10.2.0.2", 5); // another source has its own count
      send(tcp("10.1.0.1", "10.0.0.2", 80), "10.1.0.1"); // 100 counted ≥ 5: dropped
      // A window of 1 ns: every packet (separate runs, ms apart) starts a new window.
      updateMap(l, "rl_config", u32key(1), u64le(1n));
      windowExpiresEveryPacket = true;
      for (let i = 0; i < 3; i++) send(tcp("10.2.0.1", "10.0.0.2", 80), "10.2.0.1");
      send(tcp("10.3.0.1", "10.0.0.2", 80), "10.3.0.1");
      assert.deepEqual(readArray(l, "rl_stats", 3), stats, "rl_stats");
      const entries = dumpMap(l, "rl_table");
      assert.equal(entries.length, count.size, "one entry per source");
      for (const e of entries) {
        const src = [...e.key].join(".");
        const v = e.value as Uint8Array;
        assert.ok(le(v.subarray(0, 8)) > 0n, `${src}: window start is a timestamp`);
        assert.equal(le(v.subarray(8, 16)), count.get(src), `rl_table[${src}].count`);
      }
    });
  });

  kernelTest(`tail-call-dispatch -O${opt}: falls through without handlers, dispatches with them`, () => {
    withExample("tail-call-dispatch", opt, (l) => {
      // Model: which handlers are installed decides verdicts and counters.
      const stats = new Array(7).fill(0n);
      const installed = new Set<number>();
      type Pkt = { frame: Uint8Array; proto?: number; dport?: number; icmpType?: number };
      const model = (p: Pkt): number => {
        if (p.proto === undefined) return XDP_PASS;
        if (!installed.has(p.proto)) {
          stats[0]++;
          return XDP_PASS;
        }
        if (p.proto === 6) {
          stats[1]++;
          if (p.dport === 23) return stats[2]++, XDP_DROP;
        } else if (p.proto === 17) {
          stats[3]++;
          if (p.dport === 53) stats[4]++;
        } else if (p.proto === 1) {
          stats[5]++;
          if (p.icmpType === 8) return stats[6]++, XDP_DROP;
        }
        return XDP_PASS;
      };
      const pkts: Pkt[] = [
        { frame: tcp("10.0.0.1", "10.0.0.2", 23), proto: 6, dport: 23 },
        { frame: tcp("10.0.0.1", "10.0.0.2", 80), proto: 6, dport: 80 },
        { frame: udp("10.0.0.1", "10.0.0.2", 53), proto: 17, dport: 53 },
        { frame: udp("10.0.0.1", "10.0.0.2", 123), proto: 17, dport: 123 },
        { frame: icmpFrame({ src: "10.0.0.1", dst: "10.0.0.2", type: 8 }), proto: 1, icmpType: 8 },
        { frame: icmpFrame({ src: "10.0.0.1", dst: "10.0.0.2", type: 0 }), proto: 1, icmpType: 0 },
        { frame: arpFrame() },
      ];
      const sendAll = (what: string) => {
        for (const p of pkts) assert.equal(runProg(l, "dispatcher", p.frame).retval, model(p), `${what}: proto ${p.proto} port ${p.dport}`);
        assert.deepEqual(readArray(l, "dispatch_stats", 7), stats, `${what}: dispatch_stats`);
      };
      sendAll("no handlers");
      updateMap(l, "jump_table", u32key(6), { pinnedProg: `${l.dir}/handle_tcp` });
      installed.add(6);
      sendAll("TCP handler");
      updateMap(l, "jump_table", u32key(17), { pinnedProg: `${l.dir}/handle_udp` });
      updateMap(l, "jump_table", u32key(1), { pinnedProg: `${l.dir}/handle_icmp` });
      installed.add(17).add(1);
      sendAll("all handlers");
      // The handlers also work when attached directly.
      assert.equal(runProg(l, "handle_tcp", tcp("10.0.0.1", "10.0.0.2", 23)).retval, XDP_DROP);
      stats[1]++, stats[2]++;
      assert.deepEqual(readArray(l, "dispatch_stats", 7), stats);
    });
  });

  kernelTest(`multi-prog -O${opt}: the XDP and TC programs share the blocklist and the counters`, () => {
    withExample("multi-prog", opt, (l) => {
      const stats = [0n, 0n, 0n, 0n, 0n];
      const blocked = new Map<string, bigint>();
      const model = (dir: "in" | "out", src: string, dst: string, frame: Uint8Array): number => {
        const base = dir === "in" ? 0 : 2;
        stats[base]++;
        stats[4] += BigInt(frame.length - 14);
        const a = dir === "in" ? src : dst;
        if (blocked.has(a)) {
          blocked.set(a, blocked.get(a)! + 1n);
          stats[base + 1]++;
          return dir === "in" ? XDP_DROP : TC_ACT_SHOT;
        }
        return dir === "in" ? XDP_PASS : TC_ACT_OK;
      };
      const traffic = (what: string) => {
        const flows: [string, string, Uint8Array][] = [
          ["192.0.2.1", "10.0.0.2", tcp("192.0.2.1", "10.0.0.2", 80)],
          ["10.0.0.2", "192.0.2.1", tcp("10.0.0.2", "192.0.2.1", 443)],
          ["198.51.100.7", "10.0.0.2", udp("198.51.100.7", "10.0.0.2", 53)],
          ["10.0.0.2", "198.51.100.7", icmpFrame({ src: "10.0.0.2", dst: "198.51.100.7" })],
        ];
        for (const [src, dst, frame] of flows) {
          assert.equal(runProg(l, "xdp_ingress", frame).retval, model("in", src, dst, frame), `${what}: ingress ${src}→${dst}`);
          assert.equal(runProg(l, "tc_egress", frame).retval, model("out", src, dst, frame), `${what}: egress ${src}→${dst}`);
        }
        assert.equal(runProg(l, "xdp_ingress", arpFrame()).retval, XDP_PASS);
        assert.equal(runProg(l, "tc_egress", arpFrame()).retval, TC_ACT_OK);
        assert.deepEqual(readArray(l, "traffic_stats", 5), stats, `${what}: traffic_stats`);
        const hits = new Map(dumpMap(l, "blocklist").map((e) => [[...e.key].join("."), le(e.value as Uint8Array)]));
        assert.deepEqual(hits, blocked, `${what}: blocklist hits`);
      };
      traffic("empty blocklist");
      for (const a of ["192.0.2.1", "198.51.100.7"]) {
        updateMap(l, "blocklist", ip4(a), u64le(0n));
        blocked.set(a, 0n);
      }
      traffic("two addresses blocked");
    });
  });

  kernelTest(`runqlat -O${opt}: loads; tracepoints cannot be test-run (ENOTSUPP)`, () => {
    withExample("runqlat", opt, (l) => {
      assert.deepEqual(l.progs, ["handle_sched_switch", "handle_sched_wakeup", "handle_sched_wakeup_new"]);
      assert.throws(() => runProg(l, "handle_sched_switch", new Uint8Array(64)), /524|not supported/i);
    });
  });
}

// Attaches runqlat's three programs to their tracepoints with perf_event_open +
// PERF_EVENT_IOC_SET_BPF (what libbpf does), sleeps in a loop to cause wakeups and switches,
// then detaches. argv: tracefs-dir then pairs of (event id, pinned program path).
const ATTACH_C = `#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(int argc, char **argv) {
  int fds[16], n = 0;
  for (int i = 1; i + 1 < argc && n < 16; i += 2) {
    union bpf_attr a; memset(&a, 0, sizeof a);
    a.pathname = (unsigned long)argv[i + 1];
    int pfd = syscall(SYS_bpf, BPF_OBJ_GET, &a, sizeof a);
    if (pfd < 0) { perror("BPF_OBJ_GET"); return 1; }
    struct perf_event_attr pa; memset(&pa, 0, sizeof pa);
    pa.type = PERF_TYPE_TRACEPOINT; pa.size = sizeof pa; pa.config = strtoull(argv[i], 0, 10);
    pa.sample_period = 1; pa.wakeup_events = 1;
    int efd = syscall(SYS_perf_event_open, &pa, -1, 0, -1, 0);
    if (efd < 0) { perror("perf_event_open"); return 1; }
    if (ioctl(efd, PERF_EVENT_IOC_SET_BPF, pfd) < 0) { perror("SET_BPF"); return 1; }
    if (ioctl(efd, PERF_EVENT_IOC_ENABLE, 0) < 0) { perror("ENABLE"); return 1; }
    fds[n++] = efd;
  }
  for (int i = 0; i < 200; i++) usleep(500);
  for (int i = 0; i < n; i++) close(fds[i]);
  return 0;
}
`;

function tracefs(): string | null {
  for (const d of ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"]) {
    try {
      readFileSync(`${d}/events/sched/sched_switch/id`, "utf8");
      return d;
    } catch { /* try the next */ }
  }
  spawnSync("mount", ["-t", "tracefs", "nodev", "/sys/kernel/tracing"]);
  try {
    readFileSync("/sys/kernel/tracing/events/sched/sched_switch/id", "utf8");
    return "/sys/kernel/tracing";
  } catch {
    return null;
  }
}

kernelTest("runqlat: attached to the sched tracepoints, it fills the histogram from real scheduling", (t) => {
  const tf = tracefs();
  const gcc = spawnSync("gcc", ["--version"]).status === 0;
  if (!tf || !gcc) {
    console.log(`SKIP runqlat attach: ${!tf ? "no tracefs" : "no gcc"}`);
    return t.skip();
  }
  // The offsets the example hard-codes are the ones this kernel's format files give.
  const fmt = (ev: string) => readFileSync(`${tf}/events/sched/${ev}/format`, "utf8");
  const off = (text: string, field: string) => Number(new RegExp(`field:[^;]*\\b${field};\\s*offset:(\\d+);`).exec(text)?.[1]);
  assert.equal(off(fmt("sched_wakeup"), "pid"), 24);
  assert.equal(off(fmt("sched_wakeup_new"), "pid"), 24);
  assert.equal(off(fmt("sched_switch"), "prev_pid"), 24);
  assert.equal(off(fmt("sched_switch"), "prev_state"), 32);
  assert.equal(off(fmt("sched_switch"), "next_pid"), 56);
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, "attach.c"), ATTACH_C);
    const cc = spawnSync("gcc", ["-O1", "-o", join(dir, "attach"), join(dir, "attach.c")], { encoding: "utf8" });
    assert.equal(cc.status, 0, cc.stderr);
    withExample("runqlat", "2", (l) => {
      const id = (ev: string) => readFileSync(`${tf}/events/sched/${ev}/id`, "utf8").trim();
      const r = spawnSync(join(dir, "attach"), [
        id("sched_wakeup"), `${l.dir}/handle_sched_wakeup`,
        id("sched_wakeup_new"), `${l.dir}/handle_sched_wakeup_new`,
        id("sched_switch"), `${l.dir}/handle_sched_switch`,
      ], { encoding: "utf8", timeout: 120_000 });
      assert.equal(r.status, 0, r.stderr);
      const hist = readArray(l, "hist", 64);
      const total = hist.reduce((a, b) => a + b, 0n);
      assert.ok(total > 0n, `histogram is empty: ${hist}`);
      // Its own 200 sleeps each end in a wakeup and a switch to it: at least that many waits
      // (on a 1-CPU box the 200 switches are certain; allow some slack for idle-CPU fast paths).
      assert.ok(total >= 100n, `only ${total} waits recorded`);
      // Waits of 2^40 us (12 days) or more would mean garbage timestamps.
      assert.ok(hist.slice(40).every((v) => v === 0n), `implausible slots: ${hist}`);
    });
  } finally {
    cleanup();
  }
});
