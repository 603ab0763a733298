// A peephole pass that changes nothing, placed at the end of the pipeline: the order of
// --plugin flags decides the order of order-a and order-b (tests/plugins_test.ts).
import type { Plugin } from "../../mod.ts";

const plugin: Plugin = {
  name: "order-b",
  setup(api) {
    api.pass({ name: "order-b", kind: "peephole", description: "changes nothing", position: { slot: "end" }, run: () => false });
  },
};

export default plugin;
