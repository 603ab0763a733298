// Packet crafting for kernel tests: pure builders (Ethernet, VLAN, ARP, IPv4/6, TCP, UDP, ICMP)
// returning Uint8Array with correct checksums, plus a small reader to check frames a program wrote.

export const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20, ECE = 0x40, CWR = 0x80;
export const ETH_P_IP = 0x0800, ETH_P_ARP = 0x0806, ETH_P_IPV6 = 0x86dd, ETH_P_8021Q = 0x8100, ETH_P_8021AD = 0x88a8;
export const IPPROTO_ICMP = 1, IPPROTO_TCP = 6, IPPROTO_UDP = 17, IPPROTO_ICMPV6 = 58;

export const DEFAULT_SRC_MAC = "02:00:00:00:00:01";
export const DEFAULT_DST_MAC = "02:00:00:00:00:02";

// ---------- addresses and bytes ----------

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

export function mac(s: string): Uint8Array {
  const b = s.split(/[:-]/).map((x) => parseInt(x, 16));
  if (b.length !== 6 || b.some((x) => !(x >= 0 && x <= 255))) throw new Error(`bad MAC ${s}`);
  return new Uint8Array(b);
}

/** "10.0.0.1" → 4 bytes (network order). */
export function ip4(s: string): Uint8Array {
  const b = s.split(".").map(Number);
  if (b.length !== 4 || b.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) throw new Error(`bad IPv4 ${s}`);
  return new Uint8Array(b);
}

/** "2001:db8::1" → 16 bytes. */
export function ip6(s: string): Uint8Array {
  const halves = s.split("::");
  if (halves.length > 2) throw new Error(`bad IPv6 ${s}`);
  const words = (h: string) => (h === "" ? [] : h.split(":").map((w) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(w)) throw new Error(`bad IPv6 ${s}`);
    return parseInt(w, 16);
  }));
  const head = words(halves[0]), tail = halves.length === 2 ? words(halves[1]) : [];
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) throw new Error(`bad IPv6 ${s}`);
  const all = [...head, ...new Array(halves.length === 2 ? fill : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((w, i) => { out[2 * i] = w >> 8; out[2 * i + 1] = w & 0xff; });
  return out;
}

export const fmtMac = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join(":");
export const fmtIp4 = (b: Uint8Array) => [...b].join(".");
export function fmtIp6(b: Uint8Array): string {
  const w = Array.from({ length: 8 }, (_, i) => (b[2 * i] << 8) | b[2 * i + 1]);
  let best = -1, bestLen = 1; // RFC 5952: compress the longest run (≥2) of zero words
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(":");
  return best < 0 ? hex(w) : `${hex(w.slice(0, best))}::${hex(w.slice(best + bestLen))}`;
}

const u16 = (v: number) => new Uint8Array([(v >> 8) & 0xff, v & 0xff]);
const u32 = (v: number) => new Uint8Array([(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
const rd16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const rd32 = (b: Uint8Array, o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

/** RFC 1071 ones'-complement sum of 16-bit words (odd length padded with zero), not inverted. */
export function onesSum(data: Uint8Array, init = 0): number {
  let sum = init;
  for (let i = 0; i + 1 < data.length; i += 2) sum += (data[i] << 8) | data[i + 1];
  if (data.length & 1) sum += data[data.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}
/** The Internet checksum (RFC 1071): the complement of the ones'-complement sum. */
export const checksum = (data: Uint8Array, init = 0) => ~onesSum(data, init) & 0xffff;

function pseudoSum(src: string, dst: string, proto: number, len: number): number {
  const v6 = src.includes(":");
  if (v6 !== dst.includes(":")) throw new Error("mixed IPv4/IPv6 pseudo-header");
  return v6
    ? onesSum(concat(ip6(src), ip6(dst), u32(len), new Uint8Array([0, 0, 0, proto])))
    : onesSum(concat(ip4(src), ip4(dst), new Uint8Array([0, proto]), u16(len)));
}

// ---------- layer builders ----------

export function eth(o: { dst?: string; src?: string; type: number; payload?: Uint8Array }): Uint8Array {
  return concat(mac(o.dst ?? DEFAULT_DST_MAC), mac(o.src ?? DEFAULT_SRC_MAC), u16(o.type), o.payload ?? new Uint8Array());
}

/** An 802.1Q tag as it follows the outer ethertype: TCI (pcp/dei/vid) then the inner ethertype. */
export function vlan(o: { vid: number; pcp?: number; dei?: boolean; type: number; payload?: Uint8Array }): Uint8Array {
  const tci = ((o.pcp ?? 0) << 13) | (o.dei ? 0x1000 : 0) | (o.vid & 0xfff);
  return concat(u16(tci), u16(o.type), o.payload ?? new Uint8Array());
}

export function arp(o: { op?: number; sha?: string; spa: string; tha?: string; tpa: string }): Uint8Array {
  return concat(u16(1), u16(ETH_P_IP), new Uint8Array([6, 4]), u16(o.op ?? 1), mac(o.sha ?? DEFAULT_SRC_MAC),
    ip4(o.spa), mac(o.tha ?? "00:00:00:00:00:00"), ip4(o.tpa));
}

export interface Ipv4Opts {
  src: string; dst: string; proto: number; payload: Uint8Array;
  ttl?: number; ihl?: number; tos?: number; id?: number; df?: boolean; mf?: boolean; fragOffset?: number;
  options?: Uint8Array; totalLength?: number; checksum?: number;
}
/** IPv4 header + payload; `ihl` > 5 pads with `options` (zero-filled). Header checksum computed unless given. */
export function ipv4(o: Ipv4Opts): Uint8Array {
  const ihl = o.ihl ?? 5;
  const h = new Uint8Array(ihl * 4);
  h[0] = 0x40 | ihl;
  h[1] = o.tos ?? 0;
  h.set(u16(o.totalLength ?? h.length + o.payload.length), 2);
  h.set(u16(o.id ?? 0), 4);
  h.set(u16((o.df ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | ((o.fragOffset ?? 0) & 0x1fff)), 6);
  h[8] = o.ttl ?? 64;
  h[9] = o.proto;
  h.set(ip4(o.src), 12);
  h.set(ip4(o.dst), 16);
  if (o.options) h.set(o.options.subarray(0, h.length - 20), 20);
  h.set(u16(o.checksum ?? checksum(h)), 10);
  return concat(h, o.payload);
}

export function ipv6(o: {
  src: string; dst: string; nextHeader: number; payload: Uint8Array; hopLimit?: number; trafficClass?: number; flowLabel?: number;
}): Uint8Array {
  const h = new Uint8Array(40);
  const tc = o.trafficClass ?? 0, fl = o.flowLabel ?? 0;
  h.set(u32(((6 << 28) | (tc << 20) | (fl & 0xfffff)) >>> 0), 0);
  h.set(u16(o.payload.length), 4);
  h[6] = o.nextHeader;
  h[7] = o.hopLimit ?? 64;
  h.set(ip6(o.src), 8);
  h.set(ip6(o.dst), 24);
  return concat(h, o.payload);
}

/** TCP segment. With `src`/`dst` (the IP addresses) the checksum is filled in, else left 0. */
export function tcp(o: {
  sport: number; dport: number; flags: number; seq?: number; ack?: number; window?: number; urg?: number;
  options?: Uint8Array; payload?: Uint8Array; src?: string; dst?: string;
}): Uint8Array {
  const opts = o.options ?? new Uint8Array();
  if (opts.length % 4) throw new Error("TCP options must be padded to 4 bytes");
  const h = new Uint8Array(20 + opts.length);
  h.set(u16(o.sport), 0);
  h.set(u16(o.dport), 2);
  h.set(u32(o.seq ?? 0), 4);
  h.set(u32(o.ack ?? 0), 8);
  h[12] = (h.length / 4) << 4;
  h[13] = o.flags;
  h.set(u16(o.window ?? 65535), 14);
  h.set(u16(o.urg ?? 0), 18);
  h.set(opts, 20);
  const seg = concat(h, o.payload ?? new Uint8Array());
  if (o.src && o.dst) seg.set(u16(checksum(seg, pseudoSum(o.src, o.dst, IPPROTO_TCP, seg.length))), 16);
  return seg;
}

/** UDP datagram. With `src`/`dst` the checksum is filled in (0 → 0xffff), else left 0 (none). */
export function udp(o: { sport: number; dport: number; payload?: Uint8Array; src?: string; dst?: string }): Uint8Array {
  const d = concat(u16(o.sport), u16(o.dport), u16(8 + (o.payload?.length ?? 0)), u16(0), o.payload ?? new Uint8Array());
  if (o.src && o.dst) d.set(u16(checksum(d, pseudoSum(o.src, o.dst, IPPROTO_UDP, d.length)) || 0xffff), 6);
  return d;
}

/** ICMP (v4) message; type 8 = echo request. The checksum covers the message only. */
export function icmp(o: { type?: number; code?: number; id?: number; seq?: number; payload?: Uint8Array }): Uint8Array {
  const m = concat(new Uint8Array([o.type ?? 8, o.code ?? 0, 0, 0]), u16(o.id ?? 0), u16(o.seq ?? 0),
    o.payload ?? new Uint8Array());
  m.set(u16(checksum(m)), 2);
  return m;
}

/** ICMPv6 message (checksum over the IPv6 pseudo-header); type 128 = echo request. */
export function icmp6(o: { src: string; dst: string; type?: number; code?: number; body?: Uint8Array }): Uint8Array {
  const m = concat(new Uint8Array([o.type ?? 128, o.code ?? 0, 0, 0]), o.body ?? new Uint8Array(4));
  m.set(u16(checksum(m, pseudoSum(o.src, o.dst, IPPROTO_ICMPV6, m.length))), 2);
  return m;
}

// ---------- whole frames ----------

interface L2 { srcMac?: string; dstMac?: string }
export interface TcpFrameOpts extends L2 {
  src: string; dst: string; sport: number; dport: number; flags: number; seq?: number; ack?: number;
  payload?: Uint8Array; ttl?: number;
}

export function tcpFrame(o: TcpFrameOpts): Uint8Array {
  return eth({ dst: o.dstMac, src: o.srcMac, type: ETH_P_IP,
    payload: ipv4({ src: o.src, dst: o.dst, proto: IPPROTO_TCP, ttl: o.ttl, payload: tcp(o) }) });
}

export function udpFrame(o: L2 & { src: string; dst: string; sport: number; dport: number; payload?: Uint8Array; ttl?: number }): Uint8Array {
  return eth({ dst: o.dstMac, src: o.srcMac, type: ETH_P_IP,
    payload: ipv4({ src: o.src, dst: o.dst, proto: IPPROTO_UDP, ttl: o.ttl, payload: udp(o) }) });
}

export function icmpFrame(o: L2 & { src: string; dst: string; type?: number; code?: number; id?: number; seq?: number }): Uint8Array {
  return eth({ dst: o.dstMac, src: o.srcMac, type: ETH_P_IP,
    payload: ipv4({ src: o.src, dst: o.dst, proto: IPPROTO_ICMP, payload: icmp(o) }) });
}

export function ipv6TcpFrame(o: TcpFrameOpts): Uint8Array {
  return eth({ dst: o.dstMac, src: o.srcMac, type: ETH_P_IPV6,
    payload: ipv6({ src: o.src, dst: o.dst, nextHeader: IPPROTO_TCP, hopLimit: o.ttl, payload: tcp(o) }) });
}

export function ipv6UdpFrame(o: L2 & { src: string; dst: string; sport: number; dport: number; payload?: Uint8Array }): Uint8Array {
  return eth({ dst: o.dstMac, src: o.srcMac, type: ETH_P_IPV6,
    payload: ipv6({ src: o.src, dst: o.dst, nextHeader: IPPROTO_UDP, payload: udp(o) }) });
}

/** A broadcast ARP request (who-has tpa, tell spa). */
export function arpFrame(o: { spa?: string; tpa?: string; sha?: string; op?: number } = {}): Uint8Array {
  const sha = o.sha ?? DEFAULT_SRC_MAC;
  return eth({ dst: "ff:ff:ff:ff:ff:ff", src: sha, type: ETH_P_ARP,
    payload: arp({ op: o.op, sha, spa: o.spa ?? "10.0.0.1", tpa: o.tpa ?? "10.0.0.2" }) });
}

/** The frame with an 802.1Q tag inserted after the MAC addresses. */
export function withVlan(frame: Uint8Array, vid: number, pcp = 0): Uint8Array {
  return concat(frame.subarray(0, 12), u16(ETH_P_8021Q), vlan({ vid, pcp, type: rd16(frame, 12) }), frame.subarray(14));
}

export const truncate = (frame: Uint8Array, n: number): Uint8Array => frame.slice(0, n);

// ---------- reader ----------

export interface ParsedFrame {
  dst: string; src: string; ethType: number; vlans: number[];
  arp?: { op: number; sha: string; spa: string; tha: string; tpa: string };
  ipv4?: { src: string; dst: string; proto: number; ttl: number; ihl: number; totalLength: number; id: number; checksumOk: boolean };
  ipv6?: { src: string; dst: string; nextHeader: number; hopLimit: number; payloadLength: number };
  tcp?: { sport: number; dport: number; seq: number; ack: number; flags: number; window: number; checksumOk: boolean; payload: Uint8Array };
  udp?: { sport: number; dport: number; length: number; checksumOk: boolean; payload: Uint8Array };
  icmp?: { type: number; code: number; checksumOk: boolean };
}

/** Decodes what fits in `f`; layers cut short by truncation are left out. */
export function parseFrame(f: Uint8Array): ParsedFrame {
  if (f.length < 14) throw new Error(`frame too short (${f.length} bytes)`);
  const p: ParsedFrame = { dst: fmtMac(f.subarray(0, 6)), src: fmtMac(f.subarray(6, 12)), ethType: rd16(f, 12), vlans: [] };
  let o = 14;
  while ((p.ethType === ETH_P_8021Q || p.ethType === ETH_P_8021AD) && f.length >= o + 4) {
    p.vlans.push(rd16(f, o) & 0xfff);
    p.ethType = rd16(f, o + 2);
    o += 4;
  }
  let proto = -1, src = "", dst = "", l4: Uint8Array | undefined;
  if (p.ethType === ETH_P_ARP && f.length >= o + 28) {
    p.arp = { op: rd16(f, o + 6), sha: fmtMac(f.subarray(o + 8, o + 14)), spa: fmtIp4(f.subarray(o + 14, o + 18)),
      tha: fmtMac(f.subarray(o + 18, o + 24)), tpa: fmtIp4(f.subarray(o + 24, o + 28)) };
  } else if (p.ethType === ETH_P_IP && f.length >= o + 20) {
    const ihl = f[o] & 0xf, total = rd16(f, o + 2);
    if (f.length < o + ihl * 4) return p;
    src = fmtIp4(f.subarray(o + 12, o + 16));
    dst = fmtIp4(f.subarray(o + 16, o + 20));
    proto = f[o + 9];
    p.ipv4 = { src, dst, proto, ttl: f[o + 8], ihl, totalLength: total, id: rd16(f, o + 4),
      checksumOk: checksum(f.subarray(o, o + ihl * 4)) === 0 };
    if (f.length >= o + total && total >= ihl * 4) l4 = f.subarray(o + ihl * 4, o + total);
  } else if (p.ethType === ETH_P_IPV6 && f.length >= o + 40) {
    src = fmtIp6(f.subarray(o + 8, o + 24));
    dst = fmtIp6(f.subarray(o + 24, o + 40));
    proto = f[o + 6];
    const len = rd16(f, o + 4);
    p.ipv6 = { src, dst, nextHeader: proto, hopLimit: f[o + 7], payloadLength: len };
    if (f.length >= o + 40 + len) l4 = f.subarray(o + 40, o + 40 + len);
  }
  if (!l4) return p;
  const l4Ok = () => checksum(l4!, pseudoSum(src, dst, proto, l4!.length)) === 0;
  if (proto === IPPROTO_TCP && l4.length >= 20) {
    const off = (l4[12] >> 4) * 4;
    p.tcp = { sport: rd16(l4, 0), dport: rd16(l4, 2), seq: rd32(l4, 4), ack: rd32(l4, 8), flags: l4[13],
      window: rd16(l4, 14), checksumOk: l4Ok(), payload: l4.slice(off) };
  } else if (proto === IPPROTO_UDP && l4.length >= 8) {
    p.udp = { sport: rd16(l4, 0), dport: rd16(l4, 2), length: rd16(l4, 4),
      checksumOk: (rd16(l4, 6) === 0 && !p.ipv6) || l4Ok(), payload: l4.slice(8) };
  } else if ((proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6) && l4.length >= 4) {
    p.icmp = { type: l4[0], code: l4[1], checksumOk: proto === IPPROTO_ICMP ? checksum(l4) === 0 : l4Ok() };
  }
  return p;
}
