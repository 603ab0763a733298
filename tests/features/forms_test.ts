// Body forms (SPEC §4) other than arithmetic and maps: control (dotimes with a constant bound,
// case, cond, when/unless, if, let*/setq, return), stack-addr, store/load on the stack,
// ctx-load / (ctx FIELD) / (setf (ctx FIELD)) / (ctx-ptr) for XDP and TC contexts, memset and
// memcpy, asm, helpers by name (ids from /usr/include/linux/bpf.h, arity checks), and -S.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { kernelTest, type Loaded, runProg } from "../kernel.ts";
import { compileOk } from "../compile_util.ts";
import { compile } from "../../mod.ts";
import { hostFiles } from "../../host/fs.ts";
import { udpFrame, arpFrame } from "../packets.ts";
import { dataFrame, LEVELS, maybeBug, readArray, rng, runWith, U64, withLoaded, XDP_PASS, TC_ACT_OK } from "./util.ts";

interface Case { name: string; src: string; check(l: Loaded): void; bug?: string }

const PRELUDE = `
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 24)
(defmacro put (i v) \`(setf (getmap out ,i) ,v))`;

const next = rng(0xf0f0n);

/** xdp_md for ctx_in: data 0, data_end = frame length, on lo (ifindex 1) queue 0. */
function xdpMd(len: number, ifindex = 1, queue = 0): Uint8Array {
  const b = new Uint8Array(24), dv = new DataView(b.buffer);
  dv.setUint32(4, len, true);
  dv.setUint32(12, ifindex, true);
  dv.setUint32(16, queue, true);
  return b;
}

/** __sk_buff (linux/bpf.h layout: mark @8, priority @32, cb[5] @48) for ctx_in. */
function skBuff(o: { mark?: number; priority?: number; cb?: number[] }): Uint8Array {
  const b = new Uint8Array(192), dv = new DataView(b.buffer);
  dv.setUint32(8, o.mark ?? 0, true);
  dv.setUint32(32, o.priority ?? 0, true);
  (o.cb ?? []).forEach((v, i) => dv.setUint32(48 + 4 * i, v, true));
  return b;
}

const CASES: Case[] = [
  {
    name: "dotimes with a constant bound (nested, constant from defconstant, result form); shadowing; short-circuit and/or",
    src: `
(defconstant +n+ 6)
(defprog feature (:type :xdp)
  (with-packet (data data-end :min-len 38)
    (let ((a (load u64 data 14)) (s 0) (t2 0) (last 0) (cnt 0))
      (dotimes (i 10) (setf s (+ s (* i a))))
      (dotimes (i +n+) (dotimes (j 3) (setf t2 (+ t2 (* i j)))))
      (dotimes (i 4) (setf last i))
      (dotimes (i 0) (setf cnt 99))
      (put 0 s) (put 1 t2) (put 2 last) (put 3 cnt)
      (put 4 (dotimes (i 3 (+ a 1)) (setf cnt (+ cnt 1))))
      (put 5 cnt)
      (let ((w 0)) (dotimes (i 3) (setf w (+ w (* i #x100000000)))) (put 6 w))
      (let ((x 1)) (let ((x 2)) (setf x 3)) (put 7 x))
      (let ((calls 0))
        (put 8 (or (progn (incf calls) 0) (progn (incf calls 10) a) (progn (incf calls 100) 1)))
        (put 9 (and (progn (incf calls 1000) 0) (progn (incf calls 10000) 1)))
        (put 10 calls))))
  XDP_PASS)`,
    check(l) {
      for (const a of [3n, next(), 0n]) {
        assert.equal(runWith(l, "feature", [a]), XDP_PASS);
        let t2 = 0n;
        for (let i = 0n; i < 6n; i++) for (let j = 0n; j < 3n; j++) t2 += i * j;
        const or = a !== 0n ? a : 1n, calls = a !== 0n ? 1011n : 1111n;
        assert.deepEqual(readArray(l, "out", 11), [U64(45n * a), t2, 3n, 0n, U64(a + 1n), 3n, 3n << 32n, 1n, or, 0n, calls]);
      }
    },
  },
  {
    name: "case (literal keys, key lists, constants, otherwise, no match), cond, when, unless, if",
    src: `
(defconstant +seven+ 7)
(defprog feature (:type :xdp)
  (with-packet (data data-end :min-len 38)
    (let ((x (logand (load u64 data 14) 15)))
      (put 0 (case x (0 100) ((1 2 3) 200) (+seven+ 300) ((8 #xa) 400) (otherwise 500)))
      (put 1 (case x (4 1) (5 2)))
      (put 2 (case x ((9) 9) (t 10)))
      (put 3 (cond ((< x 4) 1) ((< x 8) 2) ((= x 12))  (t 4)))
      (put 4 (cond ((> x 100) 1)))
      (put 5 (if (> x 5) 1))
      (put 6 (when (> x 5) 7 8))
      (put 7 (unless (> x 5) 9))
      (put 8 (progn 1 2 x))
      (put 9 (let* ((y (+ x 1)) (z (* y 2))) (setq y (+ y z)) y))))
  XDP_PASS)`,
    check(l) {
      for (let x = 0n; x < 16n; x++) {
        assert.equal(runWith(l, "feature", [x | (next() << 4n)]), XDP_PASS);
        const c0 = x === 0n ? 100n : x <= 3n ? 200n : x === 7n ? 300n : x === 8n || x === 10n ? 400n : 500n;
        const c1 = x === 4n ? 1n : x === 5n ? 2n : 0n;
        const c3 = x < 4n ? 1n : x < 8n ? 2n : x === 12n ? 1n : 4n;
        assert.deepEqual(readArray(l, "out", 10), [c0, c1, x === 9n ? 9n : 10n, c3, 0n, x > 5n ? 1n : 0n, x > 5n ? 8n : 0n, x > 5n ? 0n : 9n, x, 3n * (x + 1n)], `x=${x}`);
      }
    },
  },
  {
    name: "incf/decf on variables; many values live across helper calls (register pressure)",
    src: `
(defprog feature (:type :xdp)
  (with-packet (data data-end :min-len 78)
    (let ((v0 (load u64 data 14)) (v1 (load u64 data 22)) (v2 (load u64 data 30)) (v3 (load u64 data 38))
          (v4 (load u64 data 46)) (v5 (load u64 data 54)) (v6 (load u64 data 62)) (v7 (load u64 data 70))
          (n 5))
      (incf n) (decf n 3) (incf n 10) (decf n)
      (put 0 n)
      (let ((t0 (ktime-get-ns)))
        (put 1 (+ v0 (* 3 v1) (get-prandom-u32) (- (get-prandom-u32)) (get-smp-processor-id) (- (get-smp-processor-id))))
        (put 2 (logxor v2 v3 (ktime-get-ns) (ktime-get-ns) (ktime-get-ns) (ktime-get-ns) v4))
        (put 3 (+ v5 (>= (ktime-get-ns) t0) v6 v7))
        (dotimes (i 3)
          (setf v0 (+ v0 (get-smp-processor-id) (- (get-smp-processor-id)) v1))
          (put 4 v0))
        (put 5 (+ v0 v1 v2 v3 v4 v5 v6 v7)))))
  XDP_PASS)`,
    check(l) {
      for (let r = 0; r < 3; r++) {
        const v = Array.from({ length: 8 }, () => next());
        assert.equal(runWith(l, "feature", v), XDP_PASS);
        const out = readArray(l, "out", 6);
        // get-prandom-u32 and ktime differ between calls: only check what is deterministic.
        assert.equal(out[0], 12n);
        assert.equal(out[3], U64(v[5] + 1n + v[6] + v[7]));
        const v0 = U64(v[0] + 3n * v[1]);
        assert.equal(out[4], v0);
        assert.equal(out[5], U64(v0 + v.slice(1).reduce((a, b) => a + b)));
      }
    },
  },
  {
    name: "return from nested forms",
    src: `
(defprog feature (:type :xdp)
  (with-packet (data data-end :min-len 38)
    (let ((x (load u8 data 14)))
      (dotimes (i 8)
        (when (= i x) (return (+ 10 i))))
      (when (> x 200) (return 1))))
  XDP_PASS)`,
    check(l) {
      for (const x of [0n, 3n, 7n, 8n, 100n, 201n, 255n]) {
        const want = x < 8n ? 10 + Number(x) : x > 200n ? 1 : XDP_PASS;
        assert.equal(runWith(l, "feature", [x]), want, `x=${x}`);
      }
    },
  },
  {
    name: "stack-addr, store and load on the stack, memset, memcpy",
    src: `
(defstruct blk (a u64) (b u64))
(defprog feature (:type :xdp)
  (with-packet (data data-end :min-len 38)
    (let ((x (load u64 data 14)) (y (load u64 data 22)) (n u32 0))
      (store u32 (stack-addr x) 0 y)
      (put 0 x)
      (put 1 (load u8 (stack-addr x) 5))
      (store u16 (stack-addr n) 2 #xabcd)
      (put 2 n)
      (let ((b (make-blk)))
        (memset b 0 #x5a 12)
        (put 3 (blk-a b)) (put 4 (blk-b b))
        (memcpy b 0 data 22 16)
        (put 5 (blk-a b)) (put 6 (blk-b b)))))
  XDP_PASS)`,
    check(l) {
      for (let r = 0; r < 4; r++) {
        const [x, y, z] = [next(), next(), next()];
        assert.equal(runWith(l, "feature", [x, y, z]), XDP_PASS);
        const x2 = (x & ~0xffffffffn) | (y & 0xffffffffn);
        assert.deepEqual(readArray(l, "out", 7), [x2, (x2 >> 40n) & 0xffn, 0xabcd0000n, 0x5a5a5a5a5a5a5a5an, 0x5a5a5a5an, y, z]);
      }
    },
  },
  {
    name: "XDP context: ctx-load, (ctx FIELD), xdp-data/xdp-data-end",
    src: `
(defprog feature (:type :xdp)
  (put 0 (- (ctx-load u32 4) (ctx-load u32 0)))
  (put 1 (- (ctx data-end) (ctx data)))
  (put 2 (- (xdp-data-end) (xdp-data)))
  (put 3 (ctx ingress-ifindex))
  (put 4 (ctx-load u32 12))
  (put 5 (ctx rx-queue-index))
  (put 6 (- (ctx data) (ctx data-meta)))
  XDP_PASS)`,
    check(l) {
      for (const len of [14, 60, 333]) {
        const f = dataFrame(new Uint8Array(len - 14));
        assert.equal(runProg(l, "feature", f, { ctxIn: xdpMd(len) }).retval, XDP_PASS);
        assert.deepEqual(readArray(l, "out", 7), [BigInt(len), BigInt(len), BigInt(len), 1n, 1n, 0n, 0n]);
      }
    },
  },
  {
    name: "TC context: (ctx FIELD), (setf (ctx mark)), ctx-load, (ctx-ptr) to skb-load-bytes",
    src: `
(defprog feature (:type :tc)
  (put 0 (ctx len))
  (put 1 (ctx protocol))
  (put 2 (ctx mark))
  (put 3 (ctx priority))
  (put 4 (ctx-load u32 8))
  (put 5 (- (ctx data-end) (ctx data)))
  (put 6 (ctx ifindex))
  (let ((x 0))
    (put 7 (skb-load-bytes (ctx-ptr) 26 (stack-addr x) 8))
    (put 8 x))
  (setf (ctx mark) (+ (ctx mark) 1))
  (setf (ctx priority) 77)
  (setf (ctx-load u32 48) #x12345678)
  TC_ACT_OK)`,
    check(l) {
      for (const [mark, prio] of [[0, 0], [5, 9], [0xfffffff0, 3]]) {
        const f = udpFrame({ src: "10.1.2.3", dst: "10.4.5.6", sport: 1000 + mark % 7, dport: 53 });
        const r = runProg(l, "feature", f, { ctxIn: skBuff({ mark, priority: prio }) });
        assert.equal(r.retval, TC_ACT_OK);
        const addrs = new DataView(f.buffer).getBigUint64(26, true); // source and destination IPv4 addresses
        assert.deepEqual(readArray(l, "out", 9), [
          BigInt(f.length), 0x0008n /* htons(ETH_P_IP) as the field holds it */, BigInt(mark), BigInt(prio), BigInt(mark),
          BigInt(f.length), 1n, 0n, addrs,
        ]);
        const out = new DataView(r.ctxOut!.buffer, r.ctxOut!.byteOffset);
        assert.equal(out.getUint32(8, true), (mark + 1) >>> 0, "mark written back");
        assert.equal(out.getUint32(32, true), 77, "priority written back");
        assert.equal(out.getUint32(48, true), 0x12345678, "cb[0] written back with ctx-store");
      }
    },
  },
  {
    name: "helpers by name: ktime-get-ns, get-smp-processor-id, get-prandom-u32, xdp-get-buff-len",
    src: `
(defprog feature (:type :xdp)
  (let* ((t1 (ktime-get-ns)) (t2 (ktime-get-ns)))
    (put 0 t1) (put 1 (>= t2 t1)))
  (put 2 (get-smp-processor-id))
  (put 3 (get-prandom-u32))
  (put 4 (xdp-get-buff-len (ctx-ptr)))
  XDP_PASS)`,
    check(l) {
      const ncpu = (() => {
        try {
          return readFileSync("/sys/devices/system/cpu/possible", "utf8").trim().split(",").reduce((n, r) => {
            const [a, b] = r.split("-").map(Number);
            return n + (b === undefined ? 1 : b - a + 1);
          }, 0);
        } catch {
          return 4096;
        }
      })();
      const rand = new Set<bigint>();
      let prev = 0n;
      for (let r = 0; r < 4; r++) {
        assert.equal(runProg(l, "feature", arpFrame()).retval, XDP_PASS);
        const o = readArray(l, "out", 5);
        assert.ok(o[0] > prev, "ktime-get-ns increases across runs");
        prev = o[0];
        assert.equal(o[1], 1n);
        assert.ok(o[2] < BigInt(ncpu), `cpu ${o[2]} < ${ncpu}`);
        assert.ok(o[3] <= 0xffffffffn);
        rand.add(o[3]);
        assert.equal(o[4], BigInt(arpFrame().length));
      }
      assert.ok(rand.size > 1, "get-prandom-u32 varies");
    },
  },
  {
    name: "asm emits the raw instruction (ja +0; r0 = 42 before the compiler's own return)",
    src: `
(defprog feature (:type :xdp)
  (asm #x05 0 0 0 0)
  (put 0 1)
  (asm #xb7 0 0 0 42)
  XDP_PASS)`,
    check(l) {
      assert.equal(runProg(l, "feature", arpFrame()).retval, XDP_PASS);
      assert.deepEqual(readArray(l, "out", 1), [1n]);
    },
  },
];

for (const c of CASES) {
  test(`forms: ${c.name} compiles at -O0 and -O2`, () => {
    for (const opt of LEVELS) compileOk(PRELUDE + c.src, { opt });
  });
  for (const opt of LEVELS) {
    kernelTest(`forms -O${opt}: ${c.name}`, () =>
      maybeBug(`forms -O${opt} ${c.name}`, c.bug, () => withLoaded(PRELUDE + c.src, opt, (l) => c.check(l))));
  }
}

test("forms: asm instructions appear verbatim in the object", () => {
  for (const opt of LEVELS) {
    const r = compileOk(`(defprog feature (:type :xdp) (asm #x05 0 0 0 0) (asm #xb7 0 0 0 42) (asm #x7b 10 1 -8 0) 2)`, { opt });
    const obj = r.object!;
    const find = (bytes: number[]) => obj.some((_, i) => bytes.every((b, j) => obj[i + j] === b));
    assert.ok(find([0x05, 0x00, 0x00, 0x00, 0, 0, 0, 0]), "ja +0");
    assert.ok(find([0xb7, 0x00, 0x00, 0x00, 42, 0, 0, 0]), "r0 = 42");
    assert.ok(find([0x7b, 0x1a, 0xf8, 0xff, 0, 0, 0, 0]), "*(u64 *)(r10 - 8) = r1: dst in the low nibble, src in the high");
  }
});

/** Helper ids as /usr/include/linux/bpf.h's __BPF_FUNC_MAPPER lists them (position = id). */
function headerHelperIds(): Map<string, number> | null {
  const path = ["/usr/include/linux/bpf.h", "/usr/include/x86_64-linux-gnu/linux/bpf.h"].find((p) => existsSync(p));
  if (!path) return null;
  const text = readFileSync(path, "utf8");
  const start = text.indexOf("#define __BPF_FUNC_MAPPER(FN");
  const body = text.slice(start, text.indexOf("\n\n", start));
  const ids = new Map<string, number>();
  [...body.matchAll(/FN\((\w+)(?:,\s*(\d+))?/g)].forEach((m, i) => ids.set(m[1], m[2] ? Number(m[2]) : i));
  return ids;
}

test("forms: helpers by name call the id bpf.h gives them", (t) => {
  const ids = headerHelperIds();
  if (!ids) return t.skip("no linux/bpf.h");
  const calls: [string, string, string][] = [
    ["ktime_get_ns", "(ktime-get-ns)", ":xdp"],
    ["get_prandom_u32", "(get-prandom-u32)", ":xdp"],
    ["get_smp_processor_id", "(get-smp-processor-id)", ":xdp"],
    ["get_current_pid_tgid", "(get-current-pid-tgid)", ":kprobe"],
    ["xdp_adjust_head", "(xdp-adjust-head (ctx-ptr) 0)", ":xdp"],
    ["redirect", "(redirect 1 0)", ":xdp"],
    ["skb_load_bytes", "(let ((x 0)) (skb-load-bytes (ctx-ptr) 0 (stack-addr x) 8))", ":tc"],
    ["trace_printk", "(let ((x 0)) (trace-printk (stack-addr x) 8 1 2 3))", ":kprobe"],
    ["ringbuf_query", "(ringbuf-query rb 0)", ":xdp"],
    ["xdp_load_bytes", "(let ((x 0)) (xdp-load-bytes (ctx-ptr) 0 (stack-addr x) 8))", ":xdp"],
    ["get_current_comm", "(let ((x 0)) (get-current-comm (stack-addr x) 8))", ":kprobe"],
    ["map_lookup_elem", "(if (map-lookup h 1) 1 0)", ":xdp"],
    ["map_update_elem", "(map-update h 1 2 0)", ":xdp"],
    ["map_delete_elem", "(map-delete h 1)", ":xdp"],
    ["tail_call", "(tail-call jt 0)", ":xdp"],
  ];
  for (const [cname, form, type] of calls) {
    const src = `(defmap rb :type :ringbuf :max-entries 4096)
(defmap h :type :hash :key-size 4 :value-size 8 :max-entries 4)
(defmap jt :type :prog-array :key-size 4 :value-size 4 :max-entries 4)
(defprog feature (:type ${type}) ${form} 0)`;
    const r = compileOk(src, { emit: "asm" });
    const want = ids.get(cname);
    assert.ok(want !== undefined, `${cname} in bpf.h`);
    assert.match(r.text!, new RegExp(`call 0x${want!.toString(16)}\\b`), `${form} calls bpf_${cname} (${want})`);
  }
});

test("forms: helper arity is checked against the helper's argument count", () => {
  const bad: [string, RegExp][] = [
    ["(ktime-get-ns 1)", /ktime-get-ns.*takes 0 arguments, got 1/],
    ["(get-prandom-u32 1 2)", /takes 0 arguments, got 2/],
    ["(redirect 1)", /redirect.*takes 2 arguments, got 1/],
    ["(xdp-adjust-head (ctx-ptr) 1 2)", /takes 2 arguments, got 3/],
    ["(trace-printk 1)", /trace-printk.*takes 2 to 5 arguments, got 1/],
    ["(map-lookup h)", /map-lookup.*takes 2 arguments, got 1/],
    ["(map-update h 1)", /map-update.*takes 3 to 4 arguments, got 2/],
  ];
  for (const [form, re] of bad) {
    const r = compile(`(defmap h :type :hash :key-size 4 :value-size 8 :max-entries 4)
(defprog feature (:type :xdp) ${form} 0)`, { files: hostFiles });
    assert.equal(r.ok, false, `${form} must not compile`);
    assert.match(r.diagnostics.map((d) => d.message).join("\n"), re, form);
    assert.equal(r.diagnostics[0].span?.line, 2, `${form}: the error points at the call`);
  }
});

test("forms: -S gives annotated assembly: source lines over the instructions they produced", () => {
  const src = `(defmap counts :type :array :key-size 4 :value-size 8 :max-entries 2)
(defprog annotated (:type :xdp)
  (incf (getmap counts 1))
  (with-tcp (data data-end tcp)
    (when (= (tcp-dst-port tcp) 22)
      (return XDP_DROP)))
  XDP_PASS)`;
  for (const opt of LEVELS) {
    const r = compileOk(src, { opt, emit: "asm", file: "annotated.lisp" });
    const text = r.text!;
    assert.match(text, /\.section\s+"xdp"/);
    assert.match(text, /annotated:.*\d+ instructions/);
    for (const [line, n] of [["(incf (getmap counts 1))", 3], ["(with-tcp (data data-end tcp)", 4], ["(when (= (tcp-dst-port tcp) 22)", 5]] as const) {
      assert.ok(text.includes(`; ${line}  [annotated.lisp:${n}]`), `-S shows source line ${n}: ${line}\n${text}`);
    }
    // Instructions: the map lookup call, the atomic add, the port compare against 22, exits.
    assert.match(text, /call 0x1\b/);
    assert.match(text, /lock \*\(u64 \*\)|atomic|xadd/i);
    // Port 22: either ntohs(port) against 0x16, or (after instcombine) the raw big-endian
    // field against the byte-swapped constant 0x1600.
    assert.match(text, /[=!]= 0x16\b|[=!]= 0x1600\b/);
    assert.match(text, /\bexit\b/);
    // Each instruction line is numbered in order.
    const nums = [...text.matchAll(/^\s*(\d+):\t/gm)].map((m) => Number(m[1]));
    assert.ok(nums.length > 10 && nums.every((x, i) => i === 0 || x > nums[i - 1]), "increasing instruction numbers");
  }
});

