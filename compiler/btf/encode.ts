// Raw BTF entries and the `.BTF` section encoder (linux/btf.h): header, type section,
// string section, plus helpers for the FUNC, VAR and DATASEC entries.

export const BTF_MAGIC = 0xeb9f;
export const BTF_VERSION = 1;
export const BTF_HEADER_LEN = 24;

/** BTF_KIND_* from linux/btf.h. */
export const BtfKind = {
  UNKN: 0, INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, UNION: 5, ENUM: 6, FWD: 7, TYPEDEF: 8,
  VOLATILE: 9, CONST: 10, RESTRICT: 11, FUNC: 12, FUNC_PROTO: 13, VAR: 14, DATASEC: 15,
  FLOAT: 16, DECL_TAG: 17, TYPE_TAG: 18, ENUM64: 19,
} as const;

/** BTF_INT_* encoding bits (the top nibble of the word after an INT). */
export const BtfIntEnc = { SIGNED: 1, CHAR: 2, BOOL: 4 } as const;

/** enum btf_func_linkage (FUNC's vlen). */
export const BtfFuncLinkage = { STATIC: 0, GLOBAL: 1, EXTERN: 2 } as const;

/** VAR linkage (struct btf_var). */
export const BtfVarLinkage = { STATIC: 0, GLOBAL_ALLOCATED: 1, GLOBAL_EXTERN: 2 } as const;

/**
 * One BTF type entry as it is laid out: a `struct btf_type` (name_off, info, size/type)
 * followed by `extra` u32 words (int encoding, btf_array, members, params, enum values,
 * btf_var, var_secinfos). Signed values (enum) are stored as their u32 bit pattern.
 */
export interface BtfType {
  kind: number;
  nameOff: number;
  vlen: number;
  kindFlag: boolean;
  /** `size` for INT/STRUCT/UNION/ENUM/DATASEC, `type` for the others. */
  sizeOrType: number;
  extra: number[];
}

/** A deduplicating BTF string table; offset 0 is the empty string. */
export class StringTable {
  #offsets = new Map<string, number>([["", 0]]);
  #parts: Uint8Array[] = [new Uint8Array(1)];
  #length = 1;
  #frozen = false;
  #enc = new TextEncoder();

  /** Offset of `s`, adding it if new. Throws once the table has been encoded. */
  add(s: string): number {
    const known = this.#offsets.get(s);
    if (known !== undefined) return known;
    if (this.#frozen) throw new Error(`BTF string table already encoded; cannot add ${JSON.stringify(s)}`);
    const bytes = this.#enc.encode(s);
    if (bytes.includes(0)) throw new Error(`BTF string contains NUL: ${JSON.stringify(s)}`);
    const off = this.#length;
    this.#offsets.set(s, off);
    const withNul = new Uint8Array(bytes.length + 1);
    withNul.set(bytes);
    this.#parts.push(withNul);
    this.#length += withNul.length;
    return off;
  }

  get size(): number {
    return this.#length;
  }

  /** The string section bytes; the table is frozen afterwards. */
  bytes(): Uint8Array {
    this.#frozen = true;
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const p of this.#parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** Pack `btf_type.info`: vlen in bits 0-15, kind in 24-28, kind_flag in 31. */
export const btfInfo = (kind: number, vlen: number, kindFlag: boolean): number =>
  (((kindFlag ? 1 : 0) << 31) | ((kind & 0x1f) << 24) | (vlen & 0xffff)) >>> 0;

/** FUNC entry: vlen carries the linkage, type is the FUNC_PROTO id. */
export const funcEntry = (nameOff: number, protoId: number, linkage: number): BtfType => ({
  kind: BtfKind.FUNC, nameOff, vlen: linkage, kindFlag: false, sizeOrType: protoId, extra: [],
});

/** VAR entry followed by `struct btf_var { linkage }`. */
export const varEntry = (nameOff: number, typeId: number, linkage: number): BtfType => ({
  kind: BtfKind.VAR, nameOff, vlen: 0, kindFlag: false, sizeOrType: typeId, extra: [linkage],
});

/** One `struct btf_var_secinfo`. */
export interface VarSecinfo {
  type: number;
  offset: number;
  size: number;
}

/** DATASEC entry followed by its var_secinfos (sorted by offset, as the kernel requires). */
export const datasecEntry = (nameOff: number, size: number, vars: VarSecinfo[]): BtfType => {
  const sorted = [...vars].sort((a, b) => a.offset - b.offset);
  return {
    kind: BtfKind.DATASEC, nameOff, vlen: sorted.length, kindFlag: false, sizeOrType: size,
    extra: sorted.flatMap((v) => [v.type, v.offset, v.size]),
  };
};

/** Encode the `.BTF` section: btf_header, then the type section, then the string section. */
export function encodeBtf(types: readonly BtfType[], strings: Uint8Array): Uint8Array {
  const typeLen = types.reduce((n, t) => n + 12 + 4 * t.extra.length, 0);
  const out = new Uint8Array(BTF_HEADER_LEN + typeLen + strings.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, BTF_MAGIC, true);
  dv.setUint8(2, BTF_VERSION);
  dv.setUint8(3, 0);
  dv.setUint32(4, BTF_HEADER_LEN, true);
  dv.setUint32(8, 0, true); // type_off (relative to the end of the header)
  dv.setUint32(12, typeLen, true);
  dv.setUint32(16, typeLen, true); // str_off
  dv.setUint32(20, strings.length, true);
  let at = BTF_HEADER_LEN;
  for (const t of types) {
    dv.setUint32(at, t.nameOff, true);
    dv.setUint32(at + 4, btfInfo(t.kind, t.vlen, t.kindFlag), true);
    dv.setUint32(at + 8, t.sizeOrType >>> 0, true);
    at += 12;
    for (const w of t.extra) {
      dv.setUint32(at, w >>> 0, true);
      at += 4;
    }
  }
  out.set(strings, at);
  return out;
}
