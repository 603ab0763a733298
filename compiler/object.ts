// Assembles a libbpf-loadable BPF ELF object (as clang lays one out): program sections,
// BTF-defined maps in `.maps`, `license`, `.BTF`, `.BTF.ext` and map relocations.

import { BtfBuilder, sizeOf, type StructDesc, type TypeDesc } from "./btf/types.ts";
import { type CoreReloRecord, encodeBtfExt, type FuncInfoRecord, type LineInfoRecord } from "./btf/ext.ts";
import { BtfVarLinkage } from "./btf/encode.ts";
import { type ElfRelocSpec, type ElfSectionSpec, type ElfSymbolSpec, R_BPF, SHF, SHT, STB, STT, writeElf } from "./elf/write.ts";

export type { TypeDesc } from "./btf/types.ts";

export interface ObjectInput {
  license: string;
  programs: ProgramCode[];
  maps: MapDef[];
  /** More types for .BTF (the user's structs, so every struct has BTF even if no map uses it). */
  types?: TypeDesc[];
}

export interface ProgramCode {
  /** ELF symbol name (e.g. "count_packets"). */
  name: string;
  /** ELF section, e.g. "xdp", "kprobe/do_nanosleep"; programs sharing one share the section. */
  section: string;
  /** Encoded instructions. */
  code: Uint8Array;
  /** `offset`: byte offset in `code` of an ld_imm64 that loads map `symbol`. */
  relocs: { offset: number; symbol: string }[];
  /** Pointee of the single `ctx` parameter; null → void *. */
  ctxType: TypeDesc | null;
  lines: { insnOffset: number; file: string; line: number; col: number; lineText: string }[];
  coreRelos: { insnOffset: number; type: TypeDesc; accessStr: string; kind: number }[];
}

export interface MapDef {
  name: string;
  /** BPF_MAP_TYPE_*. */
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  /** When given, encoded as `__type(key, T)` instead of `__uint(key_size, N)`. */
  keyType?: TypeDesc;
  valueType?: TypeDesc;
  /** LIBBPF_PIN_BY_NAME = 1. */
  pinning?: number;
  numaNode?: number;
}

/** Name of the global object symbol (and BTF VAR) holding the license string. */
export const LICENSE_SYMBOL = "_license";
export const BPF_MAP_TYPE_RINGBUF = 27;
const LD_IMM64 = 0x18;

const INT: TypeDesc = { kind: "int", name: "int", size: 4, signed: true };
const CHAR: TypeDesc = { kind: "int", name: "char", size: 1, signed: true };

/** The anonymous struct libbpf reads a BTF-defined map from (`__uint`/`__type` members). */
export function mapStructType(m: MapDef): StructDesc {
  const fields: [string, TypeDesc][] = [];
  // __uint(name, val): a pointer to an array of int with val elements.
  const uint = (name: string, val: number) =>
    fields.push([name, { kind: "ptr", to: { kind: "array", elem: INT, count: val } }]);
  const typed = (name: string, t: TypeDesc) => fields.push([name, { kind: "ptr", to: t }]);
  const checkSize = (what: string, t: TypeDesc, n: number) => {
    const size = sizeOf(t);
    if (n !== 0 && size !== n) throw new Error(`map ${m.name}: ${what} type has size ${size}, but ${what}Size is ${n}`);
  };
  uint("type", m.type);
  if (m.type !== BPF_MAP_TYPE_RINGBUF) {
    if (m.keyType) checkSize("key", m.keyType, m.keySize), typed("key", m.keyType);
    else if (m.keySize) uint("key_size", m.keySize);
    if (m.valueType) checkSize("value", m.valueType, m.valueSize), typed("value", m.valueType);
    else if (m.valueSize) uint("value_size", m.valueSize);
  }
  if (m.maxEntries) uint("max_entries", m.maxEntries);
  if (m.flags) uint("map_flags", m.flags);
  if (m.numaNode !== undefined) uint("numa_node", m.numaNode);
  if (m.pinning) uint("pinning", m.pinning);
  return {
    kind: "struct", name: "", size: 8 * fields.length,
    members: fields.map(([name, type], i) => ({ name, type, offset: 8 * i })),
  };
}

/** Program sections in first-appearance order, each with its programs and their byte offsets. */
function groupSections(programs: ProgramCode[]) {
  const sections = new Map<string, { prog: ProgramCode; offset: number }[]>();
  const sizes = new Map<string, number>();
  for (const prog of programs) {
    if (prog.code.length === 0) throw new Error(`program ${prog.name}: no code`);
    if (prog.code.length % 8 !== 0) throw new Error(`program ${prog.name}: code length ${prog.code.length} is not a multiple of 8`);
    const at = sizes.get(prog.section) ?? 0;
    if (!sections.has(prog.section)) sections.set(prog.section, []);
    sections.get(prog.section)!.push({ prog, offset: at });
    sizes.set(prog.section, at + prog.code.length);
  }
  return sections;
}

function checkNames(input: ObjectInput) {
  const symbols = new Set<string>([LICENSE_SYMBOL]);
  for (const n of [...input.programs.map((p) => p.name), ...input.maps.map((m) => m.name)]) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new Error(`invalid symbol name ${JSON.stringify(n)}`);
    if (symbols.has(n)) throw new Error(`duplicate symbol ${n}`);
    symbols.add(n);
  }
  for (const p of input.programs) {
    if ([".maps", "license", ".BTF", ".BTF.ext", ""].includes(p.section) || p.section.startsWith(".rel")) {
      throw new Error(`program ${p.name}: section name ${JSON.stringify(p.section)} is reserved`);
    }
  }
}

type Line = ProgramCode["lines"][number];

/**
 * Line records for one program, section-relative: sorted, one per instruction (the first
 * wins), and starting at the program's first instruction as the verifier requires (the
 * first record is repeated there if needed; a program without lines in an object that has
 * some gets an empty record so libbpf does not drop line info).
 */
function programLines(lines: Line[], base: number, anyLines: boolean): LineInfoRecord[] {
  const sorted = lines.map((l, i) => [l, i] as const).sort((a, b) => a[0].insnOffset - b[0].insnOffset || a[1] - b[1]);
  const out: LineInfoRecord[] = [];
  for (const [l] of sorted) {
    if (out.length && out[out.length - 1].insnOff === base + l.insnOffset) continue;
    out.push({ insnOff: base + l.insnOffset, file: l.file, lineText: l.lineText, line: l.line, col: l.col });
  }
  if (out.length && out[0].insnOff !== base) out.unshift({ ...out[0], insnOff: base });
  if (!out.length && anyLines) out.push({ insnOff: base, file: "", lineText: "", line: 0, col: 0 });
  return out;
}

/** Write the BPF ELF object for `input`. Deterministic: same input, same bytes. */
export function writeObject(input: ObjectInput): Uint8Array {
  checkNames(input);
  const btf = new BtfBuilder();
  const elfSections: ElfSectionSpec[] = [];
  const symbols: ElfSymbolSpec[] = [];
  const relocations: { section: string; relocs: ElfRelocSpec[] }[] = [];
  const mapNames = new Set(input.maps.map((m) => m.name));

  // Programs: one ELF section per section name, one FUNC per program.
  const funcInfo: { section: string; records: FuncInfoRecord[] }[] = [];
  const lineInfo: { section: string; records: LineInfoRecord[] }[] = [];
  const coreRelo: { section: string; records: CoreReloRecord[] }[] = [];
  const anyLines = input.programs.some((p) => p.lines.length > 0);
  for (const [section, progs] of groupSections(input.programs)) {
    const size = progs.reduce((n, p) => n + p.prog.code.length, 0);
    const data = new Uint8Array(size);
    const relocs: ElfRelocSpec[] = [];
    const funcs: FuncInfoRecord[] = [], lines: LineInfoRecord[] = [], cores: CoreReloRecord[] = [];
    for (const { prog, offset } of progs) {
      data.set(prog.code, offset);
      symbols.push({ name: prog.name, value: offset, size: prog.code.length, type: STT.FUNC, bind: STB.GLOBAL, section });
      for (const r of prog.relocs) {
        if (!mapNames.has(r.symbol)) throw new Error(`program ${prog.name}: relocation against unknown map ${r.symbol}`);
        if (r.offset % 8 !== 0 || r.offset + 16 > prog.code.length || prog.code[r.offset] !== LD_IMM64) {
          throw new Error(`program ${prog.name}: relocation at ${r.offset} is not on an ld_imm64`);
        }
        relocs.push({ offset: offset + r.offset, symbol: r.symbol, type: R_BPF.R64_64 });
      }
      const ctx: TypeDesc = { kind: "ptr", to: prog.ctxType ?? { kind: "void" } };
      const proto = btf.addType({ kind: "func_proto", ret: INT, params: [{ name: "ctx", type: ctx }] });
      funcs.push({ insnOff: offset, typeId: btf.addFunc(prog.name, proto) });
      lines.push(...programLines(prog.lines, offset, anyLines));
      for (const c of prog.coreRelos) {
        cores.push({ insnOff: offset + c.insnOffset, typeId: btf.addType(c.type), accessStr: c.accessStr, kind: c.kind });
      }
    }
    elfSections.push({ name: section, type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXECINSTR, data, align: 8 });
    relocations.push({ section, relocs });
    funcInfo.push({ section, records: funcs });
    lineInfo.push({ section, records: lines });
    coreRelo.push({ section, records: cores });
  }

  // Maps: zero bytes in .maps, one STT_OBJECT and one BTF VAR each, and a DATASEC.
  if (input.maps.length) {
    const vars: { type: number; offset: number; size: number }[] = [];
    let at = 0;
    for (const m of input.maps) {
      const def = mapStructType(m);
      const varId = btf.addVar(m.name, btf.addType(def), BtfVarLinkage.GLOBAL_ALLOCATED);
      vars.push({ type: varId, offset: at, size: def.size });
      symbols.push({ name: m.name, value: at, size: def.size, type: STT.OBJECT, bind: STB.GLOBAL, section: ".maps" });
      at += def.size;
    }
    btf.addDatasec(".maps", at, vars);
    elfSections.push({ name: ".maps", type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.WRITE, data: new Uint8Array(at), align: 8 });
  }

  // License: a NUL-terminated string, like `char _license[] SEC("license") = "...";`.
  const license = new TextEncoder().encode(input.license + "\0");
  const licVar = btf.addVar(LICENSE_SYMBOL, btf.addType({ kind: "array", elem: CHAR, count: license.length }));
  btf.addDatasec("license", license.length, [{ type: licVar, offset: 0, size: license.length }]);
  elfSections.push({ name: "license", type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.WRITE, data: license, align: 1 });
  symbols.push({ name: LICENSE_SYMBOL, value: 0, size: license.length, type: STT.OBJECT, bind: STB.GLOBAL, section: "license" });

  // .BTF.ext adds its strings to the shared table, so it is encoded before .BTF.
  // The remaining user types last, so the ids of everything above stay as they were.
  for (const t of input.types ?? []) btf.addType(t);
  const ext = input.programs.length ? encodeBtfExt({ funcInfo, lineInfo, coreRelo }, btf.strings) : null;
  elfSections.push({ name: ".BTF", type: SHT.PROGBITS, flags: 0, data: btf.encode(), align: 4 });
  if (ext) elfSections.push({ name: ".BTF.ext", type: SHT.PROGBITS, flags: 0, data: ext, align: 4 });

  return writeElf({ sections: elfSections, symbols, relocations });
}
