// TypeScript (SPEC §4.2's duality on the host): per struct an interface of its fields and a class
// implementing it that is either a value of its own (`new Flow({...})`, not mapped) or a view
// mapped over a DataView at an offset (`Flow.at(view, off)`); the same getters and setters serve
// both. `encode()` gives the bytes, `Flow.decode(bytes)` an unmapped copy, `offset` throws on an
// unmapped value (poke's E_no_map). 64-bit fields are bigint. Little-endian, as BPF on the host.

import { type GenUnit, banner, camel, constName, constValue, pascal, structMap, userStructs } from "./layout.ts";
import type { StructDecl, TypeRef } from "../unit.ts";
import { SCALARS, layoutOf } from "../unit.ts";

const RESERVED = new Set(["mapped", "offset", "encode", "copy", "toObject", "constructor"]);
/** A field's property name: camelCase, with "_" added when it would shadow a class member. */
export const tsField = (n: string): string => (RESERVED.has(camel(n)) ? `${camel(n)}_` : camel(n));

const ACCESS: Record<string, [string, string]> = {
  u8: ["Uint8", "number"], u16: ["Uint16", "number"], u32: ["Uint32", "number"], u64: ["BigUint64", "bigint"],
  i8: ["Int8", "number"], i16: ["Int16", "number"], i32: ["Int32", "number"], i64: ["BigInt64", "bigint"],
};

function fieldsType(t: TypeRef, all: Map<string, StructDecl>): string {
  if (t.kind === "scalar") return ACCESS[t.name][1];
  if (t.kind === "struct") return `${pascal(all.get(t.name)!.name)}Fields`;
  return `${fieldsType(t.elem, all)}[]`;
}

/** Expression reading element type `t` at byte position `at` (a JS expression). */
function read(t: TypeRef, at: string, all: Map<string, StructDecl>): string {
  if (t.kind === "scalar") return `this.#dv.get${ACCESS[t.name][0]}(${at}${SCALARS[t.name].size > 1 ? ", true" : ""})`;
  if (t.kind === "struct") return `${pascal(t.name)}[OVER](this.#dv, ${at}, this.#mapped)`;
  const size = layoutOf(t.elem, all).size;
  return `Array.from({ length: ${t.count} }, (_, i) => ${read(t.elem, `${at} + i * ${size}`, all)})`;
}

/** Statement writing `v` of type `t` at byte position `at`. */
function write(t: TypeRef, at: string, v: string, all: Map<string, StructDecl>): string {
  if (t.kind === "scalar") {
    const conv = ACCESS[t.name][1] === "bigint" ? `BigInt(${v})` : v;
    return `this.#dv.set${ACCESS[t.name][0]}(${at}, ${conv}${SCALARS[t.name].size > 1 ? ", true" : ""});`;
  }
  if (t.kind === "struct") return `${pascal(t.name)}[OVER](this.#dv, ${at}, false)[ASSIGN](${v});`;
  const size = layoutOf(t.elem, all).size;
  return `for (let i = 0; i < ${t.count}; i++) { const e = ${v}[i]; if (e !== undefined) { ${write(t.elem, `${at} + i * ${size}`, "e", all)} } }`;
}

function getType(t: TypeRef): string {
  if (t.kind === "scalar") return ACCESS[t.name][1];
  if (t.kind === "struct") return pascal(t.name);
  return `${getType(t.elem)}[]`;
}

function toPlain(t: TypeRef, e: string): string {
  if (t.kind === "scalar") return e;
  if (t.kind === "struct") return `${e}.toObject()`;
  return t.elem.kind === "struct" ? `${e}.map((x) => x.toObject())` : e;
}

function genClass(s: StructDecl, all: Map<string, StructDecl>): string[] {
  const name = pascal(s.name), F = `${name}Fields`, size = s.size;
  const out = [`/** ${s.union ? "union" : "struct"} ${s.cName}: ${size} bytes. */`, `export interface ${F} {`];
  for (const f of s.fields) out.push(`  ${tsField(f.name)}: ${fieldsType(f.type, all)};`);
  out.push("}", "");
  const bytes = "new Uint8Array(this.#dv.buffer, this.#dv.byteOffset + this.#base, " + size + ")";
  out.push(
    `/** ${s.cName} as a value of its own or as a view mapped over a DataView. */`,
    `export class ${name} implements ${F} {`,
    `  static readonly SIZE = ${size};`,
    `  static readonly OFFSETS = { ${s.fields.map((f) => `${tsField(f.name)}: ${f.offset}`).join(", ")} } as const;`,
    "  #dv: DataView;", "  #base = 0;", "  #mapped = false;", "",
    "  /** A value not mapped anywhere: its own zeroed bytes, then `init`'s fields. */",
    `  constructor(init?: Partial<${F}>) {`, `    this.#dv = new DataView(new ArrayBuffer(${size}));`, "    if (init) this[ASSIGN](init);", "  }", "",
    "  /** The value mapped over `view` at `offset`: reads and writes go to those bytes. */",
    `  static at(view: DataView, offset = 0): ${name} {`,
    `    if (offset < 0 || offset + ${size} > view.byteLength) throw new RangeError(\`${name} (${size} bytes) does not fit at offset \${offset} of a \${view.byteLength}-byte view\`);`,
    `    return ${name}[OVER](view, offset, true);`, "  }", "",
    "  /** @internal */", `  static [OVER](view: DataView, offset: number, mapped: boolean): ${name} {`,
    `    const v = new ${name}();`, "    v.#dv = view;", "    v.#base = offset;", "    v.#mapped = mapped;", "    return v;", "  }", "",
    "  /** An unmapped copy of the bytes at `offset` of `bytes` (e.g. a map value). */",
    `  static decode(bytes: Uint8Array, offset = 0): ${name} {`,
    `    if (offset < 0 || offset + ${size} > bytes.length) throw new RangeError(\`${name} needs ${size} bytes at offset \${offset}, got \${bytes.length}\`);`,
    `    const v = new ${name}();`, `    new Uint8Array(v.#dv.buffer).set(bytes.subarray(offset, offset + ${size}));`, "    return v;", "  }", "",
    "  /** Whether the value is a view mapped over someone else's bytes. */", "  get mapped(): boolean {", "    return this.#mapped;", "  }", "",
    "  /** Where the value is mapped; an unmapped value has no offset (poke's E_no_map). */",
    "  get offset(): number {", `    if (!this.#mapped) throw new Error("${name} value is not mapped: it has no offset");`, "    return this.#base;", "  }", "",
    "  /** The value's bytes (a copy). */", "  encode(): Uint8Array {", `    return ${bytes}.slice();`, "  }", "",
    "  /** An unmapped copy. */", `  copy(): ${name} {`, `    return ${name}.decode(this.encode());`, "  }", "",
    "  /** The fields as a plain object. */", `  toObject(): ${F} {`,
    `    return { ${s.fields.map((f) => `${tsField(f.name)}: ${toPlain(f.type, `this.${tsField(f.name)}`)}`).join(", ")} };`, "  }", "",
    "  /** @internal */", `  [ASSIGN](v: Partial<${F}>): void {`,
    `    if (v instanceof ${name}) {`, `      ${bytes}.set(v.encode());`, "      return;", "    }",
  );
  for (const f of s.fields) out.push(`    if (v.${tsField(f.name)} !== undefined) this.${tsField(f.name)} = v.${tsField(f.name)};`);
  out.push("  }");
  for (const f of s.fields) {
    const at = `this.#base + ${f.offset}`;
    out.push("", `  get ${tsField(f.name)}(): ${getType(f.type)} {`, `    return ${read(f.type, at, all)};`, "  }");
    out.push(`  set ${tsField(f.name)}(v: ${fieldsType(f.type, all)}) {`, `    ${write(f.type, at, "v", all)}`, "  }");
  }
  out.push("}", "");
  return out;
}

export function genTs(u: GenUnit): string {
  const all = structMap(u);
  const out = [banner(u, "//"), "", 'const OVER: unique symbol = Symbol("over");', 'const ASSIGN: unique symbol = Symbol("assign");', ""];
  for (const s of userStructs(u)) out.push(...genClass(s, all));
  out.push("/** The program's maps: name, BPF_MAP_TYPE_* and sizes. */", "export const MAPS = {");
  for (const m of u.maps) {
    out.push(`  ${JSON.stringify(camel(m.name))}: { name: ${JSON.stringify(m.symbol)}, type: ${JSON.stringify(m.type)}, typeId: ${m.kernelType}, ` +
      `keySize: ${m.keySize}, valueSize: ${m.valueSize}, maxEntries: ${m.maxEntries}, flags: ${m.flags}` +
      `${m.keyType ? `, keyType: ${pascal(m.keyType)}` : ""}${m.valueType ? `, valueType: ${pascal(m.valueType)}` : ""} },`);
  }
  out.push("} as const;", "");
  for (const [name, v] of u.constants) {
    const c = constValue(v);
    out.push(`export const ${constName(name)} = ${c >= BigInt(Number.MIN_SAFE_INTEGER) && c <= BigInt(Number.MAX_SAFE_INTEGER) ? `${c}` : `${c}n`};`);
  }
  out.push("");
  return out.join("\n");
}
