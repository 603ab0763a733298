// Tests for the packet builders: RFC 1071 / known-header checksums, golden bytes computed by an
// independent implementation (Python struct + socket), and round trips through parseFrame.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ACK, arpFrame, checksum, ETH_P_8021Q, ETH_P_ARP, ETH_P_IP, ETH_P_IPV6, fmtIp6, icmp6, icmpFrame, ip4, ip6, ipv4,
  IPPROTO_ICMPV6, IPPROTO_TCP, ipv6, ipv6TcpFrame, ipv6UdpFrame, onesSum, parseFrame, PSH, SYN, tcpFrame, truncate,
  udp, udpFrame, withVlan,
} from "./packets.ts";

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
const unhex = (s: string) => new Uint8Array(s.match(/../g)!.map((x) => parseInt(x, 16)));

test("RFC 1071 section 3 example: sum of 0001 f203 f4f5 f6f7 is ddf2", () => {
  const data = unhex("0001f203f4f5f6f7");
  assert.equal(onesSum(data), 0xddf2);
  assert.equal(checksum(data), 0x220d);
  assert.equal(checksum(unhex("00")), 0xffff);
  assert.equal(onesSum(unhex("ff")), 0xff00); // odd length pads a zero byte
});

test("IPv4 header checksum matches a hand-computed known header", () => {
  // The classic example header 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7.
  const h = ipv4({ src: "192.168.0.1", dst: "192.168.0.199", proto: 17, ttl: 64, df: true, payload: new Uint8Array(0x73 - 20) });
  assert.equal(hex(h.subarray(0, 20)), "450000730000400040" + "11b861c0a80001c0a800c7");
  assert.equal(checksum(h.subarray(0, 20)), 0);
});

test("tcpFrame matches golden bytes from an independent implementation", () => {
  const f = tcpFrame({ src: "10.0.0.1", dst: "10.0.0.2", sport: 1234, dport: 80, flags: SYN, seq: 1 });
  assert.equal(hex(f),
    "02000000000202000000000108004500002800000000400666ce0a0000010a00000204d2005000000001000000005002ffff96bd0000");
});

test("IPv6 UDP checksum matches golden bytes", () => {
  const d = udp({ sport: 5353, dport: 53, payload: new TextEncoder().encode("abc"), src: "2001:db8::1", dst: "2001:db8::2" });
  assert.equal(hex(d), "14e90035000bcae2616263");
});

test("address parsing and formatting", () => {
  assert.deepEqual([...ip4("10.0.0.1")], [10, 0, 0, 1]);
  assert.throws(() => ip4("10.0.0.256"));
  assert.equal(hex(ip6("2001:db8::1")), "20010db8000000000000000000000001");
  assert.equal(hex(ip6("::")), "0".repeat(32));
  assert.equal(hex(ip6("fe80::1:2")), "fe800000000000000000000000010002");
  assert.throws(() => ip6("1::2::3"));
  assert.equal(fmtIp6(ip6("2001:db8:0:0:1:0:0:1")), "2001:db8::1:0:0:1");
  assert.equal(fmtIp6(ip6("::1")), "::1");
  assert.equal(fmtIp6(ip6("1:2:3:4:5:6:7:8")), "1:2:3:4:5:6:7:8");
});

test("frames round-trip through parseFrame", () => {
  const t = parseFrame(tcpFrame({ src: "10.0.0.1", dst: "10.9.8.7", sport: 40000, dport: 9999, flags: PSH | ACK, seq: 7, ack: 9,
    payload: unhex("deadbeef") }));
  assert.equal(t.ethType, ETH_P_IP);
  assert.equal(t.ipv4?.src, "10.0.0.1");
  assert.equal(t.ipv4?.dst, "10.9.8.7");
  assert.equal(t.ipv4?.proto, IPPROTO_TCP);
  assert.equal(t.ipv4?.totalLength, 44);
  assert.equal(t.ipv4?.checksumOk, true);
  assert.deepEqual({ ...t.tcp, payload: hex(t.tcp!.payload) },
    { sport: 40000, dport: 9999, seq: 7, ack: 9, flags: PSH | ACK, window: 65535, checksumOk: true, payload: "deadbeef" });

  const u = parseFrame(udpFrame({ src: "1.2.3.4", dst: "5.6.7.8", sport: 53, dport: 1053, payload: unhex("00") }));
  assert.deepEqual({ ...u.udp, payload: hex(u.udp!.payload) }, { sport: 53, dport: 1053, length: 9, checksumOk: true, payload: "00" });

  const v6 = parseFrame(ipv6TcpFrame({ src: "2001:db8::1", dst: "2001:db8::2", sport: 1, dport: 443, flags: SYN }));
  assert.equal(v6.ethType, ETH_P_IPV6);
  assert.deepEqual(v6.ipv6, { src: "2001:db8::1", dst: "2001:db8::2", nextHeader: IPPROTO_TCP, hopLimit: 64, payloadLength: 20 });
  assert.equal(v6.tcp?.checksumOk, true);
  assert.equal(parseFrame(ipv6UdpFrame({ src: "::1", dst: "::2", sport: 1, dport: 2 })).udp?.checksumOk, true);

  const a = parseFrame(arpFrame());
  assert.equal(a.ethType, ETH_P_ARP);
  assert.equal(a.dst, "ff:ff:ff:ff:ff:ff");
  assert.deepEqual(a.arp, { op: 1, sha: "02:00:00:00:00:01", spa: "10.0.0.1", tha: "00:00:00:00:00:00", tpa: "10.0.0.2" });
  assert.equal(arpFrame().length, 42);

  const i = parseFrame(icmpFrame({ src: "10.0.0.1", dst: "10.0.0.2", id: 1, seq: 2 }));
  assert.deepEqual(i.icmp, { type: 8, code: 0, checksumOk: true });
  const m6 = ipv6({ src: "fe80::1", dst: "ff02::1", nextHeader: IPPROTO_ICMPV6, payload: icmp6({ src: "fe80::1", dst: "ff02::1" }) });
  assert.equal(checksum(m6.subarray(40), onesSum(new Uint8Array([...m6.subarray(8, 40), 0, 0, 0, 8, 0, 0, 0, 58]))), 0);
});

test("vlan tagging, ihl options, truncation", () => {
  const base = tcpFrame({ src: "10.0.0.1", dst: "10.0.0.2", sport: 1, dport: 2, flags: SYN });
  const tagged = withVlan(base, 100, 3);
  assert.equal(tagged.length, base.length + 4);
  assert.equal((tagged[12] << 8) | tagged[13], ETH_P_8021Q);
  assert.equal(tagged[14] >> 5, 3);
  const p = parseFrame(tagged);
  assert.deepEqual(p.vlans, [100]);
  assert.equal(p.ethType, ETH_P_IP);
  assert.equal(p.tcp?.dport, 2);

  const opt = ipv4({ src: "1.1.1.1", dst: "2.2.2.2", proto: 6, ihl: 6, options: unhex("01010100"), payload: new Uint8Array(4) });
  assert.equal(opt.length, 28);
  assert.equal(opt[0], 0x46);
  assert.equal(hex(opt.subarray(20, 24)), "01010100");
  assert.equal(checksum(opt.subarray(0, 24)), 0);

  const short = truncate(base, 30);
  assert.equal(short.length, 30);
  const ps = parseFrame(short);
  assert.equal(ps.ipv4, undefined);
  assert.equal(ps.tcp, undefined);
  assert.equal(parseFrame(truncate(base, 40)).tcp, undefined);
  assert.throws(() => parseFrame(truncate(base, 10)));
});
