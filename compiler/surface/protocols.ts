// The protocol library (SPEC §4.3): eth/vlan/ipv4/ipv6/icmp/icmpv6/tcp/udp headers, their
// constants, and the parsing macros with bounds checks that fall through to the pass verdict.
// Each header says which layer it sits over; api.header() derives its with-/parse- forms from that.

import { Cons, type Datum, Sym, cells } from "../sexp.ts";
import type { HeaderDef, MacroContext, Plugin, PluginApi } from "../registry.ts";
import { tmpl } from "./template.ts";

export const HEADERS: HeaderDef[] = [
  { name: "eth", size: 14, over: { layer: "packet" }, fields: [{ name: "type", offset: 12, type: "u16", netOrder: true }] },
  { name: "vlan", size: 4, over: { layer: "eth", where: { type: 0x8100 } }, fields: [{ name: "tci", offset: 0, type: "u16", netOrder: true }, { name: "type", offset: 2, type: "u16", netOrder: true }] },
  {
    name: "ipv4", size: 20, over: { layer: "eth", where: { type: 0x0800 } }, fields: [
      { name: "ver-ihl", offset: 0, type: "u8" }, { name: "tos", offset: 1, type: "u8" },
      { name: "total-len", offset: 2, type: "u16", netOrder: true }, { name: "id", offset: 4, type: "u16", netOrder: true },
      { name: "frag-off", offset: 6, type: "u16", netOrder: true }, { name: "ttl", offset: 8, type: "u8" },
      { name: "protocol", offset: 9, type: "u8" }, { name: "checksum", offset: 10, type: "u16", netOrder: true },
      // Addresses stay in network order (usable as map keys as they are).
      { name: "src-addr", offset: 12, type: "u32" }, { name: "dst-addr", offset: 16, type: "u32" },
    ],
  },
  {
    name: "ipv6", size: 40, over: { layer: "eth", where: { type: 0x86dd } }, fields: [
      { name: "ver-tc-flow", offset: 0, type: "u32", netOrder: true }, { name: "payload-len", offset: 4, type: "u16", netOrder: true },
      { name: "next-header", offset: 6, type: "u8" }, { name: "hop-limit", offset: 7, type: "u8" },
      { name: "src-addr-hi", offset: 8, type: "u64" }, { name: "src-addr-lo", offset: 16, type: "u64" },
      { name: "dst-addr-hi", offset: 24, type: "u64" }, { name: "dst-addr-lo", offset: 32, type: "u64" },
    ],
  },
  {
    name: "tcp", size: 20, over: { layer: "ipv4", where: { protocol: 6 } }, fields: [
      { name: "src-port", offset: 0, type: "u16", netOrder: true }, { name: "dst-port", offset: 2, type: "u16", netOrder: true },
      { name: "seq", offset: 4, type: "u32", netOrder: true }, { name: "ack-seq", offset: 8, type: "u32", netOrder: true },
      { name: "data-off", offset: 12, type: "u8" }, { name: "flags", offset: 13, type: "u8" },
      { name: "window", offset: 14, type: "u16", netOrder: true }, { name: "checksum", offset: 16, type: "u16", netOrder: true },
      { name: "urg-ptr", offset: 18, type: "u16", netOrder: true },
    ],
  },
  {
    name: "udp", size: 8, over: { layer: "ipv4", where: { protocol: 17 } }, fields: [
      { name: "src-port", offset: 0, type: "u16", netOrder: true }, { name: "dst-port", offset: 2, type: "u16", netOrder: true },
      { name: "len", offset: 4, type: "u16", netOrder: true }, { name: "checksum", offset: 6, type: "u16", netOrder: true },
    ],
  },
  {
    name: "icmp", size: 8, over: { layer: "ipv4", where: { protocol: 1 } }, fields: [
      { name: "type", offset: 0, type: "u8" }, { name: "code", offset: 1, type: "u8" },
      { name: "checksum", offset: 2, type: "u16", netOrder: true }, { name: "id", offset: 4, type: "u16", netOrder: true },
      { name: "seq", offset: 6, type: "u16", netOrder: true },
    ],
  },
  {
    name: "icmpv6", size: 8, fields: [
      { name: "type", offset: 0, type: "u8" }, { name: "code", offset: 1, type: "u8" },
      { name: "checksum", offset: 2, type: "u16", netOrder: true },
    ],
  },
];

/** Protocol constants (the `+NAME-hdr-len+` ones come from api.header with each header's size). */
export const PROTOCOL_CONSTANTS: Record<string, number> = {
  "+ethertype-ipv4+": 0x0800, "+ethertype-ipv6+": 0x86dd, "+ethertype-arp+": 0x0806, "+ethertype-vlan+": 0x8100,
  "+ethertype-qinq+": 0x88a8,
  "+ip-proto-icmp+": 1, "+ip-proto-tcp+": 6, "+ip-proto-udp+": 17, "+ip-proto-icmpv6+": 58,
  "+tcp-fin+": 0x01, "+tcp-syn+": 0x02, "+tcp-rst+": 0x04, "+tcp-psh+": 0x08, "+tcp-ack+": 0x10,
  "+tcp-urg+": 0x20, "+tcp-ece+": 0x40, "+tcp-cwr+": 0x80,
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

export const protocolsPlugin: Plugin = {
  name: "whistler:protocols",
  setup(api) {
    // Accessors, +NAME-hdr-len+ and, for headers with `over`, with-NAME / with-tc-NAME / parse-NAME.
    for (const h of HEADERS) api.header(h);
    for (const [k, v] of Object.entries(PROTOCOL_CONSTANTS)) api.constant(k, v);
    api.macro("with-packet", withLayer("packet"));
    api.macro("with-tc-packet", withLayer("packet"));
  },
};
