// Tests for writeObject: layout checked with our readers, then with llvm-readelf/objdump,
// bpftool (BTF dump, kernel load with no libbpf warnings) and against clang's output.

import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { BPF_MAP_TYPE_RINGBUF, LICENSE_SYMBOL, type MapDef, mapStructType, type ObjectInput, type ProgramCode, writeObject } from "./object.ts";
import type { TypeDesc } from "./btf/types.ts";
import { BtfKind } from "./btf/encode.ts";
import { type ParsedBtf, readBtf, readBtfExt } from "./btf/read.ts";
import { type ElfFile, findSection, readElf, relocsFor } from "./elf/read.ts";
import { SHF, STB, STT, writeElf } from "./elf/write.ts";

// ---- hand assembly -------------------------------------------------------------------
const ins = (code: number, dst: number, src: number, off: number, imm: number): number[] => {
  const b = new Uint8Array(8), dv = new DataView(b.buffer);
  b[0] = code, b[1] = (src << 4) | dst, dv.setInt16(2, off, true), dv.setInt32(4, imm, true);
  return [...b];
};
const code = (...insns: number[][]) => new Uint8Array(insns.flat());
const ldMap = (dst: number) => [...ins(0x18, dst, 0, 0, 0), ...ins(0, 0, 0, 0, 0)]; // ld_imm64, relocated
const exit = () => ins(0x95, 0, 0, 0, 0);
const movImm = (dst: number, imm: number) => ins(0xb7, dst, 0, 0, imm);
const call = (helper: number) => ins(0x85, 0, 0, 0, helper);

/** key = 0; v = lookup(map, &key); if (v) atomic v += 1; return 2 (XDP_PASS). */
const counterCode = () => code(
  movImm(1, 0), ins(0x63, 10, 1, -4, 0), ins(0xbf, 2, 10, 0, 0), ins(0x07, 2, 0, 0, -4), ldMap(1), call(1),
  ins(0x15, 0, 0, 2, 0), movImm(1, 1), ins(0xdb, 0, 1, 0, 0), movImm(0, 2), exit(),
);
/** e = ringbuf_reserve(map, 8, 0); if (e) { *e = 1; ringbuf_submit(e, 0) } return 0. */
const ringbufCode = () => code(
  ldMap(1), movImm(2, 8), movImm(3, 0), call(131), ins(0x15, 0, 0, 4, 0), ins(0x7a, 0, 0, 0, 1),
  ins(0xbf, 1, 0, 0, 0), movImm(2, 0), call(132), movImm(0, 0), exit(),
);

const u16: TypeDesc = { kind: "int", name: "unsigned short", size: 2, signed: false };
const u32: TypeDesc = { kind: "int", name: "unsigned int", size: 4, signed: false };
const u64: TypeDesc = { kind: "int", name: "unsigned long long", size: 8, signed: false };
const td = (name: string, type: TypeDesc): TypeDesc => ({ kind: "typedef", name, type });
const xdpMd: TypeDesc = {
  kind: "struct", name: "xdp_md", size: 24,
  members: ["data", "data_end", "data_meta", "ingress_ifindex", "rx_queue_index", "egress_ifindex"]
    .map((name, i) => ({ name, type: td("__u32", u32), offset: 4 * i })),
};
const flowKey: TypeDesc = {
  kind: "struct", name: "flow_key", size: 8,
  members: [{ name: "saddr", type: td("__u32", u32), offset: 0 }, { name: "port", type: td("__u16", u16), offset: 4 }, { name: "pad", type: td("__u16", u16), offset: 6 }],
};
const flowStats: TypeDesc = {
  kind: "struct", name: "flow_stats", size: 16,
  members: [{ name: "packets", type: td("__u64", u64), offset: 0 }, { name: "bytes", type: td("__u64", u64), offset: 8 }],
};

const prog = (name: string, section: string, c: Uint8Array, relocs: ProgramCode["relocs"], extra: Partial<ProgramCode> = {}): ProgramCode =>
  ({ name, section, code: c, relocs, ctxType: xdpMd, lines: [], coreRelos: [], ...extra });
const counter = (name: string, map: string, section = "xdp") => prog(name, section, counterCode(), [{ offset: 32, symbol: map }]);

const pktCount: MapDef = { name: "pkt_count", type: 2, keySize: 4, valueSize: 8, maxEntries: 1, flags: 0, keyType: td("__u32", u32), valueType: td("__u64", u64) };
const flows: MapDef = { name: "flows", type: 1, keySize: 4, valueSize: 8, maxEntries: 1024, flags: 1 /* BPF_F_NO_PREALLOC */ };
const events: MapDef = { name: "events", type: BPF_MAP_TYPE_RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096, flags: 0 };
const stats: MapDef = { name: "stats", type: 1, keySize: 8, valueSize: 16, maxEntries: 256, flags: 0, keyType: flowKey, valueType: flowStats };

/** The object the C file below compiles to (same maps, sections and counter code). */
const combined = (): ObjectInput => ({
  license: "GPL",
  maps: [pktCount, flows, events, stats].map((m) => ({ ...m })),
  programs: [counter("count_packets", "pkt_count"), counter("other", "flows"), prog("rb", "tc", ringbufCode(), [{ offset: 0, symbol: "events" }])],
});
const combinedC = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct flow_key { __u32 saddr; __u16 port; __u16 pad; };
struct flow_stats { __u64 packets; __u64 bytes; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __type(key, __u32); __type(value, __u64); __uint(max_entries, 1); } pkt_count SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(key_size, 4); __uint(value_size, 8); __uint(max_entries, 1024); __uint(map_flags, BPF_F_NO_PREALLOC); } flows SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } events SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, struct flow_key); __type(value, struct flow_stats); __uint(max_entries, 256); } stats SEC(".maps");
SEC("xdp") int count_packets(struct xdp_md *ctx) { __u32 k = 0; __u64 *v = bpf_map_lookup_elem(&pkt_count, &k); if (v) __sync_fetch_and_add(v, 1); return XDP_PASS; }
SEC("xdp") int other(struct xdp_md *ctx) { __u32 k = 0; __u64 *v = bpf_map_lookup_elem(&flows, &k); if (v) __sync_fetch_and_add(v, 1); return XDP_PASS; }
SEC("tc") int rb(struct xdp_md *ctx) { __u64 *e = bpf_ringbuf_reserve(&events, 8, 0); if (e) { *e = 1; bpf_ringbuf_submit(e, 0); } return 0; }
char ${LICENSE_SYMBOL}[] SEC("license") = "GPL";
`;

// ---- reading objects back ------------------------------------------------------------
const open = (bytes: Uint8Array) => {
  const elf = readElf(bytes);
  const btf = readBtf(findSection(elf, ".BTF")!.data);
  const extSec = findSection(elf, ".BTF.ext");
  return { elf, btf, ext: extSec ? readBtfExt(extSec.data, btf.str) : null };
};
const skipTypedefs = (btf: ParsedBtf, id: number): number => {
  while (id && btf.types[id - 1].kind === BtfKind.TYPEDEF) id = btf.types[id - 1].sizeOrType;
  return id;
};
/** Per map VAR in DATASEC .maps: its name and members as `name=uint:N` or `name=KIND name/size`. */
function mapShapes(btf: ParsedBtf): Record<string, string[]> {
  const ds = btf.types.find((t) => t.kind === BtfKind.DATASEC && btf.str(t.nameOff) === ".maps");
  if (!ds) return {};
  const out: Record<string, string[]> = {};
  for (let i = 0; i < ds.vlen; i++) {
    const v = btf.types[ds.extra[3 * i] - 1];
    const st = btf.types[v.sizeOrType - 1];
    out[btf.str(v.nameOff)] = Array.from({ length: st.vlen }, (_, k) => {
      const [nameOff, ptrId] = st.extra.slice(3 * k, 3 * k + 2);
      const target = btf.types[skipTypedefs(btf, btf.types[ptrId - 1].sizeOrType) - 1];
      const desc = target.kind === BtfKind.ARRAY
        ? `uint:${target.extra[2]}`
        : `${BtfKind.STRUCT === target.kind ? "struct" : "int"} ${btf.str(target.nameOff)}/${target.sizeOrType}`;
      return `${btf.str(nameOff)}=${desc}`;
    });
  }
  return out;
}
const symbolsOf = (elf: ElfFile, type: number) =>
  elf.symbols.filter((s) => s.type === type && s.bind === STB.GLOBAL).map((s) => [s.name, s.section, s.value, s.size]);

// ---- pure structure tests ------------------------------------------------------------
test("sections, symbols and relocations follow clang's layout", () => {
  const { elf } = open(writeObject(combined()));
  assert.equal(elf.machine, 247);
  assert.deepEqual(elf.sections.map((s) => s.name), ["", "xdp", ".relxdp", "tc", ".reltc", ".maps", "license", ".BTF", ".BTF.ext", ".symtab", ".strtab", ".shstrtab"]);
  const xdp = findSection(elf, "xdp")!;
  assert.equal(xdp.flags, SHF.ALLOC | SHF.EXECINSTR);
  assert.equal(xdp.align, 8);
  assert.equal(xdp.size, 192);
  assert.deepEqual(symbolsOf(elf, STT.FUNC), [["count_packets", "xdp", 0, 96], ["other", "xdp", 96, 96], ["rb", "tc", 0, 96]]);
  assert.deepEqual(symbolsOf(elf, STT.OBJECT), [
    ["pkt_count", ".maps", 0, 32], ["flows", ".maps", 32, 40], ["events", ".maps", 72, 16], ["stats", ".maps", 88, 32],
    [LICENSE_SYMBOL, "license", 0, 4],
  ]);
  const maps = findSection(elf, ".maps")!;
  assert.equal(maps.size, 120);
  assert.ok(maps.data.every((b) => b === 0));
  assert.equal(maps.flags, SHF.ALLOC | SHF.WRITE);
  const lic = findSection(elf, "license")!;
  assert.deepEqual([...lic.data], [71, 80, 76, 0]);
  assert.equal(lic.flags, SHF.ALLOC | SHF.WRITE);
  assert.deepEqual(relocsFor(elf, "xdp").map((r) => [r.offset, r.symbol, r.type]), [[32, "pkt_count", 1], [128, "flows", 1]]);
  assert.deepEqual(relocsFor(elf, "tc").map((r) => [r.offset, r.symbol, r.type]), [[0, "events", 1]]);
});

test("map structs: __uint/__type members, ringbuf, zero sizes, flags, pinning, numa", () => {
  const { btf } = open(writeObject(combined()));
  assert.deepEqual(mapShapes(btf), {
    pkt_count: ["type=uint:2", "key=int unsigned int/4", "value=int unsigned long long/8", "max_entries=uint:1"],
    flows: ["type=uint:1", "key_size=uint:4", "value_size=uint:8", "max_entries=uint:1024", "map_flags=uint:1"],
    events: ["type=uint:27", "max_entries=uint:4096"],
    stats: ["type=uint:1", "key=struct flow_key/8", "value=struct flow_stats/16", "max_entries=uint:256"],
  });
  const s = mapStructType({ name: "p", type: 5, keySize: 0, valueSize: 0, maxEntries: 8, flags: 0, pinning: 1, numaNode: 0 });
  assert.deepEqual(s.members.map((m) => m.name), ["type", "max_entries", "numa_node", "pinning"]);
  assert.equal(s.size, 32);
  const rb = mapStructType({ ...events, keySize: 4, valueSize: 4, pinning: 0 });
  assert.deepEqual(rb.members.map((m) => m.name), ["type", "max_entries"]);
  assert.throws(() => mapStructType({ ...stats, keySize: 4 }), /key type has size 8, but keySize is 4/);
  // DATASEC .maps entries match the symbols.
  const ds = btf.types.find((t) => t.kind === BtfKind.DATASEC && btf.str(t.nameOff) === ".maps")!;
  assert.equal(ds.sizeOrType, 120);
  assert.deepEqual(Array.from({ length: ds.vlen }, (_, i) => [ds.extra[3 * i + 1], ds.extra[3 * i + 2]]), [[0, 32], [32, 40], [72, 16], [88, 32]]);
});

test("FUNC/FUNC_PROTO per program and func_info at each program's offset", () => {
  const { btf, ext } = open(writeObject({ ...combined(), programs: [...combined().programs, { ...counter("bare", "pkt_count"), ctxType: null }] }));
  const funcs = btf.types.map((t, i) => ({ t, id: i + 1 })).filter(({ t }) => t.kind === BtfKind.FUNC);
  assert.deepEqual(funcs.map(({ t }) => [btf.str(t.nameOff), t.vlen]), [["count_packets", 1], ["other", 1], ["bare", 1], ["rb", 1]]);
  for (const { t } of funcs) {
    const proto = btf.types[t.sizeOrType - 1];
    assert.equal(proto.kind, BtfKind.FUNC_PROTO);
    assert.equal(btf.str(btf.types[proto.sizeOrType - 1].nameOff), "int");
    assert.equal(btf.str(proto.extra[0]), "ctx");
    assert.equal(btf.types[proto.extra[1] - 1].kind, BtfKind.PTR);
  }
  const bareProto = btf.types[funcs[2].t.sizeOrType - 1];
  assert.equal(btf.types[bareProto.extra[1] - 1].sizeOrType, 0, "null ctxType → void *");
  const id = (n: string) => funcs.find(({ t }) => btf.str(t.nameOff) === n)!.id;
  assert.deepEqual(ext!.funcInfo, [
    { section: "xdp", records: [{ insnOff: 0, typeId: id("count_packets") }, { insnOff: 96, typeId: id("other") }, { insnOff: 192, typeId: id("bare") }] },
    { section: "tc", records: [{ insnOff: 0, typeId: id("rb") }] },
  ]);
  assert.deepEqual(ext!.lineInfo, [], "no lines: no line_info subsection");
  assert.deepEqual(ext!.coreRelo, []);
});

test("line_info is section-relative, starts each program and has one record per insn", () => {
  const l = (insnOffset: number, line: number, text: string) => ({ insnOffset, file: "t.wl", line, col: 2, lineText: text });
  const input = combined();
  input.programs[0].lines = [l(0, 1, "(a)"), l(8, 2, "(b)")];
  input.programs[1].lines = [l(16, 5, "(c)"), l(16, 6, "(dup)"), l(8, 4, "(d)")];
  const { ext } = open(writeObject(input));
  assert.deepEqual(ext!.lineInfo.map((g) => [g.section, g.records.map((r) => [r.insnOff, r.line, r.lineText])]), [
    ["xdp", [[0, 1, "(a)"], [8, 2, "(b)"], [96, 4, "(d)"], [104, 4, "(d)"], [112, 5, "(c)"]]],
    ["tc", [[0, 0, ""]]],
  ]);
});

test("core_relo records carry section offsets, root type ids and access strings", () => {
  const regs: TypeDesc = { kind: "struct", name: "pt_regs", size: 8, members: [{ name: "di", type: u64, offset: 0 }] };
  const input = combined();
  input.programs[1].coreRelos = [{ insnOffset: 8, type: regs, accessStr: "0:0", kind: 0 }];
  const { btf, ext } = open(writeObject(input));
  assert.equal(ext!.coreRelo.length, 1);
  const [rec] = ext!.coreRelo[0].records;
  assert.equal(ext!.coreRelo[0].section, "xdp");
  assert.deepEqual([rec.insnOff, rec.accessStr, rec.kind], [104, "0:0", 0]);
  assert.equal(btf.str(btf.types[rec.typeId - 1].nameOff), "pt_regs");
});

test("output is deterministic and bad input is rejected", () => {
  assert.deepEqual(writeObject(combined()), writeObject(combined()));
  const bad = (f: (i: ObjectInput) => void, re: RegExp) => {
    const i = combined();
    f(i);
    assert.throws(() => writeObject(i), re);
  };
  bad((i) => (i.programs[0].relocs[0].symbol = "nope"), /unknown map nope/);
  bad((i) => (i.programs[0].relocs[0].offset = 8), /not on an ld_imm64/);
  bad((i) => (i.programs[0].code = i.programs[0].code.subarray(0, 12)), /multiple of 8/);
  bad((i) => (i.programs[0].code = new Uint8Array(0)), /no code/);
  bad((i) => (i.programs[1].name = "count_packets"), /duplicate symbol count_packets/);
  bad((i) => (i.maps[0].name = "bad-name"), /invalid symbol name/);
  bad((i) => (i.programs[0].section = ".maps"), /reserved/);
  const empty = open(writeObject({ license: "MIT", programs: [], maps: [] }));
  assert.equal(findSection(empty.elf, ".maps"), undefined);
  assert.equal(empty.ext, null);
});

// ---- real tools ------------------------------------------------------------------------
const REQUIRE = process.env.WHISTLER_REQUIRE_KERNEL === "1";
const run = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20 });
  return { status: r.error ? -1 : r.status, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
};
const have = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
function capBpf(): boolean {
  try {
    const m = /CapEff:\s*([0-9a-f]+)/.exec(readFileSync("/proc/self/status", "utf8"));
    const caps = BigInt("0x" + (m?.[1] ?? "0"));
    return ((caps >> 39n) & 1n) === 1n || ((caps >> 21n) & 1n) === 1n; // CAP_BPF or CAP_SYS_ADMIN
  } catch {
    return false;
  }
}
function bpffs(): boolean {
  const mounted = () => readFileSync("/proc/mounts", "utf8").split("\n").some((l) => l.split(" ")[1] === "/sys/fs/bpf" && l.split(" ")[2] === "bpf");
  if (!existsSync("/proc/mounts")) return false;
  if (!mounted()) run("mount", ["-t", "bpf", "bpf", "/sys/fs/bpf"]);
  return mounted();
}
/** True (after printing SKIP) when the test must be skipped; fails instead under WHISTLER_REQUIRE_KERNEL=1. */
function missing(t: TestContext, needs: { kernel?: boolean; clang?: boolean; llvm?: boolean }): boolean {
  const hard: string[] = [], soft: string[] = [];
  if (needs.kernel) {
    if (!have("bpftool")) hard.push("bpftool not found");
    else if (!capBpf()) hard.push("no CAP_BPF (not root)");
    else if (!bpffs()) hard.push("bpffs not mounted at /sys/fs/bpf");
  }
  if (needs.llvm && !(have("llvm-readelf-19") && have("llvm-objdump-19"))) soft.push("llvm-readelf-19/llvm-objdump-19 not found");
  if (needs.clang && !have("clang-19")) soft.push("clang-19 not found");
  if (REQUIRE && hard.length) assert.fail(`WHISTLER_REQUIRE_KERNEL=1 but ${hard.join(", ")}`);
  if (!hard.length && !soft.length) return false;
  console.log(`SKIP: ${[...hard, ...soft].join(", ")}`);
  t.skip();
  return true;
}
let pinSeq = 0;
/** `bpftool -d prog loadall`; `inspect` sees the pin dir before it is removed. */
function loadall(obj: string, inspect?: (pinDir: string) => void) {
  const pin = `/sys/fs/bpf/whistler_test_${process.pid}_${Date.now()}_${pinSeq++}`;
  try {
    const r = run("bpftool", ["-d", "prog", "loadall", obj, pin]);
    const warnings = r.out.split("\n").filter((l) => l.startsWith("libbpf: ") && /warn|corrupted|failed/i.test(l));
    const pinned = existsSync(pin) ? readdirSync(pin).sort() : [];
    if (r.status === 0) inspect?.(pin);
    return { ...r, warnings, pinned };
  } finally {
    rmSync(pin, { recursive: true, force: true });
  }
}
const withTmp = <T>(f: (dir: string) => T): T => {
  const dir = mkdtempSync(join(tmpdir(), "whistler-obj-"));
  try {
    return f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/** Every tool check on one object: readelf, objdump, btf dump, loadall without warnings. */
function checkWithTools(input: ObjectInput, expectPinned: string[]) {
  withTmp((dir) => {
    const obj = join(dir, "o.o");
    writeFileSync(obj, writeObject(input));
    const re = run("llvm-readelf-19", ["-S", "-s", "-r", obj]);
    assert.equal(re.status, 0, re.out);
    assert.doesNotMatch(re.out, /warning|error/i);
    for (const p of input.programs) assert.match(re.out, new RegExp(`FUNC\\s+GLOBAL\\s+DEFAULT\\s+\\d+ ${p.name}\\b`));
    for (const m of input.maps) assert.match(re.out, new RegExp(`OBJECT\\s+GLOBAL\\s+DEFAULT\\s+\\d+ ${m.name}\\b`));
    if (input.programs.some((p) => p.relocs.length)) assert.match(re.out, /R_BPF_64_64/);
    const od = run("llvm-objdump-19", ["-d", obj]);
    assert.equal(od.status, 0, od.out);
    for (const p of input.programs) assert.match(od.out, new RegExp(`<${p.name}>:`));
    assert.doesNotMatch(od.out, /<unknown>/);
    const dump = run("bpftool", ["btf", "dump", "file", obj]);
    assert.equal(dump.status, 0, dump.out);
    for (const m of input.maps) assert.match(dump.out, new RegExp(`VAR '${m.name}'`));
    const load = loadall(obj);
    if (process.env.WHISTLER_TEST_VERBOSE) console.log(load.out);
    assert.equal(load.status, 0, load.out);
    assert.deepEqual(load.warnings, [], load.out);
    assert.deepEqual(load.pinned, expectPinned);
  });
}

test("kernel: packet counter (array map, typed key/value) loads", (t) => {
  if (missing(t, { kernel: true, llvm: true })) return;
  checkWithTools({ license: "GPL", maps: [pktCount], programs: [counter("count_packets", "pkt_count")] }, ["count_packets"]);
});

test("kernel: two XDP programs sharing the xdp section load", (t) => {
  if (missing(t, { kernel: true, llvm: true })) return;
  checkWithTools({ license: "GPL", maps: [pktCount, { ...pktCount, name: "pkt_count2" }], programs: [counter("first", "pkt_count"), counter("second", "pkt_count2")] }, ["first", "second"]);
});

test("kernel: hash map with map_flags (BPF_F_NO_PREALLOC) loads", (t) => {
  if (missing(t, { kernel: true, llvm: true })) return;
  checkWithTools({ license: "GPL", maps: [flows], programs: [counter("other", "flows")] }, ["other"]);
});

test("kernel: map with struct keyType/valueType loads", (t) => {
  if (missing(t, { kernel: true, llvm: true })) return;
  checkWithTools({ license: "Dual BSD/GPL", maps: [stats, pktCount], programs: [counter("count_packets", "pkt_count")] }, ["count_packets"]);
});

test("kernel: ringbuf map used from a tc program loads", (t) => {
  if (missing(t, { kernel: true, llvm: true })) return;
  checkWithTools({ license: "GPL", maps: [events], programs: [prog("rb", "tc", ringbufCode(), [{ offset: 0, symbol: "events" }])] }, ["rb"]);
});

test("kernel: the combined object (4 maps, 3 programs, 2 sections, line info) loads", (t) => {
  if (missing(t, { kernel: true, llvm: true })) return;
  const input = combined();
  input.programs[0].lines = [{ insnOffset: 0, file: "c.wl", line: 1, col: 1, lineText: "(defprog count_packets)" }];
  checkWithTools(input, ["count_packets", "other", "rb"]);
});

test("kernel: a pinned (LIBBPF_PIN_BY_NAME) map loads and is pinned by name", (t) => {
  if (missing(t, { kernel: true, llvm: true })) return;
  const name = `whistler_pin_${process.pid}_${pinSeq++}`;
  const pinned = `/sys/fs/bpf/${name}`;
  try {
    checkWithTools({ license: "GPL", maps: [{ ...pktCount, name, pinning: 1 }], programs: [counter("count_packets", name)] }, ["count_packets"]);
    assert.ok(existsSync(pinned), "libbpf pinned the map at /sys/fs/bpf/<name>");
  } finally {
    rmSync(pinned, { force: true });
  }
});

test("kernel: the warning check catches libbpf's complaint about a too-short .maps", (t) => {
  if (missing(t, { kernel: true })) return;
  // Rebuild our object with .maps 8 bytes short of the BTF map struct (the map_flags trap).
  const elf = readElf(writeObject({ license: "GPL", maps: [flows], programs: [counter("other", "flows")] }));
  const own = new Set(["", ".symtab", ".strtab", ".shstrtab"]);
  const broken = writeElf({
    sections: elf.sections.filter((s) => !own.has(s.name) && !s.name.startsWith(".rel")).map((s) => ({
      name: s.name, type: s.type, flags: s.flags, align: s.align, data: s.name === ".maps" ? s.data.subarray(8) : s.data,
    })),
    symbols: elf.symbols.slice(1).map((s) => ({ ...s, section: s.section ?? s.shndx })),
    relocations: elf.relocations.map((r) => ({ section: r.target, relocs: r.relocs })),
  });
  withTmp((dir) => {
    writeFileSync(join(dir, "broken.o"), broken);
    const load = loadall(join(dir, "broken.o"));
    assert.notEqual(load.status, 0);
    assert.ok(load.warnings.some((l) => /BTF data is corrupted/.test(l)), load.out);
  });
});

test("kernel: line_info text shows in the verifier log of a rejected program", (t) => {
  if (missing(t, { kernel: true })) return;
  const bad = prog("bad", "xdp", code(ins(0xbf, 0, 2, 0, 0), exit()), [], {
    lines: [
      { insnOffset: 0, file: "bad.wl", line: 7, col: 3, lineText: "(return uninitialised-r2)" },
      { insnOffset: 8, file: "bad.wl", line: 8, col: 1, lineText: "(exit)" },
    ],
  });
  withTmp((dir) => {
    const obj = join(dir, "bad.o");
    writeFileSync(obj, writeObject({ license: "GPL", maps: [], programs: [bad] }));
    const load = loadall(obj);
    assert.notEqual(load.status, 0, "the verifier must reject reading r2");
    assert.match(load.out, /R2 !read_ok/);
    assert.match(load.out, /; \(return uninitialised-r2\) @ bad\.wl:7/);
  });
});

test("kernel: CO-RE field offset relocation is applied by libbpf", (t) => {
  if (missing(t, { kernel: true })) return;
  // Local struct pt_regs with `di` at offset 0; the kernel's is elsewhere (112 on x86_64).
  const regs: TypeDesc = { kind: "struct", name: "pt_regs", size: 8, members: [{ name: "di", type: { kind: "int", name: "long unsigned int", size: 8, signed: false }, offset: 0 }] };
  const kp = prog("kp", "kprobe/do_nanosleep", code(ins(0x79, 1, 1, 0, 0), movImm(0, 0), exit()), [], {
    ctxType: regs, coreRelos: [{ insnOffset: 0, type: regs, accessStr: "0:0", kind: 0 }],
  });
  withTmp((dir) => {
    const obj = join(dir, "core.o");
    writeFileSync(obj, writeObject({ license: "GPL", maps: [], programs: [kp] }));
    let xlated = "";
    const load = loadall(obj, (pin) => (xlated = run("bpftool", ["prog", "dump", "xlated", "pinned", join(pin, "kp")]).out));
    assert.equal(load.status, 0, load.out);
    assert.deepEqual(load.warnings, [], load.out);
    assert.match(load.out, /CO-RE relocating \[\d+\] struct pt_regs/);
    if (process.arch === "x64") assert.match(xlated, /r1 = \*\(u64 \*\)\(r1 \+112\)/, xlated);
  });
});

test("clang: same sections, symbols, map structs, DATASEC layout and func_info as clang-19", (t) => {
  if (missing(t, { clang: true })) return;
  withTmp((dir) => {
    writeFileSync(join(dir, "x.c"), combinedC);
    const cc = run("clang-19", ["-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c", join(dir, "x.c"), "-o", join(dir, "x.o")]);
    assert.equal(cc.status, 0, cc.out);
    const theirs = open(readFileSync(join(dir, "x.o")));
    const ours = open(writeObject(combined()));
    const progSections = (e: ElfFile) =>
      e.sections.filter((s) => s.flags & SHF.EXECINSTR && s.size > 0).map((s) => [s.name, s.flags, s.align]);
    assert.deepEqual(progSections(ours.elf), progSections(theirs.elf));
    for (const name of [".maps", "license"]) {
      const [a, b] = [findSection(ours.elf, name)!, findSection(theirs.elf, name)!];
      assert.deepEqual([a.flags, a.size, [...a.data]], [b.flags, b.size, [...b.data]], name);
    }
    const sortSyms = (e: ElfFile, type: number) => symbolsOf(e, type).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    assert.deepEqual(sortSyms(ours.elf, STT.OBJECT), sortSyms(theirs.elf, STT.OBJECT), "map/license symbols: offsets and sizes");
    const funcSyms = (e: ElfFile) => sortSyms(e, STT.FUNC).map(([n, s, v]) => [n, s, v]);
    assert.deepEqual(funcSyms(ours.elf), funcSyms(theirs.elf));
    assert.deepEqual(mapShapes(ours.btf), mapShapes(theirs.btf));
    const relocs = (e: ElfFile, s: string) => relocsFor(e, s).map((r) => [r.symbol, r.type]);
    assert.deepEqual(relocs(ours.elf, "xdp"), relocs(theirs.elf, "xdp"));
    assert.deepEqual(relocs(ours.elf, "tc"), relocs(theirs.elf, "tc"));
    assert.deepEqual(relocsFor(ours.elf, "xdp").map((r) => r.offset), relocsFor(theirs.elf, "xdp").map((r) => r.offset), "same counter code");
    const funcs = (b: ParsedBtf) => b.types.filter((x) => x.kind === BtfKind.FUNC).map((f) => {
      const proto = b.types[f.sizeOrType - 1];
      const ctx = b.types[b.types[proto.extra[1] - 1].sizeOrType - 1];
      return [b.str(f.nameOff), f.vlen, b.str(proto.extra[0]), b.str(ctx.nameOff)];
    }).sort();
    assert.deepEqual(funcs(ours.btf), funcs(theirs.btf));
    const funcInfo = (x: ReturnType<typeof open>) =>
      x.ext!.funcInfo.map((g) => [g.section, g.records.map((r) => [r.insnOff, x.btf.str(x.btf.types[r.typeId - 1].nameOff)])]);
    assert.deepEqual(funcInfo(ours), funcInfo(theirs));
    const datasecs = (b: ParsedBtf) => b.types.filter((x) => x.kind === BtfKind.DATASEC).map((d) => [
      b.str(d.nameOff), Array.from({ length: d.vlen }, (_, i) => [b.str(b.types[d.extra[3 * i] - 1].nameOff), d.extra[3 * i + 2]]),
    ]);
    assert.deepEqual(datasecs(ours.btf), datasecs(theirs.btf), "DATASEC vars and sizes (clang leaves offsets 0 for libbpf)");
  });
});
