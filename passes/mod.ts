// The built-in optimisation passes, registered through the plugin API like any user plugin.

import type { Plugin } from "../compiler/registry.ts";
import { copyProp } from "./copy_prop.ts";
import { constFold } from "./const_fold.ts";
import { dce } from "./dce.ts";
import { simplifyCfg } from "./simplify_cfg.ts";
import { redundantJumps } from "./redundant_jumps.ts";
import { offsetFold } from "./offset_fold.ts";
import { cse } from "./cse.ts";
import { mergeReturns } from "./merge_returns.ts";

export const BUILTIN_PASSES = [copyProp, constFold, offsetFold, cse, mergeReturns, simplifyCfg, dce, redundantJumps];

export const passesPlugin: Plugin = {
  name: "whistler:passes",
  setup(api) {
    for (const p of BUILTIN_PASSES) api.pass(p);
  },
};
