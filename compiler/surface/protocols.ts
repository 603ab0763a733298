// The protocol library (SPEC §4.3): eth/vlan/ipv4/ipv6/icmp/icmpv6/tcp/udp (and tcp6/udp6 over
// IPv6) headers, their constants, and the parsing macros with bounds checks that fall through to
// the pass verdict; parse-ipv4* and parse-tcp*/udp*/icmp* honour the IPv4 header length (IHL).
// Each header says which layer it sits over; api.header() derives its with-/parse- forms from that.

import { Cons, type Datum, Sym, cells } from "../sexp.ts";
import type { HeaderDef, MacroContext, Plugin, PluginApi } from "../registry.ts";
import { tmpl } from "./template.ts";

const TCP_FIELDS: HeaderDef["fields"] = [
  { name: "src-port", offset: 0, type: "u16", netOrder: true }, { name: "dst-port", offset: 2, type: "u16", netOrder: true },
  { name: "seq", offset: 4, type: "u32", netOrder: true }, { name: "ack-seq", offset: 8, type: "u32", netOrder: true },
  { name: "data-off", offset: 12, type: "u8" }, { name: "doff", offset: 12, type: "u8", bits: 4, shift: 4 },
  { name: "flags", offset: 13, type: "u8" },
  { name: "window", offset: 14, type: "u16", netOrder: true }, { name: "checksum", offset: 16, type: "u16", netOrder: true },
  { name: "urg-ptr", offset: 18, type: "u16", netOrder: true },
];
const UDP_FIELDS: HeaderDef["fields"] = [
  { name: "src-port", offset: 0, type: "u16", netOrder: true }, { name: "dst-port", offset: 2, type: "u16", netOrder: true },
  { name: "len", offset: 4, type: "u16", netOrder: true }, { name: "checksum", offset: 6, type: "u16", netOrder: true },
];

export const HEADERS: HeaderDef[] = [
  {
    name: "eth", size: 14, over: { layer: "packet" }, fields: [
      // MAC addresses as 48-bit numbers (aa:bb:… is #xaabb…), read from 8 bytes in network order.
      { name: "dst-mac", offset: 0, type: "u64", netOrder: true, bits: 48, shift: 16 },
      { name: "src-mac", offset: 6, type: "u64", netOrder: true, bits: 48, shift: 16 },
      { name: "type", offset: 12, type: "u16", netOrder: true },
    ],
  },
  {
    name: "vlan", size: 4, over: { layer: "eth", where: { type: 0x8100 } }, fields: [
      { name: "tci", offset: 0, type: "u16", netOrder: true }, { name: "type", offset: 2, type: "u16", netOrder: true },
      { name: "pcp", offset: 0, type: "u16", netOrder: true, bits: 3, shift: 13 },
      { name: "dei", offset: 0, type: "u16", netOrder: true, bits: 1, shift: 12 },
      { name: "vid", offset: 0, type: "u16", netOrder: true, bits: 12, shift: 0 },
    ],
  },
  {
    name: "ipv4", size: 20, over: { layer: "eth", where: { type: 0x0800 } }, fields: [
      { name: "ver-ihl", offset: 0, type: "u8" }, { name: "tos", offset: 1, type: "u8" },
      { name: "version", offset: 0, type: "u8", bits: 4, shift: 4 }, { name: "ihl", offset: 0, type: "u8", bits: 4, shift: 0 },
      { name: "dscp", offset: 1, type: "u8", bits: 6, shift: 2 }, { name: "ecn", offset: 1, type: "u8", bits: 2, shift: 0 },
      { name: "total-len", offset: 2, type: "u16", netOrder: true }, { name: "id", offset: 4, type: "u16", netOrder: true },
      { name: "frag-off", offset: 6, type: "u16", netOrder: true },
      { name: "flags", offset: 6, type: "u16", netOrder: true, bits: 3, shift: 13 },
      { name: "frag-offset", offset: 6, type: "u16", netOrder: true, bits: 13, shift: 0 },
      { name: "ttl", offset: 8, type: "u8" },
      { name: "protocol", offset: 9, type: "u8" }, { name: "checksum", offset: 10, type: "u16", netOrder: true },
      // Addresses stay in network order (usable as map keys as they are).
      { name: "src-addr", offset: 12, type: "u32" }, { name: "dst-addr", offset: 16, type: "u32" },
    ],
  },
  {
    name: "ipv6", size: 40, over: { layer: "eth", where: { type: 0x86dd } }, fields: [
      { name: "ver-tc-flow", offset: 0, type: "u32", netOrder: true },
      { name: "version", offset: 0, type: "u32", netOrder: true, bits: 4, shift: 28 },
      { name: "traffic-class", offset: 0, type: "u32", netOrder: true, bits: 8, shift: 20 },
      { name: "flow-label", offset: 0, type: "u32", netOrder: true, bits: 20, shift: 0 },
      { name: "payload-len", offset: 4, type: "u16", netOrder: true },
      { name: "next-header", offset: 6, type: "u8" }, { name: "hop-limit", offset: 7, type: "u8" },
      // Addresses as two u64 halves each, kept in network order (map keys).
      { name: "src-addr-hi", offset: 8, type: "u64" }, { name: "src-addr-lo", offset: 16, type: "u64" },
      { name: "dst-addr-hi", offset: 24, type: "u64" }, { name: "dst-addr-lo", offset: 32, type: "u64" },
    ],
  },
  { name: "tcp", size: 20, over: { layer: "ipv4", where: { protocol: 6 } }, fields: TCP_FIELDS },
  { name: "udp", size: 8, over: { layer: "ipv4", where: { protocol: 17 } }, fields: UDP_FIELDS },
  {
    name: "icmp", size: 8, over: { layer: "ipv4", where: { protocol: 1 } }, fields: [
      { name: "type", offset: 0, type: "u8" }, { name: "code", offset: 1, type: "u8" },
      { name: "checksum", offset: 2, type: "u16", netOrder: true }, { name: "id", offset: 4, type: "u16", netOrder: true },
      { name: "seq", offset: 6, type: "u16", netOrder: true }, { name: "gateway", offset: 4, type: "u32" },
    ],
  },
  {
    name: "icmpv6", size: 8, over: { layer: "ipv6", where: { "next-header": 58 } }, fields: [
      { name: "type", offset: 0, type: "u8" }, { name: "code", offset: 1, type: "u8" },
      { name: "checksum", offset: 2, type: "u16", netOrder: true }, { name: "id", offset: 4, type: "u16", netOrder: true },
      { name: "seq", offset: 6, type: "u16", netOrder: true }, { name: "mtu", offset: 4, type: "u32", netOrder: true },
    ],
  },
  // TCP and UDP right after an IPv6 header (no extension headers): with-tcp6, parse-udp6, …
  { name: "tcp6", size: 20, over: { layer: "ipv6", where: { "next-header": 6 } }, fields: TCP_FIELDS },
  { name: "udp6", size: 8, over: { layer: "ipv6", where: { "next-header": 17 } }, fields: UDP_FIELDS },
];

/** Protocol constants (the `+NAME-hdr-len+` ones come from api.header with each header's size). */
export const PROTOCOL_CONSTANTS: Record<string, number> = {
  "+eth-alen+": 6,
  "+ethertype-ipv4+": 0x0800, "+ethertype-ipv6+": 0x86dd, "+ethertype-arp+": 0x0806, "+ethertype-vlan+": 0x8100,
  "+ethertype-qinq+": 0x88a8, "+vlan-vid-mask+": 0x0fff,
  "+ip-proto-hopopts+": 0, "+ip-proto-icmp+": 1, "+ip-proto-igmp+": 2, "+ip-proto-ipip+": 4, "+ip-proto-tcp+": 6,
  "+ip-proto-udp+": 17, "+ip-proto-ipv6+": 41, "+ip-proto-routing+": 43, "+ip-proto-fragment+": 44, "+ip-proto-gre+": 47,
  "+ip-proto-esp+": 50, "+ip-proto-ah+": 51, "+ip-proto-icmpv6+": 58, "+ip-proto-none+": 59, "+ip-proto-dstopts+": 60,
  "+ip-proto-sctp+": 132,
  "+ipv4-df+": 0x4000, "+ipv4-mf+": 0x2000, "+ipv4-frag-mask+": 0x1fff,
  "+tcp-fin+": 0x01, "+tcp-syn+": 0x02, "+tcp-rst+": 0x04, "+tcp-psh+": 0x08, "+tcp-ack+": 0x10,
  "+tcp-urg+": 0x20, "+tcp-ece+": 0x40, "+tcp-cwr+": 0x80,
  "+icmp-echo-reply+": 0, "+icmp-dest-unreach+": 3, "+icmp-redirect+": 5, "+icmp-echo-request+": 8, "+icmp-time-exceeded+": 11,
  "+icmpv6-dest-unreach+": 1, "+icmpv6-packet-too-big+": 2, "+icmpv6-time-exceeded+": 3, "+icmpv6-echo-request+": 128,
  "+icmpv6-echo-reply+": 129, "+icmpv6-router-solicit+": 133, "+icmpv6-router-advert+": 134,
  "+icmpv6-neighbor-solicit+": 135, "+icmpv6-neighbor-advert+": 136,
};

const args = (form: Cons): Datum[] => cells(form.cdr).map((c) => c.car);

/** Where a header sits in the packet (computed from the `over` chain by api.header). */
export interface Layer {
  /** Total bytes that must be in bounds. */
  need: number;
  /** Checks (raw forms over ?data) that must hold. */
  checks: string[];
  /** Offset of the bound header from DATA. */
  offset: number;
}

function packetForms(ctx: MacroContext, form: Cons): { data: string; end: string; pass: bigint } {
  const p = ctx.program;
  if (!p) ctx.error(`"${(form.car as Sym).name.toLowerCase()}" can only be used inside a program`, form);
  if (p.type.packet === "xdp") return { data: "(xdp-data)", end: "(xdp-data-end)", pass: BigInt(p.type.passVerdict) };
  if (p.type.packet === "skb") return { data: "(tc-data)", end: "(tc-data-end)", pass: BigInt(p.type.passVerdict) };
  return ctx.error(`"${(form.car as Sym).name.toLowerCase()}" needs a packet program (:xdp, :tc, …), not :${p.type.name}`, form);
}

/** (with-LAYER (data data-end var) body…), or with-packet (data data-end :min-len N) without a layer. */
function withLayer(layer: string, l?: Layer) {
  return (form: Cons, ctx: MacroContext): Datum => {
    const [spec, ...body] = args(form);
    const names = spec instanceof Cons ? args(spec).length >= 0 ? [spec.car, ...args(spec)] : [] : [];
    const { data: dataForm, end: endForm, pass } = packetForms(ctx, form);
    let need: Datum, checks: string[], offset: number | undefined, bindName: Datum | undefined;
    if (layer === "packet") {
      const minIdx = names.findIndex((n) => n instanceof Sym && n.name === ":MIN-LEN");
      if (names.length < 2 || !(names[0] instanceof Sym) || !(names[1] instanceof Sym)) {
        ctx.error("Malformed with-packet: expected (with-packet (data data-end [:min-len N]) body…)", form);
      }
      // Any constant expression; lowering folds it (and rejects a non-constant one as a run-time length).
      need = minIdx >= 0 ? names[minIdx + 1] ?? 0n : 0n;
      checks = [];
    } else {
      if (names.length !== 3 || !names.every((n) => n instanceof Sym)) {
        ctx.error(`Malformed with-${layer}: expected (with-${layer} (data data-end ${layer}) body…)`, form);
      }
      need = BigInt(l!.need);
      ({ checks, offset } = l!);
      bindName = names[2];
    }
    const [data, end] = names;
    const guards = ["(when (> (+ ?data ?need) ?end) (return ?pass))", ...checks.map((c) => `(unless ${c} (return ?pass))`)];
    const inner = bindName === undefined ? "(progn ?@body)" : `(let ((?var (+ ?data ${offset}))) ?@body)`;
    return tmpl(ctx.symbols, `(let* ((?data ${dataForm}) (?end ${endForm})) ${guards.join(" ")} ${inner})`, {
      data, end, pass, var: bindName ?? 0n, body, need,
    });
  };
}

/** (parse-LAYER data data-end): pointer to the header, or 0 when absent or out of bounds. */
function parseLayer(layer: string, l: Layer) {
  return (form: Cons, ctx: MacroContext): Datum => {
    const a = args(form);
    if (a.length !== 2) ctx.error(`"parse-${layer}" takes 2 arguments (data data-end), got ${a.length}`, form);
    const d = ctx.gensym("DATA");
    const tests = [`(<= (+ ?d ${l.need}) ?end)`, ...l.checks.map((c) => c.replace(/\?data/g, "?d"))];
    return tmpl(ctx.symbols, `(let ((?d ?data)) (if (and ${tests.join(" ")}) (+ ?d ${l.offset}) 0))`, { d, data: a[0], end: a[1] });
  };
}

/** with-NAME, with-tc-NAME and parse-NAME for a header placed at `l` (called by api.header). */
export function layerMacros(api: PluginApi, name: string, l: Layer): void {
  api.macro(`with-${name}`, withLayer(name, l));
  api.macro(`with-tc-${name}`, withLayer(name, l));
  api.macro(`parse-${name}`, parseLayer(name, l));
}

/**
 * (parse-ipv4* data data-end): the IPv4 header honouring IHL — the pointer when the frame is
 * IPv4, IHL ≥ 5 and the whole IHL*4-byte header is in bounds, else 0. (parse-tcp* …),
 * (parse-udp* …), (parse-icmp* …): the layer-4 header after such a header, or 0.
 */
function parseStar(l4?: { proto: number; size: number }) {
  return (form: Cons, ctx: MacroContext): Datum => {
    const a = args(form);
    const name = (form.car as Sym).name.toLowerCase();
    if (a.length !== 2) ctx.error(`"${name}" takes 2 arguments (data data-end), got ${a.length}`, form);
    const [d, e, ip, hl, p] = ["DATA", "END", "IP", "HL", "L4"].map((n) => ctx.gensym(n));
    const ipForm = `(if (and (<= (+ ?d 34) ?e) (= (load u16 ?d 12) #x0008) (= (ipv4-version (+ ?d 14)) 4) (>= (ipv4-ihl (+ ?d 14)) 5))
       (let ((?hl (* 4 (ipv4-ihl (+ ?d 14)))))
         (if (<= (+ ?d 14 ?hl) ?e) (+ ?d 14) 0))
       0)`;
    if (!l4) return tmpl(ctx.symbols, `(let ((?d ?data) (?e ?end)) ${ipForm})`, { d, e, hl, data: a[0], end: a[1] });
    return tmpl(ctx.symbols, `(let* ((?d ?data) (?e ?end) (?ip ${ipForm}))
       (if (and ?ip (= (ipv4-protocol ?ip) ${l4.proto}))
         (let ((?p (+ ?ip (* 4 (ipv4-ihl ?ip)))))
           (if (<= (+ ?p ${l4.size}) ?e) ?p 0))
         0))`, { d, e, ip, hl, p, data: a[0], end: a[1] });
  };
}

export const protocolsPlugin: Plugin = {
  name: "whistler:protocols",
  setup(api) {
    // Accessors, +NAME-hdr-len+ and, for headers with `over`, with-NAME / with-tc-NAME / parse-NAME.
    for (const h of HEADERS) api.header(h);
    for (const [k, v] of Object.entries(PROTOCOL_CONSTANTS)) api.constant(k, v);
    api.macro("with-packet", withLayer("packet"));
    api.macro("parse-ipv4*", parseStar());
    api.macro("parse-tcp*", parseStar({ proto: 6, size: 20 }));
    api.macro("parse-udp*", parseStar({ proto: 17, size: 8 }));
    api.macro("parse-icmp*", parseStar({ proto: 1, size: 8 }));
    api.macro("with-tc-packet", withLayer("packet"));
  },
};
