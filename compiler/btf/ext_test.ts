// Tests for the .BTF.ext encoder and decoder.

import { test } from "node:test";
import assert from "node:assert/strict";
import { BTF_EXT_HEADER_LEN, CoreReloKind, encodeBtfExt, lineCol } from "./ext.ts";
import { readBtf, readBtfExt } from "./read.ts";
import { BtfBuilder } from "./types.ts";

test("line_col packs line << 10 | col and clamps the column", () => {
  assert.equal(lineCol(3, 5), (3 << 10) | 5);
  assert.equal(lineCol(1, 5000), (1 << 10) | 0x3ff);
});

test("func_info, line_info and core_relo round-trip with shared strings", () => {
  const b = new BtfBuilder();
  const s = b.addType({ kind: "struct", name: "task", size: 8, members: [{ name: "pid", type: { kind: "int", name: "int", size: 4, signed: true }, offset: 4 }] });
  const ext = encodeBtfExt({
    funcInfo: [{ section: "xdp", records: [{ insnOff: 96, typeId: 2 }, { insnOff: 0, typeId: 1 }] }],
    lineInfo: [
      { section: "xdp", records: [{ insnOff: 8, file: "a.wl", lineText: "(+ 1 2)", line: 2, col: 3 }, { insnOff: 0, file: "a.wl", lineText: "(defprog p)", line: 1, col: 1 }] },
      { section: "tc", records: [] },
    ],
    coreRelo: [{ section: "kprobe/x", records: [{ insnOff: 16, typeId: s, accessStr: "0:0", kind: CoreReloKind.FIELD_BYTE_OFFSET }] }],
  }, b.strings);
  const dv = new DataView(ext.buffer);
  assert.equal(dv.getUint16(0, true), 0xeb9f);
  assert.equal(dv.getUint32(4, true), BTF_EXT_HEADER_LEN);
  assert.equal(dv.getUint32(8, true), 0);
  assert.equal(dv.getUint32(12, true), 4 + 8 + 2 * 8, "func_info: rec_size, one section, two records");
  assert.equal(dv.getUint32(BTF_EXT_HEADER_LEN, true), 8);
  assert.equal(dv.getUint32(20, true), 4 + 8 + 2 * 16, "the empty 'tc' group is left out");
  assert.equal(dv.getUint32(28, true), 4 + 8 + 16);
  const btf = readBtf(b.encode());
  const back = readBtfExt(ext, btf.str);
  assert.deepEqual(back.funcInfo, [{ section: "xdp", records: [{ insnOff: 0, typeId: 1 }, { insnOff: 96, typeId: 2 }] }]);
  assert.deepEqual(back.lineInfo, [{
    section: "xdp", records: [
      { insnOff: 0, file: "a.wl", lineText: "(defprog p)", line: 1, col: 1 },
      { insnOff: 8, file: "a.wl", lineText: "(+ 1 2)", line: 2, col: 3 },
    ],
  }]);
  assert.deepEqual(back.coreRelo, [{ section: "kprobe/x", records: [{ insnOff: 16, typeId: s, accessStr: "0:0", kind: 0 }] }]);
});

test("empty subsections have length 0 (no dangling rec_size)", () => {
  const b = new BtfBuilder();
  const ext = encodeBtfExt({ funcInfo: [{ section: "xdp", records: [{ insnOff: 0, typeId: 1 }] }], lineInfo: [], coreRelo: [] }, b.strings);
  const dv = new DataView(ext.buffer);
  assert.equal(ext.length, BTF_EXT_HEADER_LEN + 4 + 8 + 8);
  assert.equal(dv.getUint32(20, true), 0);
  assert.equal(dv.getUint32(28, true), 0);
  assert.equal(dv.getUint32(16, true), 20, "line_info_off points past func_info");
  const back = readBtfExt(ext, readBtf(b.encode()).str);
  assert.deepEqual(back.lineInfo, []);
  assert.deepEqual(back.coreRelo, []);
});

test("strings must be added before .BTF is encoded", () => {
  const b = new BtfBuilder();
  b.encode();
  assert.throws(
    () => encodeBtfExt({ funcInfo: [{ section: "late", records: [{ insnOff: 0, typeId: 1 }] }], lineInfo: [], coreRelo: [] }, b.strings),
    /already encoded/,
  );
});
