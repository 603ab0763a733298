// The vxlan example plugin: loaded under Deno and Bun (in this runtime, and through the command
// line of both), its accessors and with-vxlan / parse-vxlan-eth run on crafted packets in the kernel.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileOk, tempDir, writeObject } from "../../tests/compile_util.ts";
import { kernelTest, loadObject, mapU64, runProg } from "../../tests/kernel.ts";
import { ETH_P_IP, ETH_P_IPV6, concat, eth, tcpFrame, truncate, udpFrame } from "../../tests/packets.ts";
import { EXAMPLES, load, whistler } from "../../tests/plugins/harness.ts";

const PROGRAM = `
(defmap vx-stats :type :array :key-size 4 :value-size 8 :max-entries 4)
(defprog vx (:type :xdp)
  (with-vxlan (data data-end vx)
    (setf (getmap vx-stats 0) (vxlan-vni vx))
    (setf (getmap vx-stats 1) (vxlan-flags vx))
    (let ((inner (parse-vxlan-eth data data-end)))
      (when inner (setf (getmap vx-stats 2) (vxlan-eth-type inner))))
    (setf (vxlan-vni vx) (+ (vxlan-vni vx) 1)) ; rewrites 3 bytes, keeps the reserved byte
    (return XDP_TX))
  XDP_PASS)
`;

/** VXLAN header (flags, 3 reserved, VNI, 1 reserved) and an inner frame. */
function vxlan(vni: number, o: { flags?: number; reserved?: number; inner?: Uint8Array } = {}): Uint8Array {
  const h = new Uint8Array([o.flags ?? 0x08, 0, 0, 0, (vni >> 16) & 0xff, (vni >> 8) & 0xff, vni & 0xff, o.reserved ?? 0]);
  return concat(h, o.inner ?? eth({ type: ETH_P_IPV6, payload: new Uint8Array(40) }));
}
const frame = (payload: Uint8Array, dport = 4789) => udpFrame({ src: "10.0.0.1", dst: "10.0.0.2", sport: 40000, dport, payload });
const XDP_PASS = 2, XDP_TX = 3;

test("vxlan: loads in this runtime and registers the header, its constants and its forms", async () => {
  const plugin = await load(EXAMPLES.vxlan);
  assert.equal(plugin.name, "vxlan");
  const r = compileOk(`(defprog p (:type :xdp) (+ (sizeof vxlan) +vxlan-hdr-len+ +vxlan-port+))`, { plugins: [{ plugin }], emit: "ir" });
  assert.match(r.text!, /const 4805/); // 8 + 8 + 4789, folded
  const tc = compileOk(`(defprog t (:type :tc) (with-tc-vxlan (d e v) (return (vxlan-vni v))) TC_ACT_OK)`, { plugins: [{ plugin }] });
  assert.ok(tc.object);
});

test("vxlan: the command line loads it under Deno and under Bun, with the same object as in-process", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const src = join(dir, "vx.lisp");
    writeFileSync(src, PROGRAM);
    const want = compileOk(PROGRAM, { file: src, plugins: [{ plugin: await load(EXAMPLES.vxlan) }] }).object!;
    for (const rt of ["deno", "bun"] as const) {
      const out = join(dir, `${rt}.o`);
      const r = whistler(rt, ["compile", "--plugin", EXAMPLES.vxlan, src, "-o", out]);
      assert.equal(r.status, 0, `${rt}: ${r.stderr}`);
      assert.deepEqual(new Uint8Array(readFileSync(out)), want, `${rt} built a different object`);
    }
  } finally {
    cleanup();
  }
});

test("vxlan: --plugin-opt vxlan.port moves the header; a bad port names the plugin", async () => {
  const plugin = await load(EXAMPLES.vxlan);
  const asm = (port?: string) => compileOk(PROGRAM, { plugins: [{ plugin, options: port ? { port } : {} }], emit: "asm" }).text!;
  assert.match(asm(), /if r\d != 0xb512 goto/); // 4789 as it reads from the wire
  assert.match(asm("4790"), /if r\d != 0xb612 goto/);
  const r = whistler("deno", ["compile", "--plugin", EXAMPLES.vxlan, "--plugin-opt", "vxlan.port=http", "-", "-o", "-"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Plugin "vxlan" failed in setup\(\): option port: "http" is not a UDP port/);
});

kernelTest("vxlan: with-vxlan, accessors, setf of the 24-bit VNI and parse-vxlan-eth on crafted packets", async () => {
  const plugin = await load(EXAMPLES.vxlan);
  const { dir, cleanup } = tempDir();
  const l = loadObject(writeObject(compileOk(PROGRAM, { plugins: [{ plugin }] }), dir, "vx"));
  try {
    const stats = () => [0, 1, 2].map((k) => mapU64(l, "vx_stats", k));
    // Not VXLAN: another UDP port, TCP to 4789, and a frame cut inside the VXLAN header.
    assert.equal(runProg(l, "vx", frame(vxlan(7), 53)).retval, XDP_PASS);
    assert.equal(runProg(l, "vx", tcpFrame({ src: "10.0.0.1", dst: "10.0.0.2", sport: 1, dport: 4789, flags: 0x02, payload: vxlan(7) })).retval, XDP_PASS);
    assert.equal(runProg(l, "vx", truncate(frame(vxlan(7)), 14 + 20 + 8 + 7)).retval, XDP_PASS);
    assert.deepEqual(stats(), [0n, 0n, 0n]);
    // VXLAN without the I flag: with-vxlan matches, parse-vxlan-eth (which requires it) does not.
    let r = runProg(l, "vx", frame(vxlan(0x123456, { flags: 0x00 })));
    assert.equal(r.retval, XDP_TX);
    assert.deepEqual(stats(), [0x123456n, 0n, 0n]);
    // A full VXLAN frame: VNI, flags and the inner ethertype; the VNI is rewritten in place.
    const pkt = frame(vxlan(0xabcdef, { reserved: 0x5a, inner: eth({ type: ETH_P_IP, payload: new Uint8Array(20) }) }));
    r = runProg(l, "vx", pkt);
    assert.equal(r.retval, XDP_TX);
    assert.deepEqual(stats(), [0xabcdefn, 0x08n, BigInt(ETH_P_IP)]);
    const at = 14 + 20 + 8;
    assert.deepEqual([...r.dataOut.subarray(at + 4, at + 8)], [0xab, 0xcd, 0xf0, 0x5a]);
    assert.deepEqual([...r.dataOut.subarray(0, at)], [...pkt.subarray(0, at)]);
    // The VNI wraps within its 24 bits.
    r = runProg(l, "vx", frame(vxlan(0xffffff, { reserved: 0x11 })));
    assert.deepEqual([...r.dataOut.subarray(at + 4, at + 8)], [0, 0, 0, 0x11]);
  } finally {
    l.close();
    cleanup();
  }
});
