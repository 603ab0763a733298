// .BTF.ext line info maps instructions to the real source lines: the verifier's log for a
// deliberately rejected program quotes our source text and file:line.

import assert from "node:assert/strict";
import { kernelTest, verifierLog } from "./kernel.ts";
import { compileOk, tempDir, writeObject } from "./compile_util.ts";

const SOURCE = `(defmap hits :type :array :key-size 4 :value-size 8 :max-entries 1)

(defprog reads-past-the-end (:type :xdp)
  ;; No bounds check against data-end: the verifier must refuse the packet load.
  (let ((data (xdp-data)))
    (incf (getmap hits 0))
    (load u32 data 0)))
`;

kernelTest("the verifier log of a rejected program shows our source lines", () => {
  const { dir, cleanup } = tempDir();
  try {
    const obj = writeObject(compileOk(SOURCE, { file: "rejected.lisp" }), dir, "rejected");
    const { ok, log } = verifierLog(obj);
    assert.equal(ok, false, "the verifier must reject an unchecked packet load");
    assert.match(log, /invalid access to packet/);
    // The rejected instruction is annotated with the line that produced it.
    assert.match(log, /; \(load u32 data 0\)\)\) @ rejected\.lisp:7/);
    // Earlier instructions carry their own lines too.
    assert.match(log, /; \(incf \(getmap hits 0\)\) @ rejected\.lisp:6/);
  } finally {
    cleanup();
  }
});

kernelTest("-g0 drops the line info", () => {
  const { dir, cleanup } = tempDir();
  try {
    const obj = writeObject(compileOk(SOURCE, { file: "rejected.lisp", lineInfo: false }), dir, "rejected");
    const { ok, log } = verifierLog(obj);
    assert.equal(ok, false);
    assert.doesNotMatch(log, /rejected\.lisp:\d+/);
  } finally {
    cleanup();
  }
});
