// Python: ctypes Structure/Union classes with explicit padding (sizes asserted at import), a MAPS
// table and the constants; `Flow.from_buffer_copy(value_bytes)` reads a map value.

import { type GenUnit, banner, constName, constValue, members, pascal, snake, structMap, userStructs } from "./layout.ts";
import type { StructDecl, TypeRef } from "../unit.ts";

const PY_INT: Record<string, string> = {
  u8: "c_uint8", u16: "c_uint16", u32: "c_uint32", u64: "c_uint64", i8: "c_int8", i16: "c_int16", i32: "c_int32", i64: "c_int64",
};

const KEYWORDS = new Set(["and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else",
  "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
  "return", "try", "while", "with", "yield", "False", "None", "True"]);

export const pyField = (n: string): string => (KEYWORDS.has(snake(n)) ? `${snake(n)}_` : snake(n));

function pyType(t: TypeRef, all: Map<string, StructDecl>): string {
  if (t.kind === "scalar") return `ctypes.${PY_INT[t.name]}`;
  if (t.kind === "struct") return pascal(all.get(t.name)!.name);
  return `${pyType(t.elem, all)} * ${t.count}`;
}

export function genPython(u: GenUnit): string {
  const all = structMap(u);
  const out = [`"""${banner(u, "").trim()}"""`, "", "import ctypes", ""];
  for (const s of userStructs(u)) {
    const name = pascal(s.name);
    out.push("", `class ${name}(ctypes.${s.union ? "Union" : "Structure"}):`, `    """${s.union ? "union" : "struct"} ${s.cName} (${s.size} bytes)"""`);
    out.push("    _fields_ = [");
    for (const m of members(s, all)) {
      if (m.kind === "pad") out.push(`        ("${m.name}", ctypes.c_uint8 * ${m.size}),`);
      else out.push(`        ("${pyField(m.name)}", ${pyType(m.type, all)}),  # offset ${m.offset}, size ${m.size}`);
    }
    out.push("    ]", "", "", `assert ctypes.sizeof(${name}) == ${s.size}`);
  }
  out.push("", "", "MAPS = {");
  for (const m of u.maps) {
    out.push(`    "${m.symbol}": {"type": "${m.type}", "type_id": ${m.kernelType}, "key_size": ${m.keySize}, "value_size": ${m.valueSize}, ` +
      `"max_entries": ${m.maxEntries}, "flags": ${m.flags}, "key_type": ${m.keyType ? pascal(m.keyType) : "None"}, ` +
      `"value_type": ${m.valueType ? pascal(m.valueType) : "None"}},`);
  }
  out.push("}", "");
  for (const [name, v] of u.constants) out.push(`${constName(name)} = ${constValue(v)}`);
  out.push("");
  return out.join("\n");
}
