// Test helper: seeded random IR built from the shapes the SSA passes rewrite — constant chains,
// extensions and masks, byte swaps compared with constants, stack stores that die or are read
// back, φs of constants tested again, bit tests, loads repeated on both sides of a branch, map
// lookups followed by updates of the same key, and 32-bit counters in loops.
import type { BinKind, BlockId, Cond, Function, VReg, Width } from "../../compiler/ir.ts";
import { foldBswap } from "../../compiler/fold.ts";
import { FnBuilder } from "../../compiler/backend/testing/builder.ts";
import { CTX_BYTES, MAP, type Rng } from "../../compiler/backend/testing/random_ir.ts";

const CONDS: Cond[] = ["eq", "ne", "ugt", "uge", "ult", "ule", "sgt", "sge", "slt", "sle", "set"];

class Shapes {
  private f = new FnBuilder("shaped");
  private pool: VReg[] = [];
  private ctx!: VReg;
  private slots: number[] = [];

  constructor(private rng: Rng, private cpu: 1 | 2 | 3 | 4) {}

  private get p(): VReg {
    return this.rng.pick(this.pool);
  }

  private k(): VReg {
    const { rng } = this;
    return this.f.const(rng.pick([0n, 1n, 2n, 3n, 8n, 0xffn, 0x1ffn, 0xffffn, 0x1ffffn, 0xffffffffn, 0x1ffffffffn, -1n, 0x12n, 0x8100n, 0x0800n, 32n, 64n, 100n, rng.constant()]));
  }

  /** A load from the context, or (more often) from the map value standing in for packet memory. */
  private loadCtx(): VReg {
    const size = this.rng.pick([1, 2, 4, 8] as Width[]);
    if (this.rng.chance(0.3)) return this.f.load(size, this.ctx, size * this.rng.int(CTX_BYTES / size), this.rng.chance(0.2));
    return this.f.load(size, this.pkt, size * this.rng.int(16 / size), this.rng.chance(0.2));
  }

  /** Memory that is not the context (a map value looked up with a key the test world has). */
  private pkt!: VReg;
  private pktKey = 0;

  run(): Function {
    const { f, rng } = this;
    this.slots = [f.slot(8, 8, "s0"), f.slot(16, 8, "s1"), f.slot(4, 4, "key"), f.slot(16, 8, "val"), f.slot(4, 4, "k1"), f.slot(4, 4, "k2")];
    this.ctx = f.param(0);
    this.pktKey = rng.int(2);
    f.store(4, f.stack(2), 0, f.const(this.pktKey)); // m1[0] and m1[1] exist
    f.store(8, f.stack(3), 0, f.const(rng.constant()));
    f.store(8, f.stack(3), 8, f.const(rng.constant()));
    this.pkt = f.call(1, f.mapref(MAP), f.stack(2));
    for (let i = 0; i < 3; i++) this.pool.push(this.loadCtx());
    for (let n = 3 + rng.int(6); n > 0; n--) this.shape();
    f.at(this.curBlock);
    let acc = this.pool[0];
    for (const v of this.pool.slice(1)) acc = f.bin(rng.pick(["add", "xor"] as BinKind[]), acc, v);
    f.ret(acc);
    return f.build();
  }

  /** A diamond on `cond`: each side runs `side(then?)` and the join gets φs of what they return. */
  private diamond(cond: Cond, a: VReg, b: VReg, side: (isThen: boolean) => VReg, w32 = false): VReg {
    const f = this.f;
    const t = f.block(), e = f.block(), j = f.block();
    f.at(this.curBlock).br(cond, a, b, t, e, w32);
    f.at(t);
    this.curBlock = t;
    const vt = side(true);
    const tEnd = this.curBlock;
    f.at(tEnd).jmp(j);
    f.at(e);
    this.curBlock = e;
    const ve = side(false);
    const eEnd = this.curBlock;
    f.at(eEnd).jmp(j);
    f.at(j);
    this.curBlock = j;
    return f.phi(j, [[tEnd, vt], [eEnd, ve]]);
  }

  private curBlock: BlockId = 0;

  private shape(): void {
    const { f, rng } = this;
    f.at(this.curBlock);
    switch (rng.int(15)) {
      case 0: { // constant chains
        const kind = rng.pick(["add", "sub", "and", "or", "xor", "shl", "lshr"] as BinKind[]);
        let x = this.p;
        for (let n = 1 + rng.int(3); n > 0; n--) x = f.bin(rng.chance(0.7) ? kind : rng.pick(["add", "sub"] as BinKind[]), x, this.k(), rng.chance(0.2));
        this.pool.push(x);
        return;
      }
      case 1: { // extensions, masks, narrow stores
        const bits = rng.pick([8, 16, 32] as const);
        const x = rng.chance(0.5) ? f.bin("and", this.p, this.k()) : this.p;
        const e = f.def({ op: "ext", a: x, bits, signed: rng.chance(0.3) });
        const e2 = rng.chance(0.5) ? f.def({ op: "ext", a: e, bits: rng.pick([8, 16, 32] as const), signed: rng.chance(0.3) }) : e;
        f.store(rng.pick([1, 2, 4] as Width[]), this.ctx, 8 * rng.int(CTX_BYTES / 8), e2);
        // lognot then mask, of a narrow value or not
        const nx = rng.chance(0.6) ? f.load(rng.pick([1, 2] as Width[]), this.pkt, 2 * rng.int(8)) : this.p;
        this.pool.push(e2, f.bin("and", f.bin(rng.pick(["xor", "or"] as BinKind[]), nx, this.k()), f.const(rng.pick([0xffn, 0xffffn, 0x7fn]))));
        return;
      }
      case 2: { // byte swaps compared with constants
        const bits = rng.pick([16, 32, 64] as const);
        const cv = rng.pick([0x8100n, 0x0800n, 22n, 0x10000n, 0xdd86n, rng.constant()]);
        const off = 8 * rng.int(2);
        // Sometimes the memory holds the constant (byte-swapped or not), so equality happens.
        if (rng.chance(0.5)) f.store((bits / 8) as Width, this.pkt, off, f.const(rng.chance(0.7) ? foldBswap(cv, bits) : cv));
        const x = rng.chance(0.8) ? f.load((bits / 8) as Width, this.pkt, off) : this.p;
        const s = f.def({ op: "bswap", a: x, bits });
        const c = rng.chance(0.8) ? f.const(cv) : this.p;
        this.pool.push(this.diamond(rng.pick(["eq", "ne"] as Cond[]), s, c, (t) => (t ? this.k() : s)));
        return;
      }
      case 3: { // stack stores that die, or are read back (forwarding)
        const slot = rng.pick([0, 1, 3]);
        const size = this.slotSize(slot);
        const base = f.stack(slot);
        for (let off = 0; off < size; off += 8) f.store(8, base, off, f.const(0));
        for (let n = 1 + rng.int(3); n > 0; n--) {
          const w = rng.pick([1, 2, 4, 8] as Width[]);
          f.store(w, base, w * rng.int(size / w), rng.chance(0.4) ? this.k() : this.p);
        }
        if (rng.chance(0.5)) {
          const w = rng.pick([1, 2, 4, 8] as Width[]);
          this.pool.push(f.load(w, base, w * rng.int(size / w), rng.chance(0.2)));
        }
        if (slot === 3 && rng.chance(0.6)) this.pool.push(f.call(2, f.mapref(MAP), f.stack(2), base, f.const(0)));
        if (rng.chance(0.4)) { // a helper writing the slot, then the same store again (not redundant)
          const v = this.p;
          f.store(8, base, 0, v);
          f.call(16, base, f.const(1 + rng.int(size)));
          if (rng.chance(0.7)) f.store(8, base, 0, v);
          this.pool.push(f.load(rng.pick([1, 2, 4, 8] as Width[]), base, 0));
        }
        return;
      }
      case 4: { // a φ of a constant tested again (φ-branch threading)
        const c = this.k(), d = this.k();
        const phi = this.diamond(rng.pick(CONDS), this.p, this.p, (t) => (t ? c : rng.chance(0.3) ? d : this.p));
        const other = rng.chance(0.7) ? c : this.k();
        const r = this.diamond(rng.pick(["eq", "ne", "ult", "sgt"] as Cond[]), phi, other, (t) => (t ? this.k() : this.p));
        this.pool.push(r); // the φ itself only feeds the test (so the join can be bypassed)
        return;
      }
      case 5: { // bit tests
        const x = this.p;
        const m = f.const(rng.pick([1n, 2n, 4n, 0x80n, 0x12n, 0x3fffn, 1n << 40n]));
        const t = f.bin("and", x, m);
        const cond = rng.pick(["eq", "ne"] as Cond[]);
        const other = rng.chance(0.5) ? f.const(0) : m;
        const r = this.diamond(cond, t, other, (th) => (th ? this.k() : x));
        if (rng.chance(0.5)) this.pool.push(this.diamond("set", x, f.const(rng.pick([1n, 8n, 0x40n])), (th) => (th ? r : this.k())));
        else this.pool.push(r);
        return;
      }
      case 6: { // the same load on both sides of a branch (hoisting)
        const off = 4 * rng.int(CTX_BYTES / 4);
        const base = rng.chance(0.5) ? this.ctx : this.pkt;
        const o = base === this.ctx ? off : off % 16;
        const side = () => {
          if (rng.chance(0.3)) f.store(4, base, o, this.k()); // a write first: no hoisting past it
          return f.bin("add", f.load(4, base, o), this.k());
        };
        this.pool.push(this.diamond(rng.pick(CONDS), this.p, this.k(), () => side()));
        return;
      }
      case 7: { // map lookup, then an update (or a second lookup) with the same key
        const key = f.stack(2);
        const kv = rng.chance(0.5) ? f.const(rng.int(3)) : f.bin("and", this.p, f.const(1));
        f.store(4, key, 0, kv);
        const v = f.call(1, f.mapref(MAP), key);
        if (rng.chance(0.5)) f.store(4, f.stack(2), 0, f.const(7));
        f.store(4, f.stack(2), 0, kv);
        const v2 = rng.chance(0.5) ? f.call(1, f.mapref(MAP), f.stack(2)) : f.call(2, f.mapref(MAP), f.stack(2), f.stack(3), f.const(0));
        this.pool.push(this.diamond("eq", v, f.const(0), (t) => (t ? this.k() : f.load(8, v, 8 * rng.int(2)))), v2);
        return;
      }
      case 8: { // a loop with 32-bit counters and a hash
        const pre = this.curBlock;
        const h = f.block(), body = f.block(), exit = f.block();
        f.at(pre).jmp(h);
        const i = f.phi(h, [[pre, f.at(pre).const(0)]]);
        const acc = f.phi(h, [[pre, f.at(pre).const(5381)]]);
        f.at(h).br("ult", i, f.at(h).const(1 + rng.int(5)), body, exit);
        f.at(body);
        const sh = f.bin("shl", acc, f.const(5));
        const mixed = f.bin("xor", f.bin("add", sh, acc), f.load(1, this.ctx, rng.int(CTX_BYTES)));
        const acc2 = f.def({ op: "ext", a: mixed, bits: 32, signed: false });
        const i2 = f.def({ op: "ext", a: f.bin("add", i, f.const(1)), bits: 32, signed: false });
        f.jmp(h);
        f.phiArg(h, i, body, i2);
        f.phiArg(h, acc, body, acc2);
        this.curBlock = exit;
        this.pool.push(acc, i);
        return;
      }
      case 9: { // signed 32-bit values compared (JMP32 narrowing)
        const x = f.def({ op: "ext", a: this.p, bits: 32, signed: rng.chance(0.6) });
        const c = f.const(rng.pick([0n, -100n, 1n << 20n, -1n, 0x7fffffffn, 0x80000000n, 1n << 33n]));
        this.pool.push(this.diamond(rng.pick(CONDS), rng.chance(0.8) ? x : c, rng.chance(0.8) ? c : x, (t) => (t ? this.k() : x)));
        return;
      }
      case 10: { // 32-bit arithmetic kept by a zero-extension
        const a = this.p, b = rng.chance(0.5) ? this.p : this.k();
        const kind = rng.pick(["add", "sub", "mul", "and", "or", "xor", "shl", "lshr", "udiv", "umod"] as BinKind[]);
        const z = f.def({ op: "ext", a: f.bin(kind, a, b), bits: 32, signed: false });
        this.pool.push(z);
        return;
      }
      case 11: { // division and remainder by powers of two, multiply-by-shift-and-add
        const x = this.p;
        const k = rng.int(6);
        this.pool.push(f.bin(rng.pick(["udiv", "umod"] as BinKind[]), x, f.const(1n << BigInt(k))));
        this.pool.push(f.bin("add", f.bin("shl", x, f.const(k + 1)), x));
        return;
      }
      case 13: { // a load, a helper writing that memory (map update of the same entry), the load again
        const off = 8 * rng.int(2);
        const x = f.load(8, this.pkt, off);
        f.store(4, f.stack(2), 0, f.const(this.pktKey));
        f.store(8, f.stack(3), off, this.k());
        f.call(2, f.mapref(MAP), f.stack(2), f.stack(3), f.const(0));
        this.pool.push(x, f.load(8, this.pkt, off));
        return;
      }
      case 12: { // helpers reading two reused temporary slots (keys stored again and again)
        const vals = [this.p, this.k(), this.p];
        for (let n = 2 + rng.int(3); n > 0; n--) {
          f.store(4, f.stack(4), 0, rng.pick(vals));
          f.store(4, f.stack(5), 0, rng.pick(vals));
          this.pool.push(f.call(182, f.stack(4), f.const(4), f.stack(5)));
          if (rng.chance(0.3)) this.pool.push(f.call(1, f.mapref(MAP), f.stack(rng.pick([2, 4]))));
        }
        return;
      }
      default: { // a return of a constant on one side (merging returns, threading)
        const a = this.p, b = this.k();
        const t = f.block(), e = f.block();
        f.at(this.curBlock).br(rng.pick(CONDS), a, b, t, e);
        f.at(t).ret(this.k());
        this.curBlock = e;
        return;
      }
    }
  }

  private slotSize(slot: number): number {
    return [8, 16, 4, 16][slot];
  }
}

/** A random function made of the passes' favourite shapes; param 0 is the 64-byte context. */
export function shapedFunction(rng: Rng, cpu: 1 | 2 | 3 | 4): Function {
  return new Shapes(rng, cpu).run();
}
