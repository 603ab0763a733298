// A plugin that goes wrong on purpose, in the way `--plugin-opt broken.case=NAME` selects; the
// error-case tests of tests/plugins_test.ts load it. Written only against the plugin API.

import type { Item, Plugin } from "../../mod.ts";

const plugin: Plugin = {
  name: "broken",
  options: { case: "which mistake to make" },
  setup(api) {
    const noop = { description: "does nothing", run: () => false };
    switch (api.options.case) {
      case "dup-macro": return api.macro("when", (form) => form);
      case "dup-pass": return api.pass({ ...noop, name: "dce", kind: "ssa" });
      case "dup-own": api.constant("+twice+", 1); return api.constant("+TWICE+", 2);
      case "bad-position": return api.pass({ ...noop, name: "lost", kind: "ssa", position: { before: "no-such-pass" } });
      case "wrong-stage": return api.pass({ ...noop, name: "early-peep", kind: "peephole", position: { before: "dce" } });
      case "bad-slot": return api.pass({ ...noop, name: "odd", kind: "ssa", position: { slot: "middle" } as never });
      case "bad-pass-name": return api.pass({ ...noop, name: "MyPass", kind: "ssa" });
      case "no-run": return api.pass({ name: "no-run", kind: "ssa", description: "x" } as never);
      case "bad-kind": return api.pass({ ...noop, name: "kindless", kind: "tree" } as never);
      case "bad-header": return api.header({ name: "odd", size: 4, fields: [{ name: "x", offset: 0, type: "u24" as never }] });
      case "header-past-end": return api.header({ name: "short", size: 2, fields: [{ name: "x", offset: 0, type: "u32" }] });
      case "header-layer": return api.header({ name: "sctp", size: 12, over: { layer: "ipv5" }, fields: [{ name: "x", offset: 0, type: "u16" }] });
      case "header-where": return api.header({ name: "geneve", size: 8, over: { layer: "udp", where: { "dst-prot": 6081 } }, fields: [{ name: "x", offset: 0, type: "u8" }] });
      case "bad-constant": return api.constant("+half+", 1.5);
      case "setup-throws": throw new Error("cannot find my configuration");
      case "async-setup": return Promise.resolve().then(() => api.constant("+late+", 1)) as never;
      case "macro-throws":
        return api.macro("explode", () => {
          throw new TypeError("x is not iterable");
        });
      case "macro-undefined": return api.macro("nothing", () => undefined as never);
      case "pass-throws":
        return api.pass({
          name: "thrower", kind: "ssa", description: "throws", position: { after: "copy-prop" },
          run() {
            throw new RangeError("index out of range");
          },
        });
      case "breaks-ir":
        // Returns a register nothing defines: caught by the IR verifier even without --verify-each.
        return api.pass({
          name: "breaker", kind: "ssa", description: "breaks the IR", position: { slot: "end" },
          run(fn) {
            const b = fn.blocks[fn.blocks.length - 1];
            b.term = { op: "ret", value: fn.nextReg + 100 };
            return true;
          },
        });
      case "bad-peephole":
        return api.pass({
          name: "dangler", kind: "peephole", description: "jumps nowhere", position: { slot: "end" },
          run(items: Item[]) {
            items.unshift(api.asm.jmp("nowhere"));
            return true;
          },
        });
    }
  },
};

export default plugin;
