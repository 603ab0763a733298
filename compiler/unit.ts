// A compilation unit's declarations: maps, programs, constants, structs and headers, as the
// top-level forms define them. The expander and lowering read these; nothing else holds state.

import type { Span } from "./diag.ts";
import type { Datum } from "./sexp.ts";
import type { ProgType } from "./progtypes.ts";

export type ScalarName = "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64";

export interface Scalar {
  size: 1 | 2 | 4 | 8;
  signed: boolean;
}

export const SCALARS: Record<ScalarName, Scalar> = {
  u8: { size: 1, signed: false }, u16: { size: 2, signed: false }, u32: { size: 4, signed: false }, u64: { size: 8, signed: false },
  i8: { size: 1, signed: true }, i16: { size: 2, signed: true }, i32: { size: 4, signed: true }, i64: { size: 8, signed: true },
};

export const isScalarName = (s: string): s is ScalarName => s in SCALARS;

/** A field or variable type. */
export type TypeRef =
  | { kind: "scalar"; name: ScalarName }
  | { kind: "array"; elem: TypeRef; count: number }
  | { kind: "struct"; name: string };

export interface FieldDecl {
  name: string; // lower-case Lisp name, e.g. "src-addr"
  offset: number;
  type: TypeRef;
  span?: Span;
}

export interface StructDecl {
  name: string; // lower-case Lisp name
  cName: string; // C name for BTF (kernel name for :kernel structs)
  size: number;
  align: number;
  fields: FieldDecl[];
  union?: boolean;
  kernel?: boolean;
  span?: Span;
}

export interface MapDecl {
  name: string; // lower-case Lisp name, e.g. "pkt-count"
  symbol: string; // ELF symbol, e.g. "pkt_count"
  type: string; // keyword without colon, e.g. "array"
  kernelType: number; // BPF_MAP_TYPE_*
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  keyType?: string; // struct name
  valueType?: string;
  pinning?: number;
  span?: Span;
}

export interface ProgDecl {
  name: string; // Lisp name
  symbol: string; // ELF symbol
  type: ProgType;
  section: string;
  license: string;
  body: Datum[];
  span?: Span;
}

export interface HeaderField {
  name: string;
  offset: number;
  type: ScalarName;
  netOrder: boolean;
}

export interface HeaderDecl {
  name: string;
  size: number;
  fields: HeaderField[];
}

/** ELF/BTF symbol name for a Lisp name: lower-case, '-' → '_'. */
export const symbolName = (lispName: string): string => lispName.toLowerCase().replace(/-/g, "_");

export function scalarOf(t: TypeRef): Scalar | undefined {
  return t.kind === "scalar" ? SCALARS[t.name] : undefined;
}

/** Size and alignment of a type, given the structs declared so far. */
export function layoutOf(t: TypeRef, structs: Map<string, StructDecl>): { size: number; align: number } {
  if (t.kind === "scalar") {
    const s = SCALARS[t.name].size;
    return { size: s, align: s };
  }
  if (t.kind === "array") {
    const e = layoutOf(t.elem, structs);
    return { size: e.size * t.count, align: e.align };
  }
  const s = structs.get(t.name);
  if (!s) throw new Error(`internal: unknown struct ${t.name}`);
  return { size: s.size, align: s.align };
}
