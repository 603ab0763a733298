// Proves the kernel harness with clang-built C programs: load, test-run on crafted packets,
// map dump/update, prog-array tail calls, ctx_in, and verifier rejection logs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  compileBpfC, dumpMap, findClang, kernelStatus, kernelTest, loadObject, mapU64, runProg, type SkipContext, skipTest,
  updateMap, verifierLog,
} from "./kernel.ts";
import { ACK, arpFrame, ipv6TcpFrame, parseFrame, SYN, tcpFrame, truncate, udpFrame } from "./packets.ts";

const XDP_DROP = 1, XDP_PASS = 2;

const XDP_C = `
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); } counts SEC(".maps");
SEC("xdp") int xdp_count(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
  __u32 k = 0;
  __u64 *v = bpf_map_lookup_elem(&counts, &k);
  if (v) __sync_fetch_and_add(v, 1);
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
  struct iphdr *ip = (void *)(eth + 1);
  if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_TCP) return XDP_PASS;
  struct tcphdr *tcp = (void *)ip + ip->ihl * 4;
  if ((void *)(tcp + 1) > end) return XDP_PASS;
  if (tcp->dest == bpf_htons(9999)) {
    k = 1;
    v = bpf_map_lookup_elem(&counts, &k);
    if (v) __sync_fetch_and_add(v, 1);
    return XDP_DROP;
  }
  return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
`;

const SKB_C = `
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } pcpu SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } lens SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 2); __uint(key_size, 4); __uint(value_size, 4); } jt SEC(".maps");
SEC("tc") int tc_target(struct __sk_buff *skb) { return TC_ACT_SHOT; }
SEC("tc") int tc_main(struct __sk_buff *skb) {
  __u32 k = 0, len = skb->len;
  __u64 *c = bpf_map_lookup_elem(&pcpu, &k);
  if (c) *c += 1;
  __u64 v = skb->mark;
  bpf_map_update_elem(&lens, &len, &v, BPF_ANY);
  skb->cb[0] = skb->mark + 1;
  bpf_tail_call(skb, &jt, 0);
  return TC_ACT_OK;
}
SEC("socket") int sock_len(struct __sk_buff *skb) { return skb->len; }
SEC("cgroup_skb/ingress") int cg_allow(struct __sk_buff *skb) { return skb->len < 1000; }
char LICENSE[] SEC("license") = "GPL";
`;

const BAD_C = `
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int xdp_oob(struct xdp_md *ctx) {
  unsigned char *data = (void *)(long)ctx->data;
  return data[20]; /* no bounds check against data_end */
}
char LICENSE[] SEC("license") = "GPL";
`;

/** Runs `fn` with a scratch directory, or skips visibly when clang is missing. */
function withClang(t: SkipContext, name: string, fn: (dir: string) => void) {
  if (!findClang()) return skipTest(t, name, "clang-19/clang not found (apt-get install clang-19)");
  const dir = mkdtempSync(join(tmpdir(), "whistler-ktest-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("kernelStatus reports ok or a reason", () => {
  const s = kernelStatus();
  assert.ok(s.ok || s.reason.length > 0);
  if (!s.ok) console.log(`note: kernel tests will skip: ${s.reason}`);
});

const XDP_NAME = "xdp program: verdicts, counters, processed insns";
kernelTest(XDP_NAME, (t) => withClang(t, XDP_NAME, (dir) => {
  const l = loadObject(compileBpfC(XDP_C, dir, "xdp"));
  try {
    assert.deepEqual(l.progs, ["xdp_count"]);
    assert.deepEqual(l.maps, ["counts"]);
    assert.ok(l.processed.xdp_count > 0, `processed: ${JSON.stringify(l.processed)}`);

    const drop = tcpFrame({ src: "10.0.0.1", dst: "10.0.0.2", sport: 40000, dport: 9999, flags: SYN });
    const r1 = runProg(l, "xdp_count", drop);
    assert.equal(r1.retval, XDP_DROP);
    assert.deepEqual(r1.dataOut, drop);
    assert.equal(parseFrame(r1.dataOut).tcp?.dport, 9999);

    const web = tcpFrame({ src: "10.0.0.1", dst: "10.0.0.2", sport: 40000, dport: 80, flags: SYN | ACK });
    assert.equal(runProg(l, "xdp_count", web).retval, XDP_PASS);
    assert.equal(runProg(l, "xdp_count", arpFrame()).retval, XDP_PASS);
    assert.equal(runProg(l, "xdp_count", udpFrame({ src: "10.0.0.1", dst: "10.0.0.2", sport: 1, dport: 9999 })).retval, XDP_PASS);
    assert.equal(runProg(l, "xdp_count", ipv6TcpFrame({ src: "::1", dst: "::2", sport: 1, dport: 9999, flags: SYN })).retval, XDP_PASS);
    assert.equal(runProg(l, "xdp_count", truncate(drop, 40)).retval, XDP_PASS); // TCP header cut short
    assert.equal(runProg(l, "xdp_count", drop, { repeat: 10 }).retval, XDP_DROP);
    assert.throws(() => runProg(l, "xdp_count", truncate(drop, 10)), /Invalid argument/); // < ETH_HLEN

    assert.equal(mapU64(l, "counts", 0), 16n);
    assert.equal(mapU64(l, "counts", 1), 11n);
    assert.equal(mapU64(l, "counts", 7), 0n);
    const entries = dumpMap(l, "counts");
    assert.equal(entries.length, 2);
    assert.deepEqual(entries[1].key, new Uint8Array([1, 0, 0, 0]));
    assert.deepEqual(entries[1].value, new Uint8Array([11, 0, 0, 0, 0, 0, 0, 0]));
    updateMap(l, "counts", new Uint8Array([1, 0, 0, 0]), new Uint8Array([5, 0, 0, 0, 0, 0, 0, 1]));
    assert.equal(mapU64(l, "counts", 1), (1n << 56n) + 5n);
    assert.ok(existsSync(l.dir));
  } finally {
    l.close();
  }
  assert.ok(!existsSync(l.dir), "close() removes the pins");
}));

const SKB_NAME = "skb programs: tc ctx_in, per-CPU and hash maps, prog-array tail call, socket/cgroup_skb";
kernelTest(SKB_NAME, (t) => withClang(t, SKB_NAME, (dir) => {
  const l = loadObject(compileBpfC(SKB_C, dir, "skb"));
  try {
    assert.deepEqual(l.progs, ["cg_allow", "sock_len", "tc_main", "tc_target"]);
    assert.deepEqual(l.maps, ["jt", "lens", "pcpu"]);
    for (const p of l.progs) assert.ok(l.processed[p] > 0, p);

    const frame = udpFrame({ src: "10.0.0.1", dst: "10.0.0.2", sport: 5, dport: 53, payload: new Uint8Array(6) });
    const ctx = new Uint8Array(20); // __sk_buff prefix: mark (offset 8) = 7
    ctx[8] = 7;
    const r = runProg(l, "tc_main", frame, { ctxIn: ctx });
    assert.equal(r.retval, 0); // TC_ACT_OK: prog array still empty
    assert.equal(r.ctxOut?.[48], 8, "cb[0] = mark + 1 in ctx_out");
    assert.equal(mapU64(l, "lens", frame.length), 7n); // tc sees the whole frame in skb->len
    assert.equal(mapU64(l, "pcpu", 0), 1n);

    updateMap(l, "jt", new Uint8Array(4), { pinnedProg: "tc_target" });
    assert.equal(runProg(l, "tc_main", frame).retval, 2); // TC_ACT_SHOT from the tail-called program
    assert.equal(dumpMap(l, "jt").length, 1);
    const pc = dumpMap(l, "pcpu")[0].value;
    assert.ok(Array.isArray(pc) && pc.length >= 1);
    updateMap(l, "pcpu", new Uint8Array(4), new Uint8Array(8)); // per-CPU: one value is stored on every CPU
    assert.equal(mapU64(l, "pcpu", 0), 0n);

    assert.equal(runProg(l, "sock_len", frame).retval, frame.length - 14); // L2 header pulled
    assert.equal(runProg(l, "cg_allow", frame).retval, 1);
    assert.equal(runProg(l, "sock_len", arpFrame()).retval, 28);
    assert.throws(() => runProg(l, "tc_main", truncate(frame, 30)), /Invalid argument/); // IPv4 header incomplete
  } finally {
    l.close();
  }
}));

const BAD_NAME = "verifier rejection is reported with its log";
kernelTest(BAD_NAME, (t) => withClang(t, BAD_NAME, (dir) => {
  const obj = compileBpfC(BAD_C, dir, "bad");
  const v = verifierLog(obj);
  assert.equal(v.ok, false);
  assert.match(v.log, /invalid access to packet/);
  assert.match(v.log, /processed \d+ insns/);
  assert.throws(() => loadObject(obj), (e: Error) => /invalid access to packet/.test(e.message) && /xdp_oob/.test(e.message));
  const good = compileBpfC(XDP_C, dir, "good");
  const ok = verifierLog(good);
  assert.equal(ok.ok, true);
  const logged = Number(/processed (\d+) insns/.exec(ok.log)?.[1]);
  const l = loadObject(good);
  try {
    assert.equal(l.processed.xdp_count, logged, "verified_insns equals the log's processed count");
  } finally {
    l.close();
  }
}));
