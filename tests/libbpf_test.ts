// libbpf opens every example object without a warning: `bpftool -d prog loadall` prints
// libbpf's debug log, in which no line may be a warning or an error.

import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { kernelTest } from "./kernel.ts";
import { compileFile, tempDir, writeObject } from "./compile_util.ts";

const PATH = `${process.env.PATH ?? ""}:/usr/sbin:/sbin`;

for (const name of readdirSync("examples").filter((f) => f.endsWith(".lisp")).sort()) {
  for (const opt of ["0", "2"] as const) {
    kernelTest(`libbpf opens examples/${name} (-O${opt}) without warnings`, () => {
      const { dir, cleanup } = tempDir();
      const pin = `/sys/fs/bpf/whistler-libbpf-${process.pid}-${name.replace(/\W/g, "_")}-${opt}`;
      try {
        const obj = writeObject(compileFile(`examples/${name}`, { opt }), dir, "prog");
        const r = spawnSync("bpftool", ["-d", "prog", "loadall", obj, pin], { encoding: "utf8", env: { ...process.env, PATH } });
        const log = `${r.stdout}\n${r.stderr}`;
        assert.equal(r.status, 0, log.slice(-3000));
        const bad = log.split("\n").filter((l) => /^libbpf: /.test(l) && /warn|error|corrupt|fail|invalid|unrecogni[sz]ed/i.test(l));
        assert.deepEqual(bad, [], "libbpf complained");
      } finally {
        spawnSync("rm", ["-rf", pin]);
        cleanup();
      }
    });
  }
}
