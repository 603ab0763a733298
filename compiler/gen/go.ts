// Go: one struct type per struct with explicit `_` padding, so encoding/binary reads and writes
// the BTF layout byte for byte; unions become byte arrays of their size (Go has no unions). Maps
// and constants are Go constants.

import { type GenUnit, banner, constName, constValue, members, pascal, snake, structMap, userStructs } from "./layout.ts";
import type { StructDecl, TypeRef } from "../unit.ts";

const GO_INT: Record<string, string> = {
  u8: "uint8", u16: "uint16", u32: "uint32", u64: "uint64", i8: "int8", i16: "int16", i32: "int32", i64: "int64",
};

function goType(t: TypeRef, all: Map<string, StructDecl>): string {
  if (t.kind === "scalar") return GO_INT[t.name];
  if (t.kind === "struct") return pascal(all.get(t.name)!.name);
  return `[${t.count}]${goType(t.elem, all)}`;
}

export function genGo(u: GenUnit): string {
  const all = structMap(u);
  const out = [banner(u, "//"), "", `package ${snake(u.name).toLowerCase().replace(/^_+/, "") || "bpf"}`, ""];
  for (const s of userStructs(u)) {
    const name = pascal(s.name);
    if (s.union) {
      out.push(`// ${name} is union ${s.cName}: every member starts at offset 0:`);
      for (const f of s.fields) out.push(`//   ${pascal(f.name)} ${goType(f.type, all)}`);
      out.push(`type ${name} [${s.size}]byte`, "");
    } else {
      out.push(`// ${name} is struct ${s.cName} (${s.size} bytes).`, `type ${name} struct {`);
      for (const m of members(s, all)) {
        if (m.kind === "pad") out.push(`\t_ [${m.size}]byte`);
        else out.push(`\t${pascal(m.name)} ${goType(m.type, all)} // offset ${m.offset}, size ${m.size}`);
      }
      out.push("}", "");
    }
    // Sizes are the constants +NAME-size+ (NameSize) below.
  }
  for (const m of u.maps) {
    const n = `Map${pascal(m.symbol)}`;
    out.push(`// ${n} is map "${m.symbol}" (:${m.type}).`, "const (");
    out.push(`\t${n}Name = "${m.symbol}"`, `\t${n}Type = ${m.kernelType}`, `\t${n}KeySize = ${m.keySize}`);
    out.push(`\t${n}ValueSize = ${m.valueSize}`, `\t${n}MaxEntries = ${m.maxEntries}`, `\t${n}Flags = ${m.flags}`, ")", "");
  }
  if (u.constants.length) {
    out.push("const (");
    for (const [name, v] of u.constants) out.push(`\t${pascal(constName(name).toLowerCase())} = ${constValue(v)}`);
    out.push(")", "");
  }
  return out.join("\n");
}
