// Test helper: seeded random well-formed IR — arithmetic, diamonds/φs with critical edges, bounded
// loops with swapping φs, helper calls between uses, maps, stack/ctx memory, atomics, ld_abs, many live values.
import type { BinKind, BlockId, Cond, VReg, Width } from "../../ir.ts";
import type { Function } from "../../ir.ts";
import { FnBuilder } from "./builder.ts";

/** Deterministic PRNG (mulberry32). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  u64(): bigint {
    return (BigInt(this.int(0x10000)) << 48n) | (BigInt(this.int(0x10000)) << 32n) | BigInt(this.int(0x10000) << 16 >>> 0) | BigInt(this.int(0x10000));
  }
  /** An "interesting" constant: small, boundary, 32-bit, or full 64-bit. */
  constant(): bigint {
    switch (this.int(6)) {
      case 0: return BigInt(this.int(8));
      case 1: return BigInt(this.int(200) - 100);
      case 2: return this.pick([0x7fffffffn, 0x80000000n, 0xffffffffn, -0x80000000n, -1n, 0x100000000n, 63n, 64n]);
      case 3: return BigInt(this.int(0x7fffffff));
      case 4: return BigInt(this.int(0x10000)) << 32n;
      default: return this.u64();
    }
  }
}

export const MAP = "m1";
export const CTX_BYTES = 64;
const GENERAL_SLOTS = 4; // slots 0..3: 8 bytes; 4: u32 key; 5: 16-byte map value
const KEY_SLOT = 4, VALUE_SLOT = 5;
const MAX_LIVE = 24;

export interface GenOptions {
  cpu: 1 | 2 | 3 | 4;
  /** Statements at top level (default 12). */
  size?: number;
  depth?: number;
  /**
   * Only context accesses a socket filter may make (u32 loads of __sk_buff fields, stores to
   * cb[]), for loading into the kernel.
   */
  kernel?: boolean;
}

const KERNEL_READS = [0, 4, 8, 16, 48, 52, 56, 60, 64];
const KERNEL_WRITES = [48, 52, 56, 60, 64];

/** A random function taking the context (64 bytes) as param 0. */
export function randomFunction(rng: Rng, opts: GenOptions): Function {
  return new Gen(rng, opts).run();
}

const KINDS: BinKind[] = ["add", "sub", "mul", "udiv", "umod", "and", "or", "xor", "shl", "lshr", "ashr"];
const CONDS: Cond[] = ["eq", "ne", "ugt", "uge", "ult", "ule", "sgt", "sge", "slt", "sle", "set"];

class Gen {
  private f = new FnBuilder("rand");
  private pool: VReg[] = [];
  private cur: BlockId = 0;
  private ctx!: VReg;
  private budget: number;

  constructor(private rng: Rng, private opts: GenOptions) {
    this.budget = (opts.size ?? 12) * 6;
  }

  run(): Function {
    const { f, rng } = this;
    for (let i = 0; i < GENERAL_SLOTS; i++) f.slot(8, 8, `s${i}`);
    f.slot(4, 4, "key");
    f.slot(16, 8, "val");
    this.ctx = f.param(0);
    // Initialise all slots (the verifier refuses reads of uninitialised stack).
    for (let i = 0; i < GENERAL_SLOTS; i++) f.store(8, f.stack(i), 0, f.const(rng.constant()));
    f.store(4, f.stack(KEY_SLOT), 0, f.const(0));
    const val = f.stack(VALUE_SLOT);
    f.store(8, val, 0, f.const(rng.constant()));
    f.store(8, f.bin("add", val, f.const(8)), 0, f.const(rng.constant()));
    for (let i = 0; i < 3; i++) this.pool.push(this.loadCtx());
    this.pool.push(f.const(rng.constant()));
    this.seq(this.opts.depth ?? 3, this.opts.size ?? 12);
    // Keep everything live to the end: combine the whole pool into the result.
    let acc = this.pool[0];
    for (const v of this.pool.slice(1)) acc = f.bin(rng.pick(["add", "xor", "sub"] as BinKind[]), acc, v);
    f.ret(acc);
    return f.build();
  }

  private get p(): VReg {
    return this.rng.pick(this.pool);
  }

  private loadCtx(): VReg {
    if (this.opts.kernel) return this.f.load(4, this.ctx, this.rng.pick(KERNEL_READS), this.rng.chance(0.3));
    const size = this.rng.pick([1, 2, 4, 8] as Width[]);
    const off = size * this.rng.int(CTX_BYTES / size);
    return this.f.load(size, this.ctx, off, this.rng.chance(0.3));
  }

  private seq(depth: number, n: number): void {
    for (let k = 0; k < n && this.budget > 0; k++) {
      this.stmt(depth);
      // Bound the number of values kept live (the frame holds at most 64 spill slots).
      while (this.pool.length > MAX_LIVE) {
        const a = this.pool.splice(this.rng.int(this.pool.length), 1)[0];
        const b = this.pool.splice(this.rng.int(this.pool.length), 1)[0];
        this.pool.push(this.f.bin(this.rng.pick(["add", "xor"] as BinKind[]), a, b));
      }
    }
  }

  private stmt(depth: number): void {
    const { f, rng } = this;
    this.budget--;
    const r = rng.int(depth > 0 ? 20 : 14);
    switch (r) {
      case 0: case 1: case 2: case 3: {
        let kind = rng.pick(KINDS);
        if (this.opts.cpu >= 4 && rng.chance(0.15)) kind = rng.pick(["sdiv", "smod"] as BinKind[]);
        const a = rng.chance(0.15) ? f.const(rng.constant()) : this.p;
        const b = rng.chance(0.35) ? f.const(rng.constant()) : this.p;
        this.pool.push(f.bin(kind, a, b, rng.chance(0.3)));
        return;
      }
      case 4: {
        const a = this.p;
        switch (rng.int(3)) {
          case 0: this.pool.push(f.def({ op: "neg", a })); return;
          case 1: this.pool.push(f.def({ op: "ext", a, bits: rng.pick([8, 16, 32] as const), signed: rng.chance(0.5) })); return;
          default: this.pool.push(f.def({ op: "bswap", a, bits: rng.pick([16, 32, 64] as const) })); return;
        }
      }
      case 5: { // helper call between uses: values must survive in R6–R9 or on the stack
        if (rng.chance(0.2)) {
          this.pool.push(f.call(5));
          return;
        }
        const n = 1 + rng.int(5);
        const args = Array.from({ length: n }, () => (rng.chance(0.2) ? f.const(rng.constant()) : this.p));
        this.pool.push(f.call(100 + n, ...args));
        return;
      }
      case 6: { // stack memory
        const slot = rng.int(GENERAL_SLOTS);
        const size = rng.pick([1, 2, 4, 8] as Width[]);
        const off = size * rng.int(8 / size);
        const base = f.stack(slot);
        if (rng.chance(0.5)) f.store(size, base, off, rng.chance(0.3) ? f.const(rng.constant()) : this.p);
        else this.pool.push(f.load(size, base, off, rng.chance(0.3)));
        return;
      }
      case 7: { // context memory
        if (rng.chance(0.5)) {
          this.pool.push(this.loadCtx());
          return;
        }
        const value = rng.chance(0.3) ? f.const(rng.constant()) : this.p;
        if (this.opts.kernel) return f.store(4, this.ctx, rng.pick(KERNEL_WRITES), value);
        const size = rng.pick([1, 2, 4, 8] as Width[]);
        f.store(size, this.ctx, size * rng.int(CTX_BYTES / size), value);
        return;
      }
      case 8: { // atomics on a stack slot
        const size = rng.pick([4, 8] as const);
        const base = f.stack(rng.int(GENERAL_SLOTS));
        const off = size === 4 ? 4 * rng.int(2) : 0;
        const kind = rng.pick(["add", "and", "or", "xor", "xchg", "cmpxchg"] as const);
        const value = rng.chance(0.2) ? f.const(rng.constant()) : this.p;
        if (kind === "cmpxchg") {
          const expected = rng.chance(0.5) ? f.load(size, base, off) : this.p;
          const dst = f.reg();
          f.put({ op: "atomic", kind, fetch: true, size, base, off, value, expected, dst } as never);
          this.pool.push(dst);
        } else {
          const fetch = kind === "xchg" || rng.chance(0.6);
          if (fetch) {
            const dst = f.reg();
            f.put({ op: "atomic", kind, fetch, size, base, off, value, dst } as never);
            this.pool.push(dst);
          } else f.put({ op: "atomic", kind, fetch, size, base, off, value });
        }
        return;
      }
      case 9: { // legacy packet loads (context in R6)
        const size = rng.pick([1, 2, 4] as const);
        if (rng.chance(0.5)) this.pool.push(f.def({ op: "ldabs", size, ctx: this.ctx, off: rng.int(CTX_BYTES - size + 1) }));
        else {
          const index = f.bin("and", this.p, f.const(31));
          this.pool.push(f.def({ op: "ldind", size, ctx: this.ctx, index, off: rng.int(CTX_BYTES - 32 - size + 1) }));
        }
        return;
      }
      case 10: case 11: { // constants and frame-address arithmetic
        if (rng.chance(0.7)) this.pool.push(f.const(rng.constant()));
        else {
          const q = f.bin("add", f.stack(VALUE_SLOT), f.const(8 * rng.int(2)));
          this.pool.push(f.load(8, q, 0));
        }
        return;
      }
      case 12: case 13:
        this.pool.push(f.def({ op: "copy", src: this.p }));
        return;
      case 14: case 15:
        return this.diamond(depth);
      case 16:
        return this.mapLookup(depth);
      case 17: case 18:
        return this.loop(depth);
      default:
        return this.diamond(depth);
    }
  }

  private cond(): { cond: Cond; a: VReg; b: VReg; w32: boolean } {
    const { f, rng } = this;
    const a = rng.chance(0.1) ? f.const(rng.constant()) : this.p;
    const b = rng.chance(0.4) ? f.const(rng.constant()) : this.p;
    return { cond: rng.pick(CONDS), a, b, w32: rng.chance(0.25) };
  }

  private diamond(depth: number): void {
    const { f, rng } = this;
    const c = this.cond();
    const start = this.cur;
    const saved = this.pool.slice();
    const thenB = f.block();
    const hasElse = rng.chance(0.6);
    const elseB = hasElse ? f.block() : -1;
    const join = f.block();
    f.at(start).br(c.cond, c.a, c.b, thenB, hasElse ? elseB : join, c.w32);
    // then side
    f.at(thenB);
    this.cur = thenB;
    this.seq(depth - 1, 1 + rng.int(4));
    const thenEnd = this.cur, thenPool = this.pool;
    f.at(thenEnd).jmp(join);
    // else side (or the direct edge: a critical edge into the join)
    this.pool = saved.slice();
    let elseEnd = start, elsePool = saved, elseReturns = false;
    if (hasElse) {
      f.at(elseB);
      this.cur = elseB;
      this.seq(depth - 1, rng.int(4));
      elseEnd = this.cur;
      elsePool = this.pool;
      elseReturns = rng.chance(0.15);
      if (elseReturns) f.at(elseEnd).ret(rng.pick(elsePool));
      else f.at(elseEnd).jmp(join);
    }
    this.pool = saved.slice();
    this.cur = join;
    f.at(join);
    const nphi = 1 + rng.int(3);
    for (let k = 0; k < nphi; k++) {
      const args: [BlockId, VReg][] = [[thenEnd, rng.pick(thenPool)]];
      if (!elseReturns) args.push([elseEnd, rng.pick(elsePool)]);
      this.pool.push(f.phi(join, args));
    }
  }

  private mapLookup(depth: number): void {
    const { f, rng } = this;
    const key = f.stack(KEY_SLOT);
    f.store(4, key, 0, rng.chance(0.3) ? f.const(rng.int(4)) : f.bin("and", this.p, f.const(3)));
    const v = f.call(1, f.mapref(MAP), key);
    const start = this.cur;
    const hit = f.block(), miss = f.block(), join = f.block();
    if (rng.chance(0.5)) f.at(start).br("eq", v, f.const(0), miss, hit);
    else f.at(start).br("ne", v, f.const(0), hit, miss);
    const saved = this.pool.slice();
    f.at(hit);
    this.cur = hit;
    const off = 8 * rng.int(2);
    const x = f.load(8, v, off);
    this.pool.push(x);
    if (depth > 1 && rng.chance(0.3)) this.seq(depth - 1, 2);
    f.at(this.cur);
    const y = f.bin(rng.pick(KINDS), x, this.p);
    f.store(8, v, off, y);
    if (rng.chance(0.4)) {
      const dst = f.reg();
      f.put({ op: "atomic", kind: "add", fetch: true, size: 8, base: v, off: 8 - off, value: this.p, dst } as never);
    }
    const hitEnd = this.cur;
    f.jmp(join);
    this.pool = saved.slice();
    f.at(miss);
    this.cur = miss;
    if (rng.chance(0.4)) {
      f.call(2, f.mapref(MAP), f.stack(KEY_SLOT), f.stack(VALUE_SLOT), f.const(0));
    }
    const missValue = f.const(rng.constant());
    f.jmp(join);
    f.at(join);
    this.cur = join;
    this.pool = saved;
    this.pool.push(f.phi(join, [[hitEnd, y], [miss, missValue]]));
  }

  private loop(depth: number): void {
    const { f, rng } = this;
    const pre = this.cur;
    const trips = rng.chance(0.5) ? f.const(1 + rng.int(4)) : f.bin("and", this.p, f.const(3));
    const zero = f.const(0);
    const header = f.block();
    f.at(pre).jmp(header);
    const i = f.phi(header, [[pre, zero]]);
    const naccs = 1 + rng.int(3);
    const accs = Array.from({ length: naccs }, () => f.phi(header, [[pre, this.p]]));
    // A pair of φs that swap every iteration (the swap problem).
    const swap = rng.chance(0.5) ? [f.phi(header, [[pre, this.p]]), f.phi(header, [[pre, this.p]])] : [];
    const saved = this.pool.slice();
    const doWhile = rng.chance(0.5);
    let exit: BlockId;
    f.at(header);
    this.cur = header;
    this.pool.push(i, ...accs, ...swap);
    if (!doWhile) {
      const body = f.block();
      exit = f.block();
      f.at(header).br(rng.pick(["ult", "slt", "ne"] as Cond[]), i, trips, body, exit);
      f.at(body);
      this.cur = body;
    }
    this.seq(depth - 1, 1 + rng.int(4));
    f.at(this.cur);
    const nexts = accs.map((a) => f.bin(rng.pick(["add", "xor", "mul", "sub"] as BinKind[]), a, this.p));
    const i2 = f.bin("add", i, f.const(1));
    const latch = this.cur;
    if (doWhile) {
      exit = f.block();
      f.at(latch).br("ult", i2, trips, header, exit);
    } else f.at(latch).jmp(header);
    f.phiArg(header, i, latch, i2);
    accs.forEach((a, k) => f.phiArg(header, a, latch, nexts[k]));
    if (swap.length) {
      f.phiArg(header, swap[0], latch, swap[1]);
      f.phiArg(header, swap[1], latch, swap[0]);
    }
    // After the loop: the header's φs dominate the exit; in a do-while, so does the body.
    this.pool = doWhile ? [...this.pool, ...nexts, i2] : [...saved, i, ...accs, ...swap];
    this.cur = exit!;
    f.at(exit!);
  }
}
