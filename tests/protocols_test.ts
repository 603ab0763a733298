// The protocol library beyond tests/features/protocols_test.ts: every header has its with-/
// with-tc-/parse- forms; MAC, VLAN, IPv4 and IPv6 bit-field accessors and their setf; ICMPv6 and
// TCP/UDP over IPv6; parse-ipv4*/parse-tcp* honouring IHL; the constants; and an IPv6 filter
// (address blocklist, ICMPv6 echo, TCP port) run through `bpftool prog run`.

import { test } from "node:test";
import assert from "node:assert/strict";
import { compile } from "../mod.ts";
import { HEADERS, PROTOCOL_CONSTANTS } from "../compiler/surface/protocols.ts";
import { kernelTest, runProg, updateMap } from "./kernel.ts";
import { compileOk } from "./compile_util.ts";
import {
  eth, ETH_P_8021Q, ETH_P_IP, ETH_P_IPV6, icmp6, ip6, ipv4, ipv6, ipv6TcpFrame, ipv6UdpFrame, IPPROTO_ICMPV6, IPPROTO_TCP,
  mac, parseFrame, SYN, tcp, tcpFrame, udpFrame, withVlan,
} from "./packets.ts";
import { LEVELS, readArray, withLoaded, XDP_DROP, XDP_PASS } from "./features/util.ts";

const OUT = `
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 32)
(defmacro put (i v) \`(setf (getmap out ,i) ,v))`;

test("protocols: every header has with-NAME, with-tc-NAME and parse-NAME, in XDP and TC programs", () => {
  for (const h of HEADERS) {
    for (const type of [":xdp", ":tc"]) {
      const src = `${OUT}
(defprog p (:type ${type})
  (with-${h.name} (data data-end hdr) (put 0 (- hdr data)))
  (with-tc-${h.name} (data data-end hdr) (put 1 (- hdr data)))
  (let ((p (parse-${h.name} (${type === ":xdp" ? "xdp" : "tc"}-data) (${type === ":xdp" ? "xdp" : "tc"}-data-end))))
    (when p (put 2 (${h.name}-${h.fields[0].name} p))))
  0)`;
      compileOk(src);
    }
  }
});

test("protocols: constants have their protocol values", () => {
  const want: Record<string, number> = {
    "+ip-proto-icmpv6+": 58, "+ip-proto-gre+": 47, "+ip-proto-sctp+": 132, "+icmpv6-echo-request+": 128, "+icmp-echo-request+": 8,
    "+ipv4-df+": 0x4000, "+ethertype-qinq+": 0x88a8, "+eth-alen+": 6,
  };
  for (const [k, v] of Object.entries(want)) assert.equal(PROTOCOL_CONSTANTS[k], v, k);
  const r = compileOk(`(defprog p () (+ +vlan-hdr-len+ +ipv6-hdr-len+ +icmpv6-hdr-len+ +tcp6-hdr-len+ +udp6-hdr-len+))`, { emit: "asm" });
  assert.match(r.text!, /r0 = 0x50\b/, "4 + 40 + 8 + 20 + 8 = 80");
});

// with-NAME returns the pass verdict at once when its check fails, so one program that looks
// at several layers uses the parse-NAME expressions (0 when absent).
const FIELDS = `${OUT}
(defprog fields (:type :xdp)
  (let ((data (xdp-data)) (end (xdp-data-end)))
    (when-let (e (parse-eth data end))
      (put 0 (eth-dst-mac e)) (put 1 (eth-src-mac e)))
    (when-let (v (parse-vlan data end))
      (put 2 (vlan-vid v)) (put 3 (vlan-pcp v)) (put 4 (vlan-dei v)) (put 5 (vlan-type v)))
    (when-let (ip (parse-ipv4 data end))
      (put 6 (ipv4-version ip)) (put 7 (ipv4-ihl ip)) (put 8 (ipv4-dscp ip)) (put 9 (ipv4-ecn ip))
      (put 10 (ipv4-flags ip)) (put 11 (ipv4-frag-offset ip))
      ;; rewrite: swap the MACs, set DSCP 46 (EF), keep ECN
      (let ((d (eth-dst-mac data)))
        (setf (eth-dst-mac data) (eth-src-mac data))
        (setf (eth-src-mac data) d))
      (setf (ipv4-dscp ip) 46))
    (when-let (ip6 (parse-ipv6 data end))
      (put 12 (ipv6-version ip6)) (put 13 (ipv6-traffic-class ip6)) (put 14 (ipv6-flow-label ip6))
      (put 15 (ipv6-payload-len ip6)) (put 16 (ipv6-hop-limit ip6))
      (put 17 (ipv6-src-addr-hi ip6)) (put 18 (ipv6-dst-addr-lo ip6)))
    (when-let (t6 (parse-tcp6 data end)) (put 19 (tcp6-dst-port t6)) (put 20 (tcp-doff t6)))
    (when-let (ic (parse-icmpv6 data end)) (put 21 (icmpv6-type ic)) (put 22 (icmpv6-id ic)) (put 23 (icmpv6-seq ic))))
  XDP_PASS)`;

const le64 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getBigUint64(0, true);

for (const opt of LEVELS) {
  kernelTest(`protocols -O${opt}: MAC, VLAN, IPv4 and IPv6 bit fields read and set`, () => withLoaded(FIELDS, opt, (l) => {
    const v4 = eth({ dst: "aa:bb:cc:dd:ee:01", src: "02:11:22:33:44:55", type: ETH_P_IP,
      payload: ipv4({ src: "10.0.0.1", dst: "10.0.0.2", proto: IPPROTO_TCP, tos: (10 << 2) | 3, df: true, fragOffset: 0, payload: tcp({ sport: 1, dport: 2, flags: SYN }) }) });
    const r = runProg(l, "fields", v4);
    let out = readArray(l, "out", 24);
    assert.deepEqual(out.slice(0, 2), [0xaabbccddee01n, 0x021122334455n]);
    assert.deepEqual(out.slice(6, 12), [4n, 5n, 10n, 3n, 2n, 0n]);
    assert.deepEqual([...r.dataOut.subarray(0, 12)], [...mac("02:11:22:33:44:55"), ...mac("aa:bb:cc:dd:ee:01")], "MACs swapped");
    assert.equal(r.dataOut[15], (46 << 2) | 3, "DSCP set, ECN kept");

    const tagged = withVlan(udpFrame({ src: "10.0.0.1", dst: "10.0.0.2", sport: 1, dport: 2 }), 0x123, 5);
    tagged[14] |= 0x10; // DEI
    runProg(l, "fields", tagged);
    out = readArray(l, "out", 24);
    assert.deepEqual(out.slice(2, 6), [0x123n, 5n, 1n, BigInt(ETH_P_IP)]);

    const src6 = "2001:db8::1", dst6 = "2001:db8::cafe";
    const f6 = eth({ type: ETH_P_IPV6, payload: ipv6({ src: src6, dst: dst6, nextHeader: IPPROTO_TCP, trafficClass: 0xb8, flowLabel: 0x12345, hopLimit: 9, payload: tcp({ sport: 1, dport: 8080, flags: SYN }) }) });
    runProg(l, "fields", f6);
    out = readArray(l, "out", 24);
    assert.deepEqual(out.slice(12, 21), [6n, 0xb8n, 0x12345n, 20n, 9n, le64(ip6(src6)), le64(ip6(dst6).subarray(8)), 8080n, 5n]);

    const echo = eth({ type: ETH_P_IPV6, payload: ipv6({ src: src6, dst: dst6, nextHeader: IPPROTO_ICMPV6, payload: icmp6({ src: src6, dst: dst6, type: 128, body: new Uint8Array([0x12, 0x34, 0, 7]) }) }) });
    runProg(l, "fields", echo);
    out = readArray(l, "out", 24);
    assert.deepEqual(out.slice(21, 24), [128n, 0x1234n, 7n]);
  }));
}

const IHL = `${OUT}
(defprog ihl (:type :xdp)
  (let* ((data (xdp-data)) (end (xdp-data-end))
         (ip (parse-ipv4* data end)) (tcp (parse-tcp* data end)) (udp (parse-udp* data end)) (plain (parse-tcp data end)))
    (put 0 (if ip (- ip data) 0))
    (put 1 (if tcp (- tcp data) 0))
    (put 2 (if tcp (tcp-dst-port tcp) 0))
    (put 3 (if udp (udp-dst-port udp) 0))
    (put 4 (if plain (tcp-dst-port plain) 0)))
  XDP_PASS)`;

for (const opt of LEVELS) {
  kernelTest(`protocols -O${opt}: parse-ipv4* and parse-tcp*/parse-udp* honour IHL; parse-tcp assumes 20 bytes`, () => withLoaded(IHL, opt, (l) => {
    for (const ihl of [5, 6, 10, 15]) {
      const f = eth({ type: ETH_P_IP, payload: ipv4({ src: "10.0.0.1", dst: "10.0.0.2", proto: IPPROTO_TCP, ihl, payload: tcp({ sport: 1, dport: 443, flags: SYN }) }) });
      runProg(l, "ihl", f);
      const plain = ihl === 5 ? 443n : BigInt(new DataView(f.buffer).getUint16(34 + 2)); // what sits at offset 36
      assert.deepEqual(readArray(l, "out", 5), [14n, BigInt(14 + 4 * ihl), 443n, 0n, plain], `IHL ${ihl}`);
      // Truncated inside the options or the TCP header: 0.
      for (const cut of [14 + 4 * ihl - 1, 14 + 4 * ihl + 19]) {
        runProg(l, "ihl", f.slice(0, Math.max(cut, 14)));
        const o = readArray(l, "out", 2);
        assert.equal(o[1], 0n, `IHL ${ihl} cut at ${cut}`);
        assert.equal(o[0], cut >= 14 + 4 * ihl ? 14n : 0n, `IHL ${ihl} cut at ${cut}: the IP header`);
      }
    }
    const bad = eth({ type: ETH_P_IP, payload: ipv4({ src: "10.0.0.1", dst: "10.0.0.2", proto: IPPROTO_TCP, payload: tcp({ sport: 1, dport: 443, flags: SYN }) }) });
    bad[14] = 0x44; // IHL 4: invalid
    runProg(l, "ihl", bad);
    assert.deepEqual(readArray(l, "out", 2), [0n, 0n]);
    runProg(l, "ihl", udpFrame({ src: "10.0.0.1", dst: "10.0.0.2", sport: 1, dport: 53 }));
    assert.deepEqual(readArray(l, "out", 4), [14n, 0n, 0n, 53n]);
  }));
}

// An IPv6 filter: drop sources on a blocklist (hash keyed by the 16-byte address), ICMPv6 echo
// requests, and TCP to port 23; count what passes by next header.
const IPV6_FILTER = `
(defstruct addr6 (hi u64) (lo u64))
(defmap blocked6 :type :hash :key-type addr6 :value-size 1 :max-entries 64)
(defmap by-next-header :type :percpu-array :key-size 4 :value-size 8 :max-entries 256)
(defprog filter6 (:type :xdp)
  (with-ipv6 (data data-end ip6)
    (let ((k (make-addr6)))
      (setf (addr6-hi k) (ipv6-src-addr-hi ip6) (addr6-lo k) (ipv6-src-addr-lo ip6))
      (when (map-lookup blocked6 k) (return XDP_DROP)))
    (when-let (ic (parse-icmpv6 data data-end))
      (when (= (icmpv6-type ic) +icmpv6-echo-request+) (return XDP_DROP)))
    (when-let (t (parse-tcp6 data data-end))
      (when (= (tcp6-dst-port t) 23) (return XDP_DROP)))
    (incf (getmap by-next-header (ipv6-next-header ip6))))
  XDP_PASS)`;

for (const opt of LEVELS) {
  kernelTest(`protocols -O${opt}: an IPv6 filter drops blocked sources, ICMPv6 echo and telnet`, () => withLoaded(IPV6_FILTER, opt, (l) => {
    updateMap(l, "blocked6", ip6("2001:db8:bad::66"), new Uint8Array([1]));
    const tcp6 = (src: string, dport: number) => ipv6TcpFrame({ src, dst: "2001:db8::1", sport: 4000, dport, flags: SYN });
    const echo = (type: number) => eth({ type: ETH_P_IPV6, payload: ipv6({ src: "2001:db8::2", dst: "2001:db8::1", nextHeader: IPPROTO_ICMPV6, payload: icmp6({ src: "2001:db8::2", dst: "2001:db8::1", type }) }) });
    const cases: [string, Uint8Array, number][] = [
      ["blocked source", tcp6("2001:db8:bad::66", 443), XDP_DROP],
      ["neighbour of a blocked source", tcp6("2001:db8:bad::67", 443), XDP_PASS],
      ["telnet", tcp6("2001:db8::2", 23), XDP_DROP],
      ["https", tcp6("2001:db8::2", 443), XDP_PASS],
      ["echo request", echo(128), XDP_DROP],
      ["echo reply", echo(129), XDP_PASS],
      ["udp", ipv6UdpFrame({ src: "2001:db8::2", dst: "2001:db8::1", sport: 1, dport: 53 }), XDP_PASS],
      ["ipv4 telnet", tcpFrame({ src: "10.0.0.1", dst: "10.0.0.2", sport: 1, dport: 23, flags: SYN }), XDP_PASS],
      ["truncated ipv6", tcp6("2001:db8::2", 23).slice(0, 50), XDP_PASS],
    ];
    for (const [name, f, want] of cases) assert.equal(runProg(l, "filter6", f).retval, want, name);
    const counts = readArray(l, "by_next_header", 59);
    assert.deepEqual([counts[6], counts[17], counts[58]], [2n, 1n, 1n]);
    assert.ok(parseFrame(tcp6("2001:db8::2", 23)).ethType === ETH_P_IPV6);
  }));
}

test("protocols: a VLAN tag is ETH_P_8021Q; with-ipv4 does not look behind it (use with-vlan)", () => {
  const f = withVlan(tcpFrame({ src: "10.0.0.1", dst: "10.0.0.2", sport: 1, dport: 2, flags: SYN }), 7);
  assert.equal(new DataView(f.buffer).getUint16(12), ETH_P_8021Q);
  const r = compile(`(defprog p (:type :kprobe) (with-vlan (d e v) 1) 0)`);
  assert.equal(r.ok, false);
  assert.match(r.diagnostics[0].message, /needs a packet program/);
});
