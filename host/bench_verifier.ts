// Verifier-processed instruction counts for `whistler bench`: loads an object with bpftool into a
// scratch bpffs directory and reads each program's verified_insns. Needs CAP_BPF and bpftool.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import process from "node:process";

const BPFFS = "/sys/fs/bpf";
const BIG = 1 << 28;

function run(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: BIG });
  return { status: r.error ? -1 : r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? String(r.error ?? "") };
}

/** Why verifier counts cannot be taken here, or undefined when they can. */
export function verifierUnavailable(): string | undefined {
  if (process.platform !== "linux") return `not Linux (${process.platform})`;
  try {
    const cap = /CapEff:\s*([0-9a-f]+)/.exec(fs.readFileSync("/proc/self/status", "utf8"))?.[1] ?? "0";
    const eff = BigInt(`0x${cap}`);
    if (!(eff & (1n << 39n)) && !(eff & (1n << 21n))) return "no CAP_BPF";
  } catch {
    return "cannot read /proc/self/status";
  }
  if (run("bpftool", ["version"]).status !== 0) return "bpftool not found";
  try {
    const mounted = fs.readFileSync("/proc/self/mountinfo", "utf8").split("\n").some((l) => {
      const [pre, post] = l.split(" - ");
      return pre?.split(" ")[4] === BPFFS && post?.split(" ")[0] === "bpf";
    });
    if (!mounted) return `no bpffs at ${BPFFS}`;
  } catch {
    return "cannot read /proc/self/mountinfo";
  }
  return undefined;
}

export type VerifierResult = { ok: true; processed: Record<string, number> } | { ok: false; error: string };

function parseLog(log: string): Record<string, number> {
  const out: Record<string, number> = {};
  const re = /prog '([^']+)': -- BEGIN PROG LOAD LOG --\n([\s\S]*?)-- END PROG LOAD LOG --/g;
  for (const m of log.matchAll(re)) {
    const p = /processed (\d+) insns/.exec(m[2]);
    if (p) out[m[1]] = Number(p[1]);
  }
  return out;
}

function loadInto(obj: string, verbose: boolean): { dir: string; r: ReturnType<typeof run> } {
  const dir = fs.mkdtempSync(path.join(BPFFS, "whistler-bench-"));
  const r = run("bpftool", [...(verbose ? ["-d"] : []), "prog", "loadall", obj, dir, "pinmaps", path.join(dir, "maps")]);
  return { dir, r };
}

// bpftool before v7.2 does not print verified_insns, and its -d (the other way to see "processed
// N insns") logs at level 1|2|4, which is slow for big programs; so, as tests/kernel.ts does, a tiny
// gcc-built reader of bpf_prog_info.verified_insns is used when gcc is there.
const PROG_INFO_C = `#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    union bpf_attr a; struct bpf_prog_info info; long n = -1;
    memset(&a, 0, sizeof a); memset(&info, 0, sizeof info);
    a.pathname = (unsigned long)argv[i];
    int fd = syscall(SYS_bpf, BPF_OBJ_GET, &a, sizeof a);
    if (fd >= 0) {
      memset(&a, 0, sizeof a);
      a.info.bpf_fd = fd; a.info.info_len = sizeof info; a.info.info = (unsigned long)&info;
      if (syscall(SYS_bpf, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof a) == 0) n = info.verified_insns;
      close(fd);
    }
    printf("%ld\\n", n);
  }
  return 0;
}
`;
let infoTool: string | null | undefined;

/** Path of the verified_insns reader, built with gcc once (cached in tmpdir by source hash); null without gcc. */
export function progInfoTool(): string | null {
  if (infoTool !== undefined) return infoTool;
  const hash = createHash("sha256").update(PROG_INFO_C).digest("hex").slice(0, 12);
  const bin = path.join(os.tmpdir(), `whistler-proginfo-${hash}`);
  if (fs.existsSync(bin)) return (infoTool = bin);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "whistler-proginfo-build-"));
  try {
    fs.writeFileSync(path.join(dir, "proginfo.c"), PROG_INFO_C);
    if (run("gcc", ["-O1", "-o", path.join(dir, "proginfo"), path.join(dir, "proginfo.c")]).status !== 0) return (infoTool = null);
    fs.renameSync(path.join(dir, "proginfo"), bin); // atomic: concurrent test processes may race here
    return (infoTool = bin);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Load `object` (all its programs) and return the verifier's processed-instruction count per
 * program: bpf_prog_info.verified_insns from `bpftool prog show`, or, with an older bpftool that
 * does not print it, the "processed N insns" line of a verbose load.
 */
export function verifierCounts(object: Uint8Array): VerifierResult {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "whistler-bench-obj-"));
  const obj = path.join(tmp, "prog.o");
  fs.writeFileSync(obj, object);
  const dirs: string[] = [];
  try {
    const first = loadInto(obj, false);
    dirs.push(first.dir);
    if (first.r.status !== 0) {
      const log = (first.r.stderr + first.r.stdout).trim().split("\n");
      return { ok: false, error: log.slice(-12).join("\n") };
    }
    const processed: Record<string, number> = {};
    const names = fs.readdirSync(first.dir).filter((n) => n !== "maps");
    for (const name of names) {
      const show = run("bpftool", ["-j", "prog", "show", "pinned", path.join(first.dir, name)]);
      try {
        const v = (JSON.parse(show.stdout) as { verified_insns?: number }).verified_insns;
        if (typeof v === "number") processed[name] = v;
      } catch { /* try the others below */ }
    }
    const tool = Object.keys(processed).length ? null : progInfoTool();
    if (tool) {
      const counts = run(tool, names.map((n) => path.join(first.dir, n))).stdout.trim().split("\n").map(Number);
      names.forEach((n, i) => { if (counts[i] >= 0) processed[n] = counts[i]; });
    }
    if (Object.keys(processed).length) return { ok: true, processed };
    const second = loadInto(obj, true);
    dirs.push(second.dir);
    return second.r.status === 0 ? { ok: true, processed: parseLog(second.r.stderr) } : { ok: false, error: second.r.stderr.trim() };
  } finally {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
