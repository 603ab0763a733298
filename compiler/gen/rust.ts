// Rust: #[repr(C)] structs and unions with explicit padding and compile-time assertions of every
// size and offset (core::mem::offset_of!), map descriptions and constants as `pub const`.

import { type GenUnit, banner, constName, constValue, members, pascal, snake, structMap, userStructs } from "./layout.ts";
import type { StructDecl, TypeRef } from "../unit.ts";

const KEYWORDS = new Set([
  "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop",
  "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
  "where", "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof",
  "unsized", "virtual", "yield", "try", "gen",
]);

export const rustField = (n: string): string => (KEYWORDS.has(snake(n)) ? `r#${snake(n)}` : snake(n));

function rustType(t: TypeRef, all: Map<string, StructDecl>): string {
  if (t.kind === "scalar") return t.name;
  if (t.kind === "struct") return pascal(all.get(t.name)!.name);
  return `[${rustType(t.elem, all)}; ${t.count}]`;
}

export function genRust(u: GenUnit): string {
  const all = structMap(u);
  const out = [banner(u, "//"), "#![allow(dead_code, non_camel_case_types)]", ""];
  for (const s of userStructs(u)) {
    const name = pascal(s.name);
    out.push(`/// ${s.union ? "union" : "struct"} ${s.cName} (${s.size} bytes)`, "#[repr(C)]", "#[derive(Clone, Copy)]");
    out.push(`pub ${s.union ? "union" : "struct"} ${name} {`);
    for (const m of members(s, all)) {
      if (m.kind === "pad") out.push(`    pub ${m.name}: [u8; ${m.size}],`);
      else out.push(`    pub ${rustField(m.name)}: ${rustType(m.type, all)}, // offset ${m.offset}, size ${m.size}`);
    }
    out.push("}");
    out.push(`const _: () = assert!(core::mem::size_of::<${name}>() == ${s.size});`);
    for (const f of s.fields) out.push(`const _: () = assert!(core::mem::offset_of!(${name}, ${rustField(f.name)}) == ${f.offset});`);
    out.push("");
  }
  for (const m of u.maps) {
    const n = `MAP_${m.symbol.toUpperCase()}`;
    out.push(`pub const ${n}_NAME: &str = "${m.symbol}";`, `pub const ${n}_TYPE: u32 = ${m.kernelType};`);
    out.push(`pub const ${n}_KEY_SIZE: u32 = ${m.keySize};`, `pub const ${n}_VALUE_SIZE: u32 = ${m.valueSize};`);
    out.push(`pub const ${n}_MAX_ENTRIES: u32 = ${m.maxEntries};`, `pub const ${n}_FLAGS: u32 = ${m.flags};`, "");
  }
  for (const [name, v] of u.constants) {
    const c = constValue(v);
    out.push(`pub const ${constName(name)}: ${c < 0n ? "i64" : "u64"} = ${c};`);
  }
  out.push("");
  return out.join("\n");
}
