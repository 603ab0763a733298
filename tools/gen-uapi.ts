// Generates compiler/uapi.ts (BPF helpers, enums, flags, context-struct layouts) from
// /usr/include/linux/bpf.h and the running kernel's BTF. Run: deno run -A tools/gen-uapi.ts
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { release, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
function opt(flag: string, dflt: string): string {
  const i = process.argv.indexOf(flag);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}
const HEADER = opt("--header", "/usr/include/linux/bpf.h");
const BTF_FILE = opt("--btf", "/sys/kernel/btf/vmlinux");
const OUT = opt("--out", join(ROOT, "compiler/uapi.ts"));
const INCDIR = dirname(dirname(HEADER)); // /usr/include

interface Arg { name: string; type: string }
interface Helper { name: string; id: number; ret: string; args: Arg[]; variadic?: boolean; note?: string }

/**
 * Helpers the kernel has (per its BTF `enum bpf_func_id`) but an older bpf.h lacks. The
 * helper list was frozen at 211 (Linux 6.2; upstream bpf.h now says "This helper list is
 * effectively frozen ... add a kfunc instead"). Signatures from upstream bpf.h docs.
 */
const LATE_HELPERS: Record<string, { ret: string; args: Arg[]; since: string }> = {
  cgrp_storage_get: {
    ret: "void *", since: "6.2",
    args: [{ name: "map", type: "struct bpf_map *" }, { name: "cgroup", type: "struct cgroup *" },
      { name: "value", type: "void *" }, { name: "flags", type: "u64" }],
  },
  cgrp_storage_delete: {
    ret: "long", since: "6.2",
    args: [{ name: "map", type: "struct bpf_map *" }, { name: "cgroup", type: "struct cgroup *" }],
  },
};

// ---------- bpf.h: helper docs and the FN mapper ----------

function parseSignature(line: string): { name: string; ret: string; args: Arg[]; variadic: boolean } {
  const m = /^(.*?[\s*])bpf_(\w+)\((.*)\)\s*$/.exec(line.trim());
  if (!m) throw new Error(`cannot parse helper signature: ${line}`);
  const ret = m[1].trim().replace(/\s*\*/g, " *").replace(/\* \*/g, "**");
  const args: Arg[] = [];
  let variadic = false;
  const list = m[3].trim();
  if (list !== "void" && list !== "") {
    for (const raw of list.split(",")) {
      const a = raw.trim();
      if (a === "...") { variadic = true; continue; }
      const am = /^(.*?)(\w+)$/.exec(a);
      if (!am || !am[1].trim()) throw new Error(`cannot parse argument '${a}' in: ${line}`);
      args.push({ name: am[2], type: am[1].trim().replace(/\s*\*/g, " *").replace(/\* \*/g, "**") });
    }
  }
  return { name: m[2], ret, args, variadic };
}

function parseHelperDocs(text: string) {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.includes("Start of BPF helper function descriptions"));
  if (start < 0) throw new Error("helper description block not found");
  const docs = new Map<string, ReturnType<typeof parseSignature> & { overloads?: string[] }>();
  for (let i = start; i < lines.length - 1 && !lines[i].startsWith(" */"); i++) {
    if (/^ \*\s+Description\s*$/.test(lines[i + 1]) && /^ \* \S/.test(lines[i])) {
      const sig = parseSignature(lines[i].slice(3));
      const prev = docs.get(sig.name);
      if (!prev) { docs.set(sig.name, sig); continue; }
      // Some helpers are documented once per context type (get_socket_cookie, sk_assign).
      if (prev.args.length !== sig.args.length) throw new Error(`helper ${sig.name}: overloads differ in arity`);
      (prev.overloads ??= []).push(`(${sig.args.map((a) => `${a.type} ${a.name}`).join(", ")})`);
    }
  }
  return docs;
}

function parseMapper(text: string): { name: string; id: number }[] {
  const lines = text.split("\n");
  let i = lines.findIndex((l) => /^#define ___BPF_FUNC_MAPPER\(/.test(l));
  if (i < 0) i = lines.findIndex((l) => /^#define __BPF_FUNC_MAPPER\(FN\)/.test(l));
  if (i < 0) throw new Error("__BPF_FUNC_MAPPER not found");
  const out: { name: string; id: number }[] = [];
  for (let j = i; j < lines.length; j++) {
    const m = /FN\((\w+)(?:,\s*(\d+))?/.exec(lines[j]);
    if (m) out.push({ name: m[1], id: m[2] !== undefined ? Number(m[2]) : out.length });
    if (j > i && !lines[j].trimEnd().endsWith("\\")) break;
  }
  out.forEach((h, k) => { if (h.id !== k) throw new Error(`mapper order/id mismatch at ${h.name}`); });
  return out;
}

// ---------- kernel BTF via bpftool ----------

// deno-lint-ignore no-explicit-any
type BtfType = any;
const btf: BtfType[] = JSON.parse(execFileSync("bpftool", ["-j", "btf", "dump", "file", BTF_FILE], {
  maxBuffer: 1 << 30, encoding: "utf8",
})).types;
const byId = new Map<number, BtfType>(btf.map((t: BtfType) => [t.id, t]));

function btfEnum(name: string): Record<string, number> {
  const t = btf.find((t) => (t.kind === "ENUM" || t.kind === "ENUM64") && t.name === name);
  if (!t) throw new Error(`enum ${name} not in kernel BTF`);
  return Object.fromEntries(t.values.map((v: { name: string; val: number }) => [v.name, v.val]));
}
/** All members of anonymous BTF enums whose names match `re`. */
function btfAnonEnumMembers(re: RegExp): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of btf) {
    if ((t.kind !== "ENUM" && t.kind !== "ENUM64") || t.name !== "(anon)") continue;
    for (const v of t.values) {
      if (!re.test(v.name)) continue;
      if (v.name in out && out[v.name] !== v.val) throw new Error(`conflicting values for ${v.name}`);
      out[v.name] = v.val;
    }
  }
  return out;
}

function strip(id: number): BtfType {
  let t = byId.get(id);
  while (t && ["TYPEDEF", "CONST", "VOLATILE", "RESTRICT", "TYPE_TAG"].includes(t.kind)) t = byId.get(t.type_id);
  if (!t) throw new Error(`BTF type ${id} unresolved`);
  return t;
}

interface CtxField { name: string; offset: number; size: number; count?: number; signed?: boolean; pointer?: boolean }

function flatten(t: BtfType, baseBits: number, out: CtxField[], owner: string) {
  for (const m of t.members) {
    const bits = baseBits + m.bits_offset;
    if (m.bitfield_size) throw new Error(`${owner}.${m.name}: bitfields are not supported`);
    if (bits % 8) throw new Error(`${owner}.${m.name}: unaligned member`);
    let mt = strip(m.type_id);
    if (m.name === "(anon)" && (mt.kind === "STRUCT" || mt.kind === "UNION")) {
      flatten(mt, bits, out, owner);
      continue;
    }
    const f: CtxField = { name: m.name, offset: bits / 8, size: 0 };
    if (mt.kind === "ARRAY") {
      f.count = mt.nr_elems;
      mt = strip(mt.type_id);
      if (mt.kind === "ARRAY") throw new Error(`${owner}.${m.name}: multi-dimensional array`);
    }
    if (mt.kind === "PTR") { f.size = 8; f.pointer = true; }
    else if (mt.kind === "INT") { f.size = mt.size; if (mt.encoding === "SIGNED") f.signed = true; }
    else if (mt.kind === "ENUM" || mt.kind === "ENUM64") { f.size = mt.size; if (mt.encoding === "SIGNED") f.signed = true; }
    else if (mt.kind === "STRUCT" || mt.kind === "UNION") f.size = mt.size;
    else throw new Error(`${owner}.${m.name}: unsupported member kind ${mt.kind}`);
    out.push(f);
  }
}

const CTX_NAMES = ["xdp_md", "__sk_buff", "bpf_sock_addr", "bpf_sock_ops", "bpf_sk_lookup",
  "bpf_raw_tracepoint_args", "pt_regs", "bpf_sock", "bpf_sysctl", "bpf_cgroup_dev_ctx", "sk_msg_md",
  "sk_reuseport_md", "bpf_perf_event_data"];

function ctxStruct(name: string) {
  const t = btf.find((t) => t.kind === "STRUCT" && t.name === name);
  if (!t) throw new Error(`struct ${name} not in kernel BTF`);
  const fields: CtxField[] = [];
  flatten(t, 0, fields, name);
  return { name, size: t.size as number, fields };
}

// ---------- header values and layouts via gcc ----------

function gccRun(src: string, extraArgs: string[] = []): { ok: boolean; out: string } {
  const dir = mkdtempSync(join(tmpdir(), "gen-uapi-"));
  try {
    writeFileSync(join(dir, "p.c"), src);
    try {
      execFileSync("gcc", ["-std=gnu11", ...extraArgs, "-o", join(dir, "p"), join(dir, "p.c")], { stdio: "pipe" });
    } catch (e) {
      return { ok: false, out: String((e as { stderr?: Buffer }).stderr ?? e) };
    }
    return { ok: true, out: execFileSync(join(dir, "p"), { encoding: "utf8" }) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const INCLUDES = `#include <stdio.h>
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <linux/pkt_cls.h>
#include <asm/ptrace.h>
`;

function headerConstants(names: string[]): Record<string, number> {
  const body = names.map((n) => `  printf("%s %lld\\n", "${n}", (long long)(${n}));`).join("\n");
  const r = gccRun(`${INCLUDES}int main(void) {\n${body}\n  return 0;\n}\n`, [`-I${INCDIR}`]);
  if (!r.ok) throw new Error(`gcc failed on header constants:\n${r.out}`);
  const out: Record<string, number> = {};
  for (const line of r.out.trim().split("\n")) {
    const [n, v] = line.split(" ");
    if (!Number.isSafeInteger(Number(v))) throw new Error(`${n} = ${v} is not a safe integer`);
    out[n] = Number(v);
  }
  return out;
}

/** gcc's view of each kernel ctx field in the uapi headers: header offset/total size, or absent. */
function headerLayouts(structs: ReturnType<typeof ctxStruct>[]) {
  const checks: { s: string; f?: string; expr: string }[] = [];
  for (const s of structs) {
    checks.push({ s: s.name, expr: `sizeof(struct ${s.name})` });
    for (const f of s.fields) {
      checks.push({ s: s.name, f: f.name, expr: `offsetof(struct ${s.name}, ${f.name})` });
      checks.push({ s: s.name, f: f.name, expr: `sizeof(((struct ${s.name} *)0)->${f.name})` });
    }
  }
  const missing = new Set<string>();
  for (let round = 0; round < 3; round++) {
    const live = checks.filter((c) => !missing.has(`${c.s}.${c.f}`));
    const lines = live.map((c) => `printf("%zu\\n", (size_t)(${c.expr}));`);
    const pre = INCLUDES.split("\n").length + 1;
    const r = gccRun(`${INCLUDES}int main(void) {\n${lines.join("\n")}\nreturn 0; }\n`, [`-I${INCDIR}`]);
    if (r.ok) {
      const vals = r.out.trim().split("\n").map(Number);
      const res = new Map<string, number[]>();
      live.forEach((c, k) => {
        const key = c.f ? `${c.s}.${c.f}` : c.s;
        res.set(key, [...(res.get(key) ?? []), vals[k]]);
      });
      return { missing, res };
    }
    let found = false;
    for (const m of r.out.matchAll(/p\.c:(\d+):\d+: error:/g)) {
      const c = live[Number(m[1]) - pre];
      if (c?.f) { missing.add(`${c.s}.${c.f}`); found = true; }
    }
    if (!found) throw new Error(`gcc layout check failed:\n${r.out}`);
  }
  throw new Error("gcc layout check did not converge");
}

// ---------- assemble ----------

const header = readFileSync(HEADER, "utf8");
const verText = (() => {
  try {
    const v = readFileSync(join(INCDIR, "linux/version.h"), "utf8");
    const maj = /LINUX_VERSION_MAJOR (\d+)/.exec(v)?.[1], min = /LINUX_VERSION_PATCHLEVEL (\d+)/.exec(v)?.[1];
    return maj ? `${maj}.${min}` : "unknown";
  } catch { return "unknown"; }
})();
const docs = parseHelperDocs(header);
const mapper = parseMapper(header);
const kernelIds = btfEnum("bpf_func_id");

const helpers: Helper[] = [];
for (const { name, id } of mapper) {
  if (name === "unspec") continue;
  const d = docs.get(name);
  if (!d) throw new Error(`helper ${name} has no doc comment`);
  if (kernelIds[`BPF_FUNC_${name}`] !== id) throw new Error(`helper ${name}: header id ${id}, kernel ${kernelIds[`BPF_FUNC_${name}`]}`);
  helpers.push({
    name, id, ret: d.ret, args: d.args, ...(d.variadic ? { variadic: true } : {}),
    ...(d.overloads ? { note: `also documented as ${d.overloads.join("; ")}` } : {}),
  });
}
for (const d of docs.keys()) if (!mapper.some((m) => m.name === d)) throw new Error(`documented helper ${d} not in mapper`);
for (const [k, id] of Object.entries(kernelIds)) {
  const name = k.replace(/^BPF_FUNC_/, "");
  if (k.startsWith("__") || name === "unspec" || helpers.some((h) => h.name === name)) continue;
  const late = LATE_HELPERS[name];
  if (!late) throw new Error(`kernel helper ${name} (${id}) missing from header and LATE_HELPERS`);
  helpers.push({ name, id, ret: late.ret, args: late.args, note: `Linux ${late.since}; not in bpf.h ${verText}` });
}
helpers.sort((a, b) => a.id - b.id);

const headerHas = (n: string) => new RegExp(`\\b${n}\\b`).test(header);
function kernelEnum(name: string, prefix: string) {
  const e = btfEnum(name);
  return Object.fromEntries(Object.entries(e).filter(([k]) => k.startsWith(prefix) && !/^(__|MAX_)/.test(k)));
}

const pktCls = readFileSync(join(INCDIR, "linux/pkt_cls.h"), "utf8");
const fNames = new Set<string>();
for (const m of header.matchAll(/^\s*(BPF_F_\w+)\s*=/gm)) fNames.add(m[1]);
for (const m of header.matchAll(/^#define\s+(BPF_F_\w+)[ \t]/gm)) fNames.add(m[1]);
const tcNames = [...pktCls.matchAll(/^#define\s+(TC_ACT_\w+)[ \t]/gm)].map((m) => m[1])
  .filter((n) => !n.includes("EXT") && n !== "TC_ACT_VALUE_MAX");
const hdrConst = headerConstants([...fNames, ...tcNames, "BPF_ANY", "BPF_NOEXIST", "BPF_EXIST"]);
const kernelF = btfAnonEnumMembers(/^BPF_F_/);
const allF: Record<string, number> = {};
for (const n of fNames) allF[n] = hdrConst[n];
for (const [n, v] of Object.entries(kernelF)) {
  if (n in allF && allF[n] !== v) throw new Error(`${n}: header ${allF[n]}, kernel ${v}`);
  allF[n] = v;
}
const mapFlagsEnum = btf.find((t) => t.kind === "ENUM" && t.name === "(anon)" &&
  t.values.some((v: { name: string }) => v.name === "BPF_F_NO_PREALLOC"));
const mapFlags = Object.fromEntries(mapFlagsEnum.values.map((v: { name: string; val: number }) => [v.name, v.val]));

/** x86_64 pt_regs: the kernel's member names vs <asm/ptrace.h>'s (same offsets, checked below). */
const PT_REGS_UAPI: Record<string, string> = {
  bp: "rbp", bx: "rbx", ax: "rax", cx: "rcx", dx: "rdx", si: "rsi", di: "rdi", orig_ax: "orig_rax",
  ip: "rip", flags: "eflags", sp: "rsp",
};
const structs = CTX_NAMES.map(ctxStruct);
const { missing, res } = headerLayouts([...structs, {
  name: "pt_regs", size: 0, fields: Object.values(PT_REGS_UAPI).map((n) => ({ name: n, offset: 0, size: 0 })),
}]);
const kernelOnly: Record<string, string[]> = {};
const notes: string[] = [];
for (const s of structs) {
  const hs = res.get(s.name)?.[0];
  if (hs !== s.size) notes.push(`${s.name}: size ${s.size} in kernel BTF, ${hs} in uapi headers`);
  for (const f of s.fields) {
    const key = `${s.name}.${f.name}`;
    const alias = s.name === "pt_regs" ? PT_REGS_UAPI[f.name] : undefined;
    if (missing.has(key) && !alias) { (kernelOnly[s.name] ??= []).push(f.name); continue; }
    if (alias) notes.push(`${key}: named ${alias} in the uapi header`);
    const [off, sz] = res.get(alias ? `${s.name}.${alias}` : key)!;
    if (off !== f.offset) throw new Error(`${key}: offset ${f.offset} in BTF, ${off} in header`);
    if (sz !== f.size * (f.count ?? 1)) notes.push(`${key}: ${f.size * (f.count ?? 1)} bytes in kernel BTF, ${sz} in uapi headers`);
  }
}

// ---------- emit ----------

const q = (s: string) => JSON.stringify(s);
function record(name: string, doc: string, obj: Record<string, number>, onlyKernel: (k: string) => boolean) {
  const lines = Object.entries(obj).map(([k, v]) =>
    `  ${k}: ${v},${onlyKernel(k) ? ` // kernel ${release()} BTF only (not in bpf.h ${verText})` : ""}`);
  return `/** ${doc} */\nexport const ${name}: Record<string, number> = {\n${lines.join("\n")}\n};\n`;
}
const notHeader = (k: string) => !headerHas(k);

const out: string[] = [];
out.push(`// GENERATED by tools/gen-uapi.ts from ${HEADER} (Linux ${verText}) and the kernel BTF of ${release()}.
// Do not edit: regenerate with \`node_modules/.bin/deno run -A tools/gen-uapi.ts\` (needs bpftool and gcc).

export interface HelperArg { name: string; type: string }
/** A BPF helper: call id, C return type, C parameters (exact count; \`variadic\` adds up to 5 total). */
export interface Helper { name: string; id: number; ret: string; args: HelperArg[]; variadic?: boolean; note?: string }
/**
 * A context-struct member as C field access sees it (anonymous unions/structs flattened).
 * \`size\` is the size of one element; arrays have \`count\` elements (0 for a flexible array).
 * \`pointer\` marks pointer-typed members (\`__bpf_md_ptr\` and the like), always 8 bytes.
 */
export interface CtxField { name: string; offset: number; size: number; count?: number; signed?: boolean; pointer?: boolean }
export interface CtxStruct { name: string; size: number; fields: CtxField[] }
`);
out.push(`/** Every BPF helper, by id. Ids ${helpers[0].id}..${helpers.at(-1)!.id}; the list is frozen upstream (new features are kfuncs). */
export const HELPERS: Helper[] = [
${helpers.map((h) => `  { name: ${q(h.name)}, id: ${h.id}, ret: ${q(h.ret)}, args: [${h.args.map((a) => `{ name: ${q(a.name)}, type: ${q(a.type)} }`).join(", ")}]${h.variadic ? ", variadic: true" : ""}${h.note ? `, note: ${q(h.note)}` : ""} },`).join("\n")}
];
`);
out.push(record("MAP_TYPES", "enum bpf_map_type (kernel BTF).", kernelEnum("bpf_map_type", "BPF_MAP_TYPE_"), notHeader));
out.push(record("PROG_TYPES", "enum bpf_prog_type (kernel BTF).", kernelEnum("bpf_prog_type", "BPF_PROG_TYPE_"), notHeader));
out.push(record("ATTACH_TYPES", "enum bpf_attach_type (kernel BTF).", kernelEnum("bpf_attach_type", "BPF_"), notHeader));
out.push(record("MAP_FLAGS", "BPF_MAP_CREATE map_flags (the kernel's anonymous enum holding BPF_F_NO_PREALLOC).", mapFlags, notHeader));
out.push(record("BPF_F", "Every BPF_F_* constant: bpf.h #defines and enums (gcc) plus the kernel BTF's anonymous enums.", allF, notHeader));
out.push(record("UPDATE_FLAGS", "Flags of map update calls.", { BPF_ANY: hdrConst.BPF_ANY, BPF_NOEXIST: hdrConst.BPF_NOEXIST, BPF_EXIST: hdrConst.BPF_EXIST, BPF_F_LOCK: allF.BPF_F_LOCK }, () => false));
out.push(record("XDP_ACTIONS", "enum xdp_action.", kernelEnum("xdp_action", "XDP_"), notHeader));
out.push(record("TC_ACT", "TC action codes (linux/pkt_cls.h).", Object.fromEntries(tcNames.map((n) => [n, hdrConst[n]])), () => false));
out.push(record("SK_ACTIONS", "enum sk_action.", kernelEnum("sk_action", "SK_"), notHeader));
out.push(record("CORE_RELO_KINDS", "enum bpf_core_relo_kind: CO-RE relocation kinds in .BTF.ext.", kernelEnum("bpf_core_relo_kind", "BPF_CORE_"), notHeader));

const fieldText = (f: CtxField) => `{ name: ${q(f.name)}, offset: ${f.offset}, size: ${f.size}` +
  `${f.count !== undefined ? `, count: ${f.count}` : ""}${f.signed ? ", signed: true" : ""}${f.pointer ? ", pointer: true" : ""} }`;
out.push(`/**
 * Program context layouts from the kernel BTF (pt_regs is the kernel's x86_64 struct, which
 * kprobe programs see). Cross-checked with gcc against the uapi headers at generation time.
 */
export const CTX_STRUCTS: Record<string, CtxStruct> = {
${structs.map((s) => `  ${s.name}: {\n    name: ${q(s.name)}, size: ${s.size}, fields: [\n${s.fields.map((f) => `      ${fieldText(f)},`).join("\n")}\n    ],\n  },`).join("\n")}
};

/** Ctx fields the kernel has but the uapi headers (Linux ${verText}) lack. */
export const CTX_KERNEL_ONLY: Record<string, string[]> = ${JSON.stringify(kernelOnly)};

/** Other differences between the kernel BTF and the uapi headers (informational). */
export const CTX_HEADER_NOTES: string[] = [
${notes.map((n) => `  ${q(n)},`).join("\n")}
];
`);
writeFileSync(OUT, out.join("\n"));
console.log(`wrote ${OUT}: ${helpers.length} helpers, ${structs.length} ctx structs, ${notes.length} header notes`);
