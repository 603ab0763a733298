// Built-in high-level map macros (seed 000): getmap, (setf (getmap …)), remmap, and the map
// increment behind (incf (getmap …)). Struct keys (key-size > 8) use the -ptr forms.

import { Cons, type Datum, Sym, cells } from "../sexp.ts";
import type { MacroContext, Plugin } from "../registry.ts";
import type { MapDecl } from "../unit.ts";
import { tmpl } from "./template.ts";

const args = (form: Cons): Datum[] => cells(form.cdr).map((c) => c.car);

function mapArg(ctx: MacroContext, form: Cons, d: Datum | undefined): MapDecl {
  const m = d instanceof Sym ? ctx.map(d.name.toLowerCase()) : undefined;
  if (!m) {
    const at = cells(form)[1]?.carSpan ?? form;
    ctx.error(`Expected a map name${d === undefined ? "" : `, got ${d instanceof Sym ? `"${d.name.toLowerCase()}" (no map of that name)` : "an expression"}`}`, at);
  }
  return m;
}

function arity(ctx: MacroContext, form: Cons, n: number, usage: string): Datum[] {
  const a = args(form);
  if (a.length !== n) ctx.error(`"${(form.car as Sym).name.toLowerCase()}" takes ${n} arguments ${usage}, got ${a.length}`, form);
  return a;
}

const scalarValue = (m: MapDecl): string | undefined =>
  ({ 1: "u8", 2: "u16", 4: "u32", 8: "u64" } as Record<number, string>)[m.valueSize];

const isArrayLike = (m: MapDecl) => m.type === "array" || m.type === "percpu-array";

/** The pointer-taking variant when the key is a struct (key-size > 8). */
const op = (_m: MapDecl, base: string) => base; // the plain forms take struct keys by pointer

export const mapsPlugin: Plugin = {
  name: "whistler:maps",
  setup(api) {
    api.macro("getmap", (form, ctx) => {
      const [md, key] = arity(ctx, form, 2, "(map key)");
      const m = mapArg(ctx, form, md);
      const t = scalarValue(m);
      if (!t) return tmpl(ctx.symbols, `(${op(m, "map-lookup")} ?m ?key)`, { m: md, key });
      const p = ctx.gensym("P");
      return tmpl(ctx.symbols, `(let ((?p (${op(m, "map-lookup")} ?m ?key))) (if ?p (load ${t} ?p 0) 0))`, { p, m: md, key });
    });
    api.setf("getmap", (place, value, ctx) => {
      const [md, key] = arity(ctx, place, 2, "(map key)");
      mapArg(ctx, place, md);
      // map-update takes struct keys by pointer and spills scalar values itself.
      return tmpl(ctx.symbols, "(map-update ?m ?key ?value 0)", { m: md, key, value });
    });
    api.macro("remmap", (form, ctx) => {
      const [md, key] = arity(ctx, form, 2, "(map key)");
      const m = mapArg(ctx, form, md);
      return tmpl(ctx.symbols, `(${op(m, "map-delete")} ?m ?key)`, { m: md, key });
    });
    // (with-ringbuf (var map size [flags]) body…): reserve a record, run body with var bound to
    // it, submit it. The body must not leave with (return …): the verifier rejects a reserved
    // record that is neither submitted nor discarded.
    api.macro("with-ringbuf", (form, ctx) => {
      const [spec, ...body] = args(form);
      const parts = spec instanceof Cons ? [spec.car, ...args(spec)] : [];
      if (parts.length < 3 || parts.length > 4 || !(parts[0] instanceof Sym)) {
        ctx.error("Malformed with-ringbuf: expected (with-ringbuf (var map size [flags]) body…)", form);
      }
      const [v, md, size, flags] = parts;
      const m = mapArg(ctx, spec as Cons, md);
      if (m.type !== "ringbuf") ctx.error(`with-ringbuf needs a :ringbuf map, "${m.name}" is :${m.type}`, cells(spec as Cons)[1]?.carSpan ?? form);
      return tmpl(ctx.symbols, "(let ((?v (ringbuf-reserve ?m ?size 0))) (when ?v ?@body (ringbuf-submit ?v ?flags)))", {
        v, m: md, size, body, flags: flags ?? 0n,
      });
    });
    // (%map-incf map key delta): array maps add atomically when the entry exists; hash maps
    // also insert delta when the key is missing.
    api.macro("%map-incf", (form, ctx) => {
      const [md, key, delta] = arity(ctx, form, 3, "(map key delta)");
      const m = mapArg(ctx, form, md);
      const t = scalarValue(m);
      if (t !== "u64" && t !== "u32") ctx.error(`incf on map "${m.name}" needs a value-size of 4 or 8 bytes, not ${m.valueSize}`, form);
      const p = ctx.gensym("P");
      if (isArrayLike(m)) {
        return tmpl(ctx.symbols, `(let ((?p (${op(m, "map-lookup")} ?m ?key))) (when ?p (atomic-add ?p 0 ?delta ${t})))`, { p, m: md, key, delta });
      }
      // Evaluate the key once: a struct key is already a pointer; a scalar key is spilled once
      // and its stack address used by both calls.
      const k = ctx.gensym("K");
      const keyPtr = tmpl(ctx.symbols, `(%key-ptr ${m.keySize} ?key)`, { key });
      return tmpl(
        ctx.symbols,
        `(let* ((?k ?keyPtr) (?p (map-lookup-ptr ?m ?k)))
           (if ?p (atomic-add ?p 0 ?delta ${t}) (map-update-ptr ?m ?k (%spill ${m.valueSize} ?delta) 0)))`,
        { k, keyPtr, p, m: md, delta },
      );
    });
  },
};
