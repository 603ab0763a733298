// CO-RE: context field accesses and kernel structs ((defstruct (NAME (:kernel "c_name")) …)) emit
// .BTF.ext field relocations against local BTF of those types — never of the user's own structs —
// and libbpf relocates them on this kernel: task_struct read through a BTF pointer
// (get-current-task-btf, direct loads) and through probe-read-kernel (get-current-task) agrees with
// get-current-pid-tgid and the running command ("bpftool"). Raw offsets that a relocation would
// make portable draw a warning.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { compile } from "../mod.ts";
import { readElf, findSection } from "../compiler/elf/read.ts";
import { readBtf, readBtfExt } from "../compiler/btf/read.ts";
import { compileOk, tempDir, writeObject } from "./compile_util.ts";
import { kernelTest, runProg, verifierLog } from "./kernel.ts";
import { LEVELS, TC_ACT_OK, XDP_PASS, readArray, withLoaded } from "./features/util.ts";

const SRC = `
(defstruct (sched-entity (:kernel "sched_entity")) (exec-start u64) (vruntime u64))
(defstruct (task-struct (:kernel "task_struct")) (pid i32) (tgid i32) (comm (array u8 16)) (se sched-entity))
(defstruct stats (packets u64) (last-pid u32))
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 16)
(defmap st :type :array :key-size 4 :value-type stats :max-entries 1)
(defmacro put (i v) \`(setf (getmap out ,i) ,v))
(defprog p (:type :xdp)
  (when-let ((tb (get-current-task-btf)))
    (let ((bt (@ task-struct tb))                 ; a BTF pointer: relocated direct loads
          (kt (@ task-struct (get-current-task)))) ; a kernel address: probe-read-kernel
      (put 0 (task-struct-pid bt)) (put 1 (task-struct-tgid bt)) (put 2 (get-current-pid-tgid))
      (put 3 (task-struct-pid kt)) (put 4 (task-struct-tgid kt))
      (put 5 (task-struct-comm bt 0)) (put 6 (task-struct-comm kt 1))
      (put 7 (sched-entity-vruntime (task-struct-se bt)))
      (put 8 (sched-entity-vruntime (task-struct-se kt)))
      (let ((c (copy task-struct kt)))             ; a local copy: the local layout, no relocations
        (put 9 (load u64 (task-struct-comm c) 0))
        (put 10 (task-struct-tgid c)))
      (when-let ((s (getmap st 0)))                ; the user's own struct: never relocated
        (setf (stats-packets s) (+ (stats-packets s) 1)
              (stats-last-pid s) (task-struct-pid bt)))
      (put 11 (ctx ingress-ifindex))))
  XDP_PASS)`;

interface Relo { type: string; access: string; kind: number }

function relocations(obj: Uint8Array): Relo[] {
  const elf = readElf(obj);
  const btf = readBtf(findSection(elf, ".BTF")!.data);
  const ext = readBtfExt(findSection(elf, ".BTF.ext")!.data, btf.str);
  return ext.coreRelo.flatMap((g) => g.records.map((r) => ({
    type: btf.str(btf.types[r.typeId - 1].nameOff), access: r.accessStr, kind: r.kind,
  })));
}

test("core: relocations name task_struct, sched_entity paths and xdp_md; never the user's structs", () => {
  for (const opt of LEVELS) {
    const relos = relocations(compileOk(SRC, { opt }).object!);
    const got = new Set(relos.map((r) => `${r.type} ${r.access}`));
    for (const want of ["task_struct 0:0", "task_struct 0:1", "task_struct 0:2:0", "task_struct 0:2:1", "task_struct 0:3:1", "xdp_md 0:3"]) {
      assert.ok(got.has(want), `-O${opt}: ${want} in ${[...got].join(", ")}`);
    }
    assert.deepEqual([...new Set(relos.map((r) => r.type))].sort(), ["task_struct", "xdp_md"]);
    assert.ok(relos.every((r) => r.kind === 0), "FIELD_BYTE_OFFSET");
  }
});

test("core: local BTF of kernel structs names the kernel's fields (placeholder offsets)", () => {
  const elf = readElf(compileOk(SRC).object!);
  const btf = readBtf(findSection(elf, ".BTF")!.data);
  const task = btf.types.find((t) => btf.str(t.nameOff) === "task_struct")!;
  const names = Array.from({ length: task.vlen }, (_, i) => btf.str(task.extra[3 * i]));
  assert.deepEqual(names, ["pid", "tgid", "comm", "se"]);
});

kernelTest("core: bpftool btf dump file shows the relocations' types", () => {
  const { dir, cleanup } = tempDir();
  try {
    const obj = writeObject(compileOk(SRC), dir, "core");
    const r = spawnSync("bpftool", ["btf", "dump", "file", obj], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /STRUCT 'task_struct' size=\d+ vlen=4\n\s+'pid' type_id=\d+ bits_offset=0\n\s+'tgid'/);
    assert.match(r.stdout, /STRUCT 'sched_entity' size=16 vlen=2\n\s+'exec_start'/);
    assert.match(r.stdout, /STRUCT 'xdp_md' size=24 vlen=6/);
  } finally {
    cleanup();
  }
});

kernelTest("core: libbpf applies the relocations on this kernel (bpftool -d prog loadall)", () => {
  const { dir, cleanup } = tempDir();
  try {
    const { ok, log } = verifierLog(writeObject(compileOk(SRC), dir, "core"));
    assert.ok(ok, log.slice(-3000));
    assert.match(log, /found target candidate \[\d+\] struct task_struct in \[vmlinux\]/);
    assert.match(log, /struct xdp_md in \[vmlinux\]/);
    // task_struct.pid is far from the local offset 0 in any real kernel.
    const pid = /patched insn #\d+ \(LDX\/ST\/STX\) off 0 -> (\d+)/.exec(log);
    assert.ok(pid && Number(pid[1]) > 100, (log.match(/relo #\d+: .*/g) ?? []).join("\n"));
    assert.match(log, /patched insn #\d+ \(ALU\/ALU64\) imm 4 -> \d+/, "probe-read address of tgid");
  } finally {
    cleanup();
  }
});

for (const opt of LEVELS) {
  kernelTest(`core -O${opt}: relocated reads agree with get-current-pid-tgid and the command name`, () =>
    withLoaded(SRC, opt, (l) => {
      const frame = new Uint8Array(64);
      assert.equal(runProg(l, "p", frame).retval, XDP_PASS);
      const v = readArray(l, "out", 12);
      const pidTgid = v[2], pid = pidTgid & 0xffffffffn, tgid = pidTgid >> 32n;
      assert.ok(pid > 0n);
      assert.deepEqual([v[0], v[1], v[4], v[10]], [pid, tgid, tgid, tgid], "pid/tgid through BTF and probe-read");
      assert.equal(v[3], pid, "pid through probe-read (a relocated add of offset 0, kept by the passes)");
      const comm = new TextDecoder().decode(new Uint8Array(new BigUint64Array([v[9]]).buffer)).replace(/\0.*$/s, "");
      assert.equal(comm, "bpftool", "comm copied out of the kernel");
      assert.deepEqual([v[5], v[6]], [BigInt("b".charCodeAt(0)), BigInt("p".charCodeAt(0))]);
      assert.equal(v[7], v[8], "sched_entity.vruntime through both paths");
      assert.ok(v[7] > 0n);
      assert.equal(v[11], 1n, "xdp_md.ingress_ifindex (lo) through a relocated context load");
    }));
}

const TC = `
(defprog p (:type :tc)
  (setf (ctx mark) (+ (ctx mark) 1))
  (if (= (ctx mark) 42) ${TC_ACT_OK + 2} ${TC_ACT_OK}))`;

test("core: (ctx FIELD) loads and stores carry __sk_buff relocations", () => {
  const relos = relocations(compileOk(TC).object!);
  assert.ok(relos.length >= 2 && relos.every((r) => r.type === "__sk_buff" && r.access === "0:2"), JSON.stringify(relos));
});

for (const opt of LEVELS) {
  kernelTest(`core -O${opt}: a relocated context store and load in a tc program`, () =>
    withLoaded(TC, opt, (l) => {
      const ctx = new Uint8Array(192);
      new DataView(ctx.buffer).setUint32(8, 41, true); // __sk_buff.mark
      const frame = new Uint8Array(64);
      frame.set([0x08, 0x06], 12); // ARP: the skb runner needs no L3 header
      assert.equal(runProg(l, "p", frame, { ctxIn: ctx }).retval, 2);
    }));
}

test("core: raw offsets where a relocation would be portable are warned about", () => {
  const warnings = (src: string) =>
    compile(src).diagnostics.filter((d) => d.severity === "warning").map((d) => d.message);
  const kernel = warnings(`
(defstruct (task-struct (:kernel "task_struct")) (pid i32) (tgid i32))
(defprog p (:type :xdp) (load i32 (@ task-struct (get-current-task-btf)) 4))`);
  assert.ok(kernel.some((m) => /Raw offset into kernel struct "task-struct" \(task_struct\).*CO-RE/.test(m)), kernel.join("\n"));
  const ctx = warnings(`(defprog p (:type :xdp) (ctx-load u32 12))`);
  assert.ok(ctx.some((m) => /xdp_md\.ingress_ifindex.*\(ctx ingress-ifindex\)/.test(m)), ctx.join("\n"));
  assert.deepEqual(warnings(`(defprog p (:type :xdp) (ctx ingress-ifindex))`), []);
  assert.deepEqual(warnings(`(defstruct s (a u32)) (defprog p (:type :xdp) (load u32 (make-s) 0))`), []);
});
