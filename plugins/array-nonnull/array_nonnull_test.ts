// The array-nonnull example pass: loaded under Deno and Bun, its effect shown by --print-changed
// and the instruction counts of the examples, its limits checked, and every example it changes
// still accepted by this kernel's verifier (and still counting right).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { compileFile, compileOk, tempDir, writeObject } from "../../tests/compile_util.ts";
import { kernelTest, loadObject, mapU64, runProg } from "../../tests/kernel.ts";
import { arpFrame, tcpFrame } from "../../tests/packets.ts";
import { EXAMPLES, ROOT, insnCounts, load, whistler } from "../../tests/plugins/harness.ts";

const EXAMPLE_DIR = join(ROOT, "examples");
const COUNT_XDP = join(EXAMPLE_DIR, "count-xdp.lisp");
const total = (file: string, plugins: Parameters<typeof compileFile>[1] = {}) => compileFile(file, plugins).programs.reduce((s, p) => s + p.insns, 0);

for (const rt of ["deno", "bun"] as const) {
  test(`array-nonnull (${rt}): --print-changed shows the null check go; count-xdp loses an instruction`, () => {
    const { dir, cleanup } = tempDir();
    try {
      const base = whistler(rt, ["compile", COUNT_XDP, "-o", join(dir, "a.o")]);
      const opt = whistler(rt, ["compile", "--plugin", EXAMPLES["array-nonnull"], "--print-changed", "--verify-each", COUNT_XDP, "-o", join(dir, "b.o")]);
      assert.equal(base.status, 0, base.stderr);
      assert.equal(opt.status, 0, opt.stderr);
      const before = insnCounts(base.stderr).count_packets, after = insnCounts(opt.stderr).count_packets;
      assert.ok(after < before, `count_packets: ${before} → ${after} instructions`);
      const diff = /;; array-nonnull changed count_packets\n([\s\S]*?)\n;;/.exec(opt.stderr)?.[1] ?? "";
      assert.match(diff, /^- +br v\d+ != v\d+, b\d+, b\d+$/m);
      assert.match(diff, /^\+ +jmp b\d+$/m);
    } finally {
      cleanup();
    }
  });
}

test("array-nonnull: loads in this runtime; shrinks the examples that look up key 0 of an array map", async () => {
  const plugin = await load(EXAMPLES["array-nonnull"]);
  const rows: string[] = [];
  let shrunk = 0;
  for (const f of readdirSync(EXAMPLE_DIR).filter((n) => n.endsWith(".lisp")).sort()) {
    const a = total(join(EXAMPLE_DIR, f)), b = total(join(EXAMPLE_DIR, f), { plugins: [{ plugin }] });
    assert.ok(b <= a, `${f}: ${a} → ${b}`);
    if (b < a) shrunk++;
    rows.push(`${f}: ${a} → ${b}`);
  }
  console.log(`array-nonnull instruction counts: ${rows.join(", ")}`);
  assert.ok(shrunk >= 3, rows.join("\n"));
  // -O0 runs no optimisation pass; named in --passes it runs there.
  assert.equal(total(COUNT_XDP, { plugins: [{ plugin }], opt: "0" }), total(COUNT_XDP, { opt: "0" }));
  assert.ok(total(COUNT_XDP, { plugins: [{ plugin }], passes: ["array-nonnull", "simplify-cfg", "dce"] }) < total(COUNT_XDP, { passes: ["simplify-cfg", "dce"] }));
});

test("array-nonnull: leaves other lookups alone (hash maps, other keys, keys it cannot see)", async () => {
  const plugin = await load(EXAMPLES["array-nonnull"]);
  const checks = (decl: string, body: string) => {
    const ir = compileOk(`${decl}\n(defprog p (:type :xdp) ${body} XDP_PASS)`, { plugins: [{ plugin }], emit: "ir" }).text!;
    return (ir.match(/br v\d+ (?:!=|==) v\d+/g) ?? []).length;
  };
  const arr = "(defmap m :type :array :key-size 4 :value-size 8 :max-entries 4)";
  assert.equal(checks(arr, "(incf (getmap m 0))"), 0);
  assert.equal(checks("(defmap m :type :percpu-array :key-size 4 :value-size 8 :max-entries 4)", "(incf (getmap m 0))"), 0);
  assert.equal(checks(arr, "(incf (getmap m 1))"), 1); // not tracked by the verifier unless 8-aligned
  assert.equal(checks(arr, "(incf (getmap m (ctx ingress-ifindex)))"), 1);
  assert.equal(checks("(defmap m :type :hash :key-size 4 :value-size 8 :max-entries 4)", "(when-let (p (map-lookup m 0)) (atomic-add p 0 1))"), 1);
});

test("array-nonnull: --plugin-opt array-nonnull.report=1 reaches the pass (ctx.options)", () => {
  const r = whistler("deno", ["compile", "--plugin", EXAMPLES["array-nonnull"], "--plugin-opt", "array-nonnull.report=1", COUNT_XDP, "-o", "-"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /warning: array-nonnull: removed 1 null check\(s\) in count_packets/);
});

kernelTest("array-nonnull: every example it changes loads in this kernel; count-xdp still counts", async () => {
  const plugin = await load(EXAMPLES["array-nonnull"]);
  const { dir, cleanup } = tempDir();
  try {
    for (const f of readdirSync(EXAMPLE_DIR).filter((n) => n.endsWith(".lisp")).sort()) {
      const r = compileFile(join(EXAMPLE_DIR, f), { plugins: [{ plugin }] });
      loadObject(writeObject(r, dir, f.replace(".lisp", ""))).close(); // throws with the verifier log
    }
    const l = loadObject(writeObject(compileFile(COUNT_XDP, { plugins: [{ plugin }] }), dir, "cx"));
    try {
      for (const pkt of [arpFrame(), tcpFrame({ src: "10.0.0.1", dst: "10.0.0.2", sport: 1, dport: 2, flags: 0x02 })]) {
        assert.equal(runProg(l, "count_packets", pkt).retval, 2);
      }
      assert.equal(mapU64(l, "pkt_count", 0), 2n);
    } finally {
      l.close();
    }
  } finally {
    cleanup();
  }
});
