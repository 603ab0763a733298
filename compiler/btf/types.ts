// The type description model the compiler produces, and BtfBuilder, which turns
// descriptions into deduplicated BTF type entries sharing one string table.

import {
  BtfFuncLinkage, BtfIntEnc, BtfKind, type BtfType, BtfVarLinkage, datasecEntry, encodeBtf, funcEntry,
  StringTable, varEntry, type VarSecinfo,
} from "./encode.ts";

export interface MemberDesc {
  name: string;
  type: TypeDesc;
  /** Byte offset; a bitfield may use a fractional offset (bit offset / 8). */
  offset: number;
  bitSize?: number;
}

export type TypeDesc =
  | { kind: "void" }
  | { kind: "int"; name: string; size: 1 | 2 | 4 | 8; signed: boolean; bool?: boolean; char?: boolean }
  | { kind: "ptr"; to: TypeDesc }
  | { kind: "array"; elem: TypeDesc; count: number }
  | { kind: "struct" | "union"; name: string; size: number; members: MemberDesc[] }
  | { kind: "typedef"; name: string; type: TypeDesc }
  | { kind: "enum"; name: string; size: 4; values: { name: string; value: number }[] }
  | { kind: "fwd"; name: string; union?: boolean }
  | { kind: "func_proto"; ret: TypeDesc; params: { name: string; type: TypeDesc }[] }
  | { kind: "const" | "volatile"; type: TypeDesc };

/** A struct or union description. */
export type StructDesc = Extract<TypeDesc, { members: MemberDesc[] }>;
type Composite = StructDesc;

/** Name of the INT clang and libbpf use as the index type of every BTF array. */
export const ARRAY_INDEX_TYPE_NAME = "__ARRAY_SIZE_TYPE__";

/** Size in bytes of a described type (pointers are 8 bytes on BPF). */
export function sizeOf(desc: TypeDesc): number {
  switch (desc.kind) {
    case "void": return 0;
    case "int": return desc.size;
    case "ptr": return 8;
    case "array": return sizeOf(desc.elem) * desc.count;
    case "struct": case "union": return desc.size;
    case "enum": return desc.size;
    case "typedef": case "const": case "volatile": return sizeOf(desc.type);
    case "fwd": throw new Error(`size of forward-declared ${desc.union ? "union" : "struct"} ${desc.name} is unknown`);
    case "func_proto": throw new Error("a function prototype has no size");
  }
}

const isComposite = (d: TypeDesc): d is Composite => d.kind === "struct" || d.kind === "union";

const sameComposite = (a: Composite, b: Composite): boolean =>
  a === b || (a.name !== "" && a.kind === b.kind && a.name === b.name);

/**
 * Builds the `.BTF` type and string sections. Type ids start at 1 (0 is void).
 * Identical descriptions map to one id (structs by name and layout); a struct that
 * refers to itself (directly or through other types) refers back to its own id.
 * Descriptions are treated as immutable once added (their keys are memoised).
 */
export class BtfBuilder {
  readonly strings = new StringTable();
  #types: BtfType[] = [];
  #byKey = new Map<string, number>();
  #keyMemo = new WeakMap<object, string>();
  #building: { desc: Composite; id: number }[] = [];

  /** Entries in id order (entry i has id i + 1). */
  get types(): readonly BtfType[] {
    return this.#types;
  }

  /** The entry with type id `id` (1-based). */
  typeById(id: number): BtfType {
    const t = this.#types[id - 1];
    if (!t) throw new Error(`no BTF type with id ${id}`);
    return t;
  }

  /** Offset of `s` in the string section (deduplicated). */
  addString(s: string): number {
    return this.strings.add(s);
  }

  /** Id of the BTF type for `desc` (0 for void), adding entries as needed. */
  addType(desc: TypeDesc): number {
    if (desc.kind === "void") return 0;
    if (isComposite(desc)) {
      const open = this.#building.find((b) => sameComposite(b.desc, desc));
      if (open) return open.id;
    }
    const key = this.#key(desc, []);
    const known = this.#byKey.get(key);
    if (known !== undefined) return known;
    if (isComposite(desc)) return this.#addComposite(desc, key);
    const id = this.#push(this.#entry(desc));
    this.#byKey.set(key, id);
    return id;
  }

  /** A FUNC entry (not deduplicated). */
  addFunc(name: string, protoId: number, linkage: number = BtfFuncLinkage.GLOBAL): number {
    return this.#push(funcEntry(this.addString(name), protoId, linkage));
  }

  /** A VAR entry (not deduplicated). */
  addVar(name: string, typeId: number, linkage: number = BtfVarLinkage.GLOBAL_ALLOCATED): number {
    return this.#push(varEntry(this.addString(name), typeId, linkage));
  }

  /** A DATASEC entry (not deduplicated); `vars` are sorted by offset. */
  addDatasec(name: string, size: number, vars: VarSecinfo[]): number {
    return this.#push(datasecEntry(this.addString(name), size, vars));
  }

  /** The `.BTF` section bytes. Add every string (e.g. `.BTF.ext` ones) first: this freezes the table. */
  encode(): Uint8Array {
    return encodeBtf(this.#types, this.strings.bytes());
  }

  #push(t: BtfType): number {
    this.#types.push(t);
    return this.#types.length;
  }

  #addComposite(desc: Composite, key: string): number {
    // Reserve the id before the members so self-references resolve to it.
    const entry: BtfType = {
      kind: desc.kind === "struct" ? BtfKind.STRUCT : BtfKind.UNION,
      nameOff: this.addString(desc.name), vlen: desc.members.length, kindFlag: false,
      sizeOrType: desc.size, extra: [],
    };
    const id = this.#push(entry);
    this.#byKey.set(key, id);
    this.#building.push({ desc, id });
    try {
      entry.kindFlag = desc.members.some((m) => m.bitSize !== undefined);
      for (const m of desc.members) {
        const bitOff = Math.round(m.offset * 8);
        if (bitOff < 0 || bitOff > 0xffffff) throw new Error(`member ${desc.name}.${m.name}: bad offset ${m.offset}`);
        const bits = m.bitSize ?? 0;
        if (bits < 0 || bits > 255) throw new Error(`member ${desc.name}.${m.name}: bad bitSize ${bits}`);
        const off = entry.kindFlag ? ((bits << 24) | bitOff) >>> 0 : bitOff;
        entry.extra.push(this.addString(m.name), this.addType(m.type), off);
      }
    } finally {
      this.#building.pop();
    }
    return id;
  }

  #entry(desc: Exclude<TypeDesc, Composite | { kind: "void" }>): BtfType {
    const base = { nameOff: 0, vlen: 0, kindFlag: false, sizeOrType: 0, extra: [] as number[] };
    switch (desc.kind) {
      case "int": {
        if (![1, 2, 4, 8].includes(desc.size)) throw new Error(`int ${desc.name}: bad size ${desc.size}`);
        // The kernel accepts exactly one encoding bit.
        const enc = desc.bool ? BtfIntEnc.BOOL : desc.char ? BtfIntEnc.CHAR : desc.signed ? BtfIntEnc.SIGNED : 0;
        return {
          ...base, kind: BtfKind.INT, nameOff: this.addString(desc.name), sizeOrType: desc.size,
          extra: [((enc << 24) | (desc.size * 8)) >>> 0],
        };
      }
      case "ptr":
        return { ...base, kind: BtfKind.PTR, sizeOrType: this.addType(desc.to) };
      case "array": {
        const elem = this.addType(desc.elem);
        const index = this.addType({ kind: "int", name: ARRAY_INDEX_TYPE_NAME, size: 4, signed: false });
        return { ...base, kind: BtfKind.ARRAY, extra: [elem, index, desc.count] };
      }
      case "typedef":
        return { ...base, kind: BtfKind.TYPEDEF, nameOff: this.addString(desc.name), sizeOrType: this.addType(desc.type) };
      case "const": case "volatile":
        return { ...base, kind: desc.kind === "const" ? BtfKind.CONST : BtfKind.VOLATILE, sizeOrType: this.addType(desc.type) };
      case "enum":
        return {
          ...base, kind: BtfKind.ENUM, nameOff: this.addString(desc.name), vlen: desc.values.length,
          kindFlag: desc.values.some((v) => v.value < 0), sizeOrType: desc.size,
          extra: desc.values.flatMap((v) => [this.addString(v.name), v.value | 0]),
        };
      case "fwd":
        return { ...base, kind: BtfKind.FWD, nameOff: this.addString(desc.name), kindFlag: !!desc.union };
      case "func_proto": {
        const ret = this.addType(desc.ret);
        const extra = desc.params.flatMap((p) => [this.addString(p.name), this.addType(p.type)]);
        return { ...base, kind: BtfKind.FUNC_PROTO, vlen: desc.params.length, sizeOrType: ret, extra };
      }
    }
  }

  /** A canonical string for `desc`; structs already on `stack` become back-references. */
  #key(desc: TypeDesc, stack: Composite[]): string {
    const memo = this.#keyMemo.get(desc);
    if (memo !== undefined) return memo;
    let key: string;
    switch (desc.kind) {
      case "void": key = "void"; break;
      case "int":
        key = `int(${JSON.stringify(desc.name)},${desc.size},${!!desc.signed},${!!desc.bool},${!!desc.char})`;
        break;
      case "ptr": key = `ptr(${this.#key(desc.to, stack)})`; break;
      case "array": key = `array(${desc.count},${this.#key(desc.elem, stack)})`; break;
      case "typedef": key = `typedef(${JSON.stringify(desc.name)},${this.#key(desc.type, stack)})`; break;
      case "const": case "volatile": key = `${desc.kind}(${this.#key(desc.type, stack)})`; break;
      case "enum":
        key = `enum(${JSON.stringify(desc.name)},${desc.size},${JSON.stringify(desc.values.map((v) => [v.name, v.value]))})`;
        break;
      case "fwd": key = `fwd(${desc.union ? "union" : "struct"},${JSON.stringify(desc.name)})`; break;
      case "func_proto":
        key = `proto(${this.#key(desc.ret, stack)};${
          desc.params.map((p) => `${JSON.stringify(p.name)}:${this.#key(p.type, stack)}`).join(";")
        })`;
        break;
      case "struct": case "union": {
        const depth = stack.findIndex((s) => sameComposite(s, desc));
        if (depth >= 0) return `ref(${stack.length - depth})`; // depends on the context: never memoised
        const inner = [...stack, desc];
        const members = desc.members.map((m) =>
          `${JSON.stringify(m.name)}@${m.offset}/${m.bitSize ?? ""}:${this.#key(m.type, inner)}`
        );
        key = `${desc.kind}(${JSON.stringify(desc.name)},${desc.size};${members.join(";")})`;
        break;
      }
    }
    // A key that contains a back-reference depends on where it was computed.
    if (!key.includes("ref(")) this.#keyMemo.set(desc, key);
    return key;
  }
}
