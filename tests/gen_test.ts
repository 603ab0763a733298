// --gen: userland definitions checked against the object's own BTF (read back with
// compiler/btf/read.ts): the C header compiled with gcc, the Python ctypes module run by python3 and
// the Rust module compiled by rustc (when present) print every sizeof/offsetof; the Go text is
// laid out by parsing it (encoding/binary packs fields in order). The TypeScript classes round-trip
// a value through encode/decode and read a map value from `bpftool map dump`. Also the CLI flag.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import process from "node:process";
import { readElf, findSection } from "../compiler/elf/read.ts";
import { readBtf } from "../compiler/btf/read.ts";
import { BtfKind } from "../compiler/btf/encode.ts";
import { CTX_STRUCTS } from "../compiler/uapi.ts";
import { pascal } from "../compiler/gen/layout.ts";
import { pyField } from "../compiler/gen/python.ts";
import { rustField } from "../compiler/gen/rust.ts";
import { tsField } from "../compiler/gen/ts.ts";
import { compileOk, tempDir } from "./compile_util.ts";
import { dumpMap, kernelTest, runProg } from "./kernel.ts";
import { withLoaded } from "./features/util.ts";

const SRC = `
(defconstant +max-flows+ 64)
(defconstant +neg+ -5)
(defstruct inner (x u16) (y u32))
(defunion num (as-u64 u64) (as-bytes (array u8 8)) (as-i32 i32))
(defstruct flow (tag u8) (in inner) (arr (array inner 2)) (z u64) (vals (array u16 3)) (n num) (type i8))
(defstruct key (src u32) (dst u32))
(defmap flows :type :hash :key-type key :value-type flow :max-entries +max-flows+)
(defprog p (:type :xdp)
  (let ((k (make-key)) (f (make-flow)))
    (setf (key-src k) 1 (key-dst k) #x0a000002
          (flow-tag f) 7 (inner-x (flow-in f)) 513 (inner-y (flow-in f)) 100000
          (inner-y (flow-arr f 1)) #xdeadbeef (flow-z f) #x1122334455667788
          (flow-vals f 2) 65535 (num-as-i32 (flow-n f)) -2 (flow-type f) -3)
    (map-update flows k f 0)
    (when-let ((v (map-lookup flows k)))
      (setf (flow-vals v 0) 42)))
  2)`;

type Layout = Map<string, { size: number; fields: Map<string, number> }>;

/** The user's structs and unions in the object's .BTF (not the context's): size and member byte offsets. */
function btfLayout(obj: Uint8Array): Layout {
  const btf = readBtf(findSection(readElf(obj), ".BTF")!.data);
  const out: Layout = new Map();
  for (const t of btf.types) {
    if ((t.kind !== BtfKind.STRUCT && t.kind !== BtfKind.UNION) || !t.nameOff || btf.str(t.nameOff) in CTX_STRUCTS) continue;
    const fields = new Map<string, number>();
    for (let i = 0; i < t.vlen; i++) fields.set(btf.str(t.extra[3 * i]), t.extra[3 * i + 2] / 8);
    out.set(btf.str(t.nameOff), { size: t.sizeOrType, fields });
  }
  return out;
}

const compiled = () => compileOk(SRC, { file: "flows.lisp", gen: ["c", "go", "rust", "python", "ts"] });

/** Layout printed by a generated-code probe as lines `struct size N` and `struct.field offset N`. */
function parseProbe(text: string, rename: (s: string) => string, field: (f: string) => string): Layout {
  const out: Layout = new Map();
  for (const line of text.trim().split("\n")) {
    const [what, n] = line.split(" ");
    const [s, f] = what.split(".");
    const name = rename(s);
    if (!out.has(name)) out.set(name, { size: 0, fields: new Map() });
    if (f === undefined) out.get(name)!.size = Number(n);
    else out.get(name)!.fields.set(field(f), Number(n));
  }
  return out;
}

function probeSource(btf: Layout, line: (s: string, f?: string) => string): string[] {
  return [...btf].flatMap(([s, { fields }]) => [line(s), ...[...fields.keys()].map((f) => line(s, f))]);
}

const have = (cmd: string, arg = "--version") => spawnSync(cmd, [arg], { encoding: "utf8" }).status === 0;

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

test("gen: the BTF has every struct of the maps, with the C layout", () => {
  const btf = btfLayout(compiled().object!);
  assert.deepEqual([...btf.keys()].sort(), ["flow", "inner", "key", "num"]);
  assert.deepEqual(btf.get("flow"), { size: 64, fields: new Map([["tag", 0], ["in", 4], ["arr", 12], ["z", 32], ["vals", 40], ["n", 48], ["type", 56]]) });
});

test("gen c: the header compiles with gcc and its sizeof/offsetof match the BTF", { skip: !have("gcc") && "gcc not found" }, () => {
  const r = compiled();
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, "flows.h"), r.generated!.c!);
    const btf = btfLayout(r.object!);
    const tag = (s: string) => `${s === "num" ? "union" : "struct"} ${s}`;
    const main = ["#include <stdio.h>", '#include "flows.h"', "int main(void) {",
      ...probeSource(btf, (s, f) => f === undefined
        ? `printf("${s} %zu\\n", sizeof(${tag(s)}));`
        : `printf("${s}.${f} %zu\\n", offsetof(${tag(s)}, ${f}));`),
      "return 0; }"];
    writeFileSync(join(dir, "main.c"), main.join("\n"));
    run("gcc", ["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-o", "probe", "main.c"], dir);
    assert.deepEqual(parseProbe(run(join(dir, "probe"), [], dir), (s) => s, (f) => f), btf);
    assert.match(r.generated!.c!, /#define MAP_FLOWS_VALUE_SIZE 64 \/\* struct flow \*\//);
    assert.match(r.generated!.c!, /#define MAX_FLOWS 64U\n#define NEG \(-5\)/);
  } finally {
    cleanup();
  }
});

test("gen python: ctypes sizes and offsets match the BTF", { skip: !have("python3") && "python3 not found" }, () => {
  const r = compiled();
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, "flows.py"), r.generated!.python!);
    const btf = btfLayout(r.object!);
    const probe = ["import ctypes, flows", ...probeSource(btf, (s, f) => f === undefined
      ? `print("${s}", ctypes.sizeof(flows.${pascal(s)}))`
      : `print("${s}.${f}", flows.${pascal(s)}.${pyField(f)}.offset)`),
      "assert flows.MAPS['flows']['value_type'] is flows.Flow and flows.MAX_FLOWS == 64 and flows.NEG == -5"];
    writeFileSync(join(dir, "probe.py"), probe.join("\n"));
    assert.deepEqual(parseProbe(run("python3", ["probe.py"], dir), (s) => s, (f) => f), btf);
  } finally {
    cleanup();
  }
});

test("gen rust: rustc compiles the module (its const asserts) and size_of/offset_of! match the BTF", { skip: !have("rustc") && "rustc not found" }, () => {
  const r = compiled();
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, "flows.rs"), r.generated!.rust!);
    const btf = btfLayout(r.object!);
    const main = ["mod flows;", "use flows::*;", "fn main() {",
      ...probeSource(btf, (s, f) => f === undefined
        ? `println!("${s} {}", core::mem::size_of::<${pascal(s)}>());`
        : `println!("${s}.${f} {}", core::mem::offset_of!(${pascal(s)}, ${rustField(f)}));`),
      `assert_eq!(MAP_FLOWS_VALUE_SIZE, 64); assert_eq!(MAX_FLOWS, 64); assert_eq!(NEG, -5);`, "}"];
    writeFileSync(join(dir, "main.rs"), main.join("\n"));
    run("rustc", ["--edition", "2021", "-o", "probe", "main.rs"], dir);
    assert.deepEqual(parseProbe(run(join(dir, "probe"), [], dir), (s) => s, (f) => f), btf);
  } finally {
    cleanup();
  }
});

test("gen go: fields laid out in order (as encoding/binary packs them) match the BTF", () => {
  const r = compiled();
  const btf = btfLayout(r.object!);
  const go = r.generated!.go!;
  const sizes: Record<string, number> = { uint8: 1, int8: 1, byte: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, uint64: 8, int64: 8 };
  const sizeOf = (t: string): number => {
    const a = /^\[(\d+)\](.+)$/.exec(t);
    if (a) return Number(a[1]) * sizeOf(a[2]);
    if (sizes[t]) return sizes[t];
    const s = Object.keys(layouts).find((n) => pascal(n) === t);
    assert.ok(s, `unknown Go type ${t}`);
    return layouts[s].size;
  };
  const layouts: Record<string, { size: number; fields: Map<string, number> }> = {};
  for (const m of go.matchAll(/^type (\w+) (struct \{\n([\s\S]*?)\n\}|\[(\d+)\]byte)/gm)) {
    const name = [...btf.keys()].find((n) => pascal(n) === m[1])!;
    const fields = new Map<string, number>();
    let at = 0;
    if (m[3]) {
      for (const line of m[3].split("\n")) {
        const [, fname, ftype] = /^\t(\w+) (\S+)/.exec(line)!;
        if (fname !== "_") fields.set([...btf.get(name)!.fields.keys()].find((f) => pascal(f) === fname)!, at);
        at += sizeOf(ftype);
      }
    } else {
      at = Number(m[4]);
      for (const f of btf.get(name)!.fields.keys()) fields.set(f, 0); // a union: members at 0
    }
    layouts[name] = { size: at, fields };
  }
  assert.deepEqual(new Map(Object.entries(layouts)), btf);
  assert.match(go, /MapFlowsValueSize = 64/);
  assert.match(go, /MaxFlows = 64\n\tNeg = -5/);
});

// deno-lint-ignore no-explicit-any
async function importTs(dir: string, text: string): Promise<any> {
  const path = join(dir, "flows.ts");
  writeFileSync(path, text);
  return await import(pathToFileURL(path).href);
}

test("gen ts: one class per struct, plain value or mapped view; encode/decode round-trip", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const g = await importTs(dir, compiled().generated!.ts!);
    const f = new g.Flow({ tag: 7, in: { x: 513, y: 100000 }, z: 0x1122334455667788n, vals: [1, 2, 65535], type: -3 });
    f.arr[1].y = 0xdeadbeef; // writes through the nested view into f's own bytes
    f.n.asI32 = -2;
    assert.equal(f.mapped, false);
    assert.throws(() => f.offset, /not mapped/);
    const bytes: Uint8Array = f.encode();
    assert.equal(bytes.length, g.Flow.SIZE);
    const back = g.Flow.decode(bytes);
    assert.deepEqual(back.toObject(), f.toObject());
    assert.equal(back.n.asU64, 0xfffffffen);
    // Mapped over a bigger buffer at offset 8: the same interface reads and writes those bytes.
    const buf = new Uint8Array(100);
    buf.set(bytes, 8);
    const m = g.Flow.at(new DataView(buf.buffer), 8);
    assert.equal(m.mapped, true);
    assert.equal(m.offset, 8);
    assert.equal(m.in.offset, 12);
    assert.equal(m.arr[1].y, 0xdeadbeef);
    m.vals = [9, 9, 9];
    assert.equal(new DataView(buf.buffer).getUint16(8 + 40, true), 9);
    assert.throws(() => g.Flow.at(new DataView(buf.buffer), 40), RangeError);
    assert.equal(tsField("type"), "type");
    assert.equal(g.MAPS.flows.valueSize, 64);
    assert.equal(g.MAPS.flows.valueType, g.Flow);
    assert.equal(g.MAX_FLOWS, 64);
  } finally {
    cleanup();
  }
});

kernelTest("gen ts: the classes read a map value dumped by bpftool map dump", async () => {
  const r = compiled();
  const { dir, cleanup } = tempDir();
  try {
    const g = await importTs(dir, r.generated!.ts!);
    await withLoaded(SRC, "2", (l) => {
      assert.equal(runProg(l, "p", new Uint8Array(64)).retval, 2);
      const [e] = dumpMap(l, "flows");
      const key = g.Key.decode(e.key);
      assert.deepEqual(key.toObject(), { src: 1, dst: 0x0a000002 });
      const v = e.value as Uint8Array;
      const f = g.Flow.at(new DataView(v.buffer, v.byteOffset, v.byteLength));
      assert.deepEqual(f.toObject(), {
        tag: 7, in: { x: 513, y: 100000 }, arr: [{ x: 0, y: 0 }, { x: 0, y: 0xdeadbeef }], z: 0x1122334455667788n,
        vals: [42, 0, 65535], n: { asU64: 0xfffffffen, asBytes: [0xfe, 0xff, 0xff, 0xff, 0, 0, 0, 0], asI32: -2 }, type: -3,
      });
    });
  } finally {
    cleanup();
  }
});

const CLI = join(process.cwd(), "cli.ts");

test("gen: whistler compile --gen writes NAME.EXT beside the output; an unknown language is a usage error", { skip: !existsSync(CLI) && "run from the repository root" }, () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, "flows.lisp"), SRC);
    const [bin, pre] = "Deno" in globalThis ? [process.execPath, ["run", "-A", "--no-check", CLI]] : [process.execPath, [CLI]];
    const ok = spawnSync(bin, [...pre, "compile", "flows.lisp", "--gen", "c,ts", "--gen", "python"], { cwd: dir, encoding: "utf8" });
    assert.equal(ok.status, 0, ok.stderr);
    for (const f of ["flows.bpf.o", "flows.h", "flows.ts", "flows.py"]) assert.ok(existsSync(join(dir, f)), f);
    assert.match(readFileSync(join(dir, "flows.h"), "utf8"), /struct flow \{/);
    const o = spawnSync(bin, [...pre, "compile", "flows.lisp", "-o", "other.bpf.o", "--gen", "rust"], { cwd: dir, encoding: "utf8" });
    assert.equal(o.status, 0, o.stderr);
    assert.ok(existsSync(join(dir, "other.rs")), "named after the output");
    const bad = spawnSync(bin, [...pre, "compile", "flows.lisp", "--gen", "java"], { cwd: dir, encoding: "utf8" });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--gen takes c, go, rust, python, ts, got "java"/);
  } finally {
    cleanup();
  }
});
