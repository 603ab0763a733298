// The protocol library (SPEC §4.3): eth/ipv4/tcp/udp/icmp accessors and constants, the
// with-packet/with-ipv4/with-tcp/with-udp guards (falling through to the pass verdict) and
// the parse-ipv4/parse-tcp/parse-udp expressions, in XDP and TC programs. Expected values come
// from the frame builders in tests/packets.ts, not from the compiler.

import { test } from "node:test";
import assert from "node:assert/strict";
import { kernelTest, type Loaded, runProg } from "../kernel.ts";
import { compileOk } from "../compile_util.ts";
import {
  ACK, arpFrame, ETH_P_ARP, ETH_P_IP, ETH_P_IPV6, eth, FIN, icmpFrame, ip4, ipv4, ipv6TcpFrame, IPPROTO_ICMP, IPPROTO_TCP,
  IPPROTO_UDP, parseFrame, PSH, RST, SYN, tcp, tcpFrame, truncate, udpFrame, URG,
} from "../packets.ts";
import { LEVELS, maybeBug, readArray, TC_ACT_OK, TC_ACT_SHOT, withLoaded, XDP_DROP, XDP_PASS } from "./util.ts";

interface Case { name: string; src: string; check(l: Loaded): void; bug?: string; type?: "xdp" | "tc" }

const PRELUDE = `
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 24)
(defmacro put (i v) \`(setf (getmap out ,i) ,v))`;

/** A u32 as loaded little-endian from 4 network-order bytes (how addresses stay "in network order"). */
const leAddr = (a: string) => BigInt(new DataView(ip4(a).buffer).getUint32(0, true));

const tcpOpts = { src: "192.0.2.10", dst: "198.51.100.20", sport: 40123, dport: 8443, flags: SYN | ACK | PSH, seq: 0xdeadbeef, ack: 0x01020304, ttl: 33 };

const CASES: Case[] = [
  {
    name: "eth, ipv4 and tcp accessors under with-tcp",
    src: `
(defprog feature (:type :xdp)
  (with-tcp (data data-end tcp)
    (let ((ip (+ data +eth-hdr-len+)))
      (put 0 (eth-type data))
      (put 1 (ipv4-ver-ihl ip)) (put 2 (ipv4-tos ip)) (put 3 (ipv4-total-len ip)) (put 4 (ipv4-id ip))
      (put 5 (ipv4-frag-off ip)) (put 6 (ipv4-ttl ip)) (put 7 (ipv4-protocol ip)) (put 8 (ipv4-checksum ip))
      (put 9 (ipv4-src-addr ip)) (put 10 (ipv4-dst-addr ip))
      (put 11 (tcp-src-port tcp)) (put 12 (tcp-dst-port tcp)) (put 13 (tcp-seq tcp)) (put 14 (tcp-ack-seq tcp))
      (put 15 (tcp-data-off tcp)) (put 16 (tcp-flags tcp)) (put 17 (tcp-window tcp)) (put 18 (tcp-checksum tcp))
      (put 19 (tcp-urg-ptr tcp))
      (put 20 (- tcp data))))
  XDP_PASS)`,
    check(l) {
      const f = tcpFrame(tcpOpts);
      assert.equal(runProg(l, "feature", f).retval, XDP_PASS);
      const p = parseFrame(f);
      const dv = new DataView(f.buffer);
      assert.deepEqual(readArray(l, "out", 21), [
        BigInt(ETH_P_IP), 0x45n, 0n, BigInt(f.length - 14), 0n, 0n, 33n, BigInt(IPPROTO_TCP), BigInt(dv.getUint16(24)),
        leAddr(tcpOpts.src), leAddr(tcpOpts.dst),
        BigInt(tcpOpts.sport), BigInt(tcpOpts.dport), BigInt(tcpOpts.seq), BigInt(tcpOpts.ack), 0x50n, BigInt(tcpOpts.flags),
        BigInt(p.tcp!.window), BigInt(dv.getUint16(34 + 16)), 0n, 34n,
      ]);
      assert.ok(p.ipv4!.checksumOk && p.tcp!.checksumOk);
    },
  },
  {
    name: "udp and icmp accessors under with-udp and with-icmp",
    src: `
(defprog feature (:type :xdp)
  (with-udp (data data-end udp)
    (put 6 (ipv4-protocol (+ data 14)))
    (put 0 (udp-src-port udp)) (put 1 (udp-dst-port udp)) (put 2 (udp-len udp)) (put 3 (udp-checksum udp)))
  XDP_PASS)
(defprog feature-icmp (:type :xdp)
  (with-icmp (data data-end icmp)
    (put 6 (ipv4-protocol (+ data 14)))
    (put 4 (icmp-type icmp)) (put 5 (icmp-code icmp)) (put 7 (icmp-id icmp)) (put 8 (icmp-seq icmp)) (put 9 (icmp-checksum icmp)))
  XDP_PASS)`,
    check(l) {
      const payload = new TextEncoder().encode("hello, whistler");
      const u = udpFrame({ src: "10.9.8.7", dst: "10.6.5.4", sport: 5353, dport: 53, payload });
      assert.equal(runProg(l, "feature", u).retval, XDP_PASS);
      const dv = new DataView(u.buffer);
      let out = readArray(l, "out", 10);
      assert.deepEqual(out.slice(0, 4), [5353n, 53n, BigInt(8 + payload.length), BigInt(dv.getUint16(34 + 6))]);
      assert.equal(out[6], BigInt(IPPROTO_UDP));
      const i = icmpFrame({ src: "10.9.8.7", dst: "10.6.5.4", type: 8, code: 0, id: 0x4242, seq: 7 });
      assert.equal(runProg(l, "feature_icmp", i).retval, XDP_PASS);
      out = readArray(l, "out", 10);
      assert.deepEqual(out.slice(4, 10), [8n, 0n, BigInt(IPPROTO_ICMP), 0x4242n, 7n, BigInt(new DataView(i.buffer).getUint16(34 + 2))]);
    },
  },
  {
    name: "protocol constants and sizeof headers",
    src: `
(defprog feature (:type :xdp)
  (put 0 +eth-hdr-len+) (put 1 +ipv4-hdr-len+) (put 2 +tcp-hdr-len+) (put 3 +udp-hdr-len+)
  (put 4 +ethertype-ipv4+) (put 5 +ethertype-ipv6+) (put 6 +ethertype-arp+)
  (put 7 +ip-proto-icmp+) (put 8 +ip-proto-tcp+) (put 9 +ip-proto-udp+)
  (put 10 +tcp-fin+) (put 11 +tcp-syn+) (put 12 +tcp-rst+) (put 13 +tcp-psh+) (put 14 +tcp-ack+) (put 15 +tcp-urg+)
  (put 16 (sizeof eth)) (put 17 (sizeof ipv4)) (put 18 (sizeof tcp)) (put 19 (sizeof udp)) (put 20 (sizeof icmp))
  XDP_PASS)`,
    check(l) {
      assert.equal(runProg(l, "feature", arpFrame()).retval, XDP_PASS);
      const hdr = (b: Uint8Array) => BigInt(b.length);
      const tcpLen = hdr(tcp({ sport: 1, dport: 2, flags: 0 })), ipLen = hdr(ipv4({ src: "1.1.1.1", dst: "2.2.2.2", proto: 0, payload: new Uint8Array() }));
      const ethLen = hdr(eth({ type: 0 }));
      assert.deepEqual(readArray(l, "out", 21), [
        ethLen, ipLen, tcpLen, 8n, BigInt(ETH_P_IP), BigInt(ETH_P_IPV6), BigInt(ETH_P_ARP),
        BigInt(IPPROTO_ICMP), BigInt(IPPROTO_TCP), BigInt(IPPROTO_UDP),
        BigInt(FIN), BigInt(SYN), BigInt(RST), BigInt(PSH), BigInt(ACK), BigInt(URG),
        ethLen, ipLen, tcpLen, 8n, 8n,
      ]);
    },
  },
  {
    name: "with-packet :min-len bounds",
    src: `
(defprog feature (:type :xdp)
  (with-packet (data data-end :min-len 60)
    (return XDP_DROP))
  XDP_PASS)`,
    check(l) {
      const f = udpFrame({ src: "10.0.0.1", dst: "10.0.0.2", sport: 1, dport: 2, payload: new Uint8Array(40) });
      for (let n = 14; n <= f.length; n++) assert.equal(runProg(l, "feature", truncate(f, n)).retval, n >= 60 ? XDP_DROP : XDP_PASS, `${n} bytes`);
    },
  },
  {
    name: "with-ipv4, with-tcp and with-udp guards fall through to XDP_PASS",
    src: `
(defprog feature (:type :xdp)
  (with-packet (d e :min-len 14)
    (case (load u8 d 6)  ; the frame's first source-MAC byte picks the guard
      (1 (with-ipv4 (data data-end ip) (return (+ 10 (ipv4-protocol ip)))))
      (2 (with-tcp (data data-end tcp) (return (+ 40 (- tcp data)))))
      (3 (with-udp (data data-end udp) (return (+ 90 (- udp data)))))))
  XDP_PASS)`,
    check(l) {
      const frames: [string, Uint8Array][] = [
        ["tcp", tcpFrame(tcpOpts)], ["udp", udpFrame({ ...tcpOpts })], ["icmp", icmpFrame({ src: "1.2.3.4", dst: "5.6.7.8" })],
        ["arp", arpFrame()], ["ipv6 tcp", ipv6TcpFrame({ ...tcpOpts, src: "fe80::1", dst: "fe80::2" })],
      ];
      for (const [name, f0] of frames) {
        const p = parseFrame(f0);
        for (const n of [...new Set([14, 33, 34, 41, 42, 53, 54, f0.length])].filter((n) => n <= f0.length)) {
          for (const guard of [1, 2, 3]) {
            const f = truncate(f0, n);
            f[6] = guard;
            const isV4 = p.ethType === ETH_P_IP;
            const proto = p.ipv4?.proto;
            const want = guard === 1 ? (isV4 && n >= 34 ? 10 + proto! : XDP_PASS)
              : guard === 2 ? (isV4 && proto === IPPROTO_TCP && n >= 54 ? 40 + 34 : XDP_PASS)
              : (isV4 && proto === IPPROTO_UDP && n >= 42 ? 90 + 34 : XDP_PASS);
            assert.equal(runProg(l, "feature", f).retval, want, `${name} ${n} bytes, guard ${guard}`);
          }
        }
      }
    },
  },
  {
    name: "parse-ipv4, parse-tcp, parse-udp give the header pointer or 0",
    src: `
(defprog feature (:type :xdp)
  (let* ((data (xdp-data)) (end (xdp-data-end))
         (ip (parse-ipv4 data end)) (tcp (parse-tcp data end)) (udp (parse-udp data end)))
    (put 0 (if ip (- ip data) 0))
    (put 1 (if tcp (- tcp data) 0))
    (put 2 (if udp (- udp data) 0))
    (put 3 (if tcp (tcp-dst-port tcp) 0))
    (put 4 (if udp (udp-dst-port udp) 0)))
  XDP_PASS)`,
    check(l) {
      const frames: [string, Uint8Array][] = [
        ["tcp", tcpFrame(tcpOpts)], ["udp", udpFrame({ ...tcpOpts })], ["arp", arpFrame()],
        ["ipv6 tcp", ipv6TcpFrame({ ...tcpOpts, src: "fe80::1", dst: "fe80::2" })],
      ];
      for (const [name, f0] of frames) {
        for (const n of [14, 33, 34, 41, 42, 53, 54, f0.length].filter((n) => n <= f0.length)) {
          const f = truncate(f0, n);
          const p = parseFrame(f0);
          const v4 = p.ethType === ETH_P_IP;
          const isTcp = v4 && p.ipv4!.proto === IPPROTO_TCP && n >= 54, isUdp = v4 && p.ipv4!.proto === IPPROTO_UDP && n >= 42;
          assert.equal(runProg(l, "feature", f).retval, XDP_PASS);
          assert.deepEqual(readArray(l, "out", 5), [
            v4 && n >= 34 ? 14n : 0n, isTcp ? 34n : 0n, isUdp ? 34n : 0n, isTcp ? BigInt(tcpOpts.dport) : 0n, isUdp ? BigInt(tcpOpts.dport) : 0n,
          ], `${name} truncated to ${n}`);
        }
      }
    },
  },
  {
    name: "TC program: with-tcp / with-tc-udp read the skb and fall through to TC_ACT_OK",
    type: "tc",
    src: `
(defprog feature (:type :tc)
  (with-tcp (data data-end tcp)
    (put 0 (tcp-dst-port tcp))
    (put 1 (ipv4-ttl (+ data 14)))
    (when (= (tcp-dst-port tcp) 8443) (return TC_ACT_SHOT)))
  TC_ACT_OK)
(defprog feature-udp (:type :tc)
  (with-tc-udp (data data-end udp)
    (put 2 (udp-src-port udp))
    (return 7))
  TC_ACT_OK)`,
    check(l) {
      assert.equal(runProg(l, "feature", tcpFrame(tcpOpts)).retval, TC_ACT_SHOT);
      assert.equal(runProg(l, "feature", tcpFrame({ ...tcpOpts, dport: 80, ttl: 9 })).retval, TC_ACT_OK);
      assert.equal(runProg(l, "feature", udpFrame({ ...tcpOpts, sport: 999 })).retval, TC_ACT_OK);
      assert.equal(runProg(l, "feature_udp", udpFrame({ ...tcpOpts, sport: 999 })).retval, 7);
      assert.equal(runProg(l, "feature_udp", tcpFrame(tcpOpts)).retval, TC_ACT_OK);
      assert.equal(runProg(l, "feature", arpFrame()).retval, TC_ACT_OK);
      assert.equal(runProg(l, "feature", ipv6TcpFrame({ ...tcpOpts, src: "fe80::1", dst: "fe80::2" })).retval, TC_ACT_OK);
      assert.deepEqual(readArray(l, "out", 3), [80n, 9n, 999n]);
    },
  },
];

for (const c of CASES) {
  test(`protocols: ${c.name} compiles at -O0 and -O2`, () => {
    for (const opt of LEVELS) compileOk(PRELUDE + c.src, { opt });
  });
  for (const opt of LEVELS) {
    kernelTest(`protocols -O${opt}: ${c.name}`, () =>
      maybeBug(`protocols -O${opt} ${c.name}`, c.bug, () => withLoaded(PRELUDE + c.src, opt, (l) => c.check(l))));
  }
}
