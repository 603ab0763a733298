// The table of forms the interpreter runs itself (special operators and the standard macros it
// implements natively, which are kept out of the macro table shared with the BPF expander).

import { quasiquote } from "./backquote.ts";
import { MISC_FORMS } from "./builtins_misc.ts";
import { CONTROL_FORMS } from "./control.ts";
import { EVAL_FORMS } from "./eval.ts";
import type { SpecialForm } from "./forms.ts";
import { LOOP_FORMS } from "./loop.ts";
import { PLACE_FORMS } from "./places.ts";

export const SPECIAL_FORMS: Readonly<Record<string, SpecialForm>> = Object.freeze({
  ...EVAL_FORMS,
  ...CONTROL_FORMS,
  ...PLACE_FORMS,
  ...LOOP_FORMS,
  ...MISC_FORMS,
  QUASIQUOTE: quasiquote,
});
