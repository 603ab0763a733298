// Spot-checks the generated UAPI tables against well-known values, gcc's offsetof over the
// uapi headers, and (when bpftool is present) the running kernel's enum bpf_func_id.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ATTACH_TYPES, BPF_F, CORE_RELO_KINDS, CTX_KERNEL_ONLY, CTX_STRUCTS, type CtxField, HELPERS, MAP_FLAGS,
  MAP_TYPES, PROG_TYPES, SK_ACTIONS, TC_ACT, UPDATE_FLAGS, XDP_ACTIONS,
} from "./uapi.ts";

const helper = (name: string) => HELPERS.find((h) => h.name === name);
const field = (s: string, f: string): CtxField => {
  const r = CTX_STRUCTS[s]?.fields.find((x) => x.name === f);
  if (!r) throw new Error(`no field ${s}.${f}`);
  return r;
};
const has = (cmd: string) => spawnSync(cmd, ["--version"], { stdio: "ignore" }).status === 0;

test("helper ids match the well-known values", () => {
  const known: Record<string, number> = {
    map_lookup_elem: 1, map_update_elem: 2, map_delete_elem: 3, trace_printk: 6, tail_call: 12,
    get_current_pid_tgid: 14, perf_event_output: 25, xdp_adjust_head: 44, redirect_map: 51,
    ringbuf_output: 130, get_current_task_btf: 158, ktime_get_coarse_ns: 160, loop: 181,
    ktime_get_tai_ns: 208, user_ringbuf_drain: 209, cgrp_storage_get: 210, cgrp_storage_delete: 211,
  };
  for (const [name, id] of Object.entries(known)) assert.equal(helper(name)?.id, id, name);
});

test("helper table is dense, unique and has exact arities", () => {
  assert.deepEqual(HELPERS.map((h) => h.id), HELPERS.map((_, i) => i + 1));
  assert.equal(new Set(HELPERS.map((h) => h.name)).size, HELPERS.length);
  for (const h of HELPERS) assert.ok(h.args.length <= 5, `${h.name} takes ${h.args.length} args`);
  assert.deepEqual(helper("map_lookup_elem"), {
    name: "map_lookup_elem", id: 1, ret: "void *",
    args: [{ name: "map", type: "struct bpf_map *" }, { name: "key", type: "const void *" }],
  });
  assert.equal(helper("ktime_get_ns")?.args.length, 0);
  assert.equal(helper("ktime_get_ns")?.ret, "u64");
  assert.equal(helper("trace_printk")?.variadic, true);
  assert.equal(helper("trace_printk")?.args.length, 2);
  assert.equal(helper("skb_store_bytes")?.args.length, 5);
  assert.equal(helper("tail_call")?.args[1].type, "struct bpf_map *");
  assert.equal(helper("cgrp_storage_get")?.args.length, 4);
});

test("enum and flag constants", () => {
  assert.equal(MAP_TYPES.BPF_MAP_TYPE_HASH, 1);
  assert.equal(MAP_TYPES.BPF_MAP_TYPE_ARRAY, 2);
  assert.equal(MAP_TYPES.BPF_MAP_TYPE_PROG_ARRAY, 3);
  assert.equal(MAP_TYPES.BPF_MAP_TYPE_PERCPU_ARRAY, 6);
  assert.equal(MAP_TYPES.BPF_MAP_TYPE_RINGBUF, 27);
  assert.equal(PROG_TYPES.BPF_PROG_TYPE_SOCKET_FILTER, 1);
  assert.equal(PROG_TYPES.BPF_PROG_TYPE_KPROBE, 2);
  assert.equal(PROG_TYPES.BPF_PROG_TYPE_SCHED_CLS, 3);
  assert.equal(PROG_TYPES.BPF_PROG_TYPE_XDP, 6);
  assert.equal(PROG_TYPES.BPF_PROG_TYPE_CGROUP_SKB, 8);
  assert.equal(ATTACH_TYPES.BPF_CGROUP_INET_INGRESS, 0);
  assert.equal(ATTACH_TYPES.BPF_XDP, 37);
  assert.equal(UPDATE_FLAGS.BPF_ANY, 0);
  assert.equal(UPDATE_FLAGS.BPF_NOEXIST, 1);
  assert.equal(UPDATE_FLAGS.BPF_EXIST, 2);
  assert.equal(MAP_FLAGS.BPF_F_NO_PREALLOC, 1);
  assert.equal(MAP_FLAGS.BPF_F_MMAPABLE, 1 << 10);
  assert.equal(BPF_F.BPF_F_CURRENT_CPU, 0xffffffff);
  assert.equal(BPF_F.BPF_F_INDEX_MASK, 0xffffffff);
  assert.equal(BPF_F.BPF_F_USER_STACK, 1 << 8);
  assert.deepEqual([XDP_ACTIONS.XDP_ABORTED, XDP_ACTIONS.XDP_DROP, XDP_ACTIONS.XDP_PASS, XDP_ACTIONS.XDP_TX,
    XDP_ACTIONS.XDP_REDIRECT], [0, 1, 2, 3, 4]);
  assert.deepEqual([TC_ACT.TC_ACT_UNSPEC, TC_ACT.TC_ACT_OK, TC_ACT.TC_ACT_SHOT, TC_ACT.TC_ACT_REDIRECT], [-1, 0, 2, 7]);
  assert.deepEqual([SK_ACTIONS.SK_DROP, SK_ACTIONS.SK_PASS], [0, 1]);
  assert.equal(CORE_RELO_KINDS.BPF_CORE_FIELD_BYTE_OFFSET, 0);
  assert.equal(CORE_RELO_KINDS.BPF_CORE_TYPE_ID_TARGET, 7);
  assert.equal(CORE_RELO_KINDS.BPF_CORE_ENUMVAL_VALUE, 11);
  assert.equal(CORE_RELO_KINDS.BPF_CORE_TYPE_MATCHES, 12);
});

test("context struct layouts: well-known offsets", () => {
  assert.equal(CTX_STRUCTS.xdp_md.size, 24);
  assert.equal(field("xdp_md", "data").offset, 0);
  assert.equal(field("xdp_md", "data_end").offset, 4);
  assert.equal(field("xdp_md", "data_meta").offset, 8);
  assert.equal(field("__sk_buff", "len").offset, 0);
  assert.equal(field("__sk_buff", "protocol").offset, 16);
  assert.deepEqual(field("__sk_buff", "cb"), { name: "cb", offset: 48, size: 4, count: 5 });
  assert.equal(field("__sk_buff", "data").offset, 76);
  assert.equal(field("__sk_buff", "data_end").offset, 80);
  assert.deepEqual(field("__sk_buff", "flow_keys"), { name: "flow_keys", offset: 144, size: 8, pointer: true });
  assert.equal(field("__sk_buff", "sk").pointer, true);
  assert.equal(field("bpf_sock_addr", "user_port").offset, 24);
  assert.equal(field("bpf_sock_ops", "reply").offset, 4); // anonymous union with args[4]
  assert.equal(field("bpf_sock_ops", "args").count, 4);
  assert.equal(field("bpf_sk_lookup", "cookie").offset, 0);
  assert.equal(field("bpf_sk_lookup", "sk").offset, 0); // nested anonymous unions
  assert.equal(field("bpf_sock", "rx_queue_mapping").signed, true);
  assert.equal(field("bpf_sock", "dst_port").size, 2);
  assert.equal(field("pt_regs", "di").offset, 112);
  assert.equal(field("pt_regs", "ip").offset, 128);
  assert.equal(CTX_STRUCTS.pt_regs.size, 168);
  assert.equal(field("bpf_perf_event_data", "sample_period").offset, 168);
  assert.deepEqual(field("bpf_raw_tracepoint_args", "args"), { name: "args", offset: 0, size: 8, count: 0 });
  for (const s of Object.values(CTX_STRUCTS)) {
    for (const f of s.fields) assert.ok(f.offset + f.size * (f.count ?? 1) <= s.size, `${s.name}.${f.name}`);
  }
});

/** x86_64 <asm/ptrace.h> names for the kernel's pt_regs members. */
const PT_REGS_UAPI: Record<string, string> = {
  bp: "rbp", bx: "rbx", ax: "rax", cx: "rcx", dx: "rdx", si: "rsi", di: "rdi", orig_ax: "orig_rax",
  ip: "rip", flags: "eflags", sp: "rsp",
};

test("context struct layouts agree with gcc offsetof over the uapi headers", (t) => {
  if (!has("gcc")) {
    console.log("SKIP uapi gcc cross-check: gcc not found");
    return t.skip("gcc not found");
  }
  const rows: { key: string; want: number; expr: string }[] = [];
  for (const s of Object.values(CTX_STRUCTS)) {
    if (s.name !== "pt_regs" && s.name !== "bpf_sock_ops") {
      rows.push({ key: `sizeof ${s.name}`, want: s.size, expr: `sizeof(struct ${s.name})` });
    }
    for (const f of s.fields) {
      if (CTX_KERNEL_ONLY[s.name]?.includes(f.name)) continue;
      const c = s.name === "pt_regs" ? PT_REGS_UAPI[f.name] ?? f.name : f.name;
      rows.push({ key: `${s.name}.${f.name}`, want: f.offset, expr: `offsetof(struct ${s.name}, ${c})` });
      if (s.name === "pt_regs" && (c === "cs" || c === "ss")) continue; // u16 in the kernel, long in uapi
      rows.push({ key: `sizeof ${s.name}.${f.name}`, want: f.size * (f.count ?? 1), expr: `sizeof(((struct ${s.name} *)0)->${c})` });
    }
  }
  const dir = mkdtempSync(join(tmpdir(), "uapi-test-"));
  try {
    const src = `#include <stdio.h>\n#include <stddef.h>\n#include <linux/bpf.h>\n#include <linux/bpf_perf_event.h>\n` +
      `#include <asm/ptrace.h>\nint main(void) {\n${rows.map((r) => `printf("%zu\\n", (size_t)(${r.expr}));`).join("\n")}\nreturn 0; }\n`;
    writeFileSync(join(dir, "c.c"), src);
    execFileSync("gcc", ["-o", join(dir, "c"), join(dir, "c.c")], { stdio: "pipe" });
    const got = execFileSync(join(dir, "c"), { encoding: "utf8" }).trim().split("\n").map(Number);
    rows.forEach((r, i) => assert.equal(got[i], r.want, r.key));
    assert.ok(rows.length > 150, `checked ${rows.length} values`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("helper ids agree with the running kernel's enum bpf_func_id", (t) => {
  const r = spawnSync("bpftool", ["btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "c"], {
    encoding: "utf8", maxBuffer: 1 << 28,
  });
  if (r.status !== 0) {
    console.log("SKIP kernel bpf_func_id check: bpftool or kernel BTF unavailable");
    return t.skip("bpftool or kernel BTF unavailable");
  }
  const body = /enum bpf_func_id \{([^}]*)\}/.exec(r.stdout)?.[1] ?? "";
  const kernel = new Map([...body.matchAll(/BPF_FUNC_(\w+) = (\d+)/g)].map((m) => [m[1], Number(m[2])]));
  assert.ok(kernel.size > 200);
  for (const h of HELPERS) assert.equal(kernel.get(h.name), h.id, h.name);
});
