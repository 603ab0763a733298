// The `.BTF.ext` section encoder: func_info, line_info and core_relo records grouped per
// ELF section, with string offsets into the `.BTF` string table.

export const BTF_EXT_HEADER_LEN = 32; // btf_ext_header including core_relo_off/len
export const FUNC_INFO_REC_SIZE = 8;
export const LINE_INFO_REC_SIZE = 16;
export const CORE_RELO_REC_SIZE = 16;
const MAX_COL = 0x3ff; // line_col keeps the column in its low 10 bits

/** enum bpf_core_relo_kind (linux/bpf.h). */
export const CoreReloKind = {
  FIELD_BYTE_OFFSET: 0, FIELD_BYTE_SIZE: 1, FIELD_EXISTS: 2, FIELD_SIGNED: 3, FIELD_LSHIFT_U64: 4,
  FIELD_RSHIFT_U64: 5, TYPE_ID_LOCAL: 6, TYPE_ID_TARGET: 7, TYPE_EXISTS: 8, TYPE_SIZE: 9,
  ENUMVAL_EXISTS: 10, ENUMVAL_VALUE: 11, TYPE_MATCHES: 12,
} as const;

/** insn_off is a byte offset from the start of the ELF section. */
export interface FuncInfoRecord {
  insnOff: number;
  typeId: number;
}

export interface LineInfoRecord {
  insnOff: number;
  file: string;
  /** The source line's text (the verifier prints it). */
  lineText: string;
  line: number;
  col: number;
}

export interface CoreReloRecord {
  insnOff: number;
  typeId: number;
  accessStr: string;
  kind: number;
}

/** Records of one kind for one ELF section (`section` is its name, e.g. "xdp"). */
export interface BtfExtGroup<R> {
  section: string;
  records: R[];
}

export interface BtfExtInput {
  funcInfo: BtfExtGroup<FuncInfoRecord>[];
  lineInfo: BtfExtGroup<LineInfoRecord>[];
  coreRelo: BtfExtGroup<CoreReloRecord>[];
}

/** Where strings go: the `.BTF` string table (e.g. `BtfBuilder.strings`), before it is encoded. */
export interface StringSink {
  add(s: string): number;
}

/** Pack bpf_line_info.line_col. */
export const lineCol = (line: number, col: number): number =>
  ((line << 10) | Math.max(0, Math.min(col, MAX_COL))) >>> 0;

const byOffset = <R extends { insnOff: number }>(rs: R[]): R[] =>
  rs.map((r, i) => [r, i] as const).sort((a, b) => a[0].insnOff - b[0].insnOff || a[1] - b[1]).map((p) => p[0]);

/** Words of one subsection (rec_size, then per group sec_name_off, num_info, records); [] if empty. */
function subsection<R>(
  groups: BtfExtGroup<R>[], recSize: number, strings: StringSink, record: (r: R) => number[],
): number[] {
  const live = groups.filter((g) => g.records.length > 0);
  if (live.length === 0) return [];
  const words = [recSize];
  for (const g of live) {
    words.push(strings.add(g.section), g.records.length);
    for (const r of g.records) {
      const rec = record(r);
      if (rec.length * 4 !== recSize) throw new Error("internal: BTF.ext record size mismatch");
      words.push(...rec);
    }
  }
  return words;
}

/**
 * Encode `.BTF.ext`. Strings (section names, file names, line text, access strings) are
 * added to `strings`, so call this before encoding `.BTF`. Empty subsections are written
 * with length 0; groups without records are left out. func_info and line_info records are
 * ordered by insn_off.
 */
export function encodeBtfExt(input: BtfExtInput, strings: StringSink): Uint8Array {
  const func = subsection(
    input.funcInfo.map((g) => ({ ...g, records: byOffset(g.records) })), FUNC_INFO_REC_SIZE, strings,
    (r) => [r.insnOff, r.typeId],
  );
  const line = subsection(
    input.lineInfo.map((g) => ({ ...g, records: byOffset(g.records) })), LINE_INFO_REC_SIZE, strings,
    (r) => [r.insnOff, strings.add(r.file), strings.add(r.lineText), lineCol(r.line, r.col)],
  );
  const core = subsection(
    input.coreRelo, CORE_RELO_REC_SIZE, strings,
    (r) => [r.insnOff, r.typeId, strings.add(r.accessStr), r.kind],
  );
  const out = new Uint8Array(BTF_EXT_HEADER_LEN + 4 * (func.length + line.length + core.length));
  const dv = new DataView(out.buffer);
  dv.setUint16(0, 0xeb9f, true);
  dv.setUint8(2, 1);
  dv.setUint8(3, 0);
  dv.setUint32(4, BTF_EXT_HEADER_LEN, true);
  let rel = 0; // offsets are relative to the end of the header
  const put = (field: number, words: number[]) => {
    dv.setUint32(field, rel, true);
    dv.setUint32(field + 4, words.length * 4, true);
    for (const w of words) {
      dv.setUint32(BTF_EXT_HEADER_LEN + rel, w >>> 0, true);
      rel += 4;
    }
  };
  put(8, func);
  put(16, line);
  put(24, core);
  return out;
}
