// Test utility: a reference interpreter for the SSA IR (64-bit wrap-around; x/0 = 0, x%0 = x) and the
// fake world it and tests/vm.ts share: memory regions (ctx/packet, stack, map values) and fake helpers.
import type { BinKind, Block, Cond, Function, Inst, VReg } from "../compiler/ir.ts";

const U64 = (x: bigint): bigint => BigInt.asUintN(64, x);

/** Thrown by the program itself (ld_abs out of bounds): the program ends returning 0. */
export class ProgramAbort extends Error {}

export interface Region {
  name: string;
  base: bigint;
  bytes: Uint8Array;
  /** Byte-wise "written" flags; reads of unwritten bytes fail (stack only). */
  written?: Uint8Array;
}

/** Flat little-endian memory made of disjoint regions. Out-of-bounds access throws. */
export class Memory {
  readonly regions: Region[] = [];

  add(r: Region): Region {
    this.regions.push(r);
    return r;
  }

  private find(addr: bigint, size: number): [Region, number] {
    for (const r of this.regions) {
      if (addr >= r.base && addr + BigInt(size) <= r.base + BigInt(r.bytes.length)) return [r, Number(addr - r.base)];
    }
    throw new Error(`memory access of ${size} bytes at 0x${addr.toString(16)} is out of bounds`);
  }

  load(addr: bigint, size: number): bigint {
    const [r, at] = this.find(U64(addr), size);
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) {
      if (r.written && !r.written[at + i]) throw new Error(`read of uninitialised ${r.name} byte at offset ${at + i}`);
      v = (v << 8n) | BigInt(r.bytes[at + i]);
    }
    return v;
  }

  store(addr: bigint, size: number, value: bigint): void {
    const [r, at] = this.find(U64(addr), size);
    for (let i = 0; i < size; i++) {
      r.bytes[at + i] = Number((value >> BigInt(8 * i)) & 0xffn);
      if (r.written) r.written[at + i] = 1;
    }
  }
}

export const CTX_BASE = 0x1000_0000n;
export const CTX_SIZE = 64;
export const MAP_VALUE_SIZE = 16;
export const KTIME = 0x1234_5678_9abc_def0n;
/** Fake "mix" helpers 101..105 take 1..5 arguments and return a hash of them. */
export const MIX_BASE = 100;

/** Everything outside the program: memory, maps, the helper log. */
export class World {
  readonly mem = new Memory();
  readonly ctx: Region;
  readonly trace: string[] = [];
  private readonly maps = new Map<bigint, { name: string; values: Map<number, Region> }>();
  private nextValue = 0x2000_0000n;

  constructor(ctxBytes: Uint8Array, mapNames: string[] = []) {
    this.ctx = this.mem.add({ name: "ctx", base: CTX_BASE, bytes: ctxBytes.slice() });
    mapNames.forEach((name) => this.maps.set(this.mapHandle(name), { name, values: new Map() }));
  }

  /** The value a map reference (ld_imm64 of a map) evaluates to. */
  mapHandle(name: string): bigint {
    let h = 0x7000_0000n;
    for (const ch of name) h = (h * 31n + BigInt(ch.charCodeAt(0))) & 0xffff_ffffn;
    return 0x1_0000_0000_0000n | h;
  }

  /** Pre-populate a map entry (key: u32). */
  setEntry(map: string, key: number, value: Uint8Array): void {
    const m = this.maps.get(this.mapHandle(map))!;
    const r = this.mem.add({ name: `${map}[${key}]`, base: this.nextValue, bytes: value.slice() });
    this.nextValue += 0x1000n;
    m.values.set(key, r);
  }

  /** Helper arity (how many argument registers are read). */
  arity(id: number): number {
    if (id === 1) return 2;
    if (id === 2) return 4;
    if (id === 5) return 0;
    if (id > MIX_BASE && id <= MIX_BASE + 5) return id - MIX_BASE;
    throw new Error(`unknown helper ${id}`);
  }

  call(id: number, args: bigint[]): bigint {
    switch (id) {
      case 1: { // map_lookup_elem(map, &key)
        const m = this.maps.get(args[0]);
        if (!m) throw new Error(`map_lookup_elem on a non-map 0x${args[0].toString(16)}`);
        const key = Number(this.mem.load(args[1], 4));
        const r = m.values.get(key);
        this.trace.push(`lookup ${m.name} ${key} -> ${r ? "hit" : "miss"}`);
        return r ? r.base : 0n;
      }
      case 2: { // map_update_elem(map, &key, &value, flags)
        const m = this.maps.get(args[0]);
        if (!m) throw new Error(`map_update_elem on a non-map`);
        const key = Number(this.mem.load(args[1], 4));
        const bytes = new Uint8Array(MAP_VALUE_SIZE);
        for (let i = 0; i < MAP_VALUE_SIZE; i++) bytes[i] = Number(this.mem.load(args[2] + BigInt(i), 1));
        const r = m.values.get(key);
        if (r) r.bytes.set(bytes);
        else this.setEntry(m.name, key, bytes);
        this.trace.push(`update ${m.name} ${key} flags ${args[3]}`);
        return 0n;
      }
      case 5:
        return KTIME;
      default: {
        const n = this.arity(id);
        let h = 0xcbf2_9ce4_8422_2325n;
        for (const a of args.slice(0, n)) h = U64((h ^ a) * 0x1000_0000_01b3n);
        this.trace.push(`mix${n}(${args.slice(0, n).map((a) => a.toString(16)).join(",")})`);
        return h;
      }
    }
  }

  /** Legacy packet load: big-endian from the context bytes; out of bounds ends the program with 0. */
  packetLoad(off: bigint, size: number): bigint {
    const o = BigInt.asIntN(64, off);
    if (o < 0n || o + BigInt(size) > BigInt(this.ctx.bytes.length)) throw new ProgramAbort("ld_abs out of bounds");
    let v = 0n;
    for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(this.ctx.bytes[Number(o) + i]);
    return v;
  }

  /** Observable final state: context bytes and map contents. */
  snapshot(): string {
    const parts = [`ctx ${Array.from(this.ctx.bytes).join(",")}`];
    for (const m of this.maps.values()) {
      for (const [k, r] of [...m.values].sort((a, b) => a[0] - b[0])) parts.push(`${m.name}[${k}] ${Array.from(r.bytes).join(",")}`);
    }
    return parts.join("\n");
  }
}

function bin(kind: BinKind, a: bigint, b: bigint, w32: boolean): bigint {
  const bits = w32 ? 32 : 64;
  const mask = BigInt(bits - 1);
  const u = (x: bigint) => BigInt.asUintN(bits, x);
  const s = (x: bigint) => BigInt.asIntN(bits, x);
  const x = u(a), y = u(b);
  let r: bigint;
  switch (kind) {
    case "add": r = x + y; break;
    case "sub": r = x - y; break;
    case "mul": r = x * y; break;
    case "udiv": r = y === 0n ? 0n : x / y; break;
    case "umod": r = y === 0n ? x : x % y; break;
    case "sdiv": r = y === 0n ? 0n : s(x) / s(y); break; // MIN / -1 wraps to MIN
    case "smod": r = y === 0n ? x : s(x) % s(y); break;
    case "and": r = x & y; break;
    case "or": r = x | y; break;
    case "xor": r = x ^ y; break;
    case "shl": r = x << (y & mask); break;
    case "lshr": r = x >> (y & mask); break;
    case "ashr": r = s(x) >> (y & mask); break;
  }
  return u(r); // 32-bit results are zero-extended
}

function cond(c: Cond, a: bigint, b: bigint, w32: boolean): boolean {
  const bits = w32 ? 32 : 64;
  const x = BigInt.asUintN(bits, a), y = BigInt.asUintN(bits, b);
  const sx = BigInt.asIntN(bits, a), sy = BigInt.asIntN(bits, b);
  switch (c) {
    case "eq": return x === y;
    case "ne": return x !== y;
    case "ugt": return x > y;
    case "uge": return x >= y;
    case "ult": return x < y;
    case "ule": return x <= y;
    case "sgt": return sx > sy;
    case "sge": return sx >= sy;
    case "slt": return sx < sy;
    case "sle": return sx <= sy;
    case "set": return (x & y) !== 0n;
  }
}

function bswap(v: bigint, bits: number): bigint {
  let r = 0n;
  for (let i = 0; i < bits; i += 8) r = (r << 8n) | ((v >> BigInt(i)) & 0xffn);
  return r;
}

export interface InterpOptions {
  /** Step limit (instructions + terminators) before giving up. */
  maxSteps?: number;
}

/** Run `fn` with the context pointer as param 0. Returns the value of `ret` (0 after ProgramAbort). */
export function interpret(fn: Function, world: World, opts: InterpOptions = {}): bigint {
  const regs = new Map<VReg, bigint>();
  const get = (v: VReg): bigint => {
    const x = regs.get(v);
    if (x === undefined) throw new Error(`v${v} read before it is defined`);
    return x;
  };
  const slotBase = fn.slots.map((s, i) => {
    const base = 0x3000_0000n + BigInt(i) * 0x1_0000n;
    world.mem.add({ name: `slot${i}`, base, bytes: new Uint8Array(s.size), written: new Uint8Array(s.size) });
    return base;
  });
  const byId = new Map<number, Block>(fn.blocks.map((b) => [b.id, b]));
  let block = byId.get(fn.blocks[0].id)!;
  let prev = -1;
  let steps = 0;
  const limit = opts.maxSteps ?? 1_000_000;
  try {
    for (;;) {
      // φs read their inputs in parallel.
      const incoming = block.phis.map((p) => {
        const a = p.args.find((x) => x.block === prev);
        if (!a) throw new Error(`φ v${p.dst} has no argument for b${prev}`);
        return get(a.value);
      });
      block.phis.forEach((p, k) => regs.set(p.dst, incoming[k]));
      for (const i of block.insts) {
        if (++steps > limit) throw new Error("step limit exceeded");
        exec(i);
      }
      const t = block.term;
      if (t.op === "ret") return get(t.value);
      prev = block.id;
      const to = t.op === "jmp" ? t.target : cond(t.cond, get(t.a), get(t.b), t.w32 === true) ? t.then : t.else;
      block = byId.get(to)!;
    }
  } catch (e) {
    if (e instanceof ProgramAbort) return 0n;
    throw e;
  }

  function exec(i: Inst): void {
    switch (i.op) {
      case "const": regs.set(i.dst, U64(i.value)); return;
      case "param":
        if (i.index !== 0) throw new Error("only param 0 (ctx) is supported");
        regs.set(i.dst, CTX_BASE);
        return;
      case "mapref": regs.set(i.dst, world.mapHandle(i.map)); return;
      case "stack": regs.set(i.dst, slotBase[i.slot]); return;
      case "copy": regs.set(i.dst, get(i.src)); return;
      case "bin": regs.set(i.dst, bin(i.kind, get(i.a), get(i.b), i.w32 === true)); return;
      case "neg": regs.set(i.dst, U64(-get(i.a))); return;
      case "ext": {
        const v = get(i.a);
        regs.set(i.dst, U64(i.signed ? BigInt.asIntN(i.bits, v) : BigInt.asUintN(i.bits, v)));
        return;
      }
      case "bswap": regs.set(i.dst, bswap(get(i.a), i.bits)); return;
      case "load": {
        const v = world.mem.load(get(i.base) + BigInt(i.off), i.size);
        regs.set(i.dst, i.signed ? U64(BigInt.asIntN(8 * i.size, v)) : v);
        return;
      }
      case "store":
        world.mem.store(get(i.base) + BigInt(i.off), i.size, get(i.value));
        return;
      case "atomic": {
        const addr = get(i.base) + BigInt(i.off);
        const old = world.mem.load(addr, i.size);
        const val = BigInt.asUintN(8 * i.size, get(i.value));
        let nv: bigint;
        switch (i.kind) {
          case "add": nv = old + val; break;
          case "and": nv = old & val; break;
          case "or": nv = old | val; break;
          case "xor": nv = old ^ val; break;
          case "xchg": nv = val; break;
          case "cmpxchg": nv = old === BigInt.asUintN(8 * i.size, get(i.expected!)) ? val : old; break;
        }
        world.mem.store(addr, i.size, BigInt.asUintN(8 * i.size, nv));
        if (i.dst !== undefined) regs.set(i.dst, old);
        return;
      }
      case "call":
        regs.set(i.dst, U64(world.call(i.helper, i.args.map(get))));
        return;
      case "ldabs":
        if (get(i.ctx) !== CTX_BASE) throw new Error("ldabs on a non-context");
        regs.set(i.dst, world.packetLoad(BigInt(i.off), i.size));
        return;
      case "ldind":
        if (get(i.ctx) !== CTX_BASE) throw new Error("ldind on a non-context");
        regs.set(i.dst, world.packetLoad(BigInt.asIntN(32, get(i.index) + BigInt(i.off)), i.size));
        return;
      case "asm":
        throw new Error("asm cannot be interpreted at the IR level");
    }
  }
}
