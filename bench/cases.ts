// Behavioural cases of the fixtures: crafted packets (and map entries to set first) that the
// equivalence test runs through both the Whistler object and clang's with `bpftool prog run`.

import {
  ACK, arpFrame, concat, eth, ETH_P_8021AD, ETH_P_IP, ETH_P_IPV6, FIN, icmp, icmpFrame, ip4, ipv4, IPPROTO_ICMP,
  IPPROTO_TCP, IPPROTO_UDP, ipv6, ipv6TcpFrame, ipv6UdpFrame, PSH, RST, SYN, tcp, tcpFrame, truncate, udp, udpFrame,
  withVlan,
} from "../tests/packets.ts";

export interface Packet {
  name: string;
  data: Uint8Array;
  /** A context to pass in (its ctx_out is then compared too). */
  ctxIn?: Uint8Array;
  /** Run the program this many times (`bpftool prog run … repeat N`); maps see every run. */
  repeat?: number;
  /** Run this program instead of the case's. */
  prog?: string;
}

export interface MapWrite {
  map: string;
  key: Uint8Array;
  /** Bytes, or a program of the same object (for program arrays). */
  value: Uint8Array | { pinnedProg: string };
}

export interface Case {
  /** The program the packets run through (its ELF symbol). */
  prog: string;
  packets: Packet[];
  setup?: MapWrite[];
  /** Byte ranges [start, end) of a map's values not to compare (timestamps, say), by map name. */
  ignore?: Record<string, [number, number][]>;
}

const A = "10.0.0.1", B = "10.0.0.2";
const text = (s: string) => new TextEncoder().encode(s);
const u32le = (v: number) => new Uint8Array(new Uint32Array([v >>> 0]).buffer);
const u64le = (v: bigint) => new Uint8Array(new BigUint64Array([v]).buffer);

/** An IPv4 frame with full control of the IPv4 header (options, TOS, flags, checksum). */
function ip4Frame(o: { proto: number; l4: Uint8Array; src?: string; dst?: string; ihl?: number; tos?: number; mf?: boolean; fragOffset?: number; checksum?: number }): Uint8Array {
  return eth({ type: ETH_P_IP, payload: ipv4({ src: o.src ?? A, dst: o.dst ?? B, proto: o.proto, payload: o.l4, ihl: o.ihl, tos: o.tos, mf: o.mf, fragOffset: o.fragOffset, checksum: o.checksum }) });
}

const tcpSeg = (dport: number, flags = SYN, extra: { sport?: number; seq?: number; src?: string; dst?: string } = {}) =>
  tcp({ sport: extra.sport ?? 40000, dport, flags, seq: extra.seq, src: extra.src ?? A, dst: extra.dst ?? B });

/** A general mix: the common protocols, a VLAN tag, IPv6, ARP, truncated frames. */
function mix(): Packet[] {
  return [
    { name: "tcp syn :80", data: tcpFrame({ src: A, dst: B, sport: 40000, dport: 80, flags: SYN }) },
    { name: "tcp ack+psh :443", data: tcpFrame({ src: "192.168.1.5", dst: B, sport: 5555, dport: 443, flags: ACK | PSH, payload: text("GET /") }) },
    { name: "tcp :9999", data: tcpFrame({ src: "172.16.0.9", dst: B, sport: 1, dport: 9999, flags: SYN }) },
    { name: "udp :53", data: udpFrame({ src: A, dst: "8.8.8.8", sport: 3333, dport: 53, payload: text("query") }) },
    { name: "icmp echo", data: icmpFrame({ src: "10.9.9.9", dst: B, type: 8, id: 7, seq: 1 }) },
    { name: "arp", data: arpFrame() },
    { name: "ipv6 tcp :22", data: ipv6TcpFrame({ src: "2001:db8::1", dst: "fd00::2", sport: 1000, dport: 22, flags: SYN }) },
    { name: "ipv6 udp :53", data: ipv6UdpFrame({ src: "fd00::1", dst: "fd00::2", sport: 1000, dport: 53 }) },
    { name: "vlan 10 tcp", data: withVlan(tcpFrame({ src: A, dst: B, sport: 2, dport: 80, flags: SYN }), 10) },
    { name: "tcp cut at 40 bytes", data: truncate(tcpFrame({ src: A, dst: B, sport: 3, dport: 9999, flags: SYN }), 40) },
    { name: "ethernet only", data: truncate(arpFrame(), 14) },
  ];
}

/** A mix without frames that skb test runs refuse (IPv4/IPv6 frames need their whole L3 header there). */
const skbMix = (): Packet[] => mix().filter((p) => p.name !== "tcp cut at 40 bytes");

export const CASES: Record<string, Case> = {
  "count-xdp": { prog: "count_packets", packets: [...mix(), { name: "repeat 5", data: arpFrame(), repeat: 5 }] },
  "drop-port": {
    prog: "drop_port",
    packets: [...mix(), { name: "tcp :9999 again", data: tcpFrame({ src: A, dst: B, sport: 9, dport: 9999, flags: ACK }), repeat: 3 },
      { name: "udp :9999", data: udpFrame({ src: A, dst: B, sport: 9, dport: 9999 }) }],
  },
  "synflood-xdp": {
    prog: "synflood",
    packets: [
      ...mix(),
      { name: "syn from 10.0.0.7 ×3", data: tcpFrame({ src: "10.0.0.7", dst: B, sport: 1, dport: 80, flags: SYN }), repeat: 3 },
      { name: "syn flood from 10.0.0.8 ×105", data: tcpFrame({ src: "10.0.0.8", dst: B, sport: 1, dport: 80, flags: SYN }), repeat: 105 },
      { name: "one more syn from 10.0.0.8", data: tcpFrame({ src: "10.0.0.8", dst: B, sport: 2, dport: 81, flags: SYN }) },
      { name: "syn+ack from 10.0.0.8", data: tcpFrame({ src: "10.0.0.8", dst: B, sport: 2, dport: 81, flags: SYN | ACK }) },
    ],
  },
  "eth-proto-count": {
    prog: "eth_proto_count",
    packets: [...mix(),
      { name: "lldp", data: eth({ type: 0x88cc, payload: new Uint8Array(20) }) },
      { name: "qinq", data: eth({ type: ETH_P_8021AD, payload: new Uint8Array(30) }) }],
  },
  "vlan-filter": {
    prog: "vlan_filter",
    packets: [...mix(),
      { name: "vlan 100 tcp", data: withVlan(tcpFrame({ src: A, dst: B, sport: 2, dport: 80, flags: SYN }), 100) },
      { name: "vlan 100 pcp 5 udp", data: withVlan(udpFrame({ src: A, dst: B, sport: 2, dport: 53 }), 100, 5) },
      { name: "vlan 4095 pcp 7", data: withVlan(arpFrame(), 4095, 7) },
      { name: "vlan tag cut short", data: truncate(withVlan(arpFrame(), 42), 16) }],
  },
  "ipv4-proto-stats": {
    prog: "ipv4_proto_stats",
    packets: [...mix(), { name: "gre", data: ip4Frame({ proto: 47, l4: new Uint8Array(24) }) },
      { name: "big udp ×4", data: udpFrame({ src: A, dst: B, sport: 1, dport: 2, payload: new Uint8Array(900) }), repeat: 4 }],
  },
  "ipv6-tcp-filter": {
    prog: "ipv6_tcp_filter",
    packets: [...mix(),
      { name: "ipv6 tcp :23", data: ipv6TcpFrame({ src: "fd00::1", dst: "fd00::2", sport: 1000, dport: 23, flags: SYN }) },
      { name: "ipv6 tcp :23 cut in tcp", data: truncate(ipv6TcpFrame({ src: "fd00::1", dst: "fd00::2", sport: 1000, dport: 23, flags: SYN }), 60) },
      { name: "ipv6 header cut", data: truncate(ipv6TcpFrame({ src: "fd00::1", dst: "fd00::2", sport: 1, dport: 23, flags: SYN }), 50) },
      { name: "ipv4 tcp :23", data: tcpFrame({ src: A, dst: B, sport: 1, dport: 23, flags: SYN }) }],
  },
  "icmp-echo-reply": {
    prog: "icmp_echo_reply",
    packets: [...mix(),
      { name: "echo request with payload", data: eth({ type: ETH_P_IP, payload: ipv4({ src: "192.0.2.1", dst: B, proto: IPPROTO_ICMP, payload: icmp({ type: 8, id: 0x1234, seq: 9, payload: text("ping payload") }) }) }) },
      { name: "echo reply", data: icmpFrame({ src: A, dst: B, type: 0 }) },
      { name: "echo request code 1", data: icmpFrame({ src: A, dst: B, type: 8, code: 1 }) },
      { name: "echo request, ihl 6", data: ip4Frame({ proto: IPPROTO_ICMP, ihl: 6, l4: icmp({ type: 8 }) }) },
      { name: "echo request cut", data: truncate(icmpFrame({ src: A, dst: B, type: 8 }), 40) }],
  },
  "udp-port-count": {
    prog: "udp_port_count",
    packets: [...mix(),
      { name: "udp :53 ×3", data: udpFrame({ src: "10.1.1.1", dst: B, sport: 9, dport: 53 }), repeat: 3 },
      { name: "udp :123", data: udpFrame({ src: A, dst: B, sport: 123, dport: 123 }) },
      { name: "udp :65535", data: udpFrame({ src: A, dst: B, sport: 1, dport: 65535 }) }],
  },
  "per-ip-bytes": {
    prog: "per_ip_bytes",
    packets: [...mix(),
      { name: "10.0.0.1 big ×2", data: udpFrame({ src: A, dst: B, sport: 1, dport: 2, payload: new Uint8Array(700) }), repeat: 2 },
      { name: "10.5.5.5", data: tcpFrame({ src: "10.5.5.5", dst: B, sport: 1, dport: 2, flags: ACK }) }],
  },
  "flow-table": {
    prog: "flow_table",
    packets: [...mix(),
      { name: "same flow ×3", data: tcpFrame({ src: A, dst: B, sport: 40000, dport: 80, flags: ACK }), repeat: 3 },
      { name: "tcp with ip options", data: ip4Frame({ proto: IPPROTO_TCP, ihl: 7, l4: tcpSeg(8080, ACK, { sport: 777 }) }) },
      { name: "udp with ip options", data: ip4Frame({ proto: IPPROTO_UDP, ihl: 6, l4: udp({ sport: 5, dport: 6 }) }) },
      { name: "ihl 15, ports past the end", data: ip4Frame({ proto: IPPROTO_TCP, ihl: 15, l4: new Uint8Array(0) }) }],
  },
  "lpm-blocklist": {
    prog: "lpm_blocklist",
    setup: [
      { map: "blocklist", key: concat(u32le(16), ip4("10.1.0.0")), value: u64le(0n) },
      { map: "blocklist", key: concat(u32le(24), ip4("192.168.1.0")), value: u64le(0n) },
      { map: "blocklist", key: concat(u32le(32), ip4("10.1.2.3")), value: u64le(100n) },
    ],
    packets: [...mix(),
      { name: "from 10.1.2.3 (/32)", data: tcpFrame({ src: "10.1.2.3", dst: B, sport: 1, dport: 80, flags: SYN }) },
      { name: "from 10.1.9.9 (/16) ×2", data: udpFrame({ src: "10.1.9.9", dst: B, sport: 1, dport: 53 }), repeat: 2 },
      { name: "from 192.168.1.77 (/24)", data: icmpFrame({ src: "192.168.1.77", dst: B }) },
      { name: "from 192.168.2.1", data: icmpFrame({ src: "192.168.2.1", dst: B }) }],
  },
  "ringbuf-syn-events": {
    prog: "ringbuf_syn_events",
    packets: [...mix(),
      { name: "syn ×4", data: tcpFrame({ src: "10.3.3.3", dst: B, sport: 7, dport: 8, flags: SYN, seq: 0xdeadbeef }), repeat: 4 },
      { name: "rst", data: tcpFrame({ src: A, dst: B, sport: 7, dport: 8, flags: RST }) },
      { name: "fin", data: tcpFrame({ src: A, dst: B, sport: 7, dport: 8, flags: FIN | ACK }) }],
  },
  "tail-call-dispatch": {
    prog: "dispatcher",
    setup: [
      { map: "jump_table", key: u32le(IPPROTO_TCP), value: { pinnedProg: "handle_tcp" } },
      { map: "jump_table", key: u32le(IPPROTO_UDP), value: { pinnedProg: "handle_udp" } },
      { map: "jump_table", key: u32le(IPPROTO_ICMP), value: { pinnedProg: "handle_icmp" } },
    ],
    packets: [...mix(),
      { name: "tcp :23", data: tcpFrame({ src: A, dst: B, sport: 1, dport: 23, flags: SYN }) },
      { name: "udp :53 ×2", data: udpFrame({ src: A, dst: B, sport: 1, dport: 53 }), repeat: 2 },
      { name: "icmp echo reply", data: icmpFrame({ src: A, dst: B, type: 0 }) },
      { name: "gre (no handler)", data: ip4Frame({ proto: 47, l4: new Uint8Array(8) }) },
      { name: "tcp handler, cut tcp", data: truncate(tcpFrame({ src: A, dst: B, sport: 1, dport: 23, flags: SYN }), 44) }],
  },
  "ratelimit-xdp": {
    prog: "ratelimit",
    ignore: { rl_table: [[0, 8]] }, // window_start: a ktime_get_ns() timestamp
    packets: [...mix(),
      { name: "10.4.4.4 ×99 (under the limit)", data: udpFrame({ src: "10.4.4.4", dst: B, sport: 1, dport: 2 }), repeat: 99 },
      { name: "10.4.4.4 (the 100th)", data: udpFrame({ src: "10.4.4.4", dst: B, sport: 1, dport: 2 }) },
      { name: "10.4.4.4 ×3 (over the limit)", data: tcpFrame({ src: "10.4.4.4", dst: B, sport: 1, dport: 2, flags: SYN }), repeat: 3 },
      { name: "10.0.0.1 again", data: icmpFrame({ src: A, dst: B }) }],
  },
  "multi-prog": {
    prog: "xdp_ingress",
    setup: [
      { map: "blocklist", key: ip4("192.0.2.1"), value: u64le(0n) },
      { map: "blocklist", key: ip4("10.0.0.2"), value: u64le(5n) },
    ],
    packets: [
      ...mix(),
      { name: "from 192.0.2.1 ×2", data: tcpFrame({ src: "192.0.2.1", dst: "10.8.8.8", sport: 1, dport: 80, flags: SYN }), repeat: 2 },
      ...skbMix().map((p) => ({ ...p, name: `egress: ${p.name}`, prog: "tc_egress" })),
      { name: "egress: to 10.8.8.8", prog: "tc_egress", data: udpFrame({ src: A, dst: "10.8.8.8", sport: 1, dport: 2, payload: new Uint8Array(64) }) },
    ],
  },
  "udp-payload-hash": {
    prog: "udp_payload_hash",
    packets: [...mix(),
      { name: "udp 'attack!'", data: udpFrame({ src: A, dst: B, sport: 1, dport: 7, payload: text("attack!") }) },
      { name: "udp 'attack?'", data: udpFrame({ src: A, dst: B, sport: 1, dport: 7, payload: text("attack?") }) },
      { name: "udp 48-byte payload", data: udpFrame({ src: A, dst: B, sport: 1, dport: 7, payload: text("0123456789abcdef0123456789abcdef0123456789abcdef") }) },
      { name: "udp empty payload", data: udpFrame({ src: A, dst: B, sport: 1, dport: 7 }) }],
  },
  "ipv4-csum-verify": {
    prog: "ipv4_csum_verify",
    packets: [...mix(),
      { name: "bad checksum", data: ip4Frame({ proto: IPPROTO_UDP, l4: udp({ sport: 1, dport: 2 }), checksum: 0x1234 }) },
      { name: "bad checksum ×2", data: ip4Frame({ proto: IPPROTO_TCP, l4: tcpSeg(80), checksum: 0 }), repeat: 2 },
      { name: "options", data: ip4Frame({ proto: IPPROTO_TCP, ihl: 6, l4: tcpSeg(80) }) }],
  },
  "fnv1a-flow-hash": {
    prog: "fnv1a_flow_hash",
    packets: [...mix(),
      ...[1, 2, 3, 4, 5].map((i) => ({ name: `udp flow ${i}`, data: udpFrame({ src: `10.0.${i}.1`, dst: B, sport: 1000 + i, dport: 53 }) })),
      { name: "cut before the ports", data: truncate(udpFrame({ src: A, dst: B, sport: 1, dport: 2 }), 36) }],
  },
  "fmix64-lb": {
    prog: "fmix64_lb",
    packets: [...mix(), ...[1, 2, 3, 4, 5, 6].map((i) => ({ name: `client 10.7.0.${i}`, data: tcpFrame({ src: `10.7.0.${i}`, dst: "10.7.255.1", sport: 1, dport: 80, flags: SYN }) }))],
  },
  "tcp-seq-window": {
    prog: "tcp_seq_window",
    packets: [
      ...[["seq 1000", 1000], ["seq 900 (behind)", 900], ["seq 2000", 2000], ["seq 2^31+2000 (negative delta)", 0x80000000 + 2000],
        ["seq 2000+2^21 (too far)", 2000 + (1 << 21)], ["seq 2500", 2500], ["seq 2500 again", 2500], ["seq 2^32-1 (behind, wraps)", 0xffffffff]]
        .map(([name, seq]) => ({ name: name as string, data: tcpFrame({ src: A, dst: B, sport: 1, dport: 2, flags: ACK, seq: seq as number }) })),
      ...mix(),
    ],
  },
  "tc-classify": {
    prog: "tc_classify",
    packets: [...skbMix(),
      { name: "dscp ef", data: ip4Frame({ proto: IPPROTO_UDP, tos: 46 << 2, l4: udp({ sport: 1, dport: 2 }) }) },
      { name: "dscp af41 tcp :22", data: ip4Frame({ proto: IPPROTO_TCP, tos: 34 << 2, l4: tcpSeg(22) }) },
      { name: "dscp cs1 tcp :22", data: ip4Frame({ proto: IPPROTO_TCP, tos: 8 << 2, l4: tcpSeg(22) }) },
      { name: "tcp :22 cut in tcp", data: truncate(ip4Frame({ proto: IPPROTO_TCP, l4: tcpSeg(22) }), 40) }]
      .map((p) => ({ ...p, ctxIn: new Uint8Array(192) })),
  },
  "tc-port-rewrite": {
    prog: "tc_port_rewrite",
    packets: [...skbMix(),
      { name: "tcp :8080", data: tcpFrame({ src: A, dst: B, sport: 4000, dport: 8080, flags: SYN, payload: text("hello") }) },
      { name: "tcp :8080 ×2", data: tcpFrame({ src: "10.2.2.2", dst: B, sport: 4001, dport: 8080, flags: ACK }), repeat: 2 },
      { name: "udp :8080", data: udpFrame({ src: A, dst: B, sport: 4000, dport: 8080 }) },
      { name: "tcp :8080 with ip options", data: ip4Frame({ proto: IPPROTO_TCP, ihl: 6, l4: tcpSeg(8080) }) }],
  },
  "sock-proto-count": {
    prog: "sock_proto_count",
    packets: [...skbMix(), { name: "udp ×3", data: udpFrame({ src: A, dst: B, sport: 1, dport: 2, payload: new Uint8Array(100) }), repeat: 3 }],
  },
  "sock-tcp-port-filter": {
    prog: "sock_tcp_port_filter",
    packets: [...skbMix(),
      { name: "tcp :22", data: tcpFrame({ src: A, dst: B, sport: 1, dport: 22, flags: SYN }) },
      { name: "udp :22", data: udpFrame({ src: A, dst: B, sport: 1, dport: 22 }) },
      { name: "tcp :22 with ip options", data: ip4Frame({ proto: IPPROTO_TCP, ihl: 8, l4: tcpSeg(22) }) },
      { name: "tcp :443 more-fragments", data: ip4Frame({ proto: IPPROTO_TCP, mf: true, l4: tcpSeg(443) }) },
      { name: "tcp :443 fragment offset", data: ip4Frame({ proto: IPPROTO_TCP, fragOffset: 3, l4: tcpSeg(443) }) }],
  },
  "ipv6-prefix-count": {
    prog: "ipv6_prefix_count",
    packets: [...mix(),
      { name: "2001:db8:1::5", data: ipv6UdpFrame({ src: "2001:db8:1::5", dst: "fd00::2", sport: 1, dport: 2 }) },
      { name: "fd00::1 ×2", data: ipv6UdpFrame({ src: "fd00::1", dst: "fd00::2", sport: 1, dport: 2 }), repeat: 2 },
      { name: "fd00::ffff (same /64)", data: ipv6TcpFrame({ src: "fd00::ffff", dst: "fd00::2", sport: 1, dport: 2, flags: SYN }) },
      { name: "fe80::1", data: eth({ type: ETH_P_IPV6, payload: ipv6({ src: "fe80::1", dst: "ff02::1", nextHeader: 59, payload: new Uint8Array(0) }) }) }],
  },
};
