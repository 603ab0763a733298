// Decoders for `.BTF` and `.BTF.ext` section bytes (ours or clang's), for disassembly and
// tests, plus a one-line-per-type dump in the spirit of `bpftool btf dump`.

import { BTF_MAGIC, BtfKind, type BtfType } from "./encode.ts";
import type { BtfExtGroup, BtfExtInput, CoreReloRecord, FuncInfoRecord, LineInfoRecord } from "./ext.ts";

export interface ParsedBtf {
  /** Entry i has type id i + 1. */
  types: BtfType[];
  /** The string at offset `off` of the string section. */
  str(off: number): string;
}

const KIND_NAMES = [
  "UNKN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD", "TYPEDEF", "VOLATILE", "CONST",
  "RESTRICT", "FUNC", "FUNC_PROTO", "VAR", "DATASEC", "FLOAT", "DECL_TAG", "TYPE_TAG", "ENUM64",
];

export const btfKindName = (kind: number): string => KIND_NAMES[kind] ?? `KIND${kind}`;

function extraWords(kind: number, vlen: number): number {
  switch (kind) {
    case BtfKind.INT: case BtfKind.VAR: case BtfKind.DECL_TAG: return 1;
    case BtfKind.ARRAY: return 3;
    case BtfKind.STRUCT: case BtfKind.UNION: case BtfKind.DATASEC: case BtfKind.ENUM64: return 3 * vlen;
    case BtfKind.ENUM: case BtfKind.FUNC_PROTO: return 2 * vlen;
    default: return 0;
  }
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Decode a `.BTF` section. Throws on a bad magic or truncated data. */
export function readBtf(bytes: Uint8Array): ParsedBtf {
  const dv = view(bytes);
  if (bytes.length < 24 || dv.getUint16(0, true) !== BTF_MAGIC) throw new Error("not a .BTF section (bad magic)");
  const hdrLen = dv.getUint32(4, true);
  const typeOff = hdrLen + dv.getUint32(8, true), typeLen = dv.getUint32(12, true);
  const strOff = hdrLen + dv.getUint32(16, true), strLen = dv.getUint32(20, true);
  if (typeOff + typeLen > bytes.length || strOff + strLen > bytes.length) throw new Error(".BTF section truncated");
  const strs = bytes.subarray(strOff, strOff + strLen);
  const dec = new TextDecoder();
  const str = (off: number) => {
    if (off >= strs.length) throw new Error(`BTF string offset ${off} out of range`);
    const end = strs.indexOf(0, off);
    return dec.decode(strs.subarray(off, end < 0 ? strs.length : end));
  };
  const types: BtfType[] = [];
  for (let at = typeOff; at < typeOff + typeLen;) {
    const info = dv.getUint32(at + 4, true);
    const kind = (info >>> 24) & 0x1f, vlen = info & 0xffff;
    const t: BtfType = {
      kind, nameOff: dv.getUint32(at, true), vlen, kindFlag: info >>> 31 === 1,
      sizeOrType: dv.getUint32(at + 8, true), extra: [],
    };
    at += 12;
    for (let i = extraWords(kind, vlen); i > 0; i--, at += 4) t.extra.push(dv.getUint32(at, true));
    types.push(t);
  }
  return { types, str };
}

function readGroups<R>(
  dv: DataView, start: number, len: number, str: (o: number) => string, rec: (at: number) => R,
): BtfExtGroup<R>[] {
  const groups: BtfExtGroup<R>[] = [];
  if (len === 0) return groups;
  const recSize = dv.getUint32(start, true);
  for (let at = start + 4; at < start + len;) {
    const section = str(dv.getUint32(at, true));
    const n = dv.getUint32(at + 4, true);
    at += 8;
    const records: R[] = [];
    for (let i = 0; i < n; i++, at += recSize) records.push(rec(at));
    groups.push({ section, records });
  }
  return groups;
}

/** Decode a `.BTF.ext` section; `str` resolves offsets into the matching `.BTF` strings. */
export function readBtfExt(bytes: Uint8Array, str: (off: number) => string): BtfExtInput {
  const dv = view(bytes);
  if (bytes.length < 24 || dv.getUint16(0, true) !== BTF_MAGIC) throw new Error("not a .BTF.ext section (bad magic)");
  const hdr = dv.getUint32(4, true);
  const u = (at: number) => dv.getUint32(at, true);
  const funcInfo = readGroups<FuncInfoRecord>(dv, hdr + u(8), u(12), str, (at) => ({ insnOff: u(at), typeId: u(at + 4) }));
  const lineInfo = readGroups<LineInfoRecord>(dv, hdr + u(16), u(20), str, (at) => ({
    insnOff: u(at), file: str(u(at + 4)), lineText: str(u(at + 8)), line: u(at + 12) >>> 10, col: u(at + 12) & 0x3ff,
  }));
  const coreRelo = hdr >= 32
    ? readGroups<CoreReloRecord>(dv, hdr + u(24), u(28), str, (at) => ({
      insnOff: u(at), typeId: u(at + 4), accessStr: str(u(at + 8)), kind: u(at + 12),
    }))
    : [];
  return { funcInfo, lineInfo, coreRelo };
}

/** One line per type, e.g. `[3] STRUCT 'foo' size=8 members=a:1@0,b:2@32`. */
export function dumpBtf(btf: ParsedBtf): string[] {
  return btf.types.map((t, i) => {
    const name = btf.str(t.nameOff) || "(anon)";
    const head = `[${i + 1}] ${btfKindName(t.kind)} '${name}'`;
    const e = t.extra;
    const triples = (f: (a: number, b: number, c: number) => string) =>
      Array.from({ length: e.length / 3 }, (_, k) => f(e[3 * k], e[3 * k + 1], e[3 * k + 2])).join(",");
    const pairs = (f: (a: number, b: number) => string) =>
      Array.from({ length: e.length / 2 }, (_, k) => f(e[2 * k], e[2 * k + 1])).join(",");
    switch (t.kind) {
      case BtfKind.INT: return `${head} size=${t.sizeOrType} bits=${e[0] & 0xff} enc=${e[0] >>> 24}`;
      case BtfKind.ARRAY: return `${head} type=${e[0]} index=${e[1]} nelems=${e[2]}`;
      case BtfKind.STRUCT: case BtfKind.UNION:
        return `${head} size=${t.sizeOrType} members=${triples((n, ty, off) => `${btf.str(n)}:${ty}@${off}`)}`;
      case BtfKind.ENUM: return `${head} size=${t.sizeOrType} values=${pairs((n, v) => `${btf.str(n)}=${v | 0}`)}`;
      case BtfKind.FUNC_PROTO: return `${head} ret=${t.sizeOrType} params=${pairs((n, ty) => `${btf.str(n)}:${ty}`)}`;
      case BtfKind.FUNC: return `${head} type=${t.sizeOrType} linkage=${t.vlen}`;
      case BtfKind.VAR: return `${head} type=${t.sizeOrType} linkage=${e[0]}`;
      case BtfKind.DATASEC: return `${head} size=${t.sizeOrType} vars=${triples((ty, off, sz) => `${ty}@${off}+${sz}`)}`;
      case BtfKind.FWD: return `${head} ${t.kindFlag ? "union" : "struct"}`;
      default: return `${head} type=${t.sizeOrType}`;
    }
  });
}
