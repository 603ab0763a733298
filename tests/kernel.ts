// Kernel test harness: load BPF objects with bpftool into bpffs, test-run programs, read/write maps;
// kernelTest() skips visibly without a usable kernel (or fails under WHISTLER_REQUIRE_KERNEL=1).

// Quirks found with bpftool v7.1 (libbpf 1.1) on Linux 6.18:
// - bpftool 7.1's `prog show` lacks verified_insns, and `bpftool -d` (the other way to see
//   "processed N insns") sets the verifier log level to 1|2|4: a 660k-insn program logged 346 MB
//   and took 40 s instead of <1 s. So loadObject reads bpf_prog_info.verified_insns (the same
//   count) with a tiny gcc-built helper, and only falls back to parsing a -d log without gcc.
// - On a failed load libbpf retries at log level 1 and prints that log between
//   "-- BEGIN PROG LOAD LOG --" / "-- END PROG LOAD LOG --" even without -d.
// - bpftool mounts bpffs on its own when the pin path is not on one; another process may also
//   mount a second bpffs over /sys/fs/bpf (hiding earlier pins), so we only mount when none is.
// - Test runs: every program type needs a frame of >= 14 bytes (ETH_HLEN), else EINVAL. The skb
//   types (tc/classifier, socket filter, cgroup_skb) also need the whole L3 header when the
//   ethertype is IPv4/IPv6 (34/54 bytes) or EINVAL; ARP frames of 14+ bytes are fine.
// - Socket filter and cgroup_skb runs see skb->len without the 14-byte Ethernet header (the
//   kernel pulls it); tc programs see the whole frame. data_out always holds the whole frame.
// - __sk_buff ctx_in: only some fields may be non-zero (mark, priority, ifindex, cb, tstamp,
//   wire_len, gso_*, hwtstamp); a non-zero len or data offset gives EINVAL. It may be short.
// - `map update` on a per-CPU map with one value stores it on every CPU (so mapU64 reads
//   value * nCPUs back). `map dump` of a prog array shows program ids as values.
import { test } from "node:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import process from "node:process";
import { progInfoTool } from "../host/bench_verifier.ts";

const BPFFS = "/sys/fs/bpf";
const BIG = 1 << 29; // maxBuffer for bpftool output (verbose verifier logs)

export type Status = { ok: true } | { ok: false; reason: string };
let status: Status | undefined;

function run(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: BIG });
  return { status: r.error ? -1 : r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? String(r.error ?? "") };
}

function bpffsMounted(): boolean {
  try {
    return readFileSync("/proc/self/mountinfo", "utf8").split("\n").some((l) => {
      const [pre, post] = l.split(" - ");
      return pre?.split(" ")[4] === BPFFS && post?.split(" ")[0] === "bpf";
    });
  } catch {
    return false;
  }
}

/** Whether BPF programs can be loaded and run here (cached). Mounts bpffs if none is mounted. */
export function kernelStatus(): Status {
  if (status) return status;
  const check = (): Status => {
    if (process.platform !== "linux") return { ok: false, reason: `not Linux (${process.platform})` };
    try {
      const cap = /CapEff:\s*([0-9a-f]+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? "0";
      const eff = BigInt(`0x${cap}`);
      if (!(eff & (1n << 39n)) && !(eff & (1n << 21n))) return { ok: false, reason: "no CAP_BPF/CAP_SYS_ADMIN (run as root)" };
    } catch {
      return { ok: false, reason: "cannot read /proc/self/status" };
    }
    if (run("bpftool", ["version"]).status !== 0) return { ok: false, reason: "bpftool not found (apt-get install bpftool)" };
    if (!bpffsMounted()) {
      const m = run("mount", ["-t", "bpf", "bpf", BPFFS]);
      if (m.status !== 0 || !bpffsMounted()) return { ok: false, reason: `bpffs not mounted at ${BPFFS}: ${m.stderr.trim()}` };
    }
    const p = run("bpftool", ["prog", "list"]);
    if (p.status !== 0) return { ok: false, reason: `bpf() syscall refused: ${p.stderr.trim()}` };
    return { ok: true };
  };
  return (status = check());
}

/** The part of node:test's TestContext the harness uses. */
export interface SkipContext { skip(message?: string): void }

/** Print "SKIP name: reason" and mark the test skipped (Deno reports t.skip() tests as ok). */
export function skipTest(t: SkipContext, name: string, reason: string): void {
  console.log(`SKIP ${name}: ${reason}`);
  t.skip(reason);
}

/** A node:test test that needs the kernel: skipped visibly without one, failed if WHISTLER_REQUIRE_KERNEL=1. */
export function kernelTest(name: string, fn: (t: SkipContext) => void | Promise<void>): void {
  test(name, async (t) => {
    const s = kernelStatus();
    if (!s.ok) {
      if (process.env.WHISTLER_REQUIRE_KERNEL === "1") throw new Error(`kernel required (WHISTLER_REQUIRE_KERNEL=1): ${s.reason}`);
      return skipTest(t, name, s.reason);
    }
    await fn(t);
  });
}

/** The clang that can target BPF (clang-19 preferred), or null. */
export function findClang(): string | null {
  for (const c of ["clang-19", "clang"]) if (run(c, ["--version"]).status === 0) return c;
  return null;
}

/** Compile a C BPF program with clang (-O2 -g -target bpf) into `dir`; returns the object path. */
export function compileBpfC(source: string, dir: string, name = "prog"): string {
  const clang = findClang();
  if (!clang) throw new Error("clang not found");
  const src = join(dir, `${name}.c`), obj = join(dir, `${name}.o`);
  writeFileSync(src, source);
  const r = run(clang, ["-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c", src, "-o", obj]);
  if (r.status !== 0) throw new Error(`${clang} failed on ${src}:\n${r.stderr}`);
  return obj;
}

export interface Loaded {
  dir: string;
  progs: string[];
  maps: string[];
  /** Verifier "processed N insns" (bpf_prog_info.verified_insns) per program. */
  processed: Record<string, number>;
  close(): void;
}

function loadallArgs(objPath: string, dir: string, type?: string): string[] {
  return ["prog", "loadall", objPath, dir, ...(type ? ["type", type] : []), "pinmaps", join(dir, "maps")];
}

function parseProcessed(log: string): Record<string, number> {
  const out: Record<string, number> = {};
  const re = /prog '([^']+)': -- BEGIN PROG LOAD LOG --\n([\s\S]*?)-- END PROG LOAD LOG --/g;
  for (const m of log.matchAll(re)) {
    const p = /processed (\d+) insns/.exec(m[2]);
    if (p) out[m[1]] = Number(p[1]);
  }
  return out;
}

/**
 * `bpftool prog loadall OBJ DIR [type T] pinmaps DIR/maps` into a fresh directory under bpffs,
 * recording each program's verifier "processed N insns". Throws with the whole libbpf/verifier
 * output on failure. Always close() the result (try/finally).
 */
export function loadObject(objPath: string, opts: { type?: string } = {}): Loaded {
  const dir = mkdtempSync(join(BPFFS, "whistler-"));
  const tool = progInfoTool();
  const r = run("bpftool", [...(tool ? [] : ["-d"]), ...loadallArgs(objPath, dir, opts.type)]);
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`bpftool prog loadall ${objPath} failed (exit ${r.status}):\n${r.stderr}${r.stdout}`);
  }
  const mapDir = join(dir, "maps");
  const progs = readdirSync(dir).filter((n) => n !== "maps").sort();
  let processed: Record<string, number> = {};
  if (tool) {
    const counts = run(tool, progs.map((p) => join(dir, p))).stdout.trim().split("\n").map(Number);
    progs.forEach((p, i) => { if (counts[i] >= 0) processed[p] = counts[i]; });
  } else {
    processed = parseProcessed(r.stderr);
  }
  return {
    dir,
    progs,
    maps: existsSync(mapDir) ? readdirSync(mapDir).sort() : [],
    processed,
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Full output of one load attempt (verbose verifier log included), for tests expecting rejection. */
export function verifierLog(objPath: string, opts: { type?: string } = {}): { ok: boolean; log: string } {
  const dir = mkdtempSync(join(BPFFS, "whistler-"));
  try {
    const r = run("bpftool", ["-d", ...loadallArgs(objPath, dir, opts.type)]);
    return { ok: r.status === 0, log: r.stderr + r.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function withTmp<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "whistler-run-"));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `bpftool prog run pinned DIR/PROG data_in F data_out F [ctx_in F ctx_out F] repeat N`.
 * An empty `packet` with `ctxIn` runs context-only types (raw_tracepoint, ...). See the quirks above.
 */
export function runProg(
  l: Loaded, prog: string, packet: Uint8Array, opts: { repeat?: number; ctxIn?: Uint8Array } = {},
): { retval: number; dataOut: Uint8Array; ctxOut?: Uint8Array; duration: number } {
  return withTmp((tmp) => {
    const args = ["-j", "prog", "run", "pinned", join(l.dir, prog)];
    const fin = join(tmp, "in"), fout = join(tmp, "out"), cin = join(tmp, "ctx_in"), cout = join(tmp, "ctx_out");
    if (packet.length > 0 || !opts.ctxIn) {
      writeFileSync(fin, packet);
      args.push("data_in", fin, "data_out", fout);
    }
    if (opts.ctxIn) {
      writeFileSync(cin, opts.ctxIn);
      args.push("ctx_in", cin, "ctx_out", cout);
    }
    args.push("repeat", String(opts.repeat ?? 1));
    const r = run("bpftool", args);
    let j: { retval?: number; duration?: number; error?: string } = {};
    try {
      j = JSON.parse(r.stdout);
    } catch { /* reported below */ }
    if (r.status !== 0 || j.retval === undefined) {
      throw new Error(`bpftool prog run ${prog} (${packet.length}-byte packet) failed: ${j.error ?? r.stderr + r.stdout}`);
    }
    const read = (f: string) => (existsSync(f) ? new Uint8Array(readFileSync(f)) : new Uint8Array());
    return {
      retval: j.retval >>> 0,
      dataOut: read(fout),
      ...(opts.ctxIn ? { ctxOut: read(cout) } : {}),
      duration: j.duration ?? 0,
    };
  });
}

const bytes = (h: string[]) => new Uint8Array(h.map((x) => parseInt(x, 16)));
const hexArgs = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0"));

function mapPath(l: Loaded, map: string): string {
  if (!l.maps.includes(map)) throw new Error(`no map '${map}' pinned (have: ${l.maps.join(", ") || "none"})`);
  return join(l.dir, "maps", map);
}

/** All entries of a pinned map (`bpftool -j map dump`). Per-CPU maps give one value per CPU. */
export function dumpMap(l: Loaded, map: string): { key: Uint8Array; value: Uint8Array | Uint8Array[] }[] {
  const r = run("bpftool", ["-j", "map", "dump", "pinned", mapPath(l, map)]);
  if (r.status !== 0) throw new Error(`bpftool map dump ${map} failed: ${r.stdout}${r.stderr}`);
  type Entry = { key?: string[]; value?: string[]; values?: { cpu: number; value: string[] }[]; error?: string };
  return (JSON.parse(r.stdout) as Entry[]).filter((e) => e.key && !e.error).map((e) => ({
    key: bytes(e.key!),
    value: e.values ? e.values.map((v) => bytes(v.value)) : bytes(e.value ?? []),
  }));
}

function leUint(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = Math.min(b.length, 8) - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v;
}

/** The u64 (or shorter) value at u32 `key`, summed over CPUs for per-CPU maps; 0n if missing. */
export function mapU64(l: Loaded, map: string, key: number): bigint {
  const k = new Uint8Array(new Uint32Array([key >>> 0]).buffer);
  const e = dumpMap(l, map).find((x) => x.key.length === 4 && x.key.every((b, i) => b === k[i]));
  if (!e) return 0n;
  return Array.isArray(e.value) ? e.value.reduce((s, v) => s + leUint(v), 0n) : leUint(e.value);
}

/** `bpftool map update`: bytes, or { pinnedProg } (a program of `l`, or an absolute pin path) for prog arrays. */
export function updateMap(l: Loaded, map: string, key: Uint8Array, value: Uint8Array | { pinnedProg: string }): void {
  const val = value instanceof Uint8Array
    ? ["hex", ...hexArgs(value)]
    : ["pinned", isAbsolute(value.pinnedProg) ? value.pinnedProg : join(l.dir, value.pinnedProg)];
  const r = run("bpftool", ["map", "update", "pinned", mapPath(l, map), "key", "hex", ...hexArgs(key), "value", ...val]);
  if (r.status !== 0) throw new Error(`bpftool map update ${map} failed: ${r.stderr}${r.stdout}`);
}
