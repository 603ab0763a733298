// The counters example plugin (macros in TypeScript and in Lisp): loaded under Deno and Bun, its
// expansions checked, its errors pointing at the offending argument, its counters run in the kernel.

import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { compile, render } from "../../mod.ts";
import { compileOk, tempDir, writeObject } from "../../tests/compile_util.ts";
import { kernelTest, loadObject, mapU64, runProg, dumpMap } from "../../tests/kernel.ts";
import { arpFrame, tcpFrame, udpFrame } from "../../tests/packets.ts";
import { EXAMPLES, load, whistler } from "../../tests/plugins/harness.ts";

const PROGRAM = `
(defmap counters :type :array :key-size 4 :value-size 8 :max-entries 8)
(defmap bytes-by-ihl :type :hash :key-size 4 :value-size 8 :max-entries 16)
(defprog ct (:type :xdp)
  (count! 0)                                             ; every packet
  (with-ipv4 (data data-end ip)
    (count! (bits (ipv4-ver-ihl ip) 0 4) :by (ipv4-total-len ip) :map bytes-by-ihl)
    (when (= (ipv4-protocol ip) +ip-proto-udp+)
      (count-and-return 1 XDP_DROP))                     ; a Lisp macro from the plugin
    (count! 2 :by 10))
  XDP_PASS)
`;

test("counters: loads in this runtime; count!, bits and count-and-return expand as documented", async () => {
  const plugin = await load(EXAMPLES.counters);
  const text = compileOk(PROGRAM, { plugins: [{ plugin }], emit: "expanded" }).text!;
  assert.match(text, /\(logand \(load u8 ip 0\) 15\)/);
  assert.match(text, /map-lookup counters 1/);
  assert.match(text, /\(return xdp_drop\)/);
  // (bits x 4 4) shifts; constants are accepted where literals are.
  const b = compileOk(`(defconstant +hi+ 4) (defprog p (:type :xdp) (bits 255 +hi+ 4))`, { plugins: [{ plugin }], emit: "expanded" }).text!;
  assert.match(b, /\(logand \(>> 255 4\) 15\)/);
});

test("counters: --plugin-opt counters.map picks the default map, under Deno and Bun", () => {
  const { dir, cleanup } = tempDir();
  try {
    const src = join(dir, "p.lisp");
    writeFileSync(src, `(defmap hits :type :array :key-size 4 :value-size 8 :max-entries 1) (defprog p (:type :xdp) (count! 0) XDP_PASS)`);
    for (const rt of ["deno", "bun"] as const) {
      const ok = whistler(rt, ["expand", "--plugin", EXAMPLES.counters, "--plugin-opt", "counters.map=hits", src]);
      assert.equal(ok.status, 0, ok.stderr);
      assert.match(ok.stdout, /map-lookup hits 0/);
      const bad = whistler(rt, ["compile", "--plugin", EXAMPLES.counters, src, "-o", join(dir, "x.o")]);
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /p\.lisp:1:\d+: error: "count!": no map named "counters"/);
    }
  } finally {
    cleanup();
  }
});

test("counters: errors point at the argument at fault", async () => {
  const plugin = await load(EXAMPLES.counters);
  const err = (src: string) => {
    const r = compile(src, { file: "t.lisp", plugins: [{ plugin }] });
    assert.equal(r.ok, false);
    return render(r.diagnostics, (f) => r.sources.get(f));
  };
  const pre = `(defmap counters :type :array :key-size 4 :value-size 8 :max-entries 8)\n`;
  /** The error is on line 2 at the column where `at` starts. */
  const at = (body: string, token: string, message: RegExp) => {
    const text = err(pre + body);
    assert.ok(text.startsWith(`t.lisp:2:${body.indexOf(token) + 1}: error: `), text);
    assert.match(text, message);
  };
  at(`(defprog p (:type :xdp) (count! 0 :map nope) 2)`, "nope", /"count!": no map named "nope"/);
  at(`(defprog p (:type :xdp) (count! 0 :step 2) 2)`, ":step", /"count!": unknown option :STEP/);
  at(`(defprog p (:type :xdp) (bits 1 70 2))`, "70", /"bits": START must be a constant 0\.\.63/);
  at(`(defprog p (:type :xdp) (bits 1 60 8))`, "8)", /"bits": WIDTH must be a constant 1\.\.4/);
  assert.match(err(`(defmap counters :type :array :key-size 4 :value-size 4 :max-entries 8)\n(defprog p (:type :xdp) (count! 0))`), /"count!": map "counters" has 4-byte values/);
});

kernelTest("counters: count! in array and hash maps and count-and-return, on packets in the kernel", async () => {
  const plugin = await load(EXAMPLES.counters);
  const { dir, cleanup } = tempDir();
  const l = loadObject(writeObject(compileOk(PROGRAM, { plugins: [{ plugin }] }), dir, "ct"));
  try {
    const XDP_DROP = 1, XDP_PASS = 2;
    const tcp = tcpFrame({ src: "10.0.0.1", dst: "10.0.0.2", sport: 1, dport: 80, flags: 0x02 });
    assert.equal(runProg(l, "ct", tcp).retval, XDP_PASS);
    assert.equal(runProg(l, "ct", tcp).retval, XDP_PASS);
    assert.equal(runProg(l, "ct", udpFrame({ src: "10.0.0.1", dst: "10.0.0.2", sport: 1, dport: 53 })).retval, XDP_DROP);
    assert.equal(runProg(l, "ct", arpFrame()).retval, XDP_PASS);
    assert.deepEqual([0, 1, 2].map((k) => mapU64(l, "counters", k)), [4n, 1n, 20n]);
    // bytes-by-ihl: key = IHL (5), value = sum of IPv4 total lengths (40 + 40 + 28).
    const e = dumpMap(l, "bytes_by_ihl");
    assert.equal(e.length, 1);
    assert.deepEqual([...e[0].key], [5, 0, 0, 0]);
    assert.equal(mapU64(l, "bytes_by_ihl", 5), 108n);
  } finally {
    l.close();
    cleanup();
  }
});
