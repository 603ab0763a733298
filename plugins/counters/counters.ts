// counters: an example macro plugin. (count! KEY [:by N] [:map MAP]) bumps a u64 counter in an
// array or hash map (default map from --plugin-opt counters.map=NAME, else "counters");
// (bits X START WIDTH) extracts a bit field with compile-time checked bounds; and
// (count-and-return KEY VERDICT) is a Lisp macro, written in Lisp source the plugin registers.

import type { Cons, Datum, MacroContext, Plugin } from "../../mod.ts";

const plugin: Plugin = {
  name: "counters",
  options: { map: 'the map (count! …) uses when no :map is given (default "counters")' },
  setup(api) {
    const F = api.forms;
    const defaultMap = api.options.map ?? "counters";

    api.macro("count!", (form: Cons, ctx: MacroContext): Datum => {
      const [key, ...rest] = F.args(form);
      if (key === undefined) ctx.error(`"count!" needs a key: (count! KEY [:by N] [:map MAP])`, form);
      let by: Datum = 1n;
      let map: Datum = ctx.sym(defaultMap);
      for (let i = 0; i < rest.length; i += 2) {
        const opt = F.name(rest[i]);
        // Errors point at the offending argument (its source span), not just the call.
        if (opt !== ":by" && opt !== ":map") ctx.error(`"count!": unknown option ${F.print(rest[i])} (use :by N or :map MAP)`, F.argSpan(form, i + 1));
        if (i + 1 >= rest.length) ctx.error(`"count!": ${opt} needs a value`, F.argSpan(form, i + 1));
        if (opt === ":by") by = rest[i + 1];
        else map = rest[i + 1];
      }
      const name = F.name(map);
      const decl = name ? ctx.map(name) : undefined;
      if (!decl) {
        const where = rest.some((d) => F.name(d) === ":map") ? F.argSpan(form, rest.findIndex((d) => F.name(d) === ":map") + 2) : form;
        return ctx.error(`"count!": no map named "${name ?? F.print(map)}"; declare it with (defmap ${name ?? "counters"} :type :array :key-size 4 :value-size 8 :max-entries N), or choose another with :map or --plugin-opt counters.map=NAME`, where);
      }
      if (decl.valueSize !== 8) ctx.error(`"count!": map "${decl.name}" has ${decl.valueSize}-byte values; counters are u64 (:value-size 8)`, form);
      return ctx.template("(incf (getmap ?map ?key) ?by)", { map, key, by });
    });

    api.macro("bits", (form, ctx) => {
      const a = F.args(form);
      if (a.length !== 3) ctx.error(`"bits" takes 3 arguments (bits X START WIDTH), got ${a.length}`, form);
      const [x, startForm, widthForm] = a;
      const start = F.intValue(startForm, ctx), width = F.intValue(widthForm, ctx);
      if (start === undefined || start < 0n || start > 63n) ctx.error(`"bits": START must be a constant 0..63`, F.argSpan(form, 1));
      if (width === undefined || width < 1n || start! + width > 64n) ctx.error(`"bits": WIDTH must be a constant 1..${64n - start!}`, F.argSpan(form, 2));
      const mask = (1n << width!) - 1n;
      return start === 0n ? ctx.template("(logand ?x ?mask)", { x, mask }) : ctx.template("(logand (>> ?x ?start) ?mask)", { x, start: start!, mask });
    });

    // A macro written in Lisp, evaluated at compile time like a defmacro in the source file.
    api.lisp(`
      (defmacro count-and-return (key verdict)
        "Count KEY, then return VERDICT from the program."
        \`(progn (count! ,key) (return ,verdict)))`);
  },
};

export default plugin;
