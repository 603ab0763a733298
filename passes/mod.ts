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
import { instcombine } from "./instcombine.ts";
import { sccp } from "./sccp.ts";
import { dse } from "./dse.ts";
import { storeForward } from "./store_forward.ts";
import { narrow } from "./narrow.ts";
import { phiThread } from "./phi_thread.ts";
import { bitmaskFusion } from "./bitmask_fusion.ts";
import { loadHoist } from "./load_hoist.ts";
import { lookupDeleteFusion } from "./lookup_delete_fusion.ts";
import { stackColoring } from "./stack_coloring.ts";
import { tailMerge } from "./tail_merge.ts";
import { jumpThread } from "./jump_thread.ts";
import { exitHoist } from "./exit_hoist.ts";
import { redundantMoves } from "./redundant_moves.ts";
import { immForms } from "./imm_forms.ts";
import { crossJump } from "./cross_jump.ts";

export const BUILTIN_PASSES = [
  // SSA passes, roughly in -O2 order.
  copyProp, constFold, sccp, instcombine, offsetFold, cse, loadHoist, storeForward, lookupDeleteFusion, dse,
  phiThread, narrow, bitmaskFusion, mergeReturns, simplifyCfg, dce, stackColoring,
  // Peephole passes over the emitted instructions.
  redundantMoves, immForms, exitHoist, tailMerge, crossJump, jumpThread, redundantJumps,
]

export const passesPlugin: Plugin = {
  name: "whistler:passes",
  setup(api) {
    for (const p of BUILTIN_PASSES) api.pass(p);
  },
};
