// C header: structs and unions with explicit padding and _Static_assert checks of every size and
// offset against the BTF layout, map descriptions as macros, and the program's constants.

import { type GenUnit, banner, constName, constValue, members, snake, structMap, userStructs } from "./layout.ts";
import type { StructDecl, TypeRef } from "../unit.ts";

const C_INT: Record<string, string> = {
  u8: "uint8_t", u16: "uint16_t", u32: "uint32_t", u64: "uint64_t", i8: "int8_t", i16: "int16_t", i32: "int32_t", i64: "int64_t",
};

const tag = (s: StructDecl) => `${s.union ? "union" : "struct"} ${s.cName}`;

function decl(t: TypeRef, name: string, all: Map<string, StructDecl>): string {
  if (t.kind === "scalar") return `${C_INT[t.name]} ${name}`;
  if (t.kind === "struct") return `${tag(all.get(t.name)!)} ${name}`;
  return decl(t.elem, `${name}[${t.count}]`, all);
}

export function genC(u: GenUnit): string {
  const all = structMap(u);
  const guard = `WHISTLER_${snake(u.name).toUpperCase()}_H`;
  const out = [`/* ${banner(u, "").trim()} */`, `#ifndef ${guard}`, `#define ${guard}`, "", "#include <stddef.h>", "#include <stdint.h>", ""];
  for (const s of userStructs(u)) {
    out.push(`${tag(s)} {`);
    for (const m of members(s, all)) {
      if (m.kind === "pad") out.push(`\tuint8_t ${m.name}[${m.size}];`);
      else out.push(`\t${decl(m.type, snake(m.name), all)}; /* offset ${m.offset}, size ${m.size} */`);
    }
    out.push("};");
    out.push(`_Static_assert(sizeof(${tag(s)}) == ${s.size}, "${s.cName}: size");`);
    for (const f of s.fields) out.push(`_Static_assert(offsetof(${tag(s)}, ${snake(f.name)}) == ${f.offset}, "${s.cName}.${snake(f.name)}: offset");`);
    out.push("");
  }
  for (const m of u.maps) {
    const n = m.symbol.toUpperCase();
    out.push(`#define MAP_${n}_NAME "${m.symbol}"`);
    out.push(`#define MAP_${n}_TYPE ${m.kernelType} /* BPF_MAP_TYPE_${m.type.toUpperCase().replace(/-/g, "_")} */`);
    out.push(`#define MAP_${n}_KEY_SIZE ${m.keySize}${m.keyType ? ` /* ${tag(all.get(m.keyType)!)} */` : ""}`);
    out.push(`#define MAP_${n}_VALUE_SIZE ${m.valueSize}${m.valueType ? ` /* ${tag(all.get(m.valueType)!)} */` : ""}`);
    out.push(`#define MAP_${n}_MAX_ENTRIES ${m.maxEntries}`);
    out.push(`#define MAP_${n}_FLAGS ${m.flags}`);
  }
  if (u.maps.length) out.push("");
  for (const [name, v] of u.constants) {
    const c = constValue(v);
    out.push(`#define ${constName(name)} ${c < 0n ? `(${c})` : `${c}${c > 0xffffffffn ? "ULL" : "U"}`}`);
  }
  out.push("", `#endif /* ${guard} */`, "");
  return out.join("\n");
}
