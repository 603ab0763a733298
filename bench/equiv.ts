// Behavioural equivalence of two BPF objects: load each, apply the same map writes, run the same
// packets with `bpftool prog run`, and compare verdicts, output packets, contexts and map contents.

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { dumpMap, type Loaded, loadObject, runProg, updateMap } from "../tests/kernel.ts";
import type { Case } from "./cases.ts";

export interface Observation {
  /** One line per packet: verdict, output packet and context (hex). */
  runs: { name: string; retval: number; dataOut: string; ctxOut?: string }[];
  /** Map name → sorted "key => value" lines (per-CPU values summed per 8-byte word). */
  maps: Record<string, string[]>;
}

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

/** Map types whose contents are not comparable between two objects (program ids) or not dumpable. */
const SKIP_TYPES = new Set(["prog_array", "ringbuf", "perf_event_array", "user_ringbuf"]);

function mapType(l: Loaded, map: string): string {
  const r = spawnSync("bpftool", ["-j", "map", "show", "pinned", join(l.dir, "maps", map)], { encoding: "utf8" });
  try {
    return String((JSON.parse(r.stdout) as { type?: string }).type ?? "");
  } catch {
    throw new Error(`bpftool map show ${map} failed: ${r.stderr}${r.stdout}`);
  }
}

/** Sum per-CPU values as little-endian u64 words (the runs may land on different CPUs). */
function sumPerCpu(values: Uint8Array[]): Uint8Array {
  const len = values[0]?.length ?? 0;
  const out = new Uint8Array(len);
  for (let w = 0; w < len; w += 8) {
    const n = Math.min(8, len - w);
    let sum = 0n;
    for (const v of values) {
      let x = 0n;
      for (let i = n - 1; i >= 0; i--) x = (x << 8n) | BigInt(v[w + i]);
      sum += x;
    }
    for (let i = 0; i < n; i++) out[w + i] = Number((sum >> BigInt(8 * i)) & 0xffn);
  }
  return out;
}

/** The value with the ignored byte ranges zeroed. */
function masked(v: Uint8Array, ranges: [number, number][] | undefined): Uint8Array {
  if (!ranges) return v;
  const out = v.slice();
  for (const [a, b] of ranges) out.fill(0, a, b);
  return out;
}

/** Load `objPath`, run the case, and record what it did. */
export function observe(objPath: string, c: Case): Observation {
  const l = loadObject(objPath);
  try {
    for (const w of c.setup ?? []) updateMap(l, w.map, w.key, w.value);
    const runs = c.packets.map((p) => {
      const prog = p.prog ?? c.prog;
      if (!l.progs.includes(prog)) throw new Error(`${objPath} has no program "${prog}" (has ${l.progs.join(", ")})`);
      const r = runProg(l, prog, p.data, { repeat: p.repeat, ctxIn: p.ctxIn });
      return { name: p.name, retval: r.retval, dataOut: hex(r.dataOut), ...(r.ctxOut ? { ctxOut: hex(r.ctxOut) } : {}) };
    });
    const maps: Record<string, string[]> = {};
    for (const m of l.maps) {
      if (SKIP_TYPES.has(mapType(l, m))) continue;
      maps[m] = dumpMap(l, m)
        .map((e) => `${hex(e.key)} => ${hex(masked(Array.isArray(e.value) ? sumPerCpu(e.value) : e.value, c.ignore?.[m]))}`)
        .sort();
    }
    return { runs, maps };
  } finally {
    l.close();
  }
}

/** Differences between our observation and clang's, one line each (empty when equivalent). */
export function differences(ours: Observation, clang: Observation): string[] {
  const out: string[] = [];
  ours.runs.forEach((r, i) => {
    const c = clang.runs[i];
    if (r.retval !== c.retval) out.push(`packet "${r.name}": verdict ${r.retval}, clang's ${c.retval}`);
    if (r.dataOut !== c.dataOut) out.push(`packet "${r.name}": output packet differs\n  ours:  ${r.dataOut}\n  clang: ${c.dataOut}`);
    if (r.ctxOut !== c.ctxOut) out.push(`packet "${r.name}": output context differs\n  ours:  ${r.ctxOut}\n  clang: ${c.ctxOut}`);
  });
  const names = new Set([...Object.keys(ours.maps), ...Object.keys(clang.maps)]);
  for (const m of [...names].sort()) {
    const a = ours.maps[m], b = clang.maps[m];
    if (!a || !b) {
      out.push(`map "${m}" only in ${a ? "ours" : "clang's"}`);
      continue;
    }
    const onlyA = a.filter((x) => !b.includes(x)), onlyB = b.filter((x) => !a.includes(x));
    if (onlyA.length || onlyB.length) {
      out.push(`map "${m}" differs:\n${onlyA.map((x) => `  ours:  ${x}`).join("\n")}\n${onlyB.map((x) => `  clang: ${x}`).join("\n")}`);
    }
  }
  return out;
}
