// Program types (SPEC §7): default sections, context structs, pass verdicts, and how a
// section name libbpf recognises implies a type.

export interface ProgType {
  /** Keyword name without colon, e.g. "xdp". */
  name: string;
  /** Default ELF section. */
  section: string;
  /** Context struct C name (compiler/uapi.ts CTX_STRUCTS), or null for raw records. */
  ctx: string | null;
  /** The verdict the protocol macros return when a packet doesn't match ("pass"). */
  passVerdict: number;
  /** BPF_PROG_TYPE_* name. */
  kernelType: string;
  /** Whether the context is an skb (LD_ABS/LD_IND allowed). */
  skb?: boolean;
  /** Packet data access through ctx fields data/data_end. */
  packet?: "xdp" | "skb";
}

const T = (p: ProgType): ProgType => p;

export const PROG_TYPE_TABLE: Record<string, ProgType> = {
  xdp: T({ name: "xdp", section: "xdp", ctx: "xdp_md", passVerdict: 2, kernelType: "BPF_PROG_TYPE_XDP", packet: "xdp" }),
  tc: T({ name: "tc", section: "tc", ctx: "__sk_buff", passVerdict: 0, kernelType: "BPF_PROG_TYPE_SCHED_CLS", skb: true, packet: "skb" }),
  classifier: T({ name: "classifier", section: "tc", ctx: "__sk_buff", passVerdict: 0, kernelType: "BPF_PROG_TYPE_SCHED_CLS", skb: true, packet: "skb" }),
  "socket-filter": T({ name: "socket-filter", section: "socket", ctx: "__sk_buff", passVerdict: 0xffffffff, kernelType: "BPF_PROG_TYPE_SOCKET_FILTER", skb: true, packet: "skb" }),
  kprobe: T({ name: "kprobe", section: "kprobe", ctx: "pt_regs", passVerdict: 0, kernelType: "BPF_PROG_TYPE_KPROBE" }),
  kretprobe: T({ name: "kretprobe", section: "kretprobe", ctx: "pt_regs", passVerdict: 0, kernelType: "BPF_PROG_TYPE_KPROBE" }),
  uprobe: T({ name: "uprobe", section: "uprobe", ctx: "pt_regs", passVerdict: 0, kernelType: "BPF_PROG_TYPE_KPROBE" }),
  uretprobe: T({ name: "uretprobe", section: "uretprobe", ctx: "pt_regs", passVerdict: 0, kernelType: "BPF_PROG_TYPE_KPROBE" }),
  tracepoint: T({ name: "tracepoint", section: "tracepoint", ctx: null, passVerdict: 0, kernelType: "BPF_PROG_TYPE_TRACEPOINT" }),
  "raw-tracepoint": T({ name: "raw-tracepoint", section: "raw_tp", ctx: "bpf_raw_tracepoint_args", passVerdict: 0, kernelType: "BPF_PROG_TYPE_RAW_TRACEPOINT" }),
  "cgroup-skb": T({ name: "cgroup-skb", section: "cgroup_skb/ingress", ctx: "__sk_buff", passVerdict: 1, kernelType: "BPF_PROG_TYPE_CGROUP_SKB", skb: true, packet: "skb" }),
  "cgroup-sock-addr": T({ name: "cgroup-sock-addr", section: "cgroup/connect4", ctx: "bpf_sock_addr", passVerdict: 1, kernelType: "BPF_PROG_TYPE_CGROUP_SOCK_ADDR" }),
  sockops: T({ name: "sockops", section: "sockops", ctx: "bpf_sock_ops", passVerdict: 1, kernelType: "BPF_PROG_TYPE_SOCK_OPS" }),
  "sk-lookup": T({ name: "sk-lookup", section: "sk_lookup", ctx: "bpf_sk_lookup", passVerdict: 1, kernelType: "BPF_PROG_TYPE_SK_LOOKUP" }),
};

/** Section prefixes libbpf recognises, mapped to our type names (longest prefix wins). */
const SECTION_PREFIXES: [string, string][] = [
  ["xdp", "xdp"], ["tc", "tc"], ["classifier", "classifier"], ["tcx/", "tc"], ["socket", "socket-filter"],
  ["kprobe/", "kprobe"], ["kretprobe/", "kretprobe"], ["uprobe", "uprobe"], ["uretprobe", "uretprobe"],
  ["tracepoint/", "tracepoint"], ["tp/", "tracepoint"], ["raw_tracepoint/", "raw-tracepoint"], ["raw_tp/", "raw-tracepoint"],
  ["cgroup_skb/", "cgroup-skb"], ["cgroup/connect", "cgroup-sock-addr"], ["cgroup/bind", "cgroup-sock-addr"],
  ["cgroup/sendmsg", "cgroup-sock-addr"], ["cgroup/recvmsg", "cgroup-sock-addr"], ["cgroup/getpeername", "cgroup-sock-addr"],
  ["cgroup/getsockname", "cgroup-sock-addr"], ["sockops", "sockops"], ["sk_lookup", "sk-lookup"],
];

/** The program type a section name implies, as libbpf would read it; undefined if none. */
export function typeFromSection(section: string): string | undefined {
  let best: [string, string] | undefined;
  for (const p of SECTION_PREFIXES) {
    const [prefix] = p;
    const exact = !prefix.endsWith("/") && section === prefix;
    const prefixed = prefix.endsWith("/") ? section.startsWith(prefix) : section.startsWith(prefix + "/") || exact;
    if ((exact || prefixed) && (!best || prefix.length > best[0].length)) best = p;
  }
  return best?.[1];
}

/**
 * Whether libbpf 1.x recognises this exact section name for a program type.
 * Returns a suggestion when it doesn't (e.g. "xdp/handler" → "xdp").
 */
export function sectionSuggestion(section: string, type: ProgType): string | undefined {
  if (type.name === "xdp" && section !== "xdp" && !/^xdp\.frags$|^xdp\/(cpumap|devmap)$|^xdp\.frags\/(cpumap|devmap)$/.test(section)) {
    return "xdp";
  }
  if ((type.name === "tc" || type.name === "classifier") && !/^(tc|classifier|tcx\/(ingress|egress)|tc\/(ingress|egress))$/.test(section)) {
    return "tc";
  }
  if (type.name === "socket-filter" && !/^socket(\/.*)?$/.test(section)) return "socket";
  return undefined;
}
