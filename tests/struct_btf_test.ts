// Every struct the program declares has BTF in the object, whether or not a map uses it
// (so bpftool and host code can find its layout).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readElf } from "../compiler/elf/read.ts";
import { readBtf } from "../compiler/btf/read.ts";
import { compileOk } from "./compile_util.ts";

test("an unused struct is described in .BTF with C layout", () => {
  const r = compileOk(`(defstruct event (ts u64) (pid u32) (comm (array u8 16)))
(defprog p (:type :xdp) XDP_PASS)`);
  const elf = readElf(r.object!);
  const btf = readBtf(elf.sections.find((s) => s.name === ".BTF")!.data);
  const ev = btf.types.find((t) => t.kind === 4 && btf.str(t.nameOff) === "event");
  assert.ok(ev, "STRUCT 'event' is in .BTF");
  // u64 at 0, u32 at 8, u8[16] at 12: 28 bytes, rounded up to the 8-byte alignment.
  assert.equal(ev.sizeOrType, 32);
  assert.equal(ev.vlen, 3);
  const members = [0, 1, 2].map((i) => ({ name: btf.str(ev.extra[i * 3]), bitOffset: ev.extra[i * 3 + 2] }));
  assert.deepEqual(members, [{ name: "ts", bitOffset: 0 }, { name: "pid", bitOffset: 64 }, { name: "comm", bitOffset: 96 }]);
});
