// Numeric builtins: integers are bigint (arbitrary precision, capped in size), floats JS numbers;
// ratios are not supported (an inexact integer division is an error).

import { Cons, type Datum, NIL, T } from "../sexp.ts";
import { type BuiltinRow, bool } from "./check.ts";
import type { Interp } from "./interp.ts";

type Num = bigint | number;
/** Largest integer the interpreter will build, in bits. */
export const MAX_INT_BITS = 100_000;

export function num(ip: Interp, x: Datum, who: string): Num {
  if (typeof x === "bigint" || typeof x === "number") return x;
  return ip.typeError(who, "a number", x);
}

export function int(ip: Interp, x: Datum, who: string): bigint {
  if (typeof x === "bigint") return x;
  return ip.typeError(who, "an integer", x);
}

/** A non-negative JS index from an integer argument. */
export function index(ip: Interp, x: Datum, who: string): number {
  if (typeof x === "bigint" && x >= 0n && x <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(x);
  return ip.typeError(who, "a non-negative integer", x);
}

const bits = (x: bigint): number => (x < 0n ? -x : x).toString(16).length * 4;

function checkSize(ip: Interp, x: bigint): bigint {
  if ((x > 0xffffffffffffn || x < -0xffffffffffffn) && bits(x) > MAX_INT_BITS) {
    ip.fail(`Integer too large (more than ${MAX_INT_BITS} bits)`, "ARITHMETIC-ERROR");
  }
  return x;
}

export function numAdd(ip: Interp, a: Datum, b: Datum, who: string): Num {
  const x = num(ip, a, who), y = num(ip, b, who);
  if (typeof x === "bigint" && typeof y === "bigint") return checkSize(ip, x + y);
  return Number(x) + Number(y);
}

export function numSub(ip: Interp, a: Datum, b: Datum, who: string): Num {
  const x = num(ip, a, who), y = num(ip, b, who);
  if (typeof x === "bigint" && typeof y === "bigint") return checkSize(ip, x - y);
  return Number(x) - Number(y);
}

export function numMul(ip: Interp, a: Datum, b: Datum, who: string): Num {
  const x = num(ip, a, who), y = num(ip, b, who);
  if (typeof x === "bigint" && typeof y === "bigint") {
    if ((x > 0xffffffffn || x < -0xffffffffn) && (y > 0xffffffffn || y < -0xffffffffn) && bits(x) + bits(y) > MAX_INT_BITS + 8) {
      ip.fail(`Integer too large (more than ${MAX_INT_BITS} bits)`, "ARITHMETIC-ERROR");
    }
    return x * y;
  }
  return Number(x) * Number(y);
}

function divide(ip: Interp, a: Datum, b: Datum): Num {
  const x = num(ip, a, "/"), y = num(ip, b, "/");
  if (typeof x === "bigint" && typeof y === "bigint") {
    if (y === 0n) ip.fail("Division by zero", "DIVISION-BY-ZERO");
    if (x % y !== 0n) ip.fail(`Ratios are not supported: ${x}/${y} is not an integer (use FLOOR or TRUNCATE)`, "ARITHMETIC-ERROR");
    return x / y;
  }
  if (Number(y) === 0) ip.fail("Division by zero", "DIVISION-BY-ZERO");
  return Number(x) / Number(y);
}

/** -1, 0 or 1. */
export function numCompare(ip: Interp, a: Datum, b: Datum, who: string): number {
  const x = num(ip, a, who), y = num(ip, b, who);
  return x < y ? -1 : x > y ? 1 : 0;
}

type Rounding = "floor" | "ceiling" | "truncate" | "round";

function toInteger(ip: Interp, f: number, who: string): bigint {
  if (!Number.isFinite(f)) ip.fail(`Function "${who}" cannot convert ${f} to an integer`, "ARITHMETIC-ERROR");
  return BigInt(f);
}

/** Quotient and remainder for floor/ceiling/truncate/round. */
export function divRound(ip: Interp, mode: Rounding, a: Datum, b: Datum, who: string): [bigint, Num] {
  const x = num(ip, a, who), y = num(ip, b, who);
  if (typeof x === "bigint" && typeof y === "bigint") {
    if (y === 0n) ip.fail("Division by zero", "DIVISION-BY-ZERO");
    let q = x / y;
    const r = x - q * y;
    if (r !== 0n) {
      const negative = (x < 0n) !== (y < 0n);
      if (mode === "floor" && negative) q -= 1n;
      else if (mode === "ceiling" && !negative) q += 1n;
      else if (mode === "round") {
        const twice = 2n * (r < 0n ? -r : r);
        const ay = y < 0n ? -y : y;
        if (twice > ay || (twice === ay && q % 2n !== 0n)) q += negative ? -1n : 1n;
      }
    }
    return [q, x - q * y];
  }
  const fx = Number(x), fy = Number(y);
  if (fy === 0) ip.fail("Division by zero", "DIVISION-BY-ZERO");
  const d = fx / fy;
  let q: number;
  if (mode === "floor") q = Math.floor(d);
  else if (mode === "ceiling") q = Math.ceil(d);
  else if (mode === "truncate") q = Math.trunc(d);
  else {
    q = Math.round(d);
    if (Math.abs(d % 1) === 0.5 && q % 2 !== 0) q -= 1;
  }
  return [toInteger(ip, q, who), fx - q * fy];
}

function rounding(name: string, mode: Rounding): BuiltinRow {
  return [name, 1, 2, (ip, [a, b]) => {
    const [q, r] = divRound(ip, mode, a, b ?? 1n, name);
    ip.mv = [q, r];
    return q;
  }, true];
}

function compareChain(name: string, ok: (c: number) => boolean): BuiltinRow {
  return [name, 1, Infinity, (ip, args) => {
    for (let i = 0; i + 1 < args.length; i++) if (!ok(numCompare(ip, args[i], args[i + 1], name))) return NIL;
    if (args.length === 1) num(ip, args[0], name);
    return T;
  }];
}


function shift(ip: Interp, n: bigint, count: bigint): bigint {
  if (count > 0n) {
    if (n !== 0n && BigInt(bits(n)) + count > BigInt(MAX_INT_BITS)) ip.fail(`Integer too large (more than ${MAX_INT_BITS} bits)`, "ARITHMETIC-ERROR");
    return n << count;
  }
  if (-count > BigInt(MAX_INT_BITS) * 2n) return n < 0n ? -1n : 0n;
  return n >> -count;
}

function expt(ip: Interp, base: Datum, power: Datum): Num {
  const b = num(ip, base, "EXPT"), p = num(ip, power, "EXPT");
  if (typeof b === "bigint" && typeof p === "bigint") {
    if (p < 0n) {
      if (b === 1n) return 1n;
      if (b === -1n) return p % 2n === 0n ? 1n : -1n;
      return ip.fail(`Ratios are not supported: (EXPT ${b} ${p}) is not an integer`, "ARITHMETIC-ERROR");
    }
    if (b === 0n || b === 1n) return p === 0n ? 1n : b;
    if (b === -1n) return p % 2n === 0n ? 1n : -1n;
    if (BigInt(bits(b) - 3) * p > BigInt(MAX_INT_BITS)) ip.fail(`Integer too large (more than ${MAX_INT_BITS} bits)`, "ARITHMETIC-ERROR");
    return b ** p;
  }
  return Number(b) ** Number(p);
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  while (x * x > n) x -= 1n;
  while ((x + 1n) * (x + 1n) <= n) x += 1n;
  return x;
}

const gcd = (a: bigint, b: bigint): bigint => {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
};

function byteSpec(ip: Interp, spec: Datum, who: string): [bigint, bigint] {
  if (spec instanceof Cons && typeof spec.car === "bigint" && typeof spec.cdr === "bigint") return [spec.car, spec.cdr];
  return ip.typeError(who, "a byte specifier (BYTE size position)", spec);
}

export const NUM_BUILTINS: readonly BuiltinRow[] = Object.freeze([
  ["+", 0, Infinity, (ip, args) => args.reduce<Datum>((a, b) => numAdd(ip, a, b, "+"), 0n)],
  ["*", 0, Infinity, (ip, args) => args.reduce<Datum>((a, b) => numMul(ip, a, b, "*"), 1n)],
  ["-", 1, Infinity, (ip, args) =>
    args.length === 1 ? numSub(ip, 0n, args[0], "-") : args.slice(1).reduce<Datum>((a, b) => numSub(ip, a, b, "-"), args[0])],
  ["/", 1, Infinity, (ip, args) =>
    args.length === 1 ? divide(ip, 1n, args[0]) : args.slice(1).reduce<Datum>((a, b) => divide(ip, a, b), args[0])],
  ["1+", 1, 1, (ip, [a]) => numAdd(ip, a, 1n, "1+")],
  ["1-", 1, 1, (ip, [a]) => numSub(ip, a, 1n, "1-")],
  rounding("FLOOR", "floor"),
  rounding("CEILING", "ceiling"),
  rounding("TRUNCATE", "truncate"),
  rounding("ROUND", "round"),
  ["MOD", 2, 2, (ip, [a, b]) => divRound(ip, "floor", a, b, "MOD")[1]],
  ["REM", 2, 2, (ip, [a, b]) => divRound(ip, "truncate", a, b, "REM")[1]],
  ["=", 1, Infinity, (ip, args) => {
    for (let i = 0; i + 1 < args.length; i++) if (numCompare(ip, args[i], args[i + 1], "=") !== 0) return NIL;
    num(ip, args[0], "=");
    return T;
  }],
  ["/=", 1, Infinity, (ip, args) => {
    for (let i = 0; i < args.length; i++) {
      for (let j = i + 1; j < args.length; j++) if (numCompare(ip, args[i], args[j], "/=") === 0) return NIL;
    }
    num(ip, args[0], "/=");
    return T;
  }],
  compareChain("<", (c) => c < 0),
  compareChain(">", (c) => c > 0),
  compareChain("<=", (c) => c <= 0),
  compareChain(">=", (c) => c >= 0),
  ["MIN", 1, Infinity, (ip, args) => args.reduce((a, b) => (numCompare(ip, b, a, "MIN") < 0 ? b : a))],
  ["MAX", 1, Infinity, (ip, args) => args.reduce((a, b) => (numCompare(ip, b, a, "MAX") > 0 ? b : a))],
  ["ABS", 1, 1, (ip, [a]) => {
    const x = num(ip, a, "ABS");
    return typeof x === "bigint" ? (x < 0n ? -x : x) : Math.abs(x);
  }],
  ["SIGNUM", 1, 1, (ip, [a]) => {
    const x = num(ip, a, "SIGNUM");
    return typeof x === "bigint" ? (x > 0n ? 1n : x < 0n ? -1n : 0n) : Math.sign(x);
  }],
  ["EXPT", 2, 2, (ip, [a, b]) => expt(ip, a, b)],
  ["SQRT", 1, 1, (ip, [a]) => Math.sqrt(Number(num(ip, a, "SQRT")))],
  ["ISQRT", 1, 1, (ip, [a]) => {
    const n = int(ip, a, "ISQRT");
    if (n < 0n) ip.typeError("ISQRT", "a non-negative integer", a);
    return isqrt(n);
  }],
  ["EXP", 1, 1, (ip, [a]) => Math.exp(Number(num(ip, a, "EXP")))],
  ["LOG", 1, 2, (ip, [a, b]) => {
    const x = Math.log(Number(num(ip, a, "LOG")));
    return b === undefined ? x : x / Math.log(Number(num(ip, b, "LOG")));
  }],
  ["FLOAT", 1, 2, (ip, [a]) => Number(num(ip, a, "FLOAT"))],
  ["GCD", 0, Infinity, (ip, args) => args.reduce<bigint>((a, b) => gcd(a, int(ip, b, "GCD")), 0n)],
  ["LCM", 0, Infinity, (ip, args) => args.reduce<bigint>((a, b) => {
    const y = int(ip, b, "LCM");
    if (a === 0n || y === 0n) return 0n;
    const l = (a * y) / gcd(a, y);
    return l < 0n ? -l : l;
  }, 1n)],
  ["ZEROP", 1, 1, (ip, [a]) => bool(numCompare(ip, a, 0n, "ZEROP") === 0)],
  ["PLUSP", 1, 1, (ip, [a]) => bool(numCompare(ip, a, 0n, "PLUSP") > 0)],
  ["MINUSP", 1, 1, (ip, [a]) => bool(numCompare(ip, a, 0n, "MINUSP") < 0)],
  ["EVENP", 1, 1, (ip, [a]) => bool(int(ip, a, "EVENP") % 2n === 0n)],
  ["ODDP", 1, 1, (ip, [a]) => bool(int(ip, a, "ODDP") % 2n !== 0n)],
  ["INTEGERP", 1, 1, (_ip, [a]) => bool(typeof a === "bigint")],
  ["RATIONALP", 1, 1, (_ip, [a]) => bool(typeof a === "bigint")],
  ["NUMBERP", 1, 1, (_ip, [a]) => bool(typeof a === "bigint" || typeof a === "number")],
  ["REALP", 1, 1, (_ip, [a]) => bool(typeof a === "bigint" || typeof a === "number")],
  ["FLOATP", 1, 1, (_ip, [a]) => bool(typeof a === "number")],
  ["ASH", 2, 2, (ip, [a, b]) => shift(ip, int(ip, a, "ASH"), int(ip, b, "ASH"))],
  ["LOGAND", 0, Infinity, (ip, args) => args.reduce<bigint>((a, b) => a & int(ip, b, "LOGAND"), -1n)],
  ["LOGIOR", 0, Infinity, (ip, args) => args.reduce<bigint>((a, b) => a | int(ip, b, "LOGIOR"), 0n)],
  ["LOGXOR", 0, Infinity, (ip, args) => args.reduce<bigint>((a, b) => a ^ int(ip, b, "LOGXOR"), 0n)],
  ["LOGNOT", 1, 1, (ip, [a]) => ~int(ip, a, "LOGNOT")],
  ["LOGANDC2", 2, 2, (ip, [a, b]) => int(ip, a, "LOGANDC2") & ~int(ip, b, "LOGANDC2")],
  ["LOGTEST", 2, 2, (ip, [a, b]) => bool((int(ip, a, "LOGTEST") & int(ip, b, "LOGTEST")) !== 0n)],
  ["LOGBITP", 2, 2, (ip, [i, n]) => bool(((int(ip, n, "LOGBITP") >> BigInt(index(ip, i, "LOGBITP"))) & 1n) === 1n)],
  ["LOGCOUNT", 1, 1, (ip, [a]) => {
    let n = int(ip, a, "LOGCOUNT");
    if (n < 0n) n = ~n;
    return BigInt([...n.toString(2)].filter((c) => c === "1").length);
  }],
  ["INTEGER-LENGTH", 1, 1, (ip, [a]) => {
    let n = int(ip, a, "INTEGER-LENGTH");
    if (n < 0n) n = ~n;
    return n === 0n ? 0n : BigInt(n.toString(2).length);
  }],
  ["BYTE", 2, 2, (ip, [s, p]) => new Cons(int(ip, s, "BYTE"), int(ip, p, "BYTE"))],
  ["LDB", 2, 2, (ip, [spec, n]) => {
    const [size, pos] = byteSpec(ip, spec, "LDB");
    return shift(ip, int(ip, n, "LDB"), -pos) & (shift(ip, 1n, size) - 1n);
  }],
  ["DPB", 3, 3, (ip, [v, spec, n]) => {
    const [size, pos] = byteSpec(ip, spec, "DPB");
    const mask = shift(ip, shift(ip, 1n, size) - 1n, pos);
    return (int(ip, n, "DPB") & ~mask) | ((int(ip, v, "DPB") << pos) & mask);
  }],
]);
