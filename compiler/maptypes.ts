// Map types (SPEC §2): what the kernel accepts for each defmap :type — key and value sizes,
// max_entries, the map_flags it allows or requires — so a bad defmap is a compile error that
// names the rule instead of a libbpf "Invalid argument" at load time.

import { MAP_FLAGS } from "./uapi.ts";

const F = MAP_FLAGS;
/** BPF_F_ACCESS_MASK: RDONLY | WRONLY | RDONLY_PROG | WRONLY_PROG. */
const ACCESS = F.BPF_F_RDONLY | F.BPF_F_WRONLY | F.BPF_F_RDONLY_PROG | F.BPF_F_WRONLY_PROG;
const NUMA = F.BPF_F_NUMA_NODE;
const HASH_FLAGS = F.BPF_F_NO_PREALLOC | NUMA | ACCESS | F.BPF_F_ZERO_SEED;
const ARRAY_FLAGS = NUMA | ACCESS | F.BPF_F_INNER_MAP;
const SOCK_FLAGS = NUMA | F.BPF_F_RDONLY | F.BPF_F_WRONLY;

/** MAX_BPF_STACK: keys are built on the program's stack. */
const MAX_KEY = 512;
/** PCPU_MIN_UNIT_SIZE: the largest value of a per-CPU map. */
const PERCPU_MAX_VALUE = 32768;

export interface MapRule {
  /** Allowed key sizes: a list, "any" (≥ 1), or 0 for maps without keys. */
  key: number[] | "any" | 0;
  /** Allowed value sizes, "any" (≥ 1), or 0 for maps without values. */
  value: number[] | "any" | 0;
  /** map_flags bits the kernel accepts for the type. */
  flags: number;
  /** map_flags bits the type needs (BPF_F_NO_PREALLOC for LPM tries). */
  requiredFlags?: number;
  /** max_entries may be left out (libbpf fills in the number of CPUs). */
  optionalEntries?: boolean;
  /** Further checks: an error message or undefined. */
  check?(m: MapShape): string | undefined;
}

export interface MapShape {
  type: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
}

const percpuValue = (m: MapShape) => (m.valueSize > PERCPU_MAX_VALUE ? `:value-size of a per-CPU map is at most ${PERCPU_MAX_VALUE} bytes, got ${m.valueSize}` : undefined);
const hashKey = (m: MapShape) => (m.keySize > MAX_KEY ? `:key-size is at most ${MAX_KEY} bytes (keys are built on the stack), got ${m.keySize}` : undefined);

export const MAP_RULES: Record<string, MapRule> = {
  hash: { key: "any", value: "any", flags: HASH_FLAGS, check: hashKey },
  "percpu-hash": { key: "any", value: "any", flags: HASH_FLAGS, check: (m) => hashKey(m) ?? percpuValue(m) },
  "lru-hash": { key: "any", value: "any", flags: HASH_FLAGS & ~F.BPF_F_NO_PREALLOC | F.BPF_F_NO_COMMON_LRU, check: hashKey },
  "lru-percpu-hash": { key: "any", value: "any", flags: HASH_FLAGS & ~F.BPF_F_NO_PREALLOC | F.BPF_F_NO_COMMON_LRU, check: (m) => hashKey(m) ?? percpuValue(m) },
  array: { key: [4], value: "any", flags: ARRAY_FLAGS | F.BPF_F_MMAPABLE },
  "percpu-array": { key: [4], value: "any", flags: ARRAY_FLAGS, check: percpuValue },
  "prog-array": { key: [4], value: [4], flags: NUMA | ACCESS },
  "perf-event-array": { key: [4], value: [4], flags: NUMA | ACCESS | F.BPF_F_PRESERVE_ELEMS, optionalEntries: true },
  "lpm-trie": {
    key: "any", value: "any", flags: F.BPF_F_NO_PREALLOC | NUMA | ACCESS, requiredFlags: F.BPF_F_NO_PREALLOC,
    // struct bpf_lpm_trie_key: a u32 prefix length, then 1 to 256 bytes of data.
    check: (m) => (m.keySize < 5 || m.keySize > 260 ? `:key-size of an LPM trie is 4 (the prefix length) plus 1 to 256 data bytes, so 5 to 260, got ${m.keySize}` : undefined),
  },
  ringbuf: {
    key: 0, value: 0, flags: NUMA,
    check: (m) => (m.maxEntries < 4096 || (m.maxEntries & (m.maxEntries - 1)) !== 0
      ? `:max-entries of a ringbuf map must be a power of two of at least 4096 (it is the buffer size in bytes), got ${m.maxEntries}`
      : undefined),
  },
  "stack-trace": {
    key: [4], value: "any", flags: NUMA | F.BPF_F_RDONLY | F.BPF_F_WRONLY | F.BPF_F_STACK_BUILD_ID,
    check: (m) => {
      const unit = m.flags & F.BPF_F_STACK_BUILD_ID ? 32 : 8;
      if (m.valueSize % unit !== 0) return `:value-size of a stack-trace map must be a multiple of ${unit} (one ${unit === 8 ? "u64 address" : "struct bpf_stack_build_id"} per frame), got ${m.valueSize}`;
      if (m.valueSize / unit > 127) return `:value-size of a stack-trace map holds at most 127 frames (kernel.perf_event_max_stack), got ${m.valueSize / unit}`;
      return undefined;
    },
  },
  sockmap: { key: [4], value: [4, 8], flags: SOCK_FLAGS },
  sockhash: { key: "any", value: [4, 8], flags: SOCK_FLAGS, check: hashKey },
  devmap: { key: [4], value: [4, 8], flags: NUMA | ACCESS },
  xskmap: { key: [4], value: [4], flags: SOCK_FLAGS },
  cpumap: { key: [4], value: [4, 8], flags: NUMA },
  queue: { key: 0, value: "any", flags: NUMA | ACCESS },
  stack: { key: 0, value: "any", flags: NUMA | ACCESS },
  "bloom-filter": { key: 0, value: "any", flags: NUMA | ACCESS | F.BPF_F_ZERO_SEED },
};

export const MAP_TYPE_NAMES = Object.keys(MAP_RULES);

/** Names of the map_flags bits in `bits`, e.g. "BPF_F_MMAPABLE". */
export function flagNames(bits: number): string {
  const names = Object.entries(F).filter(([, v]) => bits & v).map(([k]) => k);
  const known = names.reduce((s, n) => s | F[n], 0);
  if (bits & ~known) names.push(`0x${(bits & ~known).toString(16)}`);
  return names.join(" | ");
}

/** Key and value sizes a type implies when :key-size / :value-size are left out (fd maps: u32 → u32). */
export function defaultSizes(type: string): { key?: number; value?: number } {
  const r = MAP_RULES[type];
  const one = (s: MapRule["key"]) => (s === 0 ? 0 : Array.isArray(s) ? s[0] : undefined);
  return { key: one(r.key), value: one(r.value) };
}

export type MapProblem = { option: "key-size" | "value-size" | "max-entries" | "map-flags" | "type"; message: string };

/** The first rule `m` breaks for its type, or undefined. */
export function checkMap(m: MapShape): MapProblem | undefined {
  const r = MAP_RULES[m.type];
  const sizes = (what: "key" | "value", allowed: MapRule["key"], n: number): MapProblem | undefined => {
    const option = `${what}-size` as const;
    if (allowed === 0) return n === 0 ? undefined : { option, message: `:${m.type} maps have no ${what}s: leave out :${option} (got ${n})` };
    if (allowed === "any") return n >= 1 ? undefined : { option, message: `:${m.type} maps need :${option} (or :${what}-type) of at least 1` };
    return allowed.includes(n) ? undefined
      : { option, message: `:${m.type} maps need :${option} ${allowed.join(" or ")}, got ${n}` };
  };
  const bad = sizes("key", r.key, m.keySize) ?? sizes("value", r.value, m.valueSize);
  if (bad) return bad;
  if (m.maxEntries === 0 && !r.optionalEntries) return { option: "max-entries", message: `:${m.type} maps need :max-entries of at least 1` };
  const extra = m.flags & ~r.flags;
  if (extra) return { option: "map-flags", message: `:map-flags ${flagNames(extra)} is not allowed for :${m.type} maps (allowed: ${flagNames(r.flags) || "none"})` };
  const missing = (r.requiredFlags ?? 0) & ~m.flags;
  if (missing) return { option: "map-flags", message: `:${m.type} maps need ${flagNames(missing)} (${missing}) in :map-flags` };
  const msg = r.check?.(m);
  return msg ? { option: m.type === "ringbuf" ? "max-entries" : msg.startsWith(":key") ? "key-size" : msg.startsWith(":value") ? "value-size" : "type", message: msg } : undefined;
}
