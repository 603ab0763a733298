// vxlan: an example protocol header plugin. Registers the VXLAN header (RFC 7348) over UDP port
// 4789 — accessors (vxlan-flags p), (vxlan-vni p) with setf, +vxlan-hdr-len+, and the parsing
// forms with-vxlan / parse-vxlan — plus the inner Ethernet header it carries (with-vxlan-eth).

import type { Plugin } from "../../mod.ts";

const plugin: Plugin = {
  name: "vxlan",
  options: { port: "UDP destination port that carries VXLAN (default 4789, the IANA port)" },
  setup(api) {
    const port = Number(api.options.port ?? 4789);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`option port: "${api.options.port}" is not a UDP port`);
    api.constant("+vxlan-port+", port);
    api.constant("+vxlan-flag-i+", 0x08); // "VNI is valid"
    api.header({
      name: "vxlan",
      size: 8,
      over: { layer: "udp", port }, // Ethernet / IPv4 (20 bytes) / UDP to `port` / VXLAN
      fields: [
        { name: "flags", offset: 0, type: "u8" },
        // The 24-bit VXLAN network identifier: the top 3 bytes of the big-endian word at offset 4.
        { name: "vni", offset: 4, type: "u32", netOrder: true, shift: 8, bits: 24 },
      ],
    });
    // The encapsulated frame's Ethernet header, when the I flag says the VNI is valid.
    api.header({
      name: "vxlan-eth",
      size: 14,
      over: { layer: "vxlan", where: { flags: 0x08 } },
      fields: [{ name: "type", offset: 12, type: "u16", netOrder: true }],
    });
  },
};

export default plugin;
