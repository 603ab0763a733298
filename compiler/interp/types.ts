// Type specifiers: typep, type-of, coerce, and the condition type hierarchy used by
// handler-case, typecase and check-type.

import { Char, Cons, type Datum, HashTable, NIL, Sym, T, Vector, list } from "../sexp.ts";
import { fromArray } from "./check.ts";
import { eql } from "./equality.ts";
import type { Interp } from "./interp.ts";
import { Condition, isProcedure } from "./values.ts";

const CONDITION_PARENTS: Record<string, string[]> = Object.freeze({
  CONDITION: [],
  "SERIOUS-CONDITION": ["CONDITION"],
  ERROR: ["SERIOUS-CONDITION"],
  "SIMPLE-CONDITION": ["CONDITION"],
  "SIMPLE-ERROR": ["SIMPLE-CONDITION", "ERROR"],
  WARNING: ["CONDITION"],
  "SIMPLE-WARNING": ["SIMPLE-CONDITION", "WARNING"],
  "STYLE-WARNING": ["WARNING"],
  "TYPE-ERROR": ["ERROR"],
  "SIMPLE-TYPE-ERROR": ["SIMPLE-CONDITION", "TYPE-ERROR"],
  "PROGRAM-ERROR": ["ERROR"],
  "CONTROL-ERROR": ["ERROR"],
  "CELL-ERROR": ["ERROR"],
  "UNBOUND-VARIABLE": ["CELL-ERROR"],
  "UNDEFINED-FUNCTION": ["CELL-ERROR"],
  "ARITHMETIC-ERROR": ["ERROR"],
  "DIVISION-BY-ZERO": ["ARITHMETIC-ERROR"],
  "PARSE-ERROR": ["ERROR"],
  "FILE-ERROR": ["ERROR"],
  "STREAM-ERROR": ["ERROR"],
  "PACKAGE-ERROR": ["ERROR"],
});

export function isConditionType(ip: Interp, name: string): boolean {
  return name in CONDITION_PARENTS || ip.conditionTypes.has(name);
}

/** Whether condition type `name` is `target` or a subtype of it. */
export function conditionSubtype(ip: Interp, name: string, target: string): boolean {
  const seen = new Set<string>();
  const todo = [name];
  while (todo.length) {
    const n = todo.pop()!;
    if (n === target) return true;
    if (seen.has(n)) continue;
    seen.add(n);
    todo.push(...(ip.conditionTypes.get(n) ?? CONDITION_PARENTS[n] ?? (n === "CONDITION" ? [] : ["ERROR"])));
  }
  return false;
}

const FIXNUM_MIN = -(1n << 62n);
const FIXNUM_MAX = (1n << 62n) - 1n;

const isNum = (d: Datum): d is bigint | number => typeof d === "bigint" || typeof d === "number";

function inRange(ip: Interp, x: Datum, args: Datum[], pred: (d: Datum) => boolean): boolean {
  if (!pred(x)) return false;
  const [lo, hi] = args;
  const bound = (b: Datum | undefined, above: boolean): boolean => {
    if (b === undefined || (b instanceof Sym && b.name === "*")) return true;
    if (b instanceof Cons) {
      const v = b.car;
      // deno-lint-ignore no-explicit-any
      return above ? (x as any) > (v as any) : (x as any) < (v as any);
    }
    if (!isNum(b)) ip.fail(`Bad type bound ${ip.show(b)}`);
    // deno-lint-ignore no-explicit-any
    return above ? (x as any) >= (b as any) : (x as any) <= (b as any);
  };
  return bound(lo, true) && bound(hi, false);
}

/** Whether `x` is of type `spec`. Unknown type names are an error. */
export function typep(ip: Interp, x: Datum, spec: Datum, depth = 0): boolean {
  ip.tick();
  if (depth > 100) ip.fail(`Type specifier nested too deeply: ${ip.show(spec)}`);
  if (spec instanceof Sym) {
    switch (spec.name) {
      case "T": return true;
      case "NIL": return false;
      case "NULL": return x === NIL;
      case "LIST": return x === NIL || x instanceof Cons;
      case "CONS": return x instanceof Cons;
      case "ATOM": return !(x instanceof Cons);
      case "SYMBOL": return x instanceof Sym;
      case "KEYWORD": return x instanceof Sym && x.keyword;
      case "BOOLEAN": return x === NIL || x === T;
      case "STRING": case "SIMPLE-STRING": case "BASE-STRING": case "SIMPLE-BASE-STRING": return typeof x === "string";
      case "CHARACTER": case "BASE-CHAR": case "STANDARD-CHAR": return x instanceof Char;
      case "NUMBER": case "REAL": return isNum(x);
      case "INTEGER": case "RATIONAL": return typeof x === "bigint";
      case "FIXNUM": return typeof x === "bigint" && x >= FIXNUM_MIN && x <= FIXNUM_MAX;
      case "BIGNUM": return typeof x === "bigint" && (x < FIXNUM_MIN || x > FIXNUM_MAX);
      case "BIT": return x === 0n || x === 1n;
      case "UNSIGNED-BYTE": return typeof x === "bigint" && x >= 0n;
      case "SIGNED-BYTE": return typeof x === "bigint";
      case "FLOAT": case "SINGLE-FLOAT": case "DOUBLE-FLOAT": case "SHORT-FLOAT": case "LONG-FLOAT":
        return typeof x === "number";
      case "FUNCTION": case "COMPILED-FUNCTION": return isProcedure(x);
      case "VECTOR": case "SIMPLE-VECTOR": case "ARRAY": case "SIMPLE-ARRAY": return x instanceof Vector || (spec.name !== "SIMPLE-VECTOR" && typeof x === "string");
      case "SEQUENCE": return x === NIL || x instanceof Cons || x instanceof Vector || typeof x === "string";
      case "HASH-TABLE": return x instanceof HashTable;
    }
    if (isConditionType(ip, spec.name)) return x instanceof Condition && conditionSubtype(ip, x.type, spec.name);
    return ip.fail(`Unknown type specifier ${ip.show(spec)}`);
  }
  if (spec instanceof Cons && spec.car instanceof Sym) {
    const args = ip.items(spec.cdr);
    switch (spec.car.name) {
      case "OR": return args.some((a) => typep(ip, x, a, depth + 1));
      case "AND": return args.every((a) => typep(ip, x, a, depth + 1));
      case "NOT": return !typep(ip, x, args[0], depth + 1);
      case "MEMBER": return args.some((a) => eql(a, x));
      case "EQL": return eql(args[0], x);
      case "SATISFIES": return ip.apply(ip.toFunction(args[0]), [x]) !== NIL;
      case "INTEGER": return inRange(ip, x, args, (d) => typeof d === "bigint");
      case "REAL": case "NUMBER": return inRange(ip, x, args, isNum);
      case "FLOAT": case "DOUBLE-FLOAT": case "SINGLE-FLOAT": return inRange(ip, x, args, (d) => typeof d === "number");
      case "MOD": return typeof x === "bigint" && x >= 0n && typeof args[0] === "bigint" && x < args[0];
      case "UNSIGNED-BYTE": {
        const n = args[0];
        return typeof x === "bigint" && x >= 0n && (typeof n !== "bigint" || x < (1n << n));
      }
      case "SIGNED-BYTE": {
        const n = args[0];
        return typeof x === "bigint" && (typeof n !== "bigint" || (x >= -(1n << (n - 1n)) && x < (1n << (n - 1n))));
      }
      case "CONS":
        return x instanceof Cons && (args.length < 1 || typep(ip, x.car, args[0], depth + 1)) && (args.length < 2 || typep(ip, x.cdr, args[1], depth + 1));
      case "STRING": case "SIMPLE-STRING": return typeof x === "string" && (typeof args[0] !== "bigint" || BigInt(x.length) === args[0]);
      case "VECTOR": case "SIMPLE-VECTOR": case "ARRAY": case "SIMPLE-ARRAY": return x instanceof Vector || typeof x === "string";
    }
  }
  return ip.fail(`Unknown type specifier ${ip.show(spec)}`);
}

/** The type-of a value, as a type specifier. */
export function typeOf(ip: Interp, x: Datum): Datum {
  const s = (n: string) => ip.symbols.intern(n);
  if (x === NIL) return s("NULL");
  if (x === T) return s("BOOLEAN");
  if (x instanceof Sym) return s(x.keyword ? "KEYWORD" : "SYMBOL");
  if (typeof x === "bigint") return s(x >= FIXNUM_MIN && x <= FIXNUM_MAX ? "FIXNUM" : "BIGNUM");
  if (typeof x === "number") return s("DOUBLE-FLOAT");
  if (typeof x === "string") return list(s("SIMPLE-ARRAY"), s("CHARACTER"), list(BigInt(x.length)));
  if (x instanceof Char) return s("CHARACTER");
  if (x instanceof Cons) return s("CONS");
  if (x instanceof Vector) return list(s("SIMPLE-VECTOR"), BigInt(x.items.length));
  if (x instanceof HashTable) return s("HASH-TABLE");
  if ((x as unknown) instanceof Condition) return s((x as unknown as Condition).type);
  if (isProcedure(x)) return s("FUNCTION");
  return T;
}

/** Elements of any sequence (list, vector, string). */
export function seqItems(ip: Interp, x: Datum, who: string): Datum[] {
  if (x === NIL || x instanceof Cons) return ip.items(x, who);
  if (x instanceof Vector) {
    ip.tick(x.items.length);
    return x.items.slice();
  }
  if (typeof x === "string") {
    ip.tick(x.length);
    return Array.from(x, (c) => ip.keys.char(c.codePointAt(0)!));
  }
  return ip.typeError(who, "a sequence", x);
}

/** Build a sequence like `like` ("list", "vector" or "string") from items. */
export function makeSeq(ip: Interp, kind: "list" | "vector" | "string", items: Datum[], who: string): Datum {
  if (kind === "list") return fromArray(items);
  if (kind === "vector") return new Vector(items);
  return items.map((c) => (c instanceof Char ? String.fromCodePoint(c.code) : ip.typeError(who, "a character", c))).join("");
}

export function seqKind(x: Datum): "list" | "vector" | "string" {
  return typeof x === "string" ? "string" : x instanceof Vector ? "vector" : "list";
}

/** Result kind named by a type specifier (for coerce, concatenate, map, make-sequence). */
export function kindOfType(ip: Interp, spec: Datum, who: string): "list" | "vector" | "string" | null {
  const name = spec instanceof Sym ? spec.name : spec instanceof Cons && spec.car instanceof Sym ? spec.car.name : "";
  if (["LIST", "CONS", "NULL"].includes(name)) return "list";
  if (["VECTOR", "SIMPLE-VECTOR", "ARRAY", "SIMPLE-ARRAY"].includes(name)) return "vector";
  if (["STRING", "SIMPLE-STRING", "BASE-STRING", "SIMPLE-BASE-STRING"].includes(name)) return "string";
  if (spec === NIL) return null;
  return ip.fail(`Function "${who}" cannot make a sequence of type ${ip.show(spec)}`);
}

export function coerce(ip: Interp, x: Datum, spec: Datum): Datum {
  const name = spec instanceof Sym ? spec.name : spec instanceof Cons && spec.car instanceof Sym ? spec.car.name : "";
  if (name === "T") return x;
  if (["FLOAT", "SINGLE-FLOAT", "DOUBLE-FLOAT", "SHORT-FLOAT", "LONG-FLOAT"].includes(name)) {
    if (typeof x === "bigint") return Number(x);
    if (typeof x === "number") return x;
    return ip.typeError("COERCE", "a number", x);
  }
  if (name === "CHARACTER") {
    const s = x instanceof Sym ? x.name : x;
    if (x instanceof Char) return x;
    if (typeof s === "string" && [...s].length === 1) return ip.keys.char(s.codePointAt(0)!);
    return ip.fail(`Cannot coerce ${ip.show(x)} to CHARACTER`, "TYPE-ERROR");
  }
  if (name === "INTEGER" || name === "NUMBER" || name === "REAL") {
    if (typeof x === "bigint" || (name !== "INTEGER" && typeof x === "number")) return x;
    return ip.fail(`Cannot coerce ${ip.show(x)} to ${name}`, "TYPE-ERROR");
  }
  if (name === "FUNCTION") {
    if (x instanceof Cons && x.car instanceof Sym && x.car.name === "LAMBDA") return ip.lambda(x, ip.global, "lambda") as unknown as Datum;
    return ip.toFunction(x) as unknown as Datum;
  }
  const kind = kindOfType(ip, spec, "COERCE");
  if (kind) {
    if (seqKind(x) === kind && (x === NIL || x instanceof Cons || x instanceof Vector || typeof x === "string")) return x;
    return makeSeq(ip, kind, seqItems(ip, x, "COERCE"), "COERCE");
  }
  return ip.fail(`Cannot coerce ${ip.show(x)} to ${ip.show(spec)}`, "TYPE-ERROR");
}
