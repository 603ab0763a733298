// Arithmetic, comparison, narrowing, cast, log2 and byte-order forms (SPEC §3/§4) run in the
// kernel and checked against a BigInt model of the semantics: u64 wraparound, unsigned
// / mod >> and comparisons, signed >>> and s<…, x/0 = 0 and x mod 0 = x, storage narrowing,
// sign extension of signed reads. Each case is one XDP program writing its results to the
// array map `out`. Inputs a, b, c are read from the packet (so nothing can be folded) and
// the same expressions are also compiled with a, b, c bound to literals (so the constant
// folder must give the same answers). Every case runs at -O0 and -O2.

import { test } from "node:test";
import assert from "node:assert/strict";
import { kernelTest, type Loaded } from "../kernel.ts";
import { compileOk } from "../compile_util.ts";
import { I64, inputVectors, type Level, LEVELS, maybeBug, readArray, rng, runWith, U64, withLoaded, XDP_PASS } from "./util.ts";

type Model = (a: bigint, b: bigint, c: bigint) => bigint;
type Variant = "run time" | "folded";
/** A known compiler bug affecting a case at one level/variant (all when left out). */
interface Bug { reason: string; opt?: Level; variant?: Variant; stage: "compile" | "kernel" }
interface Case { name: string; exprs: [string, Model][]; bug?: Bug }


const M64 = (1n << 64n) - 1n;
const sext = (v: bigint, bits: number) => U64(BigInt.asIntN(bits, v));
const zext = (v: bigint, bits: number) => BigInt.asUintN(bits, v);
const b_ = (x: boolean) => (x ? 1n : 0n);
const udiv = (x: bigint, y: bigint) => (y === 0n ? 0n : x / y);
const umod = (x: bigint, y: bigint) => (y === 0n ? x : x % y);
const ashr = (x: bigint, n: bigint) => U64(I64(x) >> n);
const log2 = (x: bigint) => (x === 0n ? 0n : BigInt(x.toString(2).length - 1));
function bswap(x: bigint, bits: number): bigint {
  let v = zext(x, bits), r = 0n;
  for (let i = 0; i < bits / 8; i++) {
    r = (r << 8n) | (v & 0xffn);
    v >>= 8n;
  }
  return r;
}

const CASES: Case[] = [
  {
    name: "+ (n-ary, wrapping)",
    exprs: [
      ["(+ a b)", (a, b) => U64(a + b)],
      ["(+ a b c)", (a, b, c) => U64(a + b + c)],
      ["(+ a 1)", (a) => U64(a + 1n)],
      ["(+ a #xffffffffffffffff)", (a) => U64(a - 1n)],
      ["(+ a #x80000000)", (a) => U64(a + 0x80000000n)],
      ["(+ a #xffffffff)", (a) => U64(a + 0xffffffffn)],
      ["(+ a -5)", (a) => U64(a - 5n)],
      ["(+)", () => 0n],
      ["(+ a)", (a) => a],
    ],
  },
  {
    name: "- (negation, n-ary, wrapping)",
    exprs: [
      ["(- a b)", (a, b) => U64(a - b)],
      ["(- a)", (a) => U64(-a)],
      ["(- a b c)", (a, b, c) => U64(a - b - c)],
      ["(- 0 a)", (a) => U64(-a)],
      ["(- a #x80000000)", (a) => U64(a - 0x80000000n)],
      ["(- a -1)", (a) => U64(a + 1n)],
      ["(- a #x100000000)", (a) => U64(a - 0x100000000n)],
    ],
  },
  {
    name: "* (n-ary, wrapping)",
    exprs: [
      ["(* a b)", (a, b) => U64(a * b)],
      ["(* a b c)", (a, b, c) => U64(a * b * c)],
      ["(* a 3)", (a) => U64(a * 3n)],
      ["(* a #x100000001)", (a) => U64(a * 0x100000001n)],
      ["(* a #xffffffff)", (a) => U64(a * 0xffffffffn)],
      ["(* a -1)", (a) => U64(-a)],
      ["(*)", () => 1n],
    ],
  },
  {
    name: "/ (unsigned, x/0 = 0)",
    exprs: [
      ["(/ a b)", (a, b) => udiv(a, b)],
      ["(/ a b c)", (a, b, c) => udiv(udiv(a, b), c)],
      ["(/ a 7)", (a) => a / 7n],
      ["(/ a #x80000000)", (a) => a / 0x80000000n],
      ["(/ a #xffffffff)", (a) => a / 0xffffffffn],
      ["(/ a #xffffffffffffffff)", (a) => a / M64],
      ["(/ a -2)", (a) => a / (M64 - 1n)],
      ["(/ a (logand b 15))", (a, b) => udiv(a, b & 15n)],
      ["(/ (logand a #xffffffff) (logand b #xffffffff))", (a, b) => udiv(a & 0xffffffffn, b & 0xffffffffn)],
    ],
  },
  {
    name: "mod (unsigned, x mod 0 = x)",
    exprs: [
      ["(mod a b)", (a, b) => umod(a, b)],
      ["(mod a 10)", (a) => a % 10n],
      ["(mod a #x80000000)", (a) => a % 0x80000000n],
      ["(mod a #xfffffffff)", (a) => a % 0xfffffffffn],
      ["(mod a -3)", (a) => a % (M64 - 2n)],
      ["(mod a (logand b 7))", (a, b) => umod(a, b & 7n)],
      ["(mod (logand a #xffffffff) (logand b #xffffffff))", (a, b) => umod(a & 0xffffffffn, b & 0xffffffffn)],
    ],
  },
  {
    name: "logand logior logxor lognot",
    exprs: [
      ["(logand a b)", (a, b) => a & b],
      ["(logior a b)", (a, b) => a | b],
      ["(logxor a b)", (a, b) => a ^ b],
      ["(lognot a)", (a) => U64(~a)],
      ["(logand a b c)", (a, b, c) => a & b & c],
      ["(logior a b c)", (a, b, c) => a | b | c],
      ["(logand a #xffffffff)", (a) => a & 0xffffffffn],
      ["(logand a #x80000000)", (a) => a & 0x80000000n],
      ["(logior a #x80000000)", (a) => a | 0x80000000n],
      ["(logxor a #xffffffff00000000)", (a) => a ^ 0xffffffff00000000n],
      ["(logxor a -1)", (a) => U64(~a)],
      ["(logand)", () => M64],
      ["(logior)", () => 0n],
    ],
  },
  {
    name: "<< >> >>> ash",
    exprs: [
      ["(<< a (logand b 63))", (a, b) => U64(a << (b & 63n))],
      ["(>> a (logand b 63))", (a, b) => a >> (b & 63n)],
      ["(>>> a (logand b 63))", (a, b) => ashr(a, b & 63n)],
      ["(<< a 63)", (a) => U64(a << 63n)],
      ["(<< a 32)", (a) => U64(a << 32n)],
      ["(>> a 32)", (a) => a >> 32n],
      ["(>> a 1)", (a) => a >> 1n],
      ["(>>> a 1)", (a) => ashr(a, 1n)],
      ["(>>> a 63)", (a) => ashr(a, 63n)],
      ["(>>> a 31)", (a) => ashr(a, 31n)],
      ["(ash a 3)", (a) => U64(a << 3n)],
      ["(ash a -3)", (a) => ashr(a, 3n)],
      ["(<< a 0)", (a) => a],
    ],
  },
  {
    name: "unsigned comparisons",
    exprs: [
      ["(= a b)", (a, b) => b_(a === b)],
      ["(/= a b)", (a, b) => b_(a !== b)],
      ["(> a b)", (a, b) => b_(a > b)],
      ["(>= a b)", (a, b) => b_(a >= b)],
      ["(< a b)", (a, b) => b_(a < b)],
      ["(<= a b)", (a, b) => b_(a <= b)],
      ["(= a a)", () => 1n],
      ["(> a #xffffffff)", (a) => b_(a > 0xffffffffn)],
      ["(< a #x80000000)", (a) => b_(a < 0x80000000n)],
      ["(<= a -1)", () => 1n],
      ["(> a -2)", (a) => b_(a > M64 - 1n)],
      ["(= (logand a #xffffffff) #xffffffff)", (a) => b_((a & 0xffffffffn) === 0xffffffffn)],
      ["(< (logand a #xff) (logand b #xff))", (a, b) => b_((a & 0xffn) < (b & 0xffn))],
    ],
  },
  {
    name: "constants on the left and immediates that do not fit 32 bits",
    exprs: [
      ["(- 5 a)", (a) => U64(5n - a)],
      ["(/ 100 a)", (a) => udiv(100n, a)],
      ["(mod 100 a)", (a) => umod(100n, a)],
      ["(<< 1 (logand a 63))", (a) => U64(1n << (a & 63n))],
      ["(>> #x8000000000000000 (logand a 63))", (a) => (1n << 63n) >> (a & 63n)],
      ["(>>> -256 (logand a 63))", (a) => ashr(U64(-256n), a & 63n)],
      ["(< 5 a)", (a) => b_(5n < a)],
      ["(>= #xffffffff a)", (a) => b_(0xffffffffn >= a)],
      ["(= 0 a)", (a) => b_(a === 0n)],
      ["(s> -1 a)", (a) => b_(-1n > I64(a))],
      ["(s<= #x80000000 a)", (a) => b_(0x80000000n <= I64(a))],
      ["(= a #x100000000)", (a) => b_(a === 0x100000000n)],
      ["(< a #xffffffff80000000)", (a) => b_(a < 0xffffffff80000000n)],
      ["(s< a #xffffffff80000000)", (a) => b_(I64(a) < -0x80000000n)],
      ["(> a #x7fffffff)", (a) => b_(a > 0x7fffffffn)],
      ["(+ a #x123456789a)", (a) => U64(a + 0x123456789an)],
      ["(logand a #xfffffffff0)", (a) => a & 0xfffffffff0n],
      ["(* a #x7fffffff)", (a) => U64(a * 0x7fffffffn)],
      ["(- #x100000000 a)", (a) => U64(0x100000000n - a)],
      ["(if (> a 10) (- a 10) (+ a #xffffffff00000000))", (a) => (a > 10n ? a - 10n : U64(a + 0xffffffff00000000n))],
    ],
  },
  {
    name: "signed comparisons",
    exprs: [
      ["(s< a b)", (a, b) => b_(I64(a) < I64(b))],
      ["(s<= a b)", (a, b) => b_(I64(a) <= I64(b))],
      ["(s> a b)", (a, b) => b_(I64(a) > I64(b))],
      ["(s>= a b)", (a, b) => b_(I64(a) >= I64(b))],
      ["(s< a 0)", (a) => b_(I64(a) < 0n)],
      ["(s> a -1)", (a) => b_(I64(a) > -1n)],
      ["(s>= a #x80000000)", (a) => b_(I64(a) >= 0x80000000n)],
      ["(s< a #xffffffff)", (a) => b_(I64(a) < 0xffffffffn)],
      ["(s<= a #x7fffffffffffffff)", () => 1n],
      ["(if (s< a b) a b)", (a, b) => (I64(a) < I64(b) ? a : b)],
    ],
  },
  {
    name: "not and or (values as in Common Lisp)",
    exprs: [
      ["(not a)", (a) => b_(a === 0n)],
      ["(not (= a b))", (a, b) => b_(a !== b)],
      ["(and a b)", (a, b) => (a !== 0n ? b : 0n)],
      ["(and a b c)", (a, b, c) => (a !== 0n && b !== 0n ? c : 0n)],
      ["(or a b)", (a, b) => (a !== 0n ? a : b)],
      ["(or (logand a 1) b c)", (a, b, c) => ((a & 1n) !== 0n ? a & 1n : b !== 0n ? b : c)],
      ["(and)", () => 1n],
      ["(or)", () => 0n],
      ["(if (and (> a b) (< b c)) 7 9)", (a, b, c) => (a > b && b < c ? 7n : 9n)],
      ["(if (or (= a 0) (> b c)) 7 9)", (a, b, c) => (a === 0n || b > c ? 7n : 9n)],
    ],
  },
  {
    name: "storage narrowing into typed variables",
    exprs: [
      ["(let ((x u8 a)) x)", (a) => zext(a, 8)],
      ["(let ((x u16 a)) x)", (a) => zext(a, 16)],
      ["(let ((x u32 a)) x)", (a) => zext(a, 32)],
      ["(let ((x u64 a)) x)", (a) => a],
      ["(let ((x i8 a)) x)", (a) => sext(a, 8)],
      ["(let ((x i16 a)) x)", (a) => sext(a, 16)],
      ["(let ((x i32 a)) x)", (a) => sext(a, 32)],
      ["(let ((x i64 a)) x)", (a) => a],
      ["(let ((x u8 300)) x)", () => 44n],
      ["(let ((x i8 200)) x)", () => U64(-56n)],
      ["(let ((x a)) (declare (type u16 x)) x)", (a) => zext(a, 16)],
      ["(let ((x u8 0)) (setf x (+ a 300)) x)", (a) => zext(a + 300n, 8)],
      ["(let* ((x i16 a) (y (+ x 1))) y)", (a) => U64(sext(a, 16) + 1n)],
    ],
  },
  {
    name: "arithmetic on narrow values stays 64-bit",
    exprs: [
      ["(let ((x u32 a) (y u32 b)) (+ x y))", (a, b) => zext(a, 32) + zext(b, 32)],
      ["(let ((x u32 a) (y u32 b)) (- x y))", (a, b) => U64(zext(a, 32) - zext(b, 32))],
      ["(let ((x u32 a) (y u32 b)) (* x y))", (a, b) => zext(a, 32) * zext(b, 32)],
      ["(let ((x u32 a)) (<< x 8))", (a) => zext(a, 32) << 8n],
      ["(let ((x u8 a)) (+ x 255))", (a) => zext(a, 8) + 255n],
      ["(let ((x u16 a) (y u16 b)) (> (+ x y) #xffff))", (a, b) => b_(zext(a, 16) + zext(b, 16) > 0xffffn)],
      ["(let ((x i32 a) (y i32 b)) (< x y))", (a, b) => b_(sext(a, 32) < sext(b, 32))],
      ["(let ((x i32 a) (y i32 b)) (s< x y))", (a, b) => b_(I64(sext(a, 32)) < I64(sext(b, 32)))],
      ["(let ((x i32 a)) (>> x 4))", (a) => sext(a, 32) >> 4n],
      ["(let ((x i32 a)) (/ x 3))", (a) => sext(a, 32) / 3n],
      ["(let ((x u32 a)) (= x #xffffffff))", (a) => b_(zext(a, 32) === 0xffffffffn)],
      ["(let ((x i32 a)) (= x #xffffffff))", () => 0n],
      ["(let ((x i32 a)) (= x -1))", (a) => b_(zext(a, 32) === 0xffffffffn)],
      ["(let ((x u32 a)) (lognot x))", (a) => U64(~zext(a, 32))],
      ["(let ((x u32 a)) (- x))", (a) => U64(-zext(a, 32))],
    ],
  },
  {
    name: "cast (truncation, sign extension for signed types)",
    exprs: [
      ["(cast u8 a)", (a) => zext(a, 8)],
      ["(cast u16 a)", (a) => zext(a, 16)],
      ["(cast u32 a)", (a) => zext(a, 32)],
      ["(cast u64 a)", (a) => a],
      ["(cast i8 a)", (a) => sext(a, 8)],
      ["(cast i16 a)", (a) => sext(a, 16)],
      ["(cast i32 a)", (a) => sext(a, 32)],
      ["(cast i64 a)", (a) => a],
      ["(cast i8 (+ a b))", (a, b) => sext(a + b, 8)],
      ["(cast u32 (- a b))", (a, b) => zext(a - b, 32)],
      ["(>>> (cast i16 a) 4)", (a) => ashr(sext(a, 16), 4n)],
    ],
  },
  {
    name: "loads: signed types sign-extend, unsigned zero-extend",
    exprs: [
      ["(load u8 data 14)", (a) => zext(a, 8)],
      ["(load i8 data 14)", (a) => sext(a, 8)],
      ["(load i16 data 14)", (a) => sext(a, 16)],
      ["(load i32 data 14)", (a) => sext(a, 32)],
      ["(load i64 data 14)", (a) => a],
      ["(load u8 data 15)", (a) => (a >> 8n) & 0xffn],
      ["(load u16 data 17)", (a) => (a >> 24n) & 0xffffn],
      ["(load u32 data 20)", (a, b) => (a >> 48n) | ((b & 0xffffn) << 16n)],
      ["(load i8 data 21)", (a) => sext(a >> 56n, 8)],
      ["(let ((x i16 (load u16 data 14))) x)", (a) => sext(a, 16)],
    ],
  },
  {
    name: "log2 (floor, 0 for 0)",
    exprs: [
      ["(log2 a)", (a) => log2(a)],
      ["(log2 b)", (_a, b) => log2(b)],
      ["(log2 (logand a #xff))", (a) => log2(a & 0xffn)],
      ["(log2 (>> a 40))", (a) => log2(a >> 40n)],
    ],
  },
  {
    name: "log2 of constants",
    exprs: [
      ["(log2 0)", () => 0n],
      ["(log2 1)", () => 0n],
      ["(log2 #xffffffff)", () => 31n],
      ["(log2 #x8000000000000000)", () => 63n],
    ],
  },
  {
    name: "ntohs ntohl ntohll htons htonl htonll",
    exprs: [
      ["(ntohs a)", (a) => bswap(a, 16)],
      ["(ntohl a)", (a) => bswap(a, 32)],
      ["(ntohll a)", (a) => bswap(a, 64)],
      ["(htons a)", (a) => bswap(a, 16)],
      ["(htonl a)", (a) => bswap(a, 32)],
      ["(htonll a)", (a) => bswap(a, 64)],
      ["(ntohs (load u16 data 14))", (a) => bswap(a, 16)],
      ["(ntohl (load u32 data 14))", (a) => bswap(a, 32)],
      ["(ntohll (htonll a))", (a) => a],
      ["(ntohs #x1234)", () => 0x3412n],
    ],
  },
];

/** Input vectors: hand-picked edges (zero divisors, sign bits, 32-bit boundaries) plus random. */
function vectors(): bigint[][] {
  const next = rng(0xfeedn);
  const edges: bigint[][] = [
    [0x0123456789abcdefn, 0n, 0n],
    [0n, 0xfedcba9876543210n, 1n],
    [M64, M64, M64],
    [1n << 63n, M64, 1n << 63n],
    [0x80000000n, 0xffffffffn, 0x7fffffffn],
    [M64, 1n, 0n],
    [0xffn, 0x80n, 0x7fn],
    [0x80n, 0x100000000n, 64n],
    [0x7fffffffffffffffn, 0x8000000000000000n, 3n],
    [0xffff8000n, 0x7fffn, 0xffffffff80000000n],
  ];
  const rand = inputVectors(3, 6, 0xabcdn).slice(-6);
  const more = Array.from({ length: 2 }, () => [next(), next() >> 40n, next()]);
  return [...edges, ...rand, ...more];
}
const VECTORS = vectors();

const lit = (v: bigint) => `#x${v.toString(16)}`;

/** The program: results of the expressions in out[0..n). Inputs from the packet or literals. */
function program(c: Case, literals?: bigint[]): string {
  const binds = literals
    ? literals.map((v, i) => `(${"abc"[i]} ${lit(v)})`).join(" ")
    : "(a (load u64 data 14)) (b (load u64 data 22)) (c (load u64 data 30))";
  return `
(defmap out :type :array :key-size 4 :value-size 8 :max-entries ${c.exprs.length})
(defprog feature (:type :xdp)
  (with-packet (data data-end :min-len 38)
    (let (${binds})
      ${c.exprs.map(([e], i) => `(setf (getmap out ${i}) ${e})`).join("\n      ")}))
  XDP_PASS)`;
}

function check(l: Loaded, c: Case, v: bigint[], what: string): void {
  assert.equal(runWith(l, "feature", v), XDP_PASS);
  const got = readArray(l, "out", c.exprs.length);
  const want = c.exprs.map(([, m]) => U64(m(v[0], v[1], v[2])));
  const bad = c.exprs.map(([e], i) => (got[i] === want[i] ? "" : `  ${e}: got 0x${got[i].toString(16)}, want 0x${want[i].toString(16)}`)).filter(Boolean);
  assert.equal(bad.length, 0, `${what} with a=0x${v[0].toString(16)} b=0x${v[1].toString(16)} c=0x${v[2].toString(16)}:\n${bad.join("\n")}`);
}

const bugFor = (c: Case, opt: Level, variant: Variant): Bug | undefined =>
  c.bug && (!c.bug.opt || c.bug.opt === opt) && (!c.bug.variant || c.bug.variant === variant) ? c.bug : undefined;

for (const c of CASES) {
  test(`arith: ${c.name} compiles at -O0 and -O2`, async () => {
    for (const opt of LEVELS) {
      for (const variant of ["run time", "folded"] as Variant[]) {
        const bug = bugFor(c, opt, variant);
        await maybeBug(`arith -O${opt} ${c.name} (${variant}, compile)`, bug?.stage === "compile" ? bug.reason : undefined, () => {
          compileOk(program(c, variant === "folded" ? VECTORS[4] : undefined), { opt });
        });
      }
    }
  });
  for (const opt of LEVELS) {
    const run = bugFor(c, opt, "run time"), folded = bugFor(c, opt, "folded");
    kernelTest(`arith -O${opt}: ${c.name} — run-time inputs`, () =>
      maybeBug(`arith -O${opt} ${c.name} (run time)`, run?.reason, () =>
        withLoaded(program(c), opt, (l) => {
          for (const v of VECTORS) check(l, c, v, `-O${opt} run time`);
        })));
    kernelTest(`arith -O${opt}: ${c.name} — literal inputs (constant folding)`, () =>
      maybeBug(`arith -O${opt} ${c.name} (folded)`, folded?.reason, async () => {
        for (const v of [VECTORS[0], VECTORS[4], VECTORS[VECTORS.length - 1]]) {
          await withLoaded(program(c, v), opt, (l) => check(l, c, v, `-O${opt} folded`));
        }
      }));
  }
}
