// All builtin function tables, installed into each Interp (immutable rows; no shared state).

import { LIST_BUILTINS } from "./builtins_list.ts";
import { MISC_BUILTINS } from "./builtins_misc.ts";
import { NUM_BUILTINS } from "./builtins_num.ts";
import { SEQ_BUILTINS } from "./builtins_seq.ts";
import { STRING_BUILTINS } from "./builtins_string.ts";
import type { BuiltinRow } from "./check.ts";

export type { BuiltinRow };

export const BUILTIN_TABLES: readonly (readonly BuiltinRow[])[] = Object.freeze([
  LIST_BUILTINS, SEQ_BUILTINS, NUM_BUILTINS, STRING_BUILTINS, MISC_BUILTINS,
]);
