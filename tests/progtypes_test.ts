// Program types (SPEC §7) beyond tests/features/progtypes_test.ts: every type loads from its
// default section (fentry/fexit/lsm are refused here as clang-19's objects are), the section
// names libbpf recognises, the context fields each type may read and write — checked against
// the kernel, which must refuse every access the compiler refuses — and packet tests: a socket
// filter reading through LD_ABS/LD_IND, and a TC program rewriting packet and skb fields.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { compile } from "../mod.ts";
import { memoryFiles } from "../compiler/files.ts";
import { ctxAccess, PROG_TYPE_TABLE } from "../compiler/progtypes.ts";
import { CTX_KERNEL_ONLY, CTX_STRUCTS } from "../compiler/uapi.ts";
import { compileBpfC, findClang, kernelTest, runProg, verifierLog } from "./kernel.ts";
import { compileOk, tempDir, writeObject } from "./compile_util.ts";
import { concat, eth, ETH_P_IP, ipv4, IPPROTO_TCP, parseFrame, tcp, tcpFrame, udpFrame, SYN } from "./packets.ts";
import { knownBug, LEVELS, withLoaded } from "./features/util.ts";

/** Types that load here, a section to use (default when ""), a body, and what bpftool calls them. */
const LOADABLE: [string, string, string, string][] = [
  ["xdp", "", "XDP_PASS", "xdp"],
  ["tc", "", "TC_ACT_OK", "sched_cls"],
  ["classifier", "", "TC_ACT_OK", "sched_cls"],
  ["socket-filter", "", "0", "socket_filter"],
  ["kprobe", "kprobe/do_nanosleep", "0", "kprobe"],
  ["kretprobe", "kretprobe/do_nanosleep", "0", "kprobe"],
  ["uprobe", "", "0", "kprobe"],
  ["uretprobe", "", "0", "kprobe"],
  ["tracepoint", "tracepoint/sched/sched_switch", "0", "tracepoint"],
  ["raw-tracepoint", "raw_tp/sched_switch", "0", "raw_tracepoint"],
  ["cgroup-skb", "", "1", "cgroup_skb"],
  ["cgroup-sock-addr", "", "1", "cgroup_sock_addr"],
  ["sockops", "", "1", "sock_ops"],
  ["sk-lookup", "", "SK_PASS", "sk_lookup"],
  ["cgroup-sock", "", "1", "cgroup_sock"],
  ["sk-skb", "", "SK_PASS", "sk_skb"],
  ["sk-msg", "", "SK_PASS", "sk_msg"],
  ["sk-reuseport", "", "SK_PASS", "sk_reuseport"],
  ["perf-event", "", "0", "perf_event"],
  ["cgroup-sysctl", "", "1", "cgroup_sysctl"],
  ["cgroup-device", "", "1", "cgroup_device"],
];

const progType = (pin: string): string => JSON.parse(spawnSync("bpftool", ["-j", "prog", "show", "pinned", pin], { encoding: "utf8" }).stdout).type;
const defprog = (name: string, type: string, section: string, body: string) =>
  `(defprog ${name} (:type :${type}${section ? ` :section "${section}"` : ""}) ${body})`;

test("progtypes: every type in the table compiles with no warning", () => {
  const covered = new Set([...LOADABLE.map(([t]) => t), "fentry", "fexit", "lsm"]);
  assert.deepEqual(Object.keys(PROG_TYPE_TABLE).filter((t) => !covered.has(t)), [], "every type has a load test");
  for (const [type, section, body] of LOADABLE) {
    const r = compileOk(defprog("p", type, section, body));
    assert.deepEqual(r.diagnostics, [], type);
    assert.equal(r.programs[0].section, section || PROG_TYPE_TABLE[type].section);
  }
});

for (const opt of LEVELS) {
  kernelTest(`progtypes -O${opt}: every type loads with bpftool prog loadall as the kernel type it names`, () => {
    const src = LOADABLE.map(([type, section, body], i) => defprog(`p${i}`, type, section, body)).join("\n");
    return withLoaded(src, opt, (l) => {
      LOADABLE.forEach(([type, , , kernel], i) => assert.equal(progType(join(l.dir, `p${i}`)), kernel, type));
    });
  });
}

kernelTest("progtypes: fentry, fexit and lsm are refused here exactly as clang-19's objects for the same programs", (t) => {
  if (!findClang()) return t.skip("no clang");
  const cases: [string, string][] = [["fentry", "fentry/do_nanosleep"], ["fexit", "fexit/do_nanosleep"], ["lsm", "lsm/file_open"]];
  const { dir, cleanup } = tempDir();
  try {
    for (const [type, section] of cases) {
      const ours = writeObject(compileOk(`(defprog p (:type :${type} :section "${section}") 0)`), dir, type);
      const clang = compileBpfC(`#include <linux/bpf.h>
__attribute__((section("${section}"), used)) int p(unsigned long long *ctx) { return 0; }
char _license[] __attribute__((section("license"), used)) = "GPL";`, dir, `${type}_c`);
      const a = verifierLog(ours), b = verifierLog(clang);
      const why = (log: string) => /prog 'p': BPF program load failed: (.*)/.exec(log)?.[1] ?? (/prog 'p':.*/.exec(log)?.[0] ?? log.slice(0, 200));
      if (a.ok && b.ok) continue; // a kernel that allows them: both load
      assert.equal(a.ok, false, `${type}: ours loads but clang's does not`);
      assert.equal(b.ok, false, `${type}: clang's loads but ours does not:\n${a.log}`);
      assert.equal(why(a.log), why(b.log), `${type}: refused for the same reason`);
      console.log(`NOTE ${type}: refused by this kernel for ours and clang-19's object alike: ${why(a.log)}`);
    }
  } finally {
    cleanup();
  }
});

test("progtypes: sections libbpf recognises imply the type; others warn with the name it would recognise", () => {
  const implied: [string, string][] = [
    ["cgroup/bind6", "cgroup/bind6"], ["sk_skb/stream_parser", "sk_skb/stream_parser"], ["raw_tp/sys_enter", "raw_tp/sys_enter"],
    ["fentry/do_unlinkat", "fentry/do_unlinkat"], ["tp/syscalls/sys_enter_openat", "tp/syscalls/sys_enter_openat"],
    ["cgroup_skb/egress", "cgroup_skb/egress"], ["uprobe//bin/true:main", "uprobe//bin/true:main"],
  ];
  for (const [section] of implied) {
    const r = compile(`(defprog p (:section "${section}") 0)`);
    assert.ok(r.ok, section);
    assert.deepEqual(r.diagnostics, [], section);
  }
  const warn = (src: string) => {
    const r = compile(src);
    assert.ok(r.ok);
    return r.diagnostics.map((d) => d.message).join("\n");
  };
  assert.match(warn(`(defprog p (:type :xdp :section "xdp/handler") 2)`), /does not recognise section "xdp\/handler".*"xdp"/);
  assert.match(warn(`(defprog p (:type :socket-filter :section "socket/x") 0)`), /recognises "socket"/);
  assert.match(warn(`(defprog p (:type :tc :section "xdp") 0)`), /libbpf loads section "xdp" as a :xdp program, not :tc.*"tc"/);
  assert.match(warn(`(defprog p (:type :kprobe :section "probe/x") 0)`), /recognises "kprobe"/);
  const r = compile(`(defprog p (:type :fentry) 0)`);
  assert.equal(r.ok, false);
  assert.match(r.diagnostics[0].message, /:fentry programs need a :section naming the kernel function, e\.g\. "fentry\/do_unlinkat"/);
});

// ───────────── context fields: what each type may read and write ─────────────

/** Types with a context struct, the section to test them with, and their verdict. */
const ctxOf = (t: string) => PROG_TYPE_TABLE[t].ctx ?? PROG_TYPE_TABLE[t].fields;
const CTX_TYPES = LOADABLE.filter(([t]) => ctxOf(t) && t !== "classifier");
const SOCK_ADDR_SECTIONS = ["cgroup/bind4", "cgroup/connect6", "cgroup/sendmsg4", "cgroup/sendmsg6", "cgroup/recvmsg4", "cgroup/getpeername6", "cgroup/getsockname4"];

/** The verifier's complaint: the log lines just before its statistics. */
function verifierError(log: string): string {
  const lines = (/-- BEGIN PROG LOAD LOG --\n([\s\S]*?)-- END/.exec(log)?.[1] ?? log).split("\n");
  const end = lines.findIndex((l) => /^(verification time|processed \d+ insns)/.test(l));
  return lines.slice(Math.max(0, (end < 0 ? lines.length : end) - 2), end < 0 ? undefined : end).join(" | ");
}

type Access = { type: string; section: string; body: string; field: string; index?: number; offset: number; size: number; pointer?: boolean };

/** Every field of every context, as a read and as a write, with what the compiler says. */
function accesses(): { ok: Access[]; refused: (Access & { write: boolean; message: string })[] } {
  const ok: Access[] = [], refused: (Access & { write: boolean; message: string })[] = [];
  const targets = [...CTX_TYPES.map(([t, s, body]) => [t, s || PROG_TYPE_TABLE[t].section, body]), ...SOCK_ADDR_SECTIONS.map((s) => ["cgroup-sock-addr", s, "1"]), ["xdp", "xdp/devmap", "XDP_PASS"],
    ...["cgroup/post_bind4", "cgroup/post_bind6", "cgroup/sock_release"].map((s) => ["cgroup-sock", s, "1"])];
  for (const [type, section, body] of targets) {
    const pt = PROG_TYPE_TABLE[type];
    for (const f of CTX_STRUCTS[ctxOf(type)!].fields) {
      if (![1, 2, 4, 8].includes(f.size)) continue;
      const index = f.count !== undefined ? 0 : undefined;
      // Packet pointers (data, data_end, data_meta) are u32 fields the verifier turns into pointers.
      // (bpf_sk_lookup.cookie shares its offset with the sk pointer: the verifier sees the pointer.)
      const pointer = f.pointer || /^data(_end|_meta)?$/.test(f.name) || (f.name === "cookie" && type === "sk-lookup");
      const a = { type, section, body, field: f.name, index, offset: f.offset, size: f.size, pointer };
      for (const write of [false, true]) {
        const r = ctxAccess(pt, section, f.name, write);
        if (typeof r === "string") refused.push({ ...a, write, message: r });
        else ok.push(write ? { ...a, field: `!${f.name}` } : a);
      }
    }
  }
  return { ok, refused };
}

const lispName = (f: string) => f.replace(/_/g, "-");
const ctxForm = (a: Access) => {
  const write = a.field.startsWith("!");
  const f = lispName(a.field.replace(/^!/, ""));
  const place = `(ctx ${f}${a.index !== undefined ? ` ${a.index}` : ""})`;
  // Pointer fields are only null-tested (no arithmetic on them); scalars are summed.
  return write ? `(setf ${place} 0)` : a.pointer ? `(if ${place} 1 0)` : place;
};

test("progtypes: (ctx FIELD) errors name the field and say why", () => {
  const { refused } = accesses();
  for (const a of refused) {
    const f = lispName(a.field);
    const place = `(ctx ${f}${a.index !== undefined ? ` ${a.index}` : ""})`;
    const r = compile(defprog("p", a.type, a.section, `${a.write ? `(setf ${place} 0)` : place} ${a.body}`));
    assert.equal(r.ok, false, `${a.type} ${a.section} ${a.write ? "write" : "read"} ${a.field}`);
    assert.match(r.diagnostics[0].message, new RegExp(`\\.${a.field} is (read-only|not accessible|a pointer)`));
  }
  const err = (src: string) => compile(src).diagnostics[0]?.message ?? "";
  assert.match(err(`(defprog p (:type :tc) (ctx cb) 0)`), /__sk_buff\.cb is an array: give an index, \(ctx cb 0\) … \(ctx cb 4\)/);
  assert.match(err(`(defprog p (:type :tc) (ctx cb 5) 0)`), /Index 5 is out of range for __sk_buff\.cb \(0 to 4\)/);
  assert.match(err(`(defprog p (:type :tc) (ctx mark 1) 0)`), /__sk_buff\.mark is not an array/);
  assert.match(err(`(defprog p (:type :tc) (ctx nosuch) 0)`), /Unknown field "nosuch" of __sk_buff \(fields: len, pkt-type/);
  assert.match(err(`(defprog p (:type :xdp) (setf (ctx data) 0) 0)`), /xdp_md\.data is read-only in :xdp programs \(no context field is writable\)/);
  assert.match(err(`(defprog p (:type :cgroup-sock-addr :section "cgroup/connect4") (setf (ctx user-ip6 0) 0) 1)`), /bpf_sock_addr\.user_ip6 is not accessible in :cgroup-sock-addr programs with section "cgroup\/connect4"/);
  assert.match(err(`(defprog p (:type :fentry :section "fentry/f") (ctx x) 0)`), /no named context fields.*\(ctx-load u64 \(\* 8 N\)\)/);
});

kernelTest("progtypes: every context field the compiler allows loads; every one it refuses, the kernel refuses too", () => {
  const { ok, refused } = accesses();
  const { dir, cleanup } = tempDir();
  const failures: string[] = [];
  try {
    // Allowed reads: one program per type and section reading all of them; allowed writes: one each.
    const groups = new Map<string, Access[]>();
    for (const a of ok) {
      const key = `${a.type}|${a.section}|${a.field.startsWith("!") ? a.field : "reads"}`;
      groups.set(key, [...(groups.get(key) ?? []), a]);
    }
    let n = 0;
    const unionMembers = new Set(CTX_KERNEL_ONLY.pt_regs);
    for (const [key, as0] of groups) {
      // pt_regs csx/fred_cs/ssx/fred_ss sit in unions in the kernel's struct: see the known bug below.
      const as = as0.filter((x) => !(ctxOf(x.type) === "pt_regs" && unionMembers.has(x.field)));
      const a = as[0];
      const reads = as.filter((x) => !x.field.startsWith("!")).map(ctxForm);
      // The reads are used (a branch on their sum), so no pass can drop them.
      const body = reads.length ? `(when (= (logxor ${reads.join(" ")}) 77) (return ${a.body})) ${a.body}` : `${ctxForm(a)} ${a.body}`;
      const obj = writeObject(compileOk(defprog("p", a.type, a.section, body)), dir, `ok${n++}`);
      const r = verifierLog(obj);
      if (!r.ok) failures.push(`allowed but refused: ${key}: ${verifierError(r.log)}`);
    }
    // Refused accesses, written as raw ctx-load / ctx-store at the field's offset: the kernel must refuse them.
    for (const a of refused) {
      const t = `u${a.size * 8}`;
      // A read must be used, or -O2 drops it before the kernel sees it.
      const raw = a.write ? `(ctx-store ${t} ${a.offset} 0)` : `(when (= (ctx-load ${t} ${a.offset}) 77) (return 0))`;
      const obj = writeObject(compileOk(defprog("p", a.type, a.section, `${raw} ${a.body}`)), dir, `no${n++}`);
      if (verifierLog(obj).ok) failures.push(`refused by the compiler but the kernel allows: ${a.type} ${a.section} ${a.write ? "write" : "read"} ${a.field}`);
    }
  } finally {
    cleanup();
  }
  assert.deepEqual(failures, []);
});

kernelTest("progtypes: (ctx fred-cs) and the other pt_regs union members load (CO-RE access string)", () =>
  knownBug("pt_regs union members", "CO-RE access string 0:19 for pt_regs.fred_cs ignores the kernel's anonymous union (reported to the CO-RE work)", () => {
    const { dir, cleanup } = tempDir();
    try {
      for (const f of CTX_KERNEL_ONLY.pt_regs) {
        const obj = writeObject(compileOk(`(defprog p (:type :kprobe) (when (= (ctx ${lispName(f)}) 77) (return 1)) 0)`), dir, f);
        const r = verifierLog(obj);
        assert.ok(r.ok, `${f}: ${verifierError(r.log)}`);
      }
    } finally {
      cleanup();
    }
  }));

// ───────────── packet tests ─────────────

// A socket filter that keeps TCP segments to port 80 whole and drops everything else, reading
// the packet only through LD_ABS/LD_IND: the IPv4 header length comes from IHL, so the TCP
// header is found with load-ind whatever the options.
const SOCKET_FILTER = `
(defprog http-only (:type :socket-filter)
  (when (/= (load-abs u8 9) +ip-proto-tcp+) (return 0))               ; protocol
  (when (logand (load-abs u16 6) #x1fff) (return 0))                   ; not the first fragment
  (let ((ihl (* 4 (logand (load-abs u8 0) #xf))))                      ; header length from IHL
    (if (= (load-ind u16 ihl 2) 80)                                    ; TCP destination port
        (ctx len)
        0)))`;

for (const opt of LEVELS) {
  kernelTest(`progtypes -O${opt}: a socket filter reads the packet with LD_ABS and LD_IND (IHL-sized header)`, () => withLoaded(SOCKET_FILTER, opt, (l) => {
    const frame = (dport: number, ihl = 5, fragOffset = 0, proto = IPPROTO_TCP) => eth({
      type: ETH_P_IP,
      payload: ipv4({ src: "10.0.0.1", dst: "10.0.0.2", proto, ihl, fragOffset, payload: tcp({ sport: 1234, dport, flags: SYN }) }),
    });
    for (const ihl of [5, 6, 8, 15]) {
      const f = frame(80, ihl);
      assert.equal(runProg(l, "http_only", f).retval, f.length - 14, `port 80, IHL ${ihl}: keep all of skb->len`);
      assert.equal(runProg(l, "http_only", frame(443, ihl)).retval, 0, `port 443, IHL ${ihl}`);
      // With a longer header, port 80 sits where a 20-byte-header reader would not find it.
      const wrong = frame(ihl === 5 ? 80 : 443, ihl);
      if (ihl > 5) wrong.set([0, 80], 14 + 20 + 2);
      assert.equal(runProg(l, "http_only", wrong).retval, ihl === 5 ? wrong.length - 14 : 0, `IHL ${ihl} honoured`);
    }
    assert.equal(runProg(l, "http_only", frame(80, 5, 100)).retval, 0, "a later fragment");
    assert.equal(runProg(l, "http_only", udpFrame({ src: "10.0.0.1", dst: "10.0.0.2", sport: 1, dport: 80 })).retval, 0, "UDP");
  }));
}

// A TC program that rewrites the IPv4 TTL and DSCP in the packet (fixing the header checksum
// with l3-csum-replace), and sets skb fields the kernel lets TC write: mark, priority, cb[].
const TC_REWRITE = `
(defprog rewrite (:type :tc)
  (with-ipv4 (data data-end ip)
    (let ((old (load u16 ip 8)))                  ; TTL and protocol, as one checksummed word
      (setf (ipv4-ttl ip) 7)
      (l3-csum-replace (ctx-ptr) (+ +eth-hdr-len+ 10) old (load u16 ip 8) 2)))
  (setf (ctx mark) #xbeef
        (ctx priority) 6
        (ctx cb 1) (ctx len))
  (+ (ctx cb 1) 0)
  TC_ACT_OK)`;

for (const opt of LEVELS) {
  kernelTest(`progtypes -O${opt}: a TC program rewrites a packet field (checksum kept valid) and skb fields`, () => withLoaded(TC_REWRITE, opt, (l) => {
    const f = tcpFrame({ src: "10.0.0.1", dst: "10.0.0.2", sport: 1, dport: 2, flags: SYN, ttl: 64 });
    const ctxIn = new Uint8Array(192);
    const r = runProg(l, "rewrite", f, { ctxIn });
    assert.equal(r.retval, 0);
    const out = parseFrame(r.dataOut);
    assert.equal(r.dataOut[14 + 8], 7, "TTL rewritten");
    assert.ok(out.ipv4!.checksumOk, "IPv4 header checksum still valid");
    assert.deepEqual([...r.dataOut.subarray(0, 22)], [...f.subarray(0, 22)], "the rest untouched");
    const dv = new DataView(r.ctxOut!.buffer, r.ctxOut!.byteOffset);
    assert.equal(dv.getUint32(8, true), 0xbeef, "mark");
    assert.equal(dv.getUint32(32, true), 6, "priority");
    assert.equal(dv.getUint32(48 + 4, true), f.length, "cb[1]");
    // Not IPv4: only the skb fields change.
    const other = concat(f.subarray(0, 12), new Uint8Array([0x88, 0xb5]), new Uint8Array(40));
    const r2 = runProg(l, "rewrite", other, { ctxIn });
    assert.deepEqual([...r2.dataOut], [...other]);
  }));
}

test("progtypes: a socket filter has no direct packet access (data/data_end): the protocol forms say so", () => {
  const r = compile(`(defprog p (:type :socket-filter) (with-tcp (data data-end tcp) (return 1)) 0)`, { files: memoryFiles({}) });
  assert.equal(r.ok, false);
  assert.match(r.diagnostics[0].message, /needs a packet program/);
});
