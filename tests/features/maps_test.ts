// Map forms (SPEC §4.1, seed 000): map-lookup/update/delete and their -ptr variants with
// return codes, getmap / (setf getmap) / remmap / incf / decf on array and hash maps, struct
// keys over 8 bytes, atomics on map values, and each map type (:hash :array :percpu-hash
// :percpu-array :lru-hash :ringbuf :prog-array :lpm-trie) used from a program. Each case runs
// an XDP program on frames carrying its inputs and compares `out` and the maps with a model.

import { test } from "node:test";
import assert from "node:assert/strict";
import { dumpMap, kernelTest, type Loaded, runProg, updateMap } from "../kernel.ts";
import { compileOk, u32key } from "../compile_util.ts";
import { ip4, tcpFrame, SYN } from "../packets.ts";
import { le, LEVELS, maybeBug, readArray, readRingbuf, rng, runWith, U64, u64le, withLoaded, XDP_PASS } from "./util.ts";

interface Case { name: string; src: string; check(l: Loaded): void; bug?: string; compileBug?: boolean }

const PRELUDE = `
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 16)
(defmacro put (i v) \`(setf (getmap out ,i) ,v))`;

const EEXIST = U64(-17n), ENOENT = U64(-2n), EINVAL = U64(-22n);
const M32 = 0xffffffffn;
const next = rng(0x3a95n);
const rnd = (n: number) => Array.from({ length: n }, () => next());

/** Hash-map entries as key (little-endian number) → value. */
function entries(l: Loaded, map: string): Map<bigint, bigint> {
  return new Map(dumpMap(l, map).map((e) => [le(e.key), Array.isArray(e.value) ? e.value.reduce((s, v) => s + le(v), 0n) : le(e.value)]));
}

const CASES: Case[] = [
  {
    name: "map-lookup map-update map-delete: flags and return codes (hash)",
    src: `
(defmap h :type :hash :key-size 4 :value-size 8 :max-entries 16)
(defprog feature (:type :xdp)
  (with-packet (data data-end :min-len 38)
    (let ((k u32 (load u32 data 14)) (v (load u64 data 22)))
      (put 0 (if (map-lookup h k) 1 0))
      (put 1 (map-update h k v BPF_NOEXIST))
      (put 2 (map-update h k v BPF_NOEXIST))
      (when-let (p (map-lookup h k)) (put 3 (load u64 p 0)))
      (put 4 (map-update h k (+ v 1) BPF_EXIST))
      (put 5 (getmap h k))
      (put 6 (map-delete h k))
      (put 7 (map-delete h k))
      (put 8 (map-update h (+ k 1) v BPF_EXIST))
      (put 9 (getmap h k))
      (map-update h k (* v 3) BPF_ANY)))
  XDP_PASS)`,
    check(l) {
      const model = new Map<bigint, bigint>();
      for (const [k0, v] of rnd(4).map((x, i) => [x & M32 & ~1n, U64(x * 7n + BigInt(i))])) {
        const k = k0 & M32;
        assert.equal(runWith(l, "feature", [k | (next() << 32n), v]), XDP_PASS);
        assert.deepEqual(readArray(l, "out", 10), [0n, 0n, EEXIST, v, 0n, U64(v + 1n), 0n, ENOENT, ENOENT, 0n]);
        model.set(k, U64(v * 3n));
        assert.deepEqual(entries(l, "h"), model);
      }
    },
  },
  {
    name: "map-lookup-ptr map-update-ptr map-delete-ptr with a 12-byte struct key",
    src: `
(defstruct flow (src u32) (dst u32) (port u16) (proto u8))
(defmap flows :type :hash :key-size 12 :value-size 8 :max-entries 16)
(defprog feature (:type :xdp)
  (with-packet (data data-end :min-len 38)
    (let ((k (make-flow)) (v (load u64 data 30)))
      (setf (flow-src k) (load u32 data 14)
            (flow-dst k) (load u32 data 18)
            (flow-port k) (load u16 data 22)
            (flow-proto k) (load u8 data 24))
      (put 0 (map-update-ptr flows k (stack-addr v) BPF_NOEXIST))
      (when-let (p (map-lookup-ptr flows k)) (put 1 (load u64 p 0)))
      (put 2 (map-delete-ptr flows k))
      (put 3 (if (map-lookup-ptr flows k) 1 0))
      (put 4 (map-delete-ptr flows k))
      (setf v (+ v 6))
      (map-update-ptr flows k (stack-addr v) BPF_ANY)
      (put 5 (sizeof flow))))
  XDP_PASS)`,
    check(l) {
      const model = new Map<string, bigint>();
      for (let i = 0; i < 3; i++) {
        const [a, b, v] = rnd(3);
        assert.equal(runWith(l, "feature", [a, b, v]), XDP_PASS);
        assert.deepEqual(readArray(l, "out", 6), [0n, v, 0n, 0n, ENOENT, 12n]);
        const key = [...u64le(a, b).subarray(0, 11), 0].join(","); // bytes 14..24 of the frame, then the zeroed pad
        model.set(key, U64(v + 6n));
        const got = new Map(dumpMap(l, "flows").map((e) => [[...e.key].join(","), le(e.value as Uint8Array)]));
        assert.deepEqual(got, model);
      }
    },
  },
  {
    name: "getmap, setf getmap, incf, remmap with a 12-byte struct key (switch to -ptr)",
    src: `
(defstruct flow (src u32) (dst u32) (port u16) (proto u8))
(defmap flows :type :hash :key-size 12 :value-size 8 :max-entries 16)
(defprog feature (:type :xdp)
  (with-packet (data data-end :min-len 38)
    (let ((k (make-flow)) (v (load u64 data 30)))
      (setf (flow-src k) (load u32 data 14)
            (flow-dst k) (load u32 data 18)
            (flow-port k) (load u16 data 22)
            (flow-proto k) (load u8 data 24))
      (put 0 (getmap flows k))
      (setf (getmap flows k) v)
      (put 1 (getmap flows k))
      (put 2 (remmap flows k))
      (put 3 (getmap flows k))
      (incf (getmap flows k) 5)
      (incf (getmap flows k))
      (put 4 (getmap flows k))))
  XDP_PASS)`,
    check(l) {
      const model = new Map<string, bigint>();
      for (let i = 0; i < 3; i++) {
        const [a, b, v] = rnd(3);
        assert.equal(runWith(l, "feature", [a, b, v]), XDP_PASS);
        assert.deepEqual(readArray(l, "out", 5), [0n, v, 0n, 0n, 6n]);
        model.set([...u64le(a, b).subarray(0, 11), 0].join(","), 6n);
        const got = new Map(dumpMap(l, "flows").map((e) => [[...e.key].join(","), le(e.value as Uint8Array)]));
        assert.deepEqual(got, model);
      }
    },
  },
  {
    name: "a struct key of 8 bytes or less, used again after control flow",
    src: `
(defstruct k8 (a u32) (b u32))
(defmap m8 :type :hash :key-size 8 :value-size 8 :max-entries 16)
(defprog feature (:type :xdp)
  (with-packet (data data-end :min-len 38)
    (let ((k (make-k8)))
      (setf (k8-a k) (load u32 data 14) (k8-b k) (load u32 data 18))
      (put 0 (getmap m8 k))
      (setf (getmap m8 k) (load u64 data 22))
      (put 1 (getmap m8 k))))
  XDP_PASS)`,
    check(l) {
      const model = new Map<bigint, bigint>();
      for (let i = 0; i < 3; i++) {
        const [key, v] = rnd(2);
        assert.equal(runWith(l, "feature", [key, v]), XDP_PASS);
        assert.deepEqual(readArray(l, "out", 2), [0n, v]);
        model.set(key, v);
        assert.deepEqual(entries(l, "m8"), model);
      }
    },
  },
  {
    name: "getmap, setf getmap, remmap, incf, decf on an array map",
    src: `
(defmap arr :type :array :key-size 4 :value-size 8 :max-entries 8)
(defprog feature (:type :xdp)
  (with-packet (data data-end :min-len 38)
    (let ((i u32 (logand (load u32 data 14) 7)) (d (load u64 data 22)))
      (incf (getmap arr i))
      (incf (getmap arr (logand (+ i 1) 7)) d)
      (decf (getmap arr (logand (+ i 2) 7)) 3)
      (decf (getmap arr 8))
      (incf (getmap arr 100) 9)
      (setf (getmap arr (logand (+ i 3) 7)) (* d 2))
      (put 0 (getmap arr i))
      (put 1 (getmap arr 9))
      (put 2 (remmap arr i))
      (put 3 (setf (getmap arr 8) 1))))
  XDP_PASS)`,
    check(l) {
      const arr = new Array(8).fill(0n);
      for (let r = 0; r < 6; r++) {
        const [x, d] = rnd(2);
        const i = Number(x & 7n);
        assert.equal(runWith(l, "feature", [x, d]), XDP_PASS);
        arr[i] = U64(arr[i] + 1n);
        arr[(i + 1) % 8] = U64(arr[(i + 1) % 8] + d);
        arr[(i + 2) % 8] = U64(arr[(i + 2) % 8] - 3n);
        arr[(i + 3) % 8] = U64(d * 2n);
        assert.deepEqual(readArray(l, "out", 4), [arr[i], 0n, EINVAL, U64(-7n) /* -E2BIG */]);
        assert.deepEqual(readArray(l, "arr", 8), arr);
      }
    },
  },
  {
    name: "getmap, setf getmap, remmap, incf, decf on hash maps (u64 and u32 values)",
    src: `
(defmap h :type :hash :key-size 4 :value-size 8 :max-entries 64)
(defmap h32 :type :hash :key-size 8 :value-size 4 :max-entries 64)
(defprog feature (:type :xdp)
  (with-packet (data data-end :min-len 38)
    (let ((k u32 (logand (load u32 data 14) 3)) (d (load u64 data 22)) (k64 (load u64 data 30)))
      (put 0 (getmap h (+ k 100)))
      (incf (getmap h k) d)
      (decf (getmap h (+ k 4)) 2)
      (incf (getmap h32 k64) d)
      (incf (getmap h32 (logand k64 1)))
      (setf (getmap h (+ k 8)) (getmap h k))
      (put 1 (getmap h k))
      (put 2 (getmap h32 k64))
      (when (= k 3) (remmap h 0))))
  XDP_PASS)`,
    check(l) {
      const h = new Map<bigint, bigint>(), h32 = new Map<bigint, bigint>();
      const add = (m: Map<bigint, bigint>, k: bigint, d: bigint, mask: bigint) => m.set(k, (((m.get(k) ?? 0n) + d) & mask));
      const inputs = [[0n, 5n, 0n], [0n, 7n, 1n], [2n, M32 + 3n, 1n << 40n], [3n, 1n, 1n << 40n], [1n, 9n, 2n], [3n, 4n, 3n]];
      for (const [x, d, k64] of inputs) {
        const k = x & 3n;
        assert.equal(runWith(l, "feature", [x, d, k64]), XDP_PASS);
        add(h, k, d, U64(-1n));
        add(h, k + 4n, U64(-2n), U64(-1n));
        add(h32, k64, d, M32);
        add(h32, k64 & 1n, 1n, M32);
        h.set(k + 8n, h.get(k)!);
        const o1 = h.get(k)!, o2 = h32.get(k64)!;
        if (k === 3n) h.delete(0n);
        assert.deepEqual(readArray(l, "out", 3), [0n, o1, o2]);
        assert.deepEqual(entries(l, "h"), h);
        assert.deepEqual(entries(l, "h32"), h32);
      }
    },
  },
  {
    name: "atomics on a map value: add and or xor, fetch variants, xchg, cmpxchg (u64 and u32)",
    src: `
(defmap cell :type :array :key-size 4 :value-size 16 :max-entries 1)
(defprog feature (:type :xdp)
  (with-packet (data data-end :min-len 38)
    (let ((a (load u64 data 14)) (b (load u64 data 22)) (c (load u64 data 30)))
      (when-let (p (map-lookup cell 0))
        (store u64 p 0 a)
        (atomic-add p 0 b)
        (put 0 (load u64 p 0))
        (put 1 (atomic-fetch-xor p 0 c))
        (atomic-and p 0 (lognot b))
        (put 2 (atomic-fetch-or p 0 #xf0))
        (put 3 (load u64 p 0))
        (put 4 (atomic-xchg p 0 c))
        (put 5 (atomic-cmpxchg p 0 c a))
        (put 6 (atomic-cmpxchg p 0 c b))
        (put 7 (load u64 p 0))
        (store u64 p 8 b)
        (put 8 (atomic-fetch-add p 8 a u32))
        (atomic-or p 12 c u32)
        (put 9 (load u64 p 8))
        (put 10 (atomic-fetch-and p 8 c u32)))))
  XDP_PASS)`,
    check(l) {
      for (let r = 0; r < 5; r++) {
        const [a, b, c] = r === 0 ? [U64(-1n), 1n, 0n] : rnd(3);
        assert.equal(runWith(l, "feature", [a, b, c]), XDP_PASS);
        let x = U64(a + b);
        const o0 = x;
        const o1 = x;
        x ^= c;
        x &= U64(~b);
        const o2 = x;
        x |= 0xf0n;
        const o3 = x, o4 = x;
        x = c;
        const o5 = x; // cmpxchg returns the old value; x == c so it stores a
        x = a;
        const o6 = x; // x == a; compares with c: stores b only when a == c
        if (a === c) x = b;
        const o7 = x;
        let lo = b & M32, hi = b >> 32n;
        const o8 = lo;
        lo = (lo + a) & M32;
        hi = hi | (c & M32);
        const o9 = lo | (hi << 32n);
        const o10 = lo;
        assert.deepEqual(readArray(l, "out", 11), [o0, o1, o2, o3, o4, o5, o6, o7, o8, o9, o10], `a=${a} b=${b} c=${c}`);
      }
    },
  },
  {
    name: ":percpu-array and :percpu-hash",
    src: `
(defmap pa :type :percpu-array :key-size 4 :value-size 8 :max-entries 4)
(defmap ph :type :percpu-hash :key-size 4 :value-size 8 :max-entries 16)
(defprog feature (:type :xdp)
  (with-packet (data data-end :min-len 38)
    (let ((k u32 (logand (load u32 data 14) 3)) (d (load u64 data 22)))
      (incf (getmap pa k) d)
      (incf (getmap ph k))
      (put 0 (getmap pa k))
      (put 1 (getmap ph k))))
  XDP_PASS)`,
    check(l) {
      const pa = [0n, 0n, 0n, 0n], ph = new Map<bigint, bigint>();
      for (const [k, d] of [[0n, 3n], [1n, 10n], [0n, 4n], [3n, 1n << 40n], [0n, 1n]]) {
        assert.equal(runWith(l, "feature", [k, d]), XDP_PASS);
        pa[Number(k)] += d;
        ph.set(k, (ph.get(k) ?? 0n) + 1n);
        // getmap reads the value of the CPU the run was on: one of the per-CPU values
        const [o0, o1] = readArray(l, "out", 2);
        const cpuValues = (map: string) => (dumpMap(l, map).find((e) => le(e.key) === k)!.value as Uint8Array[]).map(le);
        assert.ok(cpuValues("pa").includes(o0) && o0 > 0n, `pa: ${o0} in ${cpuValues("pa")}`);
        assert.ok(cpuValues("ph").includes(o1) && o1 > 0n, `ph: ${o1} in ${cpuValues("ph")}`);
      }
      assert.deepEqual(readArray(l, "pa", 4), pa);
      assert.deepEqual(entries(l, "ph"), ph);
      assert.ok(Array.isArray(dumpMap(l, "pa")[0].value), "per-CPU values");
    },
  },
  {
    name: ":lru-hash",
    src: `
(defmap lru :type :lru-hash :key-size 4 :value-size 8 :max-entries 128)
(defprog feature (:type :xdp)
  (with-packet (data data-end :min-len 38)
    (let ((k u32 (load u32 data 14)) (v (load u64 data 22)))
      (put 0 (getmap lru k))
      (setf (getmap lru k) v)
      (incf (getmap lru k) 2)
      (put 1 (getmap lru k))))
  XDP_PASS)`,
    check(l) {
      const m = new Map<bigint, bigint>();
      for (const [k, v] of [[1n, 10n], [2n, 20n], [1n, 30n]]) {
        assert.equal(runWith(l, "feature", [k, v]), XDP_PASS);
        assert.deepEqual(readArray(l, "out", 2), [m.get(k) ?? 0n, v + 2n]);
        m.set(k, v + 2n);
      }
      assert.deepEqual(entries(l, "lru"), m);
    },
  },
  {
    name: ":ringbuf with ringbuf-output, ringbuf-reserve/submit/discard and ringbuf-query",
    src: `
(defmap rb :type :ringbuf :max-entries 4096)
(defprog feature (:type :xdp)
  (with-packet (data data-end :min-len 38)
    (let ((v (load u64 data 14)) (w (load u64 data 22)))
      (put 0 (ringbuf-output rb (stack-addr v) 8 0))
      (when-let (p (ringbuf-reserve rb 16 0))
        (store u64 p 0 w)
        (store u64 p 8 (+ v w))
        (ringbuf-submit p 0))
      (when-let (p (ringbuf-reserve rb 8 0))
        (ringbuf-discard p 0))
      (put 1 (ringbuf-query rb 0))))
  XDP_PASS)`,
    check(l) {
      const want: bigint[][] = [];
      let avail = 0n;
      for (let r = 0; r < 3; r++) {
        const [v, w] = rnd(2);
        assert.equal(runWith(l, "feature", [v, w]), XDP_PASS);
        want.push([v], [w, U64(v + w)]);
        // 8-byte header per record, payloads 8, 16 and 8: a discarded record keeps its space
        // until a consumer passes it, and nothing consumes here.
        avail += 16n + 24n + 16n;
        assert.deepEqual(readArray(l, "out", 2), [0n, avail], "ringbuf-output returns 0; ringbuf-query BPF_RB_AVAIL_DATA");
      }
      const recs = readRingbuf(l, "rb");
      if (recs) assert.deepEqual(recs.map((r) => Array.from({ length: r.length / 8 }, (_, i) => le(r.subarray(8 * i, 8 * i + 8)))), want);
    },
  },
  {
    name: "with-ringbuf (reserve, body, submit)",
    src: `
(defmap rb :type :ringbuf :max-entries 4096)
(defprog feature (:type :xdp)
  (with-packet (data data-end :min-len 38)
    (let ((v (load u64 data 14)))
      (with-ringbuf (e rb 16)
        (store u64 e 0 v)
        (store u64 e 8 (* v 2)))))
  XDP_PASS)`,
    check(l) {
      const [v] = rnd(1);
      assert.equal(runWith(l, "feature", [v]), XDP_PASS);
      const recs = readRingbuf(l, "rb");
      if (recs) assert.deepEqual(recs.map((r) => [le(r.subarray(0, 8)), le(r.subarray(8, 16))]), [[v, U64(v * 2n)]]);
    },
    compileBug: true,
  },
  {
    name: ":prog-array with tail-call (falls through when the slot is empty)",
    src: `
(defmap jt :type :prog-array :key-size 4 :value-size 4 :max-entries 4)
(defprog target (:type :xdp)
  (put 1 (+ (getmap out 1) 1))
  XDP_TX)
(defprog feature (:type :xdp)
  (with-packet (data data-end :min-len 38)
    (let ((i u32 (load u32 data 14)))
      (tail-call jt i)
      (put 0 (+ (getmap out 0) 1))
      (return XDP_DROP)))
  XDP_PASS)`,
    check(l) {
      const XDP_DROP = 1, XDP_TX = 3;
      assert.equal(runWith(l, "feature", [2n]), XDP_DROP);
      updateMap(l, "jt", u32key(2), { pinnedProg: "target" });
      assert.equal(runWith(l, "feature", [2n]), XDP_TX);
      assert.equal(runWith(l, "feature", [1n]), XDP_DROP);
      assert.equal(runWith(l, "feature", [1n << 40n | 2n]), XDP_TX, "the index is a u32");
      assert.equal(runWith(l, "feature", [99n]), XDP_DROP, "index past max-entries");
      assert.deepEqual(readArray(l, "out", 2), [3n, 2n]);
    },
  },
  {
    name: ":lpm-trie longest-prefix lookups and updates from the program",
    src: `
(defstruct lpm-key (prefixlen u32) (addr u32))
(defmap routes :type :lpm-trie :key-size 8 :value-size 8 :max-entries 64 :map-flags 1)
(defprog feature (:type :xdp)
  (with-ipv4 (data data-end ip)
    (let ((k (make-lpm-key)))
      (setf (lpm-key-prefixlen k) 32
            (lpm-key-addr k) (ipv4-src-addr ip))
      (put 0 (getmap routes k))
      (setf (lpm-key-addr k) (ipv4-dst-addr ip))
      (put 1 (if-let (p (map-lookup-ptr routes k)) (load u64 p 0) 0))
      ;; insert the source's /24 with value 100 + its last byte
      (setf (lpm-key-prefixlen k) 24
            (lpm-key-addr k) (logand (ipv4-src-addr ip) #x00ffffff))
      (let ((v (+ 100 (>> (ipv4-src-addr ip) 24))))
        (map-update-ptr routes k (stack-addr v) BPF_ANY))))
  XDP_PASS)`,
    check(l) {
      const prefixes: [string, number, bigint][] = [["10.0.0.0", 8, 1n], ["10.1.0.0", 16, 2n], ["10.1.2.3", 32, 3n], ["0.0.0.0", 0, 9n]];
      for (const [a, len, v] of prefixes) {
        const key = new Uint8Array(8);
        key.set(u32key(len), 0);
        key.set(ip4(a), 4);
        updateMap(l, "routes", key, u64le(v));
      }
      const lpm = (addr: string): bigint => {
        const a = ip4(addr).reduce((x, y) => (x << 8) | y, 0) >>> 0;
        let best = -1, val = 0n;
        for (const [p, len, v] of prefixes) {
          const pb = ip4(p).reduce((x, y) => (x << 8) | y, 0) >>> 0;
          const mask = len === 0 ? 0 : (~0 << (32 - len)) >>> 0;
          if (((a & mask) >>> 0) === ((pb & mask) >>> 0) && len > best) [best, val] = [len, v];
        }
        return val;
      };
      for (const [src, dst] of [["10.1.2.3", "10.1.9.9"], ["10.200.0.1", "192.168.1.1"], ["10.1.2.4", "10.1.2.3"], ["172.16.5.7", "172.16.5.99"]]) {
        const frame = tcpFrame({ src, dst, sport: 1, dport: 2, flags: SYN });
        assert.equal(runProg(l, "feature", frame).retval, XDP_PASS);
        assert.deepEqual(readArray(l, "out", 2), [lpm(src), lpm(dst)], `${src} → ${dst}`);
        const [b0, b1, b2, b3] = ip4(src);
        prefixes.push([`${b0}.${b1}.${b2}.0`, 24, 100n + BigInt(b3)]);
      }
    },
  },
];

for (const c of CASES) {
  test(`maps: ${c.name} compiles at -O0 and -O2`, async () => {
    for (const opt of LEVELS) {
      await maybeBug(`maps -O${opt} ${c.name} (compile)`, c.compileBug ? c.bug : undefined, () => {
        compileOk(PRELUDE + c.src, { opt });
      });
    }
  });
  for (const opt of LEVELS) {
    kernelTest(`maps -O${opt}: ${c.name}`, () =>
      maybeBug(`maps -O${opt} ${c.name}`, c.bug, () => withLoaded(PRELUDE + c.src, opt, (l) => c.check(l))));
  }
}

