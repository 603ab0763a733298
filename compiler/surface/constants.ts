// Built-in constants (SPEC §4): verdicts, map update flags, NULL and map flags.

import type { Plugin } from "../registry.ts";
import { MAP_FLAGS, SK_ACTIONS, TC_ACT, UPDATE_FLAGS, XDP_ACTIONS } from "../uapi.ts";

export const constantsPlugin: Plugin = {
  name: "whistler:constants",
  setup(api) {
    const tables = [XDP_ACTIONS, TC_ACT, SK_ACTIONS, UPDATE_FLAGS, MAP_FLAGS];
    const seen = new Set<string>();
    for (const t of tables) {
      for (const [k, v] of Object.entries(t)) {
        if (seen.has(k.toLowerCase())) continue;
        seen.add(k.toLowerCase());
        api.constant(k, v);
      }
    }
    api.constant("NULL", 0);
  },
};
