// Program types (SPEC §7): default sections, context structs, pass verdicts, the section names
// libbpf 1.x recognises (and the type each implies), and which context fields a program type
// may read and write — the kernel's *_is_valid_access rules, checked at compile time.

import { CTX_STRUCTS, type CtxField, type CtxStruct } from "./uapi.ts";
import type { TracepointRecord } from "./tracepoint.ts";

export interface ProgType {
  /** Keyword name without colon, e.g. "xdp". */
  name: string;
  /** Default ELF section ("" when the section must name an attach target). */
  section: string;
  /** Context struct C name (compiler/uapi.ts CTX_STRUCTS), or null for raw records and u64 argument arrays. */
  ctx: string | null;
  /** CTX_STRUCTS name that gives (ctx FIELD) its fields when `ctx` (the BTF parameter type) is null. */
  fields?: string;
  /** The verdict the protocol macros return when a packet doesn't match ("pass"). */
  passVerdict: number;
  /** BPF_PROG_TYPE_* name. */
  kernelType: string;
  /** Whether the context is an skb (LD_ABS/LD_IND allowed). */
  skb?: boolean;
  /** Packet data access through ctx fields data/data_end. */
  packet?: "xdp" | "skb";
  /** What the section must name after "PREFIX/" when there is no usable default. */
  target?: string;
  /** Context fields the program may write (kernel rules); others are read-only. */
  writable?: string[];
  /** Context fields the kernel refuses to read for this type. */
  unreadable?: string[];
  /** The tracepoint record read from the event's format file (set per program by defprog). */
  record?: TracepointRecord | { error: string };
}

const T = (p: ProgType): ProgType => p;

// __sk_buff fields by kernel rule (net/core/filter.c).
const SKB_SOCK = ["family", "remote_ip4", "local_ip4", "remote_ip6", "local_ip6", "remote_port", "local_port"];
const TC = { ctx: "__sk_buff", passVerdict: 0, kernelType: "BPF_PROG_TYPE_SCHED_CLS", skb: true, packet: "skb" as const,
  writable: ["mark", "tc_index", "priority", "tc_classid", "cb", "tstamp", "queue_mapping"], unreadable: [...SKB_SOCK, "flow_keys"] };
const PT_REGS = { ctx: "pt_regs", passVerdict: 0, kernelType: "BPF_PROG_TYPE_KPROBE" };
const TRACING = { ctx: null, passVerdict: 0, kernelType: "BPF_PROG_TYPE_TRACING", target: "the kernel function" };

export const PROG_TYPE_TABLE: Record<string, ProgType> = {
  xdp: T({ name: "xdp", section: "xdp", ctx: "xdp_md", passVerdict: 2, kernelType: "BPF_PROG_TYPE_XDP", packet: "xdp", writable: [] }),
  tc: T({ name: "tc", section: "tc", ...TC }),
  classifier: T({ name: "classifier", section: "tc", ...TC }),
  "socket-filter": T({
    name: "socket-filter", section: "socket", ctx: "__sk_buff", passVerdict: 0xffffffff, kernelType: "BPF_PROG_TYPE_SOCKET_FILTER", skb: true,
    writable: ["cb"], unreadable: ["tc_classid", "data", "data_end", "data_meta", ...SKB_SOCK, "flow_keys", "tstamp", "wire_len", "hwtstamp", "tstamp_type"],
  }),
  kprobe: T({ name: "kprobe", section: "kprobe", ...PT_REGS, writable: [] }),
  kretprobe: T({ name: "kretprobe", section: "kretprobe", ...PT_REGS, writable: [] }),
  uprobe: T({ name: "uprobe", section: "uprobe", ...PT_REGS, writable: [] }),
  uretprobe: T({ name: "uretprobe", section: "uretprobe", ...PT_REGS, writable: [] }),
  tracepoint: T({ name: "tracepoint", section: "tracepoint", ctx: null, passVerdict: 0, kernelType: "BPF_PROG_TYPE_TRACEPOINT", writable: [] }),
  "raw-tracepoint": T({ name: "raw-tracepoint", section: "raw_tp", ctx: "bpf_raw_tracepoint_args", passVerdict: 0, kernelType: "BPF_PROG_TYPE_RAW_TRACEPOINT", writable: [] }),
  "cgroup-skb": T({
    name: "cgroup-skb", section: "cgroup_skb/ingress", ctx: "__sk_buff", passVerdict: 1, kernelType: "BPF_PROG_TYPE_CGROUP_SKB", skb: true, packet: "skb",
    writable: ["mark", "priority", "cb", "tstamp"], unreadable: ["tc_classid", "data_meta", "wire_len", "flow_keys", "tstamp_type"],
  }),
  "cgroup-sock-addr": T({ name: "cgroup-sock-addr", section: "cgroup/connect4", ctx: "bpf_sock_addr", passVerdict: 1, kernelType: "BPF_PROG_TYPE_CGROUP_SOCK_ADDR" }),
  sockops: T({ name: "sockops", section: "sockops", ctx: "bpf_sock_ops", passVerdict: 1, kernelType: "BPF_PROG_TYPE_SOCK_OPS", writable: ["reply", "replylong", "args", "sk_txhash"] }),
  "sk-lookup": T({ name: "sk-lookup", section: "sk_lookup", ctx: "bpf_sk_lookup", passVerdict: 1, kernelType: "BPF_PROG_TYPE_SK_LOOKUP", writable: [] }),
  fentry: T({ name: "fentry", section: "", ...TRACING }),
  fexit: T({ name: "fexit", section: "", ...TRACING }),
  lsm: T({ name: "lsm", section: "", ctx: null, passVerdict: 0, kernelType: "BPF_PROG_TYPE_LSM", target: "the LSM hook" }),
  // Further types libbpf knows, with the context structs the kernel gives them.
  "cgroup-sock": T({ name: "cgroup-sock", section: "cgroup/sock", ctx: "bpf_sock", passVerdict: 1, kernelType: "BPF_PROG_TYPE_CGROUP_SOCK", writable: ["bound_dev_if", "mark", "priority"] }),
  "sk-skb": T({
    name: "sk-skb", section: "sk_skb", ctx: "__sk_buff", passVerdict: 1, kernelType: "BPF_PROG_TYPE_SK_SKB", skb: true, packet: "skb",
    writable: ["tc_index", "priority"], unreadable: ["tc_classid", "data_meta", "tstamp", "wire_len", "hwtstamp", "mark", "flow_keys", "tstamp_type"],
  }),
  "sk-msg": T({ name: "sk-msg", section: "sk_msg", ctx: "sk_msg_md", passVerdict: 1, kernelType: "BPF_PROG_TYPE_SK_MSG", writable: [] }),
  "sk-reuseport": T({ name: "sk-reuseport", section: "sk_reuseport", ctx: "sk_reuseport_md", passVerdict: 1, kernelType: "BPF_PROG_TYPE_SK_REUSEPORT", writable: [] }),
  "perf-event": T({ name: "perf-event", section: "perf_event", ctx: null, fields: "bpf_perf_event_data", passVerdict: 0, kernelType: "BPF_PROG_TYPE_PERF_EVENT", writable: [] }),
  "cgroup-sysctl": T({ name: "cgroup-sysctl", section: "cgroup/sysctl", ctx: "bpf_sysctl", passVerdict: 1, kernelType: "BPF_PROG_TYPE_CGROUP_SYSCTL", writable: ["file_pos"] }),
  "cgroup-device": T({ name: "cgroup-device", section: "cgroup/dev", ctx: "bpf_cgroup_dev_ctx", passVerdict: 1, kernelType: "BPF_PROG_TYPE_CGROUP_DEVICE", writable: [] }),
};

/**
 * Section names libbpf 1.x recognises, with the type each gives. A trailing "+" means the name
 * alone or followed by "/…" (libbpf's SEC_DEF("kprobe+")); other names must match exactly.
 */
const SECTIONS: [string, string][] = [
  ["socket", "socket-filter"],
  ["kprobe+", "kprobe"], ["kretprobe+", "kretprobe"], ["ksyscall+", "kprobe"], ["kretsyscall+", "kretprobe"],
  ["kprobe.multi+", "kprobe"], ["kretprobe.multi+", "kretprobe"],
  ["uprobe+", "uprobe"], ["uprobe.s+", "uprobe"], ["uretprobe+", "uretprobe"], ["uretprobe.s+", "uretprobe"], ["usdt+", "uprobe"],
  ["tc", "tc"], ["classifier", "classifier"], ["tc/ingress", "tc"], ["tc/egress", "tc"], ["tcx/ingress", "tc"], ["tcx/egress", "tc"],
  ["tracepoint+", "tracepoint"], ["tp+", "tracepoint"],
  ["raw_tracepoint+", "raw-tracepoint"], ["raw_tp+", "raw-tracepoint"],
  ["fentry+", "fentry"], ["fentry.s+", "fentry"], ["fexit+", "fexit"], ["fexit.s+", "fexit"], ["lsm+", "lsm"], ["lsm.s+", "lsm"],
  ["xdp", "xdp"], ["xdp.frags", "xdp"], ["xdp/devmap", "xdp"], ["xdp/cpumap", "xdp"], ["xdp.frags/devmap", "xdp"], ["xdp.frags/cpumap", "xdp"],
  ["perf_event", "perf-event"], ["sockops", "sockops"],
  ["sk_skb", "sk-skb"], ["sk_skb/stream_parser", "sk-skb"], ["sk_skb/stream_verdict", "sk-skb"], ["sk_msg", "sk-msg"],
  ["cgroup_skb/ingress", "cgroup-skb"], ["cgroup_skb/egress", "cgroup-skb"], ["cgroup/skb", "cgroup-skb"],
  ["cgroup/sock", "cgroup-sock"], ["cgroup/sock_create", "cgroup-sock"], ["cgroup/sock_release", "cgroup-sock"],
  ["cgroup/post_bind4", "cgroup-sock"], ["cgroup/post_bind6", "cgroup-sock"],
  ...["bind", "connect", "sendmsg", "recvmsg", "getpeername", "getsockname"].flatMap((op) =>
    [4, 6].map((v): [string, string] => [`cgroup/${op}${v}`, "cgroup-sock-addr"])),
  ["cgroup/sysctl", "cgroup-sysctl"], ["cgroup/dev", "cgroup-device"],
  ["sk_lookup", "sk-lookup"], ["sk_reuseport", "sk-reuseport"], ["sk_reuseport/migrate", "sk-reuseport"],
];

function matches(def: string, section: string): boolean {
  if (!def.endsWith("+")) return section === def;
  const base = def.slice(0, -1);
  return section === base || section.startsWith(base + "/");
}

/** The program type a section name implies, as libbpf would read it; undefined if none. */
export function typeFromSection(section: string): string | undefined {
  let best: [string, string] | undefined;
  for (const d of SECTIONS) if (matches(d[0], section) && (!best || d[0].length > best[0].length)) best = d;
  return best?.[1];
}

const kernelTypeOf = (name: string) => PROG_TYPE_TABLE[name]?.kernelType;

/**
 * Whether libbpf 1.x recognises this section name for a program type. Returns a suggestion when it
 * doesn't (e.g. "xdp/handler" → "xdp"), or when it would load the program as another type.
 */
export function sectionSuggestion(section: string, type: ProgType): string | undefined {
  const implied = typeFromSection(section);
  if (implied && kernelTypeOf(implied) === type.kernelType) return undefined;
  const own = SECTIONS.filter(([, t]) => kernelTypeOf(t) === type.kernelType).map(([d]) => d);
  const prefixed = own.find((d) => d.endsWith("+") && section.startsWith(d.slice(0, -1)));
  if (prefixed) return `${prefixed.slice(0, -1)}/…`;
  return type.section || `${own[0].replace(/\+$/, "")}/…`;
}

/** The event a tracepoint section names: "tracepoint/CAT/EVENT" or "tp/CAT/EVENT". */
export function tracepointEvent(section: string): { category: string; event: string } | undefined {
  const m = /^(?:tracepoint|tp)\/([^/]+)\/([^/]+)$/.exec(section);
  return m ? { category: m[1], event: m[2] } : undefined;
}

/** A context field resolved for one program: where it is and whether it may be written. */
export interface CtxAccess {
  struct: string;
  field: CtxField;
}

/** The address family a cgroup/sock_addr section works on ("4", "6"), and whether it is sendmsg. */
function sockAddrRules(section: string): { writable: string[]; unreadable: string[] } {
  const v = section.endsWith("6") ? "6" : section.endsWith("4") ? "4" : "";
  const send = section.startsWith("cgroup/sendmsg");
  const writable = ["user_port"];
  const unreadable: string[] = [];
  for (const fam of ["4", "6"]) {
    if (fam === v) writable.push(`user_ip${fam}`);
    else unreadable.push(`user_ip${fam}`);
    if (fam === v && send) writable.push(`msg_src_ip${fam}`);
    else unreadable.push(`msg_src_ip${fam}`);
  }
  return { writable, unreadable };
}

/** bpf_sock in cgroup/sock programs: sock_create/release may set bound_dev_if, mark, priority; post_bind reads addresses. */
function sockRules(section: string): { writable: string[]; unreadable: string[] } {
  const post = /^cgroup\/post_bind([46])$/.exec(section)?.[1];
  const own = ["bound_dev_if", "mark", "priority"];
  if (!post) return { writable: own, unreadable: ["src_ip4", "src_ip6", "src_port"] };
  return { writable: [], unreadable: [...own, post === "4" ? "src_ip6" : "src_ip4"] };
}

/**
 * Resolve `(ctx FIELD [INDEX])` for a program: the field of its context struct (or tracepoint
 * record), checked against what the kernel lets this program type read or write. Returns an
 * error message when the access is not allowed.
 */
export function ctxAccess(type: ProgType, section: string, name: string, write: boolean): CtxAccess | string {
  const ctxName = type.ctx ?? type.fields;
  let struct: CtxStruct | undefined = ctxName ? CTX_STRUCTS[ctxName] : undefined;
  if (type.name === "tracepoint") {
    if (!type.record) return `(ctx FIELD) in a tracepoint program needs a section naming the event, "tracepoint/CATEGORY/EVENT" (got "${section}"); or read fields with (ctx-load TYPE OFFSET)`;
    if ("error" in type.record) return type.record.error;
    struct = type.record.struct;
  }
  const unreadableHere = type.record && !("error" in type.record) ? type.record.unreadable : type.unreadable;
  if (!struct) {
    return `Program type :${type.name} has no named context fields; read its context with (ctx-load TYPE OFFSET)` +
      (type.kernelType !== "BPF_PROG_TYPE_TRACEPOINT" ? " (argument N is (ctx-load u64 (* 8 N)))" : "");
  }
  const field = struct.fields.find((f) => f.name === name);
  if (!field) return `Unknown field "${name.replace(/_/g, "-")}" of ${struct.name} (fields: ${struct.fields.map((f) => f.name.replace(/_/g, "-")).join(", ")})`;
  let writable = type.writable ?? [], unreadable = unreadableHere ?? [];
  if (type.name === "cgroup-sock-addr") ({ writable, unreadable } = sockAddrRules(section));
  if (type.name === "cgroup-sock") ({ writable, unreadable } = sockRules(section));
  if (type.name === "xdp" && !/\/devmap$/.test(section)) unreadable = ["egress_ifindex"];
  const shown = `${struct.name}.${name}`;
  if (unreadable.includes(name)) return `${shown} is not accessible in :${type.name} programs${/^cgroup-sock/.test(type.name) ? ` with section "${section}"` : ""} (the kernel refuses it)`;
  if (write && !writable.includes(name)) {
    return `${shown} is read-only in :${type.name} programs${writable.length ? ` (writable: ${writable.join(", ")})` : " (no context field is writable)"}`;
  }
  if (write && field.pointer) return `${shown} is a pointer and cannot be written`;
  if (![1, 2, 4, 8].includes(field.size)) return `${shown} is ${field.size} bytes: read it with (ctx-load TYPE OFFSET) pieces (offset ${field.offset})`;
  return { struct: struct.name, field };
}
