// BTF type descriptions for what the compiler knows: scalar types, the user's structs and the
// kernel context structs (for program FUNC_PROTOs and CO-RE relocations).

import type { TypeDesc } from "./btf/types.ts";
import { CTX_STRUCTS } from "./uapi.ts";
import { SCALARS, type ScalarName, type StructDecl, type TypeRef } from "./unit.ts";

const INT_NAMES: Record<string, string> = {
  u8: "unsigned char", u16: "unsigned short", u32: "unsigned int", u64: "unsigned long long",
  i8: "signed char", i16: "short", i32: "int", i64: "long long",
};

export function scalarDesc(name: ScalarName): TypeDesc {
  const s = SCALARS[name];
  return { kind: "int", name: INT_NAMES[name], size: s.size, signed: s.signed };
}

function typeRefDesc(t: TypeRef, structs: Map<string, StructDecl>): TypeDesc {
  if (t.kind === "scalar") return scalarDesc(t.name);
  if (t.kind === "array") return { kind: "array", elem: typeRefDesc(t.elem, structs), count: t.count };
  return btfType(structs.get(t.name)!, structs);
}

/** BTF for a struct declared with defstruct/defunion. */
export function btfType(s: StructDecl, structs: Map<string, StructDecl>): TypeDesc {
  return {
    kind: s.union ? "union" : "struct",
    name: s.cName,
    size: s.size,
    members: s.fields.map((f) => ({ name: f.name.replace(/-/g, "_"), type: typeRefDesc(f.type, structs), offset: f.offset })),
  };
}

/** An opaque object of `size` bytes: a scalar for 1/2/4/8, else an array of u8. */
export function bytesDesc(size: number): TypeDesc {
  if ([1, 2, 4, 8].includes(size)) return scalarDesc(`u${size * 8}` as ScalarName);
  return { kind: "array", elem: scalarDesc("u8"), count: size };
}

/** BTF for a kernel context struct (xdp_md, __sk_buff, …) from the generated layouts. */
export function ctxTypeDesc(name: string): TypeDesc {
  const s = CTX_STRUCTS[name];
  if (!s) return { kind: "struct", name, size: 0, members: [] };
  const intOf = (size: number, signed: boolean): TypeDesc => {
    if (![1, 2, 4, 8].includes(size)) return bytesDesc(size); // e.g. perf_event regs (168 bytes)
    const n = (signed ? "i" : "u") + size * 8;
    return scalarDesc(n as ScalarName);
  };
  return {
    kind: "struct",
    name: s.name,
    size: s.size,
    members: s.fields.map((f) => {
      const elem: TypeDesc = f.pointer ? { kind: "ptr", to: { kind: "void" } } : intOf(f.size, !!f.signed);
      const type: TypeDesc = f.count !== undefined ? { kind: "array", elem, count: f.count } : elem;
      return { name: f.name, type, offset: f.offset };
    }),
  };
}
