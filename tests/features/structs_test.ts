// defstruct on the stack (make-NAME zeroed, accessors and setf with narrowing, signed fields,
// array fields, nested structs, NAME-FIELD-ptr, sizeof), defunion, and defheader (net-order
// accessors and setf over packet bytes). Layouts and values are computed here independently
// (C rules: natural alignment, little-endian stack, big-endian header fields).

import { test } from "node:test";
import assert from "node:assert/strict";
import { kernelTest, type Loaded, runProg } from "../kernel.ts";
import { compileOk } from "../compile_util.ts";
import { dataFrame, LEVELS, maybeBug, readArray, rng, runWith, U64, withLoaded, XDP_PASS } from "./util.ts";

interface Case { name: string; src: string; check(l: Loaded): void; bug?: string }

const PRELUDE = `
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 24)
(defmacro put (i v) \`(setf (getmap out ,i) ,v))`;

const next = rng(0x57c7n);
const zext = (v: bigint, bits: number) => BigInt.asUintN(bits, v);
const sext = (v: bigint, bits: number) => U64(BigInt.asIntN(bits, v));

const CASES: Case[] = [
  {
    name: "make-NAME is zeroed; scalar accessors, setf narrowing, signed fields, sizeof",
    src: `
(defstruct rec (a u8) (b u16) (c u32) (d u64) (e i8) (f i16) (g i32))
(defprog feature (:type :xdp)
  (with-packet (data data-end :min-len 38)
    (let ((x (load u64 data 14)) (seen 0))
      ;; The same struct made afresh on every iteration reads as zero before it is written.
      (dotimes (i 3)
        (let ((r (make-rec)))
          (setf seen (logior seen (load u64 r 0) (load u64 r 8) (load u64 r 16)
                             (rec-a r) (rec-b r) (rec-c r) (rec-d r) (rec-e r) (rec-f r) (rec-g r)))
          (setf (rec-a r) x (rec-b r) x (rec-c r) x (rec-d r) x (rec-e r) x (rec-f r) x (rec-g r) x)))
      (put 0 seen)
      (let ((r (make-rec)))
        (setf (rec-a r) x (rec-b r) x (rec-c r) x (rec-d r) x (rec-e r) x (rec-f r) x (rec-g r) x)
        (put 1 (rec-a r)) (put 2 (rec-b r)) (put 3 (rec-c r)) (put 4 (rec-d r))
        (put 5 (rec-e r)) (put 6 (rec-f r)) (put 7 (rec-g r))
        (put 8 (load u64 r 0)) (put 9 (load u64 r 16))
        (put 10 (sizeof rec)) (put 11 +rec-size+)
        (put 12 (- (rec-g-ptr r) r)) (put 13 (- (rec-d-ptr r) r)))))
  XDP_PASS)`,
    check(l) {
      for (const x of [0x8899aabbccddeeffn, 0x0102030405060708n, next(), next(), 0x80n]) {
        assert.equal(runWith(l, "feature", [x]), XDP_PASS);
        // Layout: a@0 b@2 c@4 d@8 e@16 f@18 g@20, size 24.
        const a = zext(x, 8), b = zext(x, 16), c = zext(x, 32), e = zext(x, 8), f = zext(x, 16), g = zext(x, 32);
        assert.deepEqual(readArray(l, "out", 14), [
          0n, a, b, c, x, sext(x, 8), sext(x, 16), sext(x, 32),
          a | (b << 16n) | (c << 32n), e | (f << 16n) | (g << 32n), 24n, 24n, 20n, 8n,
        ], `x=0x${x.toString(16)}`);
      }
    },
  },
  {
    name: "array fields: constant and run-time indices, setf, the field's address",
    src: `
(defstruct buf (n u32) (vals (array u16 4)) (big (array u64 2)))
(defprog feature (:type :xdp)
  (with-packet (data data-end :min-len 38)
    (let ((s (make-buf)) (x (load u64 data 14)) (sum 0))
      (setf (buf-n s) 4)
      (dotimes (i 4) (setf (buf-vals s i) (+ x (* i #x10001))))
      (setf (buf-big s 0) x (buf-big s 1) (lognot x))
      (put 0 (buf-vals s 0)) (put 1 (buf-vals s 3))
      (dotimes (i 4) (setf sum (+ sum (buf-vals s i))))
      (put 2 sum)
      (put 3 (buf-big s 1))
      (put 4 (logior (load u32 (buf-vals s) 0) (<< (load u32 (buf-vals s) 4) 32)))
      (put 5 (sizeof buf))
      (put 6 (- (buf-big-ptr s) s))
      (put 7 (- (buf-vals s) s))
      (put 8 (buf-n s))))
  XDP_PASS)`,
    check(l) {
      for (const x of [0xfff0fff1fff2fff3n, 0x1234n, next(), next()]) {
        assert.equal(runWith(l, "feature", [x]), XDP_PASS);
        const vals = [0n, 1n, 2n, 3n].map((i) => zext(x + i * 0x10001n, 16));
        const packed = vals.reduce((acc, v, i) => acc | (v << BigInt(16 * i)), 0n);
        assert.deepEqual(readArray(l, "out", 9), [vals[0], vals[3], vals.reduce((s, v) => s + v), U64(~x), packed, 32n, 16n, 4n, 4n]);
      }
    },
  },
  {
    name: "nested structs and arrays of structs",
    src: `
(defstruct inner (x u16) (y u32))
(defstruct outer (tag u8) (in inner) (arr (array inner 2)) (z u64))
(defprog feature (:type :xdp)
  (with-packet (data data-end :min-len 38)
    (let ((o (make-outer)) (v (load u64 data 14)))
      (setf (outer-tag o) 7
            (inner-y (outer-in o)) v
            (inner-x (outer-arr o 1)) v
            (inner-y (outer-arr o 1)) (>> v 32)
            (outer-z o) (+ v 1))
      (put 0 (sizeof inner)) (put 1 (sizeof outer))
      (put 2 (- (outer-in o) o)) (put 3 (- (outer-arr o 1) o)) (put 4 (- (outer-z-ptr o) o))
      (put 5 (inner-y (outer-in o))) (put 6 (inner-x (outer-arr o 1))) (put 7 (inner-y (outer-arr o 1)))
      (put 8 (outer-z o)) (put 9 (outer-tag o))
      (put 10 (load u32 o 24))))
  XDP_PASS)`,
    check(l) {
      for (const v of [next(), next(), 0xffffffffffffffffn]) {
        assert.equal(runWith(l, "feature", [v]), XDP_PASS);
        // inner: x@0 y@4 size 8 align 4; outer: tag@0 in@4 arr@12 (2×8) z@32 size 40.
        assert.deepEqual(readArray(l, "out", 11), [8n, 40n, 4n, 20n, 32n, zext(v, 32), zext(v, 16), v >> 32n, U64(v + 1n), 7n, v >> 32n]);
      }
    },
  },
  {
    name: "NAME-FIELD-ptr passed to a helper (xdp-load-bytes fills a field)",
    src: `
(defstruct pair (lo u32) (hi u64))
(defprog feature (:type :xdp)
  (with-packet (data data-end :min-len 38)
    (let ((p (make-pair)))
      (put 0 (xdp-load-bytes (ctx-ptr) 22 (pair-hi-ptr p) 8))
      (put 1 (xdp-load-bytes (ctx-ptr) 30 (pair-lo-ptr p) 4))
      (put 2 (pair-hi p))
      (put 3 (pair-lo p))))
  XDP_PASS)`,
    check(l) {
      for (let i = 0; i < 3; i++) {
        const [a, b, c] = [next(), next(), next()];
        assert.equal(runWith(l, "feature", [a, b, c]), XDP_PASS);
        assert.deepEqual(readArray(l, "out", 4), [0n, 0n, b, zext(c, 32)]);
      }
    },
  },
  {
    name: "defunion: fields share storage",
    src: `
(defunion num (as-u64 u64) (as-bytes (array u8 8)) (as-i32 i32) (as-u16 u16))
(defprog feature (:type :xdp)
  (with-packet (data data-end :min-len 38)
    (let ((n (make-num)))
      (setf (num-as-u64 n) (load u64 data 14))
      (put 0 (num-as-bytes n 0)) (put 1 (num-as-bytes n 7))
      (put 2 (num-as-i32 n)) (put 3 (num-as-u16 n))
      (setf (num-as-u16 n) #xbeef)
      (put 4 (num-as-u64 n))
      (put 5 (sizeof num))))
  XDP_PASS)`,
    check(l) {
      for (const v of [0x8123456789abcdefn, next(), next()]) {
        assert.equal(runWith(l, "feature", [v]), XDP_PASS);
        assert.deepEqual(readArray(l, "out", 6), [v & 0xffn, v >> 56n, sext(v, 32), zext(v, 16), (v & ~0xffffn) | 0xbeefn, 8n]);
      }
    },
  },
  {
    name: "defheader: net-order accessors and setf over packet bytes",
    src: `
(defheader myp
  (kind :offset 0 :type u8)
  (len :offset 1 :type u16 :net-order t)
  (seq :offset 3 :type u32 :net-order t)
  (stamp :offset 7 :type u64 :net-order t)
  (raw :offset 15 :type u16)
  (sbyte :offset 17 :type i8))
(defprog feature (:type :xdp)
  (with-packet (data data-end :min-len 38)
    (let ((h (+ data 14)))
      (put 0 (myp-kind h)) (put 1 (myp-len h)) (put 2 (myp-seq h)) (put 3 (myp-stamp h))
      (put 4 (myp-raw h)) (put 5 (myp-sbyte h))
      (setf (myp-seq h) (+ (myp-seq h) 1)
            (myp-len h) #x1234
            (myp-stamp h) #x0102030405060708)))
  XDP_PASS)`,
    check(l) {
      for (let r = 0; r < 4; r++) {
        const payload = new Uint8Array(64);
        for (let i = 0; i < 24; i++) payload[i] = Number(next() & 0xffn);
        if (r === 0) payload.set([0xff, 0xff, 0xff, 0xff], 3); // seq 0xffffffff + 1 wraps in the u32 field
        const frame = dataFrame(payload);
        const res = runProg(l, "feature", frame);
        assert.equal(res.retval, XDP_PASS);
        const be = (o: number, n: number) => payload.subarray(o, o + n).reduce((v, x) => (v << 8n) | BigInt(x), 0n);
        const seq = be(3, 4);
        assert.deepEqual(readArray(l, "out", 6), [BigInt(payload[0]), be(1, 2), seq, be(7, 8),
          BigInt(payload[15] | (payload[16] << 8)), sext(BigInt(payload[17]), 8)]);
        const want = frame.slice();
        const seq1 = zext(seq + 1n, 32);
        want.set([Number(seq1 >> 24n), Number((seq1 >> 16n) & 0xffn), Number((seq1 >> 8n) & 0xffn), Number(seq1 & 0xffn)], 14 + 3);
        want.set([0x12, 0x34], 14 + 1);
        want.set([1, 2, 3, 4, 5, 6, 7, 8], 14 + 7);
        assert.deepEqual(res.dataOut, want, "bytes written in network order");
      }
    },
  },
];

for (const c of CASES) {
  test(`structs: ${c.name} compiles at -O0 and -O2`, () => {
    for (const opt of LEVELS) compileOk(PRELUDE + c.src, { opt });
  });
  for (const opt of LEVELS) {
    kernelTest(`structs -O${opt}: ${c.name}`, () =>
      maybeBug(`structs -O${opt} ${c.name}`, c.bug, () => withLoaded(PRELUDE + c.src, opt, (l) => c.check(l))));
  }
}

