// Mapped values (SPEC §4.2, poke's `TYPE @ offset`): (@ T ptr off) over packet memory with one
// bounds check for the whole type, map values and ringbuf records as mapped values, copy and
// (setf (@ …)), setf of struct fields, mapped-p / value-offset folded at compile time and the E_no_map error, run-time
// array indices the verifier accepts, and the same accessors on stack values. Kernel runs go
// through `bpftool prog run`; expected values are computed here from the bytes sent.

import { test } from "node:test";
import assert from "node:assert/strict";
import { compile, render } from "../mod.ts";
import { compileOk } from "./compile_util.ts";
import { kernelTest, runProg } from "./kernel.ts";
import { dumpMap } from "./kernel.ts";
import { LEVELS, TC_ACT_OK, XDP_PASS, XDP_TX, dataFrame, readArray, withLoaded } from "./features/util.ts";

const PRELUDE = `
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 32)
(defmacro put (i v) \`(setf (getmap out ,i) ,v))
(defstruct hdr (kind u8) (flags u8) (len u16) (seq u32) (stamp u64) (vals (array u16 4)))`;

/** A 24-byte hdr (little-endian, as BPF reads it) at offset 14 of a frame. */
function hdrFrame(h: { kind: number; len: number; seq: number; stamp: bigint; vals: number[] }, extra = 16): Uint8Array {
  const p = new Uint8Array(24 + extra);
  const dv = new DataView(p.buffer);
  dv.setUint8(0, h.kind);
  dv.setUint16(2, h.len, true);
  dv.setUint32(4, h.seq, true);
  dv.setBigUint64(8, h.stamp, true);
  h.vals.forEach((v, i) => dv.setUint16(16 + 2 * i, v, true));
  return dataFrame(p);
}

const PACKET_PROG = PRELUDE + `
(defprog p (:type :xdp)
  (let ((h (@ hdr (xdp-data) 14)))
    (put 0 (hdr-kind h)) (put 1 (hdr-len h)) (put 2 (hdr-seq h)) (put 3 (hdr-stamp h)) (put 4 (hdr-vals h 3))
    (put 5 (mapped-p h)) (put 6 (value-offset h))
    (put 7 (hdr-vals h (hdr-kind h)))
    (setf (hdr-seq h) (+ (hdr-seq h) 1)
          (hdr-vals h 0) #xbeef)
    XDP_TX))`;

test("mapped: (@ hdr ptr 14) over packet memory checks the whole type once against data_end", () => {
  // xdp_md.data_end is the u32 at offset 4 of the context (v0). Without the run-time index (which
  // checks its element on its own) it is read once, for the one check of all 24 bytes.
  const one = PACKET_PROG.replace("(put 7 (hdr-vals h (hdr-kind h)))", "");
  for (const opt of LEVELS) {
    const ir = compileOk(one, { opt, emit: "ir" }).text!;
    assert.equal(ir.match(/= load\.u32 \[v0 \+ 4\]/g)?.length, 1, ir);
    assert.equal(ir.match(/\bbr v/g)?.length, 1, "one branch: the bounds check");
  }
});

for (const opt of LEVELS) {
  kernelTest(`mapped -O${opt}: accessors and setf over packet memory, one bounds check, short packets pass`, () =>
    withLoaded(PACKET_PROG, opt, (l) => {
      for (const kind of [0, 2, 3, 4, 200]) {
        const h = { kind, len: 0x1234, seq: 0xfffffffe + (kind & 1), stamp: 0x1122334455667788n, vals: [10, 11, 12, 13] };
        const frame = hdrFrame(h);
        const r = runProg(l, "p", frame);
        assert.equal(r.retval, XDP_TX);
        assert.deepEqual(readArray(l, "out", 8), [
          BigInt(kind), 0x1234n, BigInt(h.seq), h.stamp, 13n, 1n, 14n, kind < 4 ? BigInt(h.vals[kind]) : 0n,
        ], `kind ${kind}`);
        const want = frame.slice();
        new DataView(want.buffer).setUint32(14 + 4, (h.seq + 1) >>> 0, true);
        new DataView(want.buffer).setUint16(14 + 16, 0xbeef, true);
        assert.deepEqual(r.dataOut, want, "the setf wrote the packet");
      }
      // 37 bytes: one short of 14 + 24; the program returns its pass verdict before any access.
      const short = hdrFrame({ kind: 1, len: 1, seq: 1, stamp: 1n, vals: [] }, 0).subarray(0, 37);
      assert.equal(runProg(l, "p", short).retval, XDP_PASS);
    }));
}

const TC_PROG = PRELUDE + `
(defprog p (:type :tc)
  (let ((h (@ hdr (tc-data) 14)))
    (put 0 (hdr-seq h))
    (put 1 (value-offset h))
    2))`;

for (const opt of LEVELS) {
  kernelTest(`mapped -O${opt}: over skb packet memory in a tc program (pass verdict TC_ACT_OK)`, () =>
    withLoaded(TC_PROG, opt, (l) => {
      const frame = hdrFrame({ kind: 0, len: 0, seq: 0xabcdef01, stamp: 0n, vals: [] });
      assert.equal(runProg(l, "p", frame).retval, 2);
      assert.deepEqual(readArray(l, "out", 2), [0xabcdef01n, 14n]);
      assert.equal(runProg(l, "p", frame.subarray(0, 30)).retval, TC_ACT_OK);
    }));
}

const MAP_PROG = PRELUDE + `
(defstruct inner (x u16) (y u32))
(defstruct rec (tag u8) (in inner) (arr (array inner 2)) (count u64))
(defmap recs :type :array :key-size 4 :value-type rec :max-entries 4)
(defmap events :type :ringbuf :max-entries 4096)
(defprog p (:type :xdp)
  (let* ((h (@ hdr (xdp-data) 14)) (x (hdr-seq h)))
    (when-let ((r (getmap recs 1)))
      (setf (rec-tag r) 7
            (inner-y (rec-in r)) x
            (inner-x (rec-arr r 1)) #x1234
            (rec-count r) (+ (rec-count r) 1))
      (put 0 (mapped-p r)) (put 1 (value-offset r))
      (put 2 (value-offset (rec-in r))) (put 3 (value-offset (rec-arr r 1)))
      (put 4 (mapped-p (rec-arr r 1)))
      ;; copy out, change the copy, copy back with (setf (@ …)).
      (let ((c (copy rec r)))
        (put 5 (mapped-p c))
        (setf (rec-tag c) 9)
        (put 6 (rec-tag r))
        (setf (@ rec r) c)
        (put 7 (rec-tag r)))
      (setf (rec-arr r 0) (rec-in r)))   ; a struct field set from a struct value: a copy
    (let ((s (make-rec)))
      (put 8 (mapped-p s))
      (put 9 (mapped-p (rec-in s)))
      (put 10 (- (rec-arr s (hdr-kind h)) s))) ; an address: a run-time index is clamped
    (when-let ((e (ringbuf-reserve events 8 0)))
      (put 11 (mapped-p e))
      (ringbuf-discard e 0))
    XDP_PASS))`;

test("mapped: mapped-p and value-offset are compile-time constants", () => {
  const src = PRELUDE + `
(defmap m :type :array :key-size 4 :value-type hdr :max-entries 1)
(defprog p (:type :xdp)
  (let ((h (@ hdr (xdp-data) 20)) (v (getmap m 0)) (s (make-hdr)))
    (if v (+ (* 1000 (mapped-p h)) (* 100 (mapped-p v)) (* 10 (mapped-p s)) (value-offset h) (value-offset v)) 0)))`;
  const ir = compileOk(src, { emit: "ir" }).text!;
  assert.match(ir, /const 1120\b/, ir);
});

test("mapped: value-offset of a value that is not mapped is a compile error (poke's E_no_map)", () => {
  for (const [what, expr] of [["make-NAME", "(make-hdr)"], ["a number", "42"], ["a copy", "(copy hdr (@ hdr (xdp-data) 0))"]]) {
    const r = compile(PRELUDE + `\n(defprog p (:type :xdp)\n  (value-offset ${expr}))`, { file: "t.lisp" });
    assert.equal(r.ok, false, what);
    const text = render(r.diagnostics, (f) => r.sources.get(f));
    assert.match(text, /t\.lisp:6:3: error: "value-offset": .* is not mapped/, text);
  }
});

test("mapped: errors: constant index out of bounds, unknown type for @, setf of a kernel struct field", () => {
  const cases: [string, RegExp][] = [
    [`(defprog p (:type :xdp) (hdr-vals (make-hdr) 4))`, /Index 4 is out of bounds for hdr-vals \(4 elements\)/],
    [`(defprog p (:type :xdp) (@ nosuch (xdp-data)))`, /"@" needs a struct or header type, got NOSUCH/i],
    [`(defstruct (task (:kernel "task_struct")) (pid i32))
(defprog p (:type :xdp) (setf (task-pid (@ task (get-current-task))) 1) 2)`, /kernel memory is read-only/],
  ];
  for (const [src, re] of cases) {
    const r = compile(PRELUDE + "\n" + src);
    assert.equal(r.ok, false, src);
    assert.match(render(r.diagnostics, (f) => r.sources.get(f)), re);
  }
});

for (const opt of LEVELS) {
  kernelTest(`mapped -O${opt}: map values and ringbuf records are mapped; copy, setf @, stack values are not`, () =>
    withLoaded(MAP_PROG, opt, (l) => {
      for (const x of [0x01020304, 0xfffffff0]) {
        // kind 9: a run-time index past the end of rec-arr, clamped to the last element.
        const frame = hdrFrame({ kind: 9, len: 0, seq: x, stamp: 0n, vals: [] });
        assert.equal(runProg(l, "p", frame).retval, XDP_PASS);
        assert.deepEqual(readArray(l, "out", 12), [1n, 0n, 4n, 20n, 1n, 0n, 7n, 9n, 0n, 0n, 20n, 1n]);
      }
      const v = dumpMap(l, "recs").find((e) => (e.key as Uint8Array)[0] === 1)!.value as Uint8Array;
      const dv = new DataView(v.buffer, v.byteOffset);
      // rec: tag@0 in@4 (x@4 y@8) arr@12 (2 × 8) count@32, 40 bytes.
      assert.equal(v.length, 40);
      assert.deepEqual([dv.getUint8(0), dv.getUint32(8, true), dv.getUint32(16, true), dv.getUint16(20, true), dv.getBigUint64(32, true)],
        [9, 0xfffffff0, 0xfffffff0, 0x1234, 2n]);
    }));
}

const INDEX_PROG = PRELUDE + `
(defstruct tbl (n u32) (vals (array u32 4)))
(defprog p (:type :xdp)
  (let ((data (xdp-data)) (t1 (make-tbl)))
    (when (> (+ data 16) (xdp-data-end)) (return XDP_PASS))
    (let ((i (load u8 data 14)))
    (dotimes (k 4) (setf (tbl-vals t1 k) (+ 100 k)))
    (setf (tbl-vals t1 i) 7)            ; out of range: nothing written
    (put 0 (tbl-vals t1 i))             ; out of range: 0
    (put 1 (tbl-vals t1 (logand i 3)))
    (put 2 (+ (tbl-vals t1 0) (tbl-vals t1 1) (tbl-vals t1 2) (tbl-vals t1 3))))
    XDP_PASS))`;

for (const opt of LEVELS) {
  kernelTest(`mapped -O${opt}: run-time array indices are bounds-checked (reads 0, writes nothing when out of range)`, () =>
    withLoaded(INDEX_PROG, opt, (l) => {
      for (const i of [0, 2, 3, 4, 5, 255]) {
        const frame = dataFrame(new Uint8Array([i, 0, 0, 0]));
        assert.equal(runProg(l, "p", frame).retval, XDP_PASS);
        const vals = [100n, 101n, 102n, 103n];
        if (i < 4) vals[i] = 7n;
        assert.deepEqual(readArray(l, "out", 3), [i < 4 ? 7n : 0n, vals[i & 3], vals.reduce((a, b) => a + b)], `i=${i}`);
      }
    }));
}
