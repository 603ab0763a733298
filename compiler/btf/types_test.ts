// Tests for BtfBuilder (dedup, recursion, encodings) and the .BTF encoder/decoder.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ARRAY_INDEX_TYPE_NAME, BtfBuilder, sizeOf, type TypeDesc } from "./types.ts";
import { BTF_HEADER_LEN, BtfKind, encodeBtf, StringTable } from "./encode.ts";
import { dumpBtf, readBtf } from "./read.ts";

const u32: TypeDesc = { kind: "int", name: "unsigned int", size: 4, signed: false };
const u64: TypeDesc = { kind: "int", name: "unsigned long long", size: 8, signed: false };

test("string table dedups, starts with the empty string and freezes after encoding", () => {
  const s = new StringTable();
  assert.equal(s.add(""), 0);
  const a = s.add("abc");
  assert.equal(a, 1);
  assert.equal(s.add("abc"), a);
  assert.equal(s.add("d"), 5);
  assert.deepEqual([...s.bytes()], [0, 97, 98, 99, 0, 100, 0]);
  assert.equal(s.add("abc"), 1, "known strings still resolve");
  assert.throws(() => s.add("new"), /already encoded/);
  assert.throws(() => new StringTable().add("a\0b"), /NUL/);
});

test("identical descriptions get one id; different ones do not", () => {
  const b = new BtfBuilder();
  const p1 = b.addType({ kind: "ptr", to: u32 });
  const p2 = b.addType({ kind: "ptr", to: { kind: "int", name: "unsigned int", size: 4, signed: false } });
  assert.equal(p1, p2);
  assert.equal(b.types.length, 2);
  const s1 = b.addType({ kind: "struct", name: "pair", size: 8, members: [{ name: "a", type: u32, offset: 0 }, { name: "b", type: u32, offset: 4 }] });
  const s2 = b.addType({ kind: "struct", name: "pair", size: 8, members: [{ name: "a", type: u32, offset: 0 }, { name: "b", type: u32, offset: 4 }] });
  const s3 = b.addType({ kind: "struct", name: "pair", size: 8, members: [{ name: "a", type: u32, offset: 4 }, { name: "b", type: u32, offset: 0 }] });
  assert.equal(s1, s2);
  assert.notEqual(s1, s3);
  assert.equal(b.addType({ kind: "void" }), 0);
  assert.notEqual(b.addType({ kind: "const", type: u32 }), b.addType({ kind: "volatile", type: u32 }));
});

test("a struct pointing to itself (shared name or cyclic object) does not loop", () => {
  const b = new BtfBuilder();
  // By name: the inner reference is a separate description of the same struct.
  const byName = b.addType({
    kind: "struct", name: "node", size: 16, members: [
      { name: "next", type: { kind: "ptr", to: { kind: "struct", name: "node", size: 16, members: [] } }, offset: 0 },
      { name: "val", type: u64, offset: 8 },
    ],
  });
  const node = b.typeById(byName);
  const nextPtr = b.typeById(node.extra[1]);
  assert.equal(nextPtr.kind, BtfKind.PTR);
  assert.equal(nextPtr.sizeOrType, byName);
  // A cyclic object, and mutual recursion through another struct.
  const a: TypeDesc & { kind: "struct" } = { kind: "struct", name: "a", size: 16, members: [] };
  const bb: TypeDesc = { kind: "struct", name: "b", size: 8, members: [{ name: "a", type: { kind: "ptr", to: a }, offset: 0 }] };
  a.members.push({ name: "self", type: { kind: "ptr", to: a }, offset: 0 }, { name: "b", type: { kind: "ptr", to: bb }, offset: 8 });
  const aId = b.addType(a);
  assert.equal(b.addType(a), aId);
  const bId = b.addType(bb);
  const aEntry = b.typeById(aId);
  assert.equal(b.typeById(aEntry.extra[1]).sizeOrType, aId);
  assert.equal(b.typeById(aEntry.extra[4]).sizeOrType, bId);
  assert.equal(b.typeById(b.typeById(bId).extra[1]).sizeOrType, aId);
  // Anonymous cyclic struct: identity, not name.
  const anon: TypeDesc & { kind: "struct" } = { kind: "struct", name: "", size: 8, members: [] };
  anon.members.push({ name: "me", type: { kind: "ptr", to: anon }, offset: 0 });
  const anonId = b.addType(anon);
  assert.equal(b.typeById(b.typeById(anonId).extra[1]).sizeOrType, anonId);
  const parsed = readBtf(b.encode());
  assert.equal(parsed.types.length, b.types.length);
});

test("entries: int encodings, arrays, enums, bitfields, fwd, func_proto, typedef", () => {
  const b = new BtfBuilder();
  const bool = b.typeById(b.addType({ kind: "int", name: "_Bool", size: 1, signed: false, bool: true }));
  assert.equal(bool.extra[0], (4 << 24) | 8);
  const ch = b.typeById(b.addType({ kind: "int", name: "char", size: 1, signed: true, char: true }));
  assert.equal(ch.extra[0], (2 << 24) | 8, "exactly one encoding bit");
  const s64 = b.typeById(b.addType({ kind: "int", name: "long", size: 8, signed: true }));
  assert.equal(s64.extra[0], (1 << 24) | 64);
  const arrId = b.addType({ kind: "array", elem: u32, count: 7 });
  const arr = b.typeById(arrId);
  assert.equal(arr.kind, BtfKind.ARRAY);
  assert.equal(arr.extra[2], 7);
  assert.equal(b.strings.add(ARRAY_INDEX_TYPE_NAME), b.typeById(arr.extra[1]).nameOff);
  const en = b.typeById(b.addType({ kind: "enum", name: "e", size: 4, values: [{ name: "A", value: -1 }, { name: "B", value: 2 }] }));
  assert.equal(en.kindFlag, true);
  assert.equal(en.vlen, 2);
  assert.equal(en.extra[1] | 0, -1);
  const bf = b.typeById(b.addType({
    kind: "struct", name: "flags", size: 4, members: [
      { name: "lo", type: u32, offset: 0, bitSize: 3 },
      { name: "hi", type: u32, offset: 0.375, bitSize: 5 },
    ],
  }));
  assert.equal(bf.kindFlag, true);
  assert.equal(bf.extra[2], (3 << 24) | 0);
  assert.equal(bf.extra[5], (5 << 24) | 3);
  const fwd = b.typeById(b.addType({ kind: "fwd", name: "u", union: true }));
  assert.equal(fwd.kindFlag, true);
  const proto = b.typeById(b.addType({ kind: "func_proto", ret: { kind: "void" }, params: [{ name: "x", type: u32 }] }));
  assert.equal(proto.sizeOrType, 0);
  assert.equal(proto.vlen, 1);
  const td = b.typeById(b.addType({ kind: "typedef", name: "__u32", type: u32 }));
  assert.equal(td.kind, BtfKind.TYPEDEF);
  assert.equal(sizeOf({ kind: "typedef", name: "t", type: { kind: "array", elem: u64, count: 3 } }), 24);
  assert.equal(sizeOf({ kind: "ptr", to: { kind: "void" } }), 8);
  assert.throws(() => sizeOf({ kind: "fwd", name: "x" }), /forward/);
  assert.throws(() => b.addType({ kind: "int", name: "odd", size: 3 as 4, signed: false }), /bad size/);
});

test("encodeBtf writes the header and readBtf/dumpBtf read it back", () => {
  const b = new BtfBuilder();
  const s = b.addType({ kind: "struct", name: "kv", size: 16, members: [{ name: "k", type: u32, offset: 0 }, { name: "v", type: u64, offset: 8 }] });
  const v = b.addVar("kvs", s);
  b.addDatasec(".data", 16, [{ type: v, offset: 0, size: 16 }]);
  const proto = b.addType({ kind: "func_proto", ret: u32, params: [] });
  b.addFunc("f", proto);
  const bytes = b.encode();
  const dv = new DataView(bytes.buffer);
  assert.equal(dv.getUint16(0, true), 0xeb9f);
  assert.equal(bytes[2], 1);
  assert.equal(dv.getUint32(4, true), BTF_HEADER_LEN);
  const typeLen = dv.getUint32(12, true);
  assert.equal(dv.getUint32(16, true), typeLen);
  assert.equal(BTF_HEADER_LEN + typeLen + dv.getUint32(20, true), bytes.length);
  const parsed = readBtf(bytes);
  assert.deepEqual(parsed.types, b.types);
  assert.deepEqual(dumpBtf(parsed), [
    "[1] STRUCT 'kv' size=16 members=k:2@0,v:3@64",
    "[2] INT 'unsigned int' size=4 bits=32 enc=0",
    "[3] INT 'unsigned long long' size=8 bits=64 enc=0",
    "[4] VAR 'kvs' type=1 linkage=1",
    "[5] DATASEC '.data' size=16 vars=4@0+16",
    "[6] FUNC_PROTO '(anon)' ret=2 params=",
    "[7] FUNC 'f' type=6 linkage=1",
  ]);
  assert.throws(() => readBtf(new Uint8Array(30)), /bad magic/);
  assert.equal(encodeBtf([], new Uint8Array(1)).length, BTF_HEADER_LEN + 1);
});

test("builder output is deterministic", () => {
  const build = () => {
    const b = new BtfBuilder();
    b.addType({ kind: "ptr", to: { kind: "struct", name: "s", size: 4, members: [{ name: "x", type: u32, offset: 0 }] } });
    b.addFunc("g", b.addType({ kind: "func_proto", ret: u32, params: [{ name: "a", type: u64 }] }));
    return b.encode();
  };
  assert.deepEqual(build(), build());
});
