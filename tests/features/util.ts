// Shared helpers for the feature and example tests: known-bug markers, compile-and-load,
// reading result maps, frames that carry test inputs, and a seeded random source.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileOk, tempDir, writeObject } from "../compile_util.ts";
import { dumpMap, type Loaded, loadObject, runProg } from "../kernel.ts";
import { eth } from "../packets.ts";
import type { CompileOptions, CompileResult } from "../../mod.ts";

export const LEVELS = ["0", "2"] as const;
export type Level = (typeof LEVELS)[number];

export const XDP_ABORTED = 0, XDP_DROP = 1, XDP_PASS = 2, XDP_TX = 3;
export const TC_ACT_OK = 0, TC_ACT_SHOT = 2;

/**
 * Run `fn`, a check of correct behaviour that currently fails because of a compiler bug.
 * A failure prints `KNOWN BUG name: reason` (and the error's first lines) and does not fail the
 * test; a pass fails it, so the marker is removed once the bug is fixed.
 */
export async function knownBug(name: string, reason: string, fn: () => void | Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    const lines = String(e instanceof Error ? e.message : e).split("\n").map((l) => l.trim()).filter(Boolean);
    console.log(`KNOWN BUG ${name}: ${reason}\n    (${lines.slice(0, 3).join(" | ").slice(0, 400)})`);
    return;
  }
  throw new Error(`KNOWN BUG ${name} ("${reason}") no longer reproduces: the case passes, remove its knownBug marker`);
}

/** Run `fn` directly, or under knownBug when `bug` gives a reason. */
export function maybeBug(name: string, bug: string | undefined, fn: () => void | Promise<void>): Promise<void> | void {
  return bug ? knownBug(name, bug, fn) : fn();
}

/** Compile `source` at `opt`, load it into the kernel, run `fn`, then unload and clean up. */
export async function withLoaded<T>(
  source: string, opt: Level, fn: (l: Loaded, r: CompileResult) => T | Promise<T>, opts: CompileOptions & { type?: string } = {},
): Promise<T> {
  const r = compileOk(source, { ...opts, opt });
  const { dir, cleanup } = tempDir();
  try {
    const obj = writeObject(r, dir, "feature");
    const l = loadObject(obj, { type: opts.type });
    try {
      return await fn(l, r);
    } finally {
      l.close();
    }
  } finally {
    cleanup();
  }
}

/** Little-endian unsigned value of up to 8 bytes. */
export function le(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = Math.min(b.length, 8) - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v;
}

/** Every value of an array map as u64 (summed over CPUs for per-CPU maps), indexed by key. */
export function readArray(l: Loaded, map: string, n: number): bigint[] {
  const out: bigint[] = new Array(n).fill(0n);
  for (const e of dumpMap(l, map)) {
    const k = Number(le(e.key));
    if (k < n) out[k] = Array.isArray(e.value) ? e.value.reduce((s, v) => s + le(v), 0n) : le(e.value);
  }
  return out;
}

/** An Ethernet frame of a local experimental ethertype (0x88b5) carrying `payload` at offset 14. */
export function dataFrame(payload: Uint8Array): Uint8Array {
  return eth({ type: 0x88b5, payload });
}

/** Little-endian bytes of u64 values, concatenated. */
export function u64le(...vs: bigint[]): Uint8Array {
  const b = new Uint8Array(8 * vs.length);
  const dv = new DataView(b.buffer);
  vs.forEach((v, i) => dv.setBigUint64(8 * i, BigInt.asUintN(64, v), true));
  return b;
}

/** Run an XDP program on a frame carrying `inputs` as u64s at offsets 14, 22, … (zero-padded to
 * 64 bytes of payload); returns retval. */
export function runWith(l: Loaded, prog: string, inputs: bigint[]): number {
  const payload = new Uint8Array(Math.max(64, 8 * inputs.length));
  payload.set(u64le(...inputs));
  return runProg(l, prog, dataFrame(payload)).retval;
}

/** A seeded xorshift64* generator of u64 values (deterministic across runs and runtimes). */
export function rng(seed: bigint): () => bigint {
  let s = BigInt.asUintN(64, seed || 1n);
  return () => {
    s ^= s >> 12n;
    s ^= BigInt.asUintN(64, s << 25n);
    s ^= s >> 27n;
    return BigInt.asUintN(64, s * 0x2545f4914f6cdd1dn);
  };
}

/** Input vectors: interesting edge values mixed with random ones (fixed seed). */
export function inputVectors(arity: number, randomCount: number, seed = 0x5eedn): bigint[][] {
  const edges = [0n, 1n, 2n, 7n, 63n, 64n, 0x7fn, 0x80n, 0xffn, 0x100n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n,
    (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n, (1n << 64n) - 2n];
  const next = rng(seed);
  const out: bigint[][] = [];
  // Edge values paired in a rotating pattern, so each appears in every position.
  for (let i = 0; i < edges.length; i += 3) out.push(Array.from({ length: arity }, (_, j) => edges[(i + 5 * j) % edges.length]));
  for (let i = 0; i < randomCount; i++) {
    out.push(Array.from({ length: arity }, () => {
      const r = next();
      // Mix magnitudes: full 64-bit, 32-bit, 8-bit values.
      const pick = Number(r & 3n);
      return pick === 0 ? r >> 32n : pick === 1 ? r & 0xffn : r;
    }));
  }
  return out;
}

const tools = new Map<string, string | null>();

/** A small C program built with gcc once (cached in tmpdir by source hash); null without gcc. */
export function cTool(name: string, source: string): string | null {
  if (tools.has(name)) return tools.get(name)!;
  const hash = createHash("sha256").update(source).digest("hex").slice(0, 12);
  const bin = join(tmpdir(), `whistler-${name}-${hash}`);
  if (existsSync(bin)) return tools.set(name, bin), bin;
  const dir = mkdtempSync(join(tmpdir(), `whistler-${name}-build-`));
  try {
    writeFileSync(join(dir, `${name}.c`), source);
    const r = spawnSync("gcc", ["-O1", "-o", join(dir, name), join(dir, `${name}.c`)], { encoding: "utf8" });
    if (r.error || r.status !== 0) return tools.set(name, null), null;
    renameSync(join(dir, name), bin); // atomic: concurrent test processes may race here
    return tools.set(name, bin), bin;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Prints every committed (not discarded) record of a pinned BPF ring buffer as a hex line,
// reading through mmap like libbpf's ring_buffer__consume but without consuming.
const RINGBUF_C = `#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(int argc, char **argv) {
  union bpf_attr a; memset(&a, 0, sizeof a);
  a.pathname = (unsigned long)argv[1];
  int fd = syscall(SYS_bpf, BPF_OBJ_GET, &a, sizeof a);
  if (fd < 0) { perror("BPF_OBJ_GET"); return 1; }
  struct bpf_map_info info; memset(&info, 0, sizeof info); memset(&a, 0, sizeof a);
  a.info.bpf_fd = fd; a.info.info_len = sizeof info; a.info.info = (unsigned long)&info;
  if (syscall(SYS_bpf, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof a)) { perror("GET_INFO"); return 1; }
  long page = sysconf(_SC_PAGESIZE); unsigned long size = info.max_entries;
  unsigned long *cons = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
  unsigned char *prod = mmap(NULL, page + 2 * size, PROT_READ, MAP_SHARED, fd, page);
  if (cons == MAP_FAILED || prod == MAP_FAILED) { perror("mmap"); return 1; }
  unsigned long c = *cons, p = *(unsigned long *)prod;
  unsigned char *data = prod + page;
  while (c < p) {
    unsigned int hdr = *(unsigned int *)(data + (c & (size - 1)));
    unsigned int len = hdr & ~(3u << 30);
    if (!(hdr & (3u << 30))) {
      for (unsigned int i = 0; i < len; i++) printf("%02x", data[(c + 8 + i) & (size - 1)]);
      printf("\\n");
    }
    c += (len + 8 + 7) & ~7ul;
  }
  return 0;
}
`;

/** Committed records of a pinned ring buffer map of `l`, oldest first; null without gcc. */
export function readRingbuf(l: Loaded, map: string): Uint8Array[] | null {
  const tool = cTool("ringbuf-read", RINGBUF_C);
  if (!tool) {
    console.log("SKIP ring buffer contents: gcc not installed");
    return null;
  }
  const r = spawnSync(tool, [join(l.dir, "maps", map)], { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`reading ring buffer ${map}: ${r.stderr}`);
  return r.stdout.split("\n").filter(Boolean).map((h) => new Uint8Array(h.match(/../g)!.map((x) => parseInt(x, 16))));
}

export const U64 = (v: bigint) => BigInt.asUintN(64, v);
export const I64 = (v: bigint) => BigInt.asIntN(64, v);

export { assert };
