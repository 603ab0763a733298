// The seed README's three programs, verbatim: they compile, the kernel verifier accepts them,
// and on crafted packets they give the verdicts and counters a model of their behaviour
// predicts, identically at -O0 and -O2.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { ACK, SYN, arpFrame, ipv6TcpFrame, tcpFrame, truncate, udpFrame } from "./packets.ts";
import { kernelTest, loadObject, mapU64, runProg, dumpMap } from "./kernel.ts";
import { compileFile, tempDir, writeObject } from "./compile_util.ts";

const XDP_DROP = 1, XDP_PASS = 2;
const LEVELS = ["0", "2"] as const;

const tcp = (dport: number, flags = ACK, src = "10.0.0.1") => tcpFrame({ src, dst: "10.0.0.2", sport: 40000, dport, flags });

test("count-xdp compiles to at most 11 instructions (the seed's claim; clang -O2 gives 11)", () => {
  const r = compileFile("examples/count-xdp.lisp");
  assert.equal(r.programs.length, 1);
  assert.equal(r.programs[0].name, "count_packets");
  assert.equal(r.programs[0].section, "xdp");
  assert.ok(r.programs[0].insns <= 11, `count-xdp has ${r.programs[0].insns} instructions`);
});

test("every seed object reads back with llvm-objdump-19 and bpftool btf dump", (t) => {
  const tools = ["llvm-objdump-19", "bpftool"].filter((x) => spawnSync("sh", ["-c", `command -v ${x} || test -x /usr/sbin/${x}`]).status !== 0);
  if (tools.length) {
    if (process.env.WHISTLER_REQUIRE_KERNEL === "1") throw new Error(`missing ${tools.join(", ")}`);
    console.log(`SKIP objdump/btf dump: ${tools.join(", ")} not installed`);
    return t.skip();
  }
  const { dir, cleanup } = tempDir();
  try {
    for (const name of ["count-xdp", "drop-port", "synflood-xdp"]) {
      for (const opt of LEVELS) {
        const r = compileFile(`examples/${name}.lisp`, { opt });
        const obj = writeObject(r, dir, `${name}-O${opt}`);
        const od = spawnSync("llvm-objdump-19", ["-d", obj], { encoding: "utf8" });
        assert.equal(od.status, 0, od.stderr);
        // Instruction count per symbol as llvm-objdump prints it equals our summary.
        const lines = od.stdout.split("\n").filter((l) => /^\s+\d+:\t/.test(l));
        assert.equal(lines.length, r.programs[0].insns, `${name} -O${opt}: objdump count`);
        const btf = spawnSync("bpftool", ["btf", "dump", "file", obj], { encoding: "utf8", env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin` } });
        assert.equal(btf.status, 0, btf.stderr);
        assert.match(btf.stdout, /DATASEC '\.maps'/);
        assert.match(btf.stdout, /FUNC '\w+' type_id=\d+ linkage=global/);
      }
    }
  } finally {
    cleanup();
  }
});

for (const opt of LEVELS) {
  kernelTest(`count-xdp -O${opt}: passes every frame and counts it`, () => {
    const { dir, cleanup } = tempDir();
    const obj = writeObject(compileFile("examples/count-xdp.lisp", { opt }), dir, "count");
    const l = loadObject(obj);
    try {
      const frames = [tcp(80, SYN), tcp(443), udpFrame({ src: "10.0.0.1", dst: "10.0.0.2", sport: 1, dport: 53 }), arpFrame(), truncate(tcp(80), 14)];
      for (const f of frames) assert.equal(runProg(l, "count_packets", f).retval, XDP_PASS);
      assert.equal(runProg(l, "count_packets", tcp(22), { repeat: 7 }).retval, XDP_PASS);
      assert.equal(mapU64(l, "pkt_count", 0), BigInt(frames.length + 7));
    } finally {
      l.close();
      cleanup();
    }
  });

  kernelTest(`drop-port -O${opt}: drops only TCP to 9999 and counts the drops`, () => {
    const { dir, cleanup } = tempDir();
    const obj = writeObject(compileFile("examples/drop-port.lisp", { opt }), dir, "drop");
    const l = loadObject(obj);
    try {
      let drops = 0;
      const expect = (frame: Uint8Array, verdict: number, what: string) => {
        assert.equal(runProg(l, "drop_port", frame).retval, verdict, what);
        if (verdict === XDP_DROP) drops++;
      };
      expect(tcp(9999, SYN), XDP_DROP, "TCP SYN to 9999");
      expect(tcp(9999, SYN | ACK), XDP_DROP, "TCP SYN|ACK to 9999");
      expect(tcp(9999, ACK), XDP_DROP, "TCP ACK to 9999");
      expect(tcp(9998), XDP_PASS, "TCP to 9998");
      expect(tcp(80, SYN), XDP_PASS, "TCP to 80");
      expect(udpFrame({ src: "10.0.0.1", dst: "10.0.0.2", sport: 1, dport: 9999 }), XDP_PASS, "UDP to 9999");
      expect(ipv6TcpFrame({ src: "fe80::1", dst: "fe80::2", sport: 1, dport: 9999, flags: SYN }), XDP_PASS, "IPv6 TCP to 9999");
      expect(arpFrame(), XDP_PASS, "ARP");
      // Frames of 14–53 bytes are too short for Ethernet+IPv4+TCP (54): the bounds check passes them.
      const full = tcp(9999, SYN);
      assert.equal(full.length, 54);
      for (let n = 14; n < 54; n++) expect(truncate(full, n), XDP_PASS, `TCP to 9999 truncated to ${n} bytes`);
      expect(full, XDP_DROP, "the same frame at 54 bytes");
      assert.equal(mapU64(l, "drop_count", 0), BigInt(drops));
    } finally {
      l.close();
      cleanup();
    }
  });

  kernelTest(`synflood-xdp -O${opt}: drops a source's SYNs after the threshold, with the right counters`, () => {
    const { dir, cleanup } = tempDir();
    const obj = writeObject(compileFile("examples/synflood-xdp.lisp", { opt }), dir, "syn");
    const l = loadObject(obj);
    try {
      // A model of the program: stats[0] SYNs seen, [1] dropped, [2] new sources; per-source count.
      const stats = [0n, 0n, 0n];
      const count = new Map<string, bigint>();
      const THRESHOLD = 100n;
      const model = (src: string, flags: number): number => {
        if ((flags & 0x12) !== SYN) return XDP_PASS;
        stats[0]++;
        const c = count.get(src);
        if (c === undefined) {
          stats[2]++;
          count.set(src, 1n);
          return XDP_PASS;
        }
        if (c > THRESHOLD) {
          stats[1]++;
          return XDP_DROP;
        }
        count.set(src, c + 1n);
        return XDP_PASS;
      };
      const send = (src: string, flags: number, times = 1) => {
        let v = 0;
        for (let i = 0; i < times; i++) v = model(src, flags);
        const got = runProg(l, "synflood", tcp(80, flags, src), { repeat: times }).retval;
        assert.equal(got, v, `${times}× flags 0x${flags.toString(16)} from ${src}`);
      };
      send("10.0.0.1", SYN | ACK, 5); // SYN|ACK: not counted
      send("10.0.0.1", ACK, 3);
      send("10.0.0.1", SYN); // new source
      send("10.0.0.1", SYN, 100); // count reaches 101
      send("10.0.0.1", SYN); // 101 > 100: dropped from here on
      send("10.0.0.1", SYN, 4);
      send("10.0.0.9", SYN, 2); // another source is unaffected
      assert.equal(runProg(l, "synflood", udpFrame({ src: "10.0.0.1", dst: "10.0.0.2", sport: 1, dport: 80 })).retval, XDP_PASS);
      assert.equal(runProg(l, "synflood", arpFrame()).retval, XDP_PASS);
      for (let k = 0; k < 3; k++) assert.equal(mapU64(l, "syn_stats", k), stats[k], `syn_stats[${k}]`);
      const entries = dumpMap(l, "syn_counter");
      assert.equal(entries.length, count.size);
      for (const e of entries) {
        const src = [...e.key].join(".");
        const v = new DataView((e.value as Uint8Array).buffer, (e.value as Uint8Array).byteOffset).getBigUint64(0, true);
        assert.equal(v, count.get(src), `syn_counter[${src}]`);
      }
    } finally {
      l.close();
      cleanup();
    }
  });
}
